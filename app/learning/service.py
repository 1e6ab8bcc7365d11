"""What a learner sees and does in a course. Services flush; the caller commits."""

import uuid
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import Subquery, bindparam, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.errors import NotFound
from app.models import Course, Enrolment, Module, ModuleFigure, ModuleProgress, ModuleVersion, User
from app.reporting import summaries


@dataclass(frozen=True)
class ModuleLine:
    module: Module
    version: ModuleVersion
    is_read: bool


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    modules_total: int
    modules_read: int
    enrolled: bool

    @property
    def percent(self) -> int:
        return round(100 * self.modules_read / self.modules_total) if self.modules_total else 0


def current_module_versions() -> Subquery:
    """A subquery: each module's highest version number."""
    return (
        select(ModuleVersion.module_id, func.max(ModuleVersion.number).label("number"))
        .group_by(col(ModuleVersion.module_id))
        .subquery()
    )


def published_modules_with_versions() -> Select[tuple[Module, ModuleVersion]]:
    latest = current_module_versions()
    return (
        select(Module, ModuleVersion)
        .join(latest, latest.c.module_id == Module.id)
        .join(
            ModuleVersion,
            (col(ModuleVersion.module_id) == latest.c.module_id)
            & (col(ModuleVersion.number) == latest.c.number),
        )
        .where(col(Module.is_published))
    )


def list_courses(db: Session, user: User | None) -> list[CourseProgress]:
    courses = list(
        db.exec(select(Course).where(col(Course.is_published)).order_by(col(Course.position)))
    )
    totals = dict(
        db.exec(
            select(Module.course_id, func.count())
            .where(col(Module.is_published))
            .group_by(col(Module.course_id))
        ).all()
    )
    read: dict[uuid.UUID, int] = {}
    enrolled: set[uuid.UUID] = set()
    if user is not None:
        read = dict(
            db.exec(
                select(Module.course_id, func.count())
                .join(ModuleProgress, col(ModuleProgress.module_id) == Module.id)
                .where(ModuleProgress.user_id == user.id, col(Module.is_published))
                .group_by(col(Module.course_id))
            ).all()
        )
        enrolled = set(db.exec(select(Enrolment.course_id).where(Enrolment.user_id == user.id)))
    return [
        CourseProgress(c, totals.get(c.id, 0), read.get(c.id, 0), c.id in enrolled) for c in courses
    ]


def get_course(db: Session, slug: str) -> Course:
    course = db.exec(select(Course).where(Course.slug == slug, col(Course.is_published))).first()
    if course is None:
        raise NotFound("There is no course at this address.")
    return course


def course_outline(db: Session, course: Course, user: User | None) -> list[ModuleLine]:
    rows = db.exec(
        published_modules_with_versions()
        .where(Module.course_id == course.id)
        .order_by(col(Module.position))
    ).all()
    read_ids: set[uuid.UUID] = set()
    if user is not None and rows:
        read_ids = set(
            db.exec(
                select(ModuleProgress.module_id).where(
                    ModuleProgress.user_id == user.id,
                    col(ModuleProgress.module_id).in_([m.id for m, _ in rows]),
                )
            )
        )
    return [ModuleLine(module, version, module.id in read_ids) for module, version in rows]


@dataclass(frozen=True)
class ModulePage:
    course: Course
    module: Module
    version: ModuleVersion  # without its text: see body_html
    body_html: str
    outline: list[ModuleLine]


# A module version's rendered text never changes, so each process keeps the ones it served,
# keyed by what identifies the text (ids alone are reused when a database is restored).
_BODIES: OrderedDict[tuple[int, uuid.UUID, int, str], str] = OrderedDict()
_BODIES_KEPT = 256


def module_page(db: Session, course_slug: str, module_slug: str, user: User) -> ModulePage:
    """A module with its course's outline and the learner's read marks, in one statement;
    the module's text comes from memory after the first reader. The outline's versions
    are loaded without their text, and touching it raises rather than querying again."""
    rows = db.exec(_MODULE_PAGE, params={"course_slug": course_slug, "user_id": user.id}).all()
    outline = [ModuleLine(module, version, read is not None) for module, version, _, read in rows]
    line = next((line for line in outline if line.module.slug == module_slug), None)
    if line is None:
        raise NotFound("There is no module at this address.")
    course = rows[0][2]
    return ModulePage(course, line.module, line.version, _body_of(db, line.version), outline)


