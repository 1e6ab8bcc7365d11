"""People, their role and where they sit in the organisation."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class Role(StrEnum):
    learner = "learner"
    instructor = "instructor"
    hr = "hr"
    admin = "admin"


class OrgUnit(SQLModel, table=True):
    """A node of the organisation tree: company, division, department or team.

    `path` lists the ids from the root down, as "/1/4/9/", so a subtree is every unit
    whose path starts with this one's. `headcount` is the number of active people placed
    directly in the unit, kept current with each change to them (see app.reporting).
    """

    __tablename__ = "org_unit"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    name: str = Field(max_length=120)
    path: str = Field(default="", max_length=400, index=True)
    headcount: int = 0


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
