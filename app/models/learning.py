"""What each learner has enrolled in and read."""

import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class Enrolment(SQLModel, table=True):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    course_id: uuid.UUID = Field(foreign_key="course.id", index=True)
    enrolled_at: datetime = Field(default_factory=utcnow)


class ModuleProgress(SQLModel, table=True):
    """A learner has read a module; the version read is kept for the record."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    module_id: uuid.UUID = Field(foreign_key="module.id", index=True)
    module_version_id: int = Field(foreign_key="module_version.id")
    read_at: datetime = Field(default_factory=utcnow)
