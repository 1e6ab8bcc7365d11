"""Certificates: one per learner and course, verifiable by an unguessable code."""

import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class Certificate(SQLModel, table=True):
    """The holder's name, belt and course title are copied at issue, so the certificate
    states what was true when it was awarded."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    course_id: uuid.UUID = Field(foreign_key="course.id", index=True)
    holder_name: str = Field(max_length=120)
    course_title: str = Field(max_length=200)
    belt: str = Field(max_length=16)
    issued_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = Field(default=None, max_length=500)

    @property
    def display_title(self) -> str:
        """The course title, with the belt added when the title does not already say it."""
        belt = f"{self.belt.capitalize()} Belt"
        if belt.lower() in self.course_title.lower():
            return self.course_title
        return f"{self.course_title} ({belt})"

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "valid"
