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
from app.reporting.figures import CourseSize

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
    rows: list[dict[str, Any]]
    next_after: int | None  # the last user id, to continue from


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
    """One row per person and course, for up to `people` people after user id `after`."""
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
        for s in db.exec(select(CourseStanding).where(col(CourseStanding.user_id).in_(ids)))
    }
    rows = []
    for user_id, email, name, unit_id in users:
        for size in sizes:
            standing = standings.get((user_id, size.course.id))
            due = figures.due_status(standing, size, now, today)
            best = standing.exam_best if standing else None
            rows.append(
                {
                    "email": email,
                    "name": name,
                    "unit": names.get(unit_id, ""),
                    "course": size.course.title,
                    "belt": size.course.belt,
                    "status": figures.status(standing, now).value,
                    "progress_percent": round(100 * figures.progress(standing, size)),
                    "modules_read": min(standing.modules_read, size.modules) if standing else 0,
                    "modules_total": size.modules,
                    "exam_best_percent": round(100 * best) if best is not None else "",
                    "started_at": _iso(standing.started_at if standing else None),
                    "last_activity_at": _iso(standing.last_activity_at if standing else None),
                    "certified_at": _iso(standing.certified_at if standing else None),
                    "expires_at": _iso(standing.expires_at if standing else None),
                    "due_on": _iso(standing.due_on if standing else None),
                    "assignment": due.value if due else "",
                }
            )
    next_after = ids[-1] if len(users) == people else None
    return ProgressPage(rows, next_after)


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


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_defuse(v) for v in values])
    return buffer.getvalue()


def _defuse(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is prefixed with a quote (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
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
    yield _csv_line(list(PROGRESS_COLUMNS))
    with Session(engine) as db:
        sizes = figures.certification_courses(db)
        names = unit_names(db, scope)
    after: int | None = 0
    while after is not None:
        with Session(engine) as db:
            page = progress_page(db, scope, unit, sizes, names, after, CHUNK, now, today)
        yield "".join(_csv_line([row[c] for c in PROGRESS_COLUMNS]) for row in page.rows)
        after = page.next_after


def stream_certificates_csv(
    engine: Engine, scope: Scope, unit: OrgUnit | None, now: datetime
) -> Iterator[str]:
    yield _csv_line(list(CERTIFICATE_COLUMNS))
    with Session(engine) as db:
        names = unit_names(db, scope)
    after: uuid.UUID | None = None
    while True:
        with Session(engine) as db:
            page = certificate_page(db, scope, unit, names, after, CHUNK, now)
        yield "".join(_csv_line([row[c] for c in CERTIFICATE_COLUMNS]) for row in page.rows)
        if page.next_after is None:
            return
        after = uuid.UUID(page.next_after)
