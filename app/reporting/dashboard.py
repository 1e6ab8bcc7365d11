"""The HR dashboard for one unit: its figures per course, the same for each unit below it,
and certifications per month — read from the summary tables in a fixed number of
statements whatever the size of the organisation."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from app.models import CourseStanding, OrgUnit, UnitTally
from app.org.units import in_subtree
from app.reporting.figures import EXPIRY_WARNING, CourseSize, holds_valid

CHART_MONTHS = 12


@dataclass
class Figures:
    """One course's figures for a group of people."""

    headcount: int = 0
    started: int = 0
    certified_ever: int = 0  # holds a certificate that was not revoked, expired or not
    expired: int = 0
    expiring: int = 0
    overdue: int = 0

    @property
    def certified(self) -> int:
        """Valid and not expiring soon: the five status columns add up to the headcount."""
        return self.certified_ever - self.expired - self.expiring

    @property
    def in_progress(self) -> int:
        return self.started - self.certified_ever

    @property
    def not_started(self) -> int:
        return max(0, self.headcount - self.started)

    @property
    def certified_share(self) -> float:
        return self.certified / self.headcount if self.headcount else 0.0

    def add(self, other: "Figures") -> None:
        self.headcount += other.headcount
        self.started += other.started
        self.certified_ever += other.certified_ever
        self.expired += other.expired
        self.expiring += other.expiring
        self.overdue += other.overdue


@dataclass
class UnitFigures:
    unit: OrgUnit
    headcount: int = 0
    by_course: dict[uuid.UUID, Figures] = field(default_factory=lambda: defaultdict(Figures))
    is_direct: bool = False  # the people placed directly in the unit itself, not a child

    def course(self, course_id: uuid.UUID) -> Figures:
        figures = self.by_course[course_id]
        figures.headcount = self.headcount
        return figures


@dataclass(frozen=True)
class MonthCount:
    month: str  # "2026-11"
    count: int


@dataclass(frozen=True)
class Dashboard:
    unit: OrgUnit
    total: UnitFigures
    rows: list[UnitFigures]  # each child unit's subtree, and the unit's own members
    months: list[MonthCount]


def dashboard(
    db: Session, unit: OrgUnit, courses: list[CourseSize], now: datetime, today: date
) -> Dashboard:
    in_view = select(col(OrgUnit.id)).where(in_subtree(unit.path))
    course_ids = [c.course.id for c in courses]
    depth = unit.path.count("/") - 1
    rows: dict[int, UnitFigures] = {
        child.id: UnitFigures(child)  # type: ignore[misc]
        for child in db.exec(select(OrgUnit).where(OrgUnit.parent_id == unit.id))
    }
    rows[unit.id] = UnitFigures(unit, is_direct=True)  # type: ignore[index]
    # Plain columns, not ORM objects: a company holds thousands of units.
    row_of: dict[int, UnitFigures] = {}
    subtree = db.exec(
        select(OrgUnit.id, OrgUnit.path, OrgUnit.headcount).where(in_subtree(unit.path))
    )
    for unit_id, path, headcount in subtree:
        parts = path.strip("/").split("/")
        row = rows[int(parts[depth])] if len(parts) > depth else rows[unit.id]  # type: ignore[index]
        row_of[unit_id] = row  # type: ignore[index]
        row.headcount += headcount

    # Core rows, and each course as its position in course_ids rather than a uuid: a company
    # returns a row per unit and course, thousands of them.
    run = db.connection().execute
    tallies = run(
        select(
            UnitTally.org_unit_id,
            _position(col(UnitTally.course_id), course_ids),
            UnitTally.started,
            UnitTally.certified,
        ).where(col(UnitTally.org_unit_id).in_(in_view), col(UnitTally.course_id).in_(course_ids))
    )
    for unit_id, position, started, certified in tallies:
        figures = row_of[unit_id].by_course[course_ids[position]]
        figures.started += started
        figures.certified_ever += certified

    expiring = run(
        select(
            CourseStanding.org_unit_id,
            _position(col(CourseStanding.course_id), course_ids),
            func.sum(case((col(CourseStanding.expires_at) <= now, 1), else_=0)),
            func.count(),
        )
        .where(
            col(CourseStanding.course_id).in_(course_ids),
            col(CourseStanding.expires_at) <= now + EXPIRY_WARNING,
            col(CourseStanding.org_unit_id).in_(in_view),
        )
        .group_by(col(CourseStanding.org_unit_id), col(CourseStanding.course_id))
    )
    for unit_id, position, expired, count in expiring:
        figures = row_of[unit_id].by_course[course_ids[position]]
        figures.expired += int(expired or 0)
        figures.expiring += int(count) - int(expired or 0)

    overdue = run(
        select(
            CourseStanding.org_unit_id,
            _position(col(CourseStanding.course_id), course_ids),
            func.count(),
        )
        .where(
            col(CourseStanding.course_id).in_(course_ids),
            col(CourseStanding.due_on) < today,
            ~holds_valid(now),
            col(CourseStanding.org_unit_id).in_(in_view),
        )
        .group_by(col(CourseStanding.org_unit_id), col(CourseStanding.course_id))
    )
    for unit_id, position, count in overdue:
        row_of[unit_id].by_course[course_ids[position]].overdue += int(count)

    total = UnitFigures(unit, headcount=sum(r.headcount for r in rows.values()))
    for row in rows.values():
        for course_id in course_ids:
            total.by_course[course_id].add(row.course(course_id))
    children = sorted((r for r in rows.values() if not r.is_direct), key=lambda r: r.unit.name)
    direct = rows[unit.id]  # type: ignore[index]
    listed = [*children, direct] if direct.headcount or not children else children
    return Dashboard(unit, total, listed, _months(db, in_view, course_ids, today))


def _position(
    course_id: ColumnElement[uuid.UUID], course_ids: list[uuid.UUID]
) -> ColumnElement[int]:
    return case({course: position for position, course in enumerate(course_ids)}, value=course_id)


def _months(db: Session, in_view, course_ids: list[uuid.UUID], today: date) -> list[MonthCount]:  # type: ignore[no-untyped-def]
    """Certificates issued per month over the last twelve months, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(CHART_MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    counts = dict(
        db.exec(  # type: ignore[arg-type]
            select(CourseStanding.certified_month, func.count())
            .where(
                col(CourseStanding.course_id).in_(course_ids),
                col(CourseStanding.certified_month) >= months[0],
                col(CourseStanding.org_unit_id).in_(in_view),
            )
            .group_by(col(CourseStanding.certified_month))
        ).all()
    )
    return [MonthCount(m, int(counts.get(m, 0))) for m in months]
