"""Progress and certificate exports for an HR scope, read in keyset-paginated chunks.

The same page reader serves the streamed CSV download (constant memory however many
rows) and the JSON API's cursor pagination for HR systems.
"""

import base64
import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, func, or_
from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.models import Certificate, Course, CourseStanding, OrgUnit, User
from app.org.scope import Scope
from app.org.units import PATH_SEPARATOR, in_subtree
from app.reporting import figures
from app.reporting.figures import CourseSize, Due, Status

CHUNK = 2000

PROGRESS_COLUMNS = (
    "email",
    "name",
    "unit",
    "course",
    "belt",
    "status",
    "progress_percent",
    "modules_read",
    "modules_total",
    "exam_best_percent",
    "started_at",
    "last_activity_at",
    "certified_at",
    "expires_at",
    "due_on",
    "assignment",
)
CERTIFICATE_COLUMNS = (
    "email",
    "holder_name",
    "unit",
    "course",
    "belt",
    "status",
    "issued_at",
    "expires_at",
    "verification_code",
)


def encode_cursor(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError:
        raise InvalidInput("The cursor is not one this API gave out.", field="cursor") from None
    if not isinstance(value, dict):
        raise InvalidInput("The cursor is not one this API gave out.", field="cursor")
    return value


def unit_names(db: Session, scope: Scope) -> dict[int, str]:
    """Every unit in view with its full path of names; the tree is small beside the people."""
    units = {u.id: u for u in db.exec(select(OrgUnit).where(scope.unit_filter()))}
    names: dict[int, str] = {}
    for unit_id, unit in units.items():
        parts = [units[int(p)].name for p in unit.path.strip("/").split("/") if int(p) in units]
        names[unit_id] = PATH_SEPARATOR.join(parts)  # type: ignore[index]
    return names


def _iso(value: datetime | date | None) -> str:
    return value.isoformat() if value is not None else ""


@dataclass(frozen=True)
class ProgressPage:
    rows: list[list[Any]]  # values in PROGRESS_COLUMNS order
    next_after: int | None  # the last user id, to continue from

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(PROGRESS_COLUMNS, row, strict=True)) for row in self.rows]


def progress_page(
    db: Session,
    scope: Scope,
    unit: OrgUnit | None,
    sizes: list[CourseSize],
    names: dict[int, str],
    after: int,
    people: int,
    now: datetime,
    today: date,
) -> ProgressPage:
    """One row per person and course, for up to `people` people after user id `after`.

    Built for speed (exports run to hundreds of thousands of rows): the database works out
    each status with the dashboard's own conditions and formats the dates as text, so the
    rows reach Python ready to write, with no timestamp or uuid to convert.
    """
    if not sizes:
        return ProgressPage([], None)
    where = [col(User.is_active), col(User.id) > after, scope.unit_filter()]
    if unit is not None:
        where.append(in_subtree(unit.path))
    users = (
        select(User.id, User.email, User.name, User.org_unit_id)
        .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
        .where(*where)
        .order_by(col(User.id))
        .limit(people)
        .subquery()
    )
    # Core rows, not ORM ones: nothing here needs an object.
    found = (
        db.connection()
        .execute(
            select(users, *_course_columns(sizes, now, today, db.get_bind().dialect.name))
            .select_from(users)
            .join(Course, col(Course.id).in_([size.course.id for size in sizes]))
            .outerjoin(
                CourseStanding,
                and_(CourseStanding.user_id == users.c.id, CourseStanding.course_id == Course.id),
            )
            .order_by(users.c.id, col(Course.position))
        )
        .all()
    )
    full = len(found) == people * len(sizes)
    return ProgressPage(
        [_progress_row(row, names) for row in found], found[-1][0] if full else None
    )


def _progress_row(row: Any, names: dict[int, str]) -> list[Any]:
    _, email, name, unit_id, title, belt, status, done, steps, read, modules, best, *texts = row
    return [
        email,
        name,
        names.get(unit_id, ""),
        title,
        belt,
        status,
        round(100 * done / steps) if steps else 0,
        read,
        modules,
        round(100 * best) if best is not None else "",
        *(text or "" for text in texts),
    ]


def _course_columns(
    sizes: list[CourseSize], now: datetime, today: date, dialect: str
) -> list[ColumnElement[Any]]:
    """A progress row's columns after the person's; CourseStanding is NULL where a person
    has neither started nor been assigned the course."""
    course = col(Course.id)
    modules = case({s.course.id: s.modules for s in sizes}, value=course)
    steps = case({s.course.id: s.steps for s in sizes}, value=course)
    has_exam = case({s.course.id: int(s.has_exam) for s in sizes}, value=course)
    read = func.coalesce(col(CourseStanding.modules_read), 0)
    read_counted = case((read > modules, modules), else_=read)
    done = read_counted + case((col(CourseStanding.exam_passed), has_exam), else_=0)
    return [
        col(Course.title),
        col(Course.belt),
        _status(now),
        done,
        steps,
        read_counted,
        modules,
        col(CourseStanding.exam_best),
        _utc_text(col(CourseStanding.started_at), dialect),
        _utc_text(col(CourseStanding.last_activity_at), dialect),
        _utc_text(col(CourseStanding.certified_at), dialect),
        _utc_text(col(CourseStanding.expires_at), dialect),
        _date_text(col(CourseStanding.due_on), dialect),
        _due(sizes, now, today),
    ]


