"""Learners' graded attempts at exercises, and the per-exercise summary kept beside them."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class Attempt(SQLModel, table=True):
    """One submitted answer, graded. Written in the same transaction as the summary below.

    The seed regenerates the exact variant the learner saw; the version is the one they
    answered. The submission token makes retries and double clicks idempotent, and the
    per-exercise number stops two concurrent submissions from both using the last attempt.
    """

    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("user_id", "submission_token"),
        UniqueConstraint("user_id", "exercise_id", "number"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    exercise_id: uuid.UUID = Field(foreign_key="exercise.id", index=True)
    exercise_version_id: int = Field(foreign_key="exercise_version.id")
    number: int
    seed: int
    submission_token: str = Field(max_length=64)
    answer: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    parts: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    score: float
    status: str = Field(default="graded", max_length=20)  # graded | awaiting_review | reviewed
    created_at: datetime = Field(default_factory=utcnow)
    # An instructor's review: per-criterion levels and comments, and the overall comment.
    review: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = None


class ExerciseProgress(SQLModel, table=True):
    """A learner's standing on one exercise: attempts used, best score, passed or not."""

    __tablename__ = "exercise_progress"
    __table_args__ = (UniqueConstraint("user_id", "exercise_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    exercise_id: uuid.UUID = Field(foreign_key="exercise.id", index=True)
    attempts_used: int = 0
    best_score: float = 0.0
    passed: bool = False
    last_attempt_at: datetime | None = None


class AttemptRegrade(SQLModel, table=True):
    """An attempt re-graded against a corrected version of its exercise: what it was
    (score, version and per-part results) before, what it became, who did it and when."""

    __tablename__ = "attempt_regrade"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: uuid.UUID = Field(foreign_key="attempt.id", index=True, ondelete="CASCADE")
    old_version_id: int = Field(foreign_key="exercise_version.id")
    new_version_id: int = Field(foreign_key="exercise_version.id")
    old_score: float
    new_score: float
    old_parts: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    regraded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    regraded_at: datetime = Field(default_factory=utcnow)
