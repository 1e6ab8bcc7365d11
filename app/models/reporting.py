"""Summary tables behind the HR figures, kept current in the transaction of each change.

HR pages read these and never recompute from attempts during a request;
`takt reports rebuild` recomputes them from the raw rows and reports any drift.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class CourseStanding(SQLModel, table=True):
    """One learner's standing in one course: progress, certificate and due date.

    A row exists once the learner starts the course or is assigned it. The certificate
    fields describe the certificate they hold now; revoking one clears them. The unit is
    copied from the learner (none while they are disabled) so HR queries filter on one table.
    """

    __tablename__ = "course_standing"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        # Covering indexes for the dashboard's date-window counts: each count reads one
        # index range and never the table, for a whole company or for one team.
        Index("ix_course_standing_expiry", "course_id", "expires_at", "org_unit_id"),
        Index(
            "ix_course_standing_due",
            "course_id",
            "due_on",
            "org_unit_id",
            "certified_at",
            "expires_at",
        ),
        Index("ix_course_standing_month", "course_id", "certified_month", "org_unit_id"),
        Index(
            "ix_course_standing_unit",
            "org_unit_id",
            "course_id",
            "expires_at",
            "due_on",
            "certified_at",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    course_id: uuid.UUID = Field(foreign_key="course.id", index=True)
    org_unit_id: int | None = Field(default=None, foreign_key="org_unit.id")
    modules_read: int = 0
    exam_passed: bool = False
    exam_best: float | None = None
    attempts: int = 0
    started_at: datetime | None = None
    last_activity_at: datetime | None = None
    certified_at: datetime | None = None
    certified_month: str | None = Field(default=None, max_length=7)  # "2026-11", for the chart
    expires_at: datetime | None = None
    due_on: date | None = None


class UnitTally(SQLModel, table=True):
    """Per unit (its own members, not its subtree) and course: how many active people have
    started, and how many hold a certificate that has not been revoked."""

    __tablename__ = "unit_tally"
    __table_args__ = (UniqueConstraint("org_unit_id", "course_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_unit_id: int = Field(foreign_key="org_unit.id")
    course_id: uuid.UUID = Field(foreign_key="course.id")
    started: int = 0
    certified: int = 0