def _status(now: datetime) -> ColumnElement[str]:
    last = Status.certified  # what is left once the others are ruled out
    return case(
        *((figures.status_condition(s, now), s.value) for s in Status if s is not last),
        else_=last.value,
    )


def _due(sizes: list[CourseSize], now: datetime, today: date) -> ColumnElement[str]:
    """The assignment's state. Only "at risk" depends on the course (on its size)."""
    any_size = sizes[0]
    at_risk = or_(
        *(
            and_(col(Course.id) == s.course.id, figures.due_condition(Due.at_risk, s, now, today))
            for s in sizes
        )
    )
    return case(
        (col(CourseStanding.due_on).is_(None), ""),
        (figures.due_condition(Due.done, any_size, now, today), Due.done.value),
        (figures.due_condition(Due.overdue, any_size, now, today), Due.overdue.value),
        (at_risk, Due.at_risk.value),
        else_=Due.on_track.value,
    )


def _utc_text(column: ColumnElement[datetime], dialect: str) -> ColumnElement[str]:
    """A timestamp as ISO 8601 UTC text to the second, e.g. 2026-02-24T22:49:15Z.
    SQLite keeps UTC timestamps as text; PostgreSQL keeps them as timestamptz."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    return func.strftime("%Y-%m-%dT%H:%M:%SZ", column)


def _date_text(column: ColumnElement[date], dialect: str) -> ColumnElement[str]:
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)


@dataclass(frozen=True)
class CertificatePage:
    rows: list[dict[str, Any]]
    next_after: str | None  # the last certificate id


def certificate_page(
    db: Session,
    scope: Scope,
    unit: OrgUnit | None,
    names: dict[int, str],
    after: uuid.UUID | None,
    limit: int,
    now: datetime,
) -> CertificatePage:
    where = [scope.unit_filter()]
    if unit is not None:
        where.append(in_subtree(unit.path))
    if after is not None:
        where.append(col(Certificate.id) > after)
    found = db.exec(
        select(Certificate, User.email, User.org_unit_id)
        .join(User, col(User.id) == Certificate.user_id)
        .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
        .where(*where)
        .order_by(col(Certificate.id))
        .limit(limit)
    ).all()
    rows = [
        {
            "email": email,
            "holder_name": certificate.holder_name,
            "unit": names.get(unit_id, ""),
            "course": certificate.course_title,
            "belt": certificate.belt,
            "status": certificate.status(now),
            "issued_at": _iso(certificate.issued_at),
            "expires_at": _iso(certificate.expires_at),
            "verification_code": certificate.code,
        }
        for certificate, email, unit_id in found
    ]
    next_after = str(found[-1][0].id) if len(found) == limit else None
    return CertificatePage(rows, next_after)


def _csv_text(rows: list[list[Any]]) -> str:
    """Rows whose free text has already been through `defuse`."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


TEXT_COLUMNS = 4  # email, name, unit and course lead both exports: people typed them


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defused(row: list[Any], leading_text: int) -> list[Any]:
    # `defuse` written inline: this runs for every text cell of exports of any size.
    row[:leading_text] = [
        "'" + value if value[:1] in FORMULA_STARTS else value for value in row[:leading_text]
    ]
    return row


def defuse(value: str) -> str:
    """Text a spreadsheet would run as a formula is prefixed with a quote (CSV injection)."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def stream_progress_csv(
    engine: Engine,
    scope: Scope,
    unit: OrgUnit | None,
    now: datetime,
    today: date,
) -> Iterator[str]:
    """CSV text, produced chunk by chunk; each chunk is read in its own short session."""
    yield _csv_text([list(PROGRESS_COLUMNS)])
    with Session(engine) as db:
        sizes = figures.certification_courses(db)
        names = unit_names(db, scope)
    after: int | None = 0
    while after is not None:
        with Session(engine) as db:
            page = progress_page(db, scope, unit, sizes, names, after, CHUNK, now, today)
        yield _csv_text([_defused(row, TEXT_COLUMNS) for row in page.rows])
        after = page.next_after


def stream_certificates_csv(
    engine: Engine, scope: Scope, unit: OrgUnit | None, now: datetime
) -> Iterator[str]:
    yield _csv_text([list(CERTIFICATE_COLUMNS)])
    with Session(engine) as db:
        names = unit_names(db, scope)
    after: uuid.UUID | None = None
    while True:
        with Session(engine) as db:
            page = certificate_page(db, scope, unit, names, after, CHUNK, now)
        rows = [[row[c] for c in CERTIFICATE_COLUMNS] for row in page.rows]
        yield _csv_text([_defused(row, TEXT_COLUMNS) for row in rows])
        if page.next_after is None:
            return
        after = uuid.UUID(page.next_after)
