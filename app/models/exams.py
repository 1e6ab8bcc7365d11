"""Course exams and learners' sittings of them."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class Exam(SQLModel, table=True):
    """An exam as last synced from its course's exam.yaml."""

    __tablename__ = "exam"

    id: uuid.UUID = Field(primary_key=True)
    course_id: uuid.UUID = Field(foreign_key="course.id", index=True)
    title: str = Field(max_length=200)
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    is_published: bool = True
    updated_at: datetime = Field(default_factory=utcnow)
    source_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ExamSitting(SQLModel, table=True):
    """One learner sitting an exam once. The plan (exercise versions, seeds, weights, time
    limit, pass mark) is frozen when the sitting starts, so editing the exam or its
    exercises never changes a sitting in progress."""

    __tablename__ = "exam_sitting"
    __table_args__ = (UniqueConstraint("user_id", "exam_id", "number"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    exam_id: uuid.UUID = Field(foreign_key="exam.id", index=True)
    number: int
    status: str = Field(default="in_progress", max_length=20)  # in_progress | submitted | late
    started_at: datetime = Field(default_factory=utcnow)
    deadline_at: datetime
    submitted_at: datetime | None = None
    plan: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    results: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    score: float | None = None
    passed: bool | None = None