# Built once: the most read page's statement is not rebuilt (nor its cache key worked out
# again) on every request.
_MODULE_PAGE = (
    published_modules_with_versions()
    .add_columns(Course, ModuleProgress.id)
    .join(Course, col(Course.id) == Module.course_id)
    .outerjoin(
        ModuleProgress,
        (col(ModuleProgress.module_id) == Module.id)
        & (col(ModuleProgress.user_id) == bindparam("user_id")),
    )
    .where(col(Course.slug) == bindparam("course_slug"), col(Course.is_published))
    .order_by(col(Module.position))
    .options(
        defer(ModuleVersion.body_html, raiseload=True),  # type: ignore[arg-type]
        defer(ModuleVersion.body_markdown, raiseload=True),  # type: ignore[arg-type]
        defer(ModuleVersion.source_text, raiseload=True),  # type: ignore[arg-type]
    )
)


def _body_of(db: Session, version: ModuleVersion) -> str:
    assert version.id is not None
    key = (version.id, version.module_id, version.number, version.content_hash)
    body = _BODIES.get(key)
    if body is not None:
        _BODIES.move_to_end(key)
    else:
        body = db.exec(select(ModuleVersion.body_html).where(ModuleVersion.id == version.id)).one()
        _BODIES[key] = body
        if len(_BODIES) > _BODIES_KEPT:
            _BODIES.popitem(last=False)
    return body


def course_progress(course: Course, outline: list[ModuleLine], enrolled: bool) -> CourseProgress:
    return CourseProgress(course, len(outline), sum(line.is_read for line in outline), enrolled)


def is_enrolled(db: Session, user: User, course: Course) -> bool:
    statement = select(Enrolment.id).where(
        Enrolment.user_id == user.id, Enrolment.course_id == course.id
    )
    return db.exec(statement).first() is not None


def get_module(db: Session, course: Course, module_slug: str) -> tuple[Module, ModuleVersion]:
    row = db.exec(
        published_modules_with_versions().where(
            Module.course_id == course.id, Module.slug == module_slug
        )
    ).first()
    if row is None:
        raise NotFound("There is no module at this address.")
    return row


def get_module_by_id(db: Session, module_id: uuid.UUID) -> tuple[Course, Module, ModuleVersion]:
    row = db.exec(
        published_modules_with_versions()
        .add_columns(Course)
        .join(Course, col(Course.id) == Module.course_id)
        .where(Module.id == module_id, col(Course.is_published))
    ).first()
    if row is None:
        raise NotFound("There is no such module.")
    module, version, course = row
    return course, module, version


def enrol(db: Session, user: User, course: Course) -> None:
    """Enrol once; enrolling again is a no-op."""
    if not is_enrolled(db, user, course):
        _insert_once(db, Enrolment(user_id=user.id, course_id=course.id))  # type: ignore[arg-type]


def mark_read(
    db: Session, user: User, course: Course, module: Module, version: ModuleVersion
) -> None:
    """Record that the learner read the module (enrolling them); repeating it changes nothing."""
    enrol(db, user, course)
    if not has_read(db, user, module):
        progress = ModuleProgress(
            user_id=user.id,  # type: ignore[arg-type]
            module_id=module.id,
            module_version_id=version.id,  # type: ignore[arg-type]
        )
        if _insert_once(db, progress):
            summaries.module_read(db, user, course.id, progress.read_at)


def _insert_once(db: Session, row: Enrolment | ModuleProgress) -> bool:
    """Insert inside a savepoint: a double click racing us leaves the row it wrote.
    True when this call wrote it."""
    with suppress(IntegrityError), db.begin_nested():
        db.add(row)
        return True
    return False


def progress_by_course(db: Session, user: User) -> list[CourseProgress]:
    return [p for p in list_courses(db, user) if p.enrolled or p.modules_read]


def get_figure(db: Session, module_id: uuid.UUID, version_number: int, name: str) -> ModuleFigure:
    row = db.exec(
        select(ModuleFigure)
        .join(ModuleVersion, col(ModuleVersion.id) == ModuleFigure.module_version_id)
        .join(Module, col(Module.id) == ModuleVersion.module_id)
        .where(
            ModuleVersion.module_id == module_id,
            ModuleVersion.number == version_number,
            ModuleFigure.name == name,
            col(Module.is_published),
        )
    ).first()
    if row is None:
        raise NotFound("There is no such figure.")
    return row


def has_read(db: Session, user: User, module: Module) -> bool:
    statement = select(ModuleProgress.id).where(
        ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id
    )
    return db.exec(statement).first() is not None
