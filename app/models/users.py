"""People, their role and where they sit in the organisation."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class Role(StrEnum):
    learner = "learner"
    instructor = "instructor"
    hr = "hr"
    admin = "admin"


class OrgUnit(SQLModel, table=True):
    __tablename__ = "org_unit"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    name: str = Field(max_length=120)


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-cased
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.learner, max_length=16)
    org_unit_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
