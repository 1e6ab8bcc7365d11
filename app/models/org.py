"""Who HR may see, and which courses people are asked to complete by when."""

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class HrScope(SQLModel, table=True):
    """An HR user sees the subtree under each unit they are scoped to, and nothing else."""

    __tablename__ = "hr_scope"
    __table_args__ = (UniqueConstraint("user_id", "org_unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True)


class Assignment(SQLModel, table=True):
    """A course assigned, with a due date, to a whole unit (its subtree) or to one person."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("(org_unit_id IS NULL) <> (user_id IS NULL)", name="unit_or_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: uuid.UUID = Field(foreign_key="course.id", index=True)
    org_unit_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="CASCADE"
    )
    due_on: date
    assigned_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
