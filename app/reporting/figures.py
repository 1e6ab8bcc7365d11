"""How one learner stands in one course, in Python and as SQL conditions, so the
dashboard counts, the filtered lists and the exports agree on every definition."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_
from sqlmodel import Session, col, select

from app.models import Course, CourseStanding, Exam, Module

EXPIRY_WARNING = timedelta(days=90)
AT_RISK_WINDOW = timedelta(days=14)


class Status(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    certified = "certified"
    expiring = "expiring"  # certified, and the certificate expires within 90 days
    expired = "expired"


class Due(StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"  # due within 14 days and less than half done
    overdue = "overdue"
    done = "done"


STATUS_LABELS = {
    Status.not_started: "Not started",
    Status.in_progress: "In progress",
    Status.certified: "Certified",
    Status.expiring: "Expiring",
    Status.expired: "Expired",
}
DUE_LABELS = {
    Due.on_track: "On track",
    Due.at_risk: "At risk",
    Due.overdue: "Overdue",
    Due.done: "Done",
}


@dataclass(frozen=True)
class CourseSize:
    """What completing a course takes: its modules, and its exam if it has one."""

    course: Course
    modules: int
    has_exam: bool

    @property
    def steps(self) -> int:
        return self.modules + int(self.has_exam)


def certification_courses(db: Session) -> list[CourseSize]:
    """The published courses that lead to a certificate, in catalogue order."""
    courses = db.exec(
        select(Course)
        .where(col(Course.is_published), col(Course.certification).is_not(None))
        .order_by(col(Course.position))
    ).all()
    modules = dict(
        db.exec(  # type: ignore[arg-type]
            select(Module.course_id, func.count())
            .where(col(Module.is_published))
            .group_by(col(Module.course_id))
        ).all()
    )
    exams = set(db.exec(select(Exam.course_id).where(col(Exam.is_published))))
    return [CourseSize(c, int(modules.get(c.id, 0)), c.id in exams) for c in courses]


def progress(standing: CourseStanding | None, size: CourseSize) -> float:
    if standing is None or size.steps == 0:
        return 0.0
    done = min(standing.modules_read, size.modules) + int(standing.exam_passed and size.has_exam)
    return done / size.steps


def status(standing: CourseStanding | None, now: datetime) -> Status:
    if standing is None or (standing.started_at is None and standing.certified_at is None):
        return Status.not_started
    if standing.certified_at is None:
        return Status.in_progress
    expires = standing.expires_at
    if expires is not None and expires <= now:
        return Status.expired
    if expires is not None and expires - now <= EXPIRY_WARNING:
        return Status.expiring
    return Status.certified


def due_status(
    standing: CourseStanding | None, size: CourseSize, now: datetime, today: date
) -> Due | None:
    if standing is None or standing.due_on is None:
        return None
    if status(standing, now) in (Status.certified, Status.expiring):
        return Due.done
    if standing.due_on < today:
        return Due.overdue
    if standing.due_on - today <= AT_RISK_WINDOW and progress(standing, size) < 0.5:
        return Due.at_risk
    return Due.on_track


# The same definitions as SQL conditions on course_standing, which may be missing (NULL)
# for someone who has neither started nor been assigned the course.
S = CourseStanding


def holds_valid(now: datetime) -> ColumnElement[bool]:
    expires = col(S.expires_at)
    return and_(col(S.certified_at).is_not(None), or_(expires.is_(None), expires > now))


def status_condition(wanted: Status, now: datetime) -> ColumnElement[bool]:
    certified = col(S.certified_at).is_not(None)
    expires = col(S.expires_at)
    match wanted:
        case Status.not_started:
            return or_(col(S.id).is_(None), and_(col(S.started_at).is_(None), not_(certified)))
        case Status.in_progress:
            return and_(col(S.started_at).is_not(None), not_(certified))
        case Status.certified:
            return and_(certified, or_(expires.is_(None), expires > now + EXPIRY_WARNING))
        case Status.expiring:
            return and_(certified, expires > now, expires <= now + EXPIRY_WARNING)
        case Status.expired:
            return and_(certified, expires <= now)
    return false()


def due_condition(wanted: Due, size: CourseSize, now: datetime, today: date) -> ColumnElement[bool]:
    assigned = col(S.due_on).is_not(None)
    open_ = and_(assigned, not_(holds_valid(now)))
    match wanted:
        case Due.done:
            return and_(assigned, holds_valid(now))
        case Due.overdue:
            return and_(open_, col(S.due_on) < today)
        case Due.at_risk:
            return at_risk_condition(int(size.has_exam), size.steps, now, today)
        case Due.on_track:
            return and_(
                open_,
                col(S.due_on) >= today,
                not_(due_condition(Due.at_risk, size, now, today)),
            )
    return false()


def at_risk_condition(
    has_exam: int | ColumnElement[int], steps: int | ColumnElement[int], now: datetime, today: date
) -> ColumnElement[bool]:
    """Due within 14 days and under half done; the course's size as numbers, or as columns
    where one statement covers several courses."""
    done = col(S.modules_read) + case((col(S.exam_passed), has_exam), else_=0)
    return and_(
        col(S.due_on).is_not(None),
        not_(holds_valid(now)),
        col(S.due_on) >= today,
        col(S.due_on) <= today + AT_RISK_WINDOW,
        done * 2 < steps,
    )


def size_of(sizes: list[CourseSize], course_id: uuid.UUID) -> CourseSize:
    return next(s for s in sizes if s.course.id == course_id)
