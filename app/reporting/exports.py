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

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.models import Certificate, CourseStanding, OrgUnit, User
from app.org.scope import Scope
from app.org.units import PATH_SEPARATOR, in_subtree
from app.reporting import figures
from app.reporting.figures import CourseSize, Status

CHUNK = 2000
STANDING_COLUMNS = (
    CourseStanding.user_id,
    CourseStanding.course_id,
    CourseStanding.modules_read,
    CourseStanding.exam_passed,
    CourseStanding.exam_best,
    CourseStanding.started_at,
    CourseStanding.last_activity_at,
    CourseStanding.certified_at,
    CourseStanding.expires_at,
    CourseStanding.due_on,
)

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

    Built for speed (exports run to hundreds of thousands of rows): plain rows, not ORM
    objects, and the per-course parts of each row worked out once per page.
    """
    where = [col(User.is_active), col(User.id) > after, scope.unit_filter()]
    if unit is not None:
        where.append(in_subtree(unit.path))
    users = db.exec(
        select(User.id, User.email, User.name, User.org_unit_id)
        .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
        .where(*where)
        .order_by(col(User.id))
        .limit(people)
    ).all()
    if not users:
        return ProgressPage([], None)
    ids = [u[0] for u in users]
    standings = {
        (s.user_id, s.course_id): s
        # One range of the (user, course) index; rows of people outside the page are unused.
        for s in db.exec(
            select(*STANDING_COLUMNS).where(
                col(CourseStanding.user_id) > after, col(CourseStanding.user_id) <= ids[-1]
            )
        )
    }
    courses = [(size, size.course.id, [size.course.title, size.course.belt]) for size in sizes]
    not_started = {
        course_id: [Status.not_started.value, 0, 0, size.modules, "", "", "", "", "", "", ""]
        for size, course_id, _ in courses
    }
    rows = []
    for user_id, email, name, unit_id in users:
        person = [email, name, names.get(unit_id, "")]
        for size, course_id, course in courses:
            standing = standings.get((user_id, course_id))
            if standing is None:
                rows.append(person + course + not_started[course_id])
            else:
                rows.append(person + course + _standing_values(standing, size, now, today))
    next_after = ids[-1] if len(users) == people else None
    return ProgressPage(rows, next_after)


def _standing_values(standing: Any, size: CourseSize, now: datetime, today: date) -> list[Any]:
    due = figures.due_status(standing, size, now, today)
    best = standing.exam_best
    return [
        figures.status(standing, now).value,
        round(100 * figures.progress(standing, size)),
        min(standing.modules_read, size.modules),
        size.modules,
        round(100 * best) if best is not None else "",
        _iso(standing.started_at),
        _iso(standing.last_activity_at),
        _iso(standing.certified_at),
        _iso(standing.expires_at),
        _iso(standing.due_on),
        due.value if due else "",
    ]


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


def _defused(row: list[Any], leading_text: int) -> list[Any]:
    row[:leading_text] = [defuse(value) for value in row[:leading_text]]
    return row


def defuse(value: str) -> str:
    """Text a spreadsheet would run as a formula is prefixed with a quote (CSV injection)."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


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
