"""Who may edit a course, and the drafts instructors edit in the browser.

A draft is private to the course's staff. Publishing turns it into a new version (see
app.models.catalog); learners only ever see versions. A module or exercise has at most
one draft at a time, shared by the course's staff.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class CourseStaff(SQLModel, table=True):
    """An instructor who authors and reviews one course, appointed by an admin."""

    __tablename__ = "course_staff"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: uuid.UUID = Field(foreign_key="course.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    added_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class ModuleDraft(SQLModel, table=True):
    """The edited, unpublished state of a module: its front matter and teaching text."""

    __tablename__ = "module_draft"

    id: int | None = Field(default=None, primary_key=True)
    module_id: uuid.UUID = Field(foreign_key="module.id", unique=True)
    # The version this draft started from (None for a module that was never published).
    based_on: int | None = None
    title: str = Field(max_length=200)
    minutes: int
    objectives: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    exercise_slugs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    body_markdown: str = Field(sa_column=Column(Text, nullable=False))
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow)


class DraftFigure(SQLModel, table=True):
    """An image of a module draft: carried over from the version, or uploaded."""

    __tablename__ = "draft_figure"
    __table_args__ = (UniqueConstraint("module_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    module_id: uuid.UUID = Field(foreign_key="module.id", index=True)
    name: str = Field(max_length=120)
    media_type: str = Field(max_length=40)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ExerciseDraft(SQLModel, table=True):
    """The edited, unpublished state of an exercise: its definition and texts."""

    __tablename__ = "exercise_draft"

    id: int | None = Field(default=None, primary_key=True)
    exercise_id: uuid.UUID = Field(foreign_key="exercise.id", unique=True)
    based_on: int | None = None
    title: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    # The same shape as ExerciseVersion.definition: kind settings, params, parts, cases.
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prompt_markdown: str = Field(sa_column=Column(Text, nullable=False))
    solution_markdown: str = Field(sa_column=Column(Text, nullable=False))
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow)
