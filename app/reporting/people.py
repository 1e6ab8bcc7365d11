"""People as HR sees them: a filtered, sorted, paginated list for a unit's subtree, and
one learner's page — progress per module, last activity, attempts summarised, and
certificates. HR sees scores, never answer text."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, func
from sqlmodel import Session, col, select

from app.learning.service import current_module_versions
from app.models import (
    Certificate,
    CourseStanding,
    Exercise,
    ExerciseProgress,
    ExerciseVersion,
    Module,
    ModuleProgress,
    ModuleVersion,
    OrgUnit,
    User,
)
from app.org.units import in_subtree
from app.reporting import figures
from app.reporting.figures import CourseSize, Due, Status

SORTS = {
    "name": col(User.name),
    "unit": col(OrgUnit.name),
    "activity": col(CourseStanding.last_activity_at),
    "due": col(CourseStanding.due_on),
    "progress": col(CourseStanding.modules_read),
}


@dataclass(frozen=True)
class PeopleFilter:
    size: CourseSize
    status: Status | None = None
    due: Due | None = None
    due_before: date | None = None
    query: str = ""
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class PersonLine:
    user: User
    unit: OrgUnit
    standing: CourseStanding | None
    status: Status
    due: Due | None
    progress: float


@dataclass(frozen=True)
class PeoplePage:
    lines: list[PersonLine]
    page: int
    pages: int
    total: int


def list_people(
    db: Session,
    unit: OrgUnit,
    wanted: PeopleFilter,
    page: int,
    per_page: int,
    now: datetime,
    today: date,
) -> PeoplePage:
    course_id = wanted.size.course.id
    statement = (
        select(User, OrgUnit, CourseStanding)
        .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
        .outerjoin(
            CourseStanding,
            (col(CourseStanding.user_id) == User.id) & (col(CourseStanding.course_id) == course_id),
        )
        .where(in_subtree(unit.path), col(User.is_active), *_conditions(wanted, now, today))
    )
    total = db.exec(select(func.count()).select_from(statement.subquery())).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    key = SORTS.get(wanted.sort, SORTS["name"])
    # Blanks (never active, no due date) go last either way, on both databases.
    order = [(key.desc() if wanted.descending else key.asc()).nulls_last(), col(User.id)]
    rows = db.exec(statement.order_by(*order).offset((page - 1) * per_page).limit(per_page))
    lines = [
        PersonLine(
            user,
            person_unit,
            standing,
            figures.status(standing, now),
            figures.due_status(standing, wanted.size, now, today),
            figures.progress(standing, wanted.size),
        )
        for user, person_unit, standing in rows
    ]
    return PeoplePage(lines, page, pages, total)


def _conditions(wanted: PeopleFilter, now: datetime, today: date) -> list[ColumnElement[bool]]:
    conditions = []
    if wanted.status is not None:
        conditions.append(figures.status_condition(wanted.status, now))
    if wanted.due is not None:
        conditions.append(figures.due_condition(wanted.due, wanted.size, now, today))
    if wanted.due_before is not None:
        conditions.append(col(CourseStanding.due_on) <= wanted.due_before)
    if query := wanted.query.strip().lower():
        conditions.append(
            func.lower(col(User.name)).contains(query, autoescape=True)
            | col(User.email).contains(query, autoescape=True)
        )
    return conditions


@dataclass(frozen=True)
class ModuleLine:
    title: str
    read_at: datetime | None


@dataclass(frozen=True)
class ExerciseLine:
    title: str
    attempts: int
    best_score: float
    passed: bool
    last_attempt_at: datetime | None


@dataclass(frozen=True)
class CourseLine:
    size: CourseSize
    standing: CourseStanding | None
    status: Status
    due: Due | None
    progress: float
    modules: list[ModuleLine]
    exercises: list[ExerciseLine]


@dataclass(frozen=True)
class LearnerReport:
    user: User
    unit: OrgUnit
    courses: list[CourseLine]
    certificates: list[Certificate]
    last_activity_at: datetime | None


def learner_report(
    db: Session, user: User, unit: OrgUnit, sizes: list[CourseSize], now: datetime, today: date
) -> LearnerReport:
    standings = {
        s.course_id: s
        for s in db.exec(select(CourseStanding).where(CourseStanding.user_id == user.id))
    }
    read = dict(
        db.exec(  # type: ignore[arg-type]
            select(ModuleProgress.module_id, ModuleProgress.read_at).where(
                ModuleProgress.user_id == user.id
            )
        ).all()
    )
    modules_by_course: dict[uuid.UUID, list[ModuleLine]] = {}
    for module_id, course_id, title in db.exec(_module_titles()):
        modules_by_course.setdefault(course_id, []).append(ModuleLine(title, read.get(module_id)))
    exercises_by_course = _exercise_lines(db, user)
    courses = [
        CourseLine(
            size,
            standings.get(size.course.id),
            figures.status(standings.get(size.course.id), now),
            figures.due_status(standings.get(size.course.id), size, now, today),
            figures.progress(standings.get(size.course.id), size),
            modules_by_course.get(size.course.id, []),
            exercises_by_course.get(size.course.id, []),
        )
        for size in sizes
    ]
    certificates = list(
        db.exec(
            select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(col(Certificate.issued_at).desc())
        )
    )
    activity = [s.last_activity_at for s in standings.values() if s.last_activity_at]
    return LearnerReport(user, unit, courses, certificates, max(activity, default=None))


def _module_titles() -> Select[tuple[uuid.UUID, uuid.UUID, str]]:
    """Each published module's current title, in course order: three columns, not the
    versions' texts, which run to tens of kilobytes each."""
    latest = current_module_versions()
    return (
        select(Module.id, Module.course_id, ModuleVersion.title)
        .join(latest, latest.c.module_id == Module.id)
        .join(
            ModuleVersion,
            (col(ModuleVersion.module_id) == latest.c.module_id)
            & (col(ModuleVersion.number) == latest.c.number),
        )
        .where(col(Module.is_published))
        .order_by(col(Module.position))
    )


def _exercise_lines(db: Session, user: User) -> dict[uuid.UUID | None, list[ExerciseLine]]:
    """Attempts, best score and pass per exercise, from the learner's exercise summary."""
    latest = (
        select(ExerciseVersion.exercise_id, func.max(ExerciseVersion.number).label("number"))
        .group_by(col(ExerciseVersion.exercise_id))
        .subquery()
    )
    rows = db.exec(
        select(ExerciseProgress, Exercise.course_id, ExerciseVersion.title)
        .join(Exercise, col(Exercise.id) == ExerciseProgress.exercise_id)
        .join(latest, latest.c.exercise_id == ExerciseProgress.exercise_id)
        .join(
            ExerciseVersion,
            (col(ExerciseVersion.exercise_id) == latest.c.exercise_id)
            & (col(ExerciseVersion.number) == latest.c.number),
        )
        .where(ExerciseProgress.user_id == user.id)
        .order_by(col(ExerciseVersion.title))
    )
    lines: dict[uuid.UUID | None, list[ExerciseLine]] = {}
    for progress, course_id, title in rows:
        lines.setdefault(course_id, []).append(
            ExerciseLine(
                title,
                progress.attempts_used,
                progress.best_score,
                progress.passed,
                progress.last_attempt_at,
            )
        )
    return lines
