"""Progress and certificate exports for an HR scope, read in keyset-paginated chunks.

The same page reader serves the streamed CSV download (constant memory however many
rows) and the JSON API's cursor pagination for HR systems.
"""

import base64
import csv
import functools
import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Select,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    column,
    false,
    func,
    null,
    or_,
    true,
    values,
)
from sqlalchemy.engine import Compiled
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.models import Certificate, CourseStanding, OrgUnit, User
from app.org.scope import Scope
from app.org.units import PATH_SEPARATOR, in_subtree
from app.reporting import figures
from app.reporting.figures import CourseSize, Due, Status

CHUNK = 5000  # people a chunk of the CSV; rows a page of certificates

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
    where = [col(User.id) > after, *_people_in_view(scope, unit)]
    users = (
        select(User.id, User.email, User.name, User.org_unit_id)
        .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
        .where(*where)
        .order_by(col(User.id))
        .limit(people)
        .subquery()
    )
    dialect = db.get_bind().dialect.name
    courses = _course_sizes(sizes)
    # Core rows, not ORM ones: nothing here needs an object.
    found = (
        db.connection()
        .execute(
            _per_course(
                select(users, *_course_columns(courses, now, today, dialect)).select_from(users),
                users.c.id,
                courses,
            )
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


def _course_sizes(sizes: list[CourseSize], title: Callable[[str], str] = str) -> Any:
    """The courses as a small table of literal rows, joined to every person: each row then
    reads its course's title and size as plain columns, not through a CASE per course."""
    return (
        values(
            column("course_id", Uuid),
            column("position", Integer),
            column("title", Text),
            column("belt", Text),
            column("modules", Integer),
            column("steps", Integer),
            column("has_exam", Integer),
            name="course_size",
        )
        .data([_size_row(size, title) for size in sizes])
        .cte("course_size")
    )


def _size_row(size: CourseSize, title: Callable[[str], str]) -> tuple[Any, ...]:
    course = size.course
    numbers = (size.modules, size.steps, int(size.has_exam))
    return (course.id, course.position, title(course.title), course.belt, *numbers)


def _per_course(statement: Select[Any], person: Any, courses: Any) -> Select[Any]:
    """One row per person and course, with the person's standing in it if there is one."""
    return (
        statement.outerjoin(courses, true())  # outer: SQLite then reads people first
        .outerjoin(
            CourseStanding,
            and_(
                CourseStanding.user_id == person,
                CourseStanding.course_id == courses.c.course_id,
            ),
        )
        .order_by(person, courses.c.position)
    )


def _course_columns(
    courses: Any, now: datetime, today: date, dialect: str
) -> list[ColumnElement[Any]]:
    """A progress row's columns after the person's; CourseStanding is NULL where a person
    has neither started nor been assigned the course."""
    modules = courses.c.modules
    read = func.coalesce(col(CourseStanding.modules_read), 0)
    read_counted = case((read > modules, modules), else_=read)
    done = read_counted + case((col(CourseStanding.exam_passed), courses.c.has_exam), else_=0)
    return [
        courses.c.title,
        courses.c.belt,
        _status(now),
        done,
        courses.c.steps,
        read_counted,
        modules,
        col(CourseStanding.exam_best),
        _utc_text(col(CourseStanding.started_at), dialect),
        _utc_text(col(CourseStanding.last_activity_at), dialect),
        _utc_text(col(CourseStanding.certified_at), dialect),
        _utc_text(col(CourseStanding.expires_at), dialect),
        _date_text(col(CourseStanding.due_on), dialect),
        _due(courses, now, today),
    ]


def _status(now: datetime) -> ColumnElement[str]:
    last = Status.certified  # what is left once the others are ruled out
    return case(
        *((figures.status_condition(s, now), s.value) for s in Status if s is not last),
        else_=last.value,
    )


def _due(courses: Any, now: datetime, today: date) -> ColumnElement[str | None]:
    """The assignment's state, NULL without one. Only "at risk" depends on the course."""
    return case(
        (col(CourseStanding.due_on).is_(None), null()),
        (figures.holds_valid(now), Due.done.value),
        (col(CourseStanding.due_on) < today, Due.overdue.value),
        (
            figures.at_risk_condition(courses.c.has_exam, courses.c.steps, now, today),
            Due.at_risk.value,
        ),
        else_=Due.on_track.value,
    )


def _utc_text(column: ColumnElement[datetime], dialect: str) -> ColumnElement[str]:
    """A timestamp as ISO 8601 UTC text to the second, e.g. 2026-02-24T22:49:15Z.
    SQLite keeps UTC timestamps as text, "2026-02-24 22:49:15.123456": its first 19
    characters are cut out, which costs the database far less than strftime. PostgreSQL
    keeps them as timestamptz."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    return func.substr(column, 1, 10) + "T" + func.substr(column, 12, 8) + "Z"


def _date_text(column: ColumnElement[date], dialect: str) -> ColumnElement[str]:
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return func.substr(column, 1, 10)


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
    copy: bool | None = None,
) -> Iterator[bytes]:
    """CSV, produced chunk by chunk of `CHUNK` people; each chunk is read on its own short
    connection, so a slow download holds no transaction open.

    The database produces every cell ready to write (statuses, percentages, dates as text,
    unit paths, formula defusing): on PostgreSQL `COPY … TO STDOUT (FORMAT csv)` writes the
    CSV itself; elsewhere the driver's rows go straight to `csv.writer`. Both give the same
    bytes (ADR 0016); `copy=False` takes the driver's rows on PostgreSQL too.
    """
    yield _csv_text([list(PROGRESS_COLUMNS)]).encode()
    with Session(engine) as db:
        sizes = figures.certification_courses(db)
    if not sizes:
        return
    dialect = engine.dialect.name
    ends = _chunk_end(scope, unit)
    rows = _progress_csv_rows(scope, unit, sizes, now, today, dialect)
    if copy is None:
        copy = dialect == "postgresql"
    if copy:
        write = functools.partial(_copied_csv, rows.compile(dialect=engine.dialect))
    else:
        write = functools.partial(_written_csv, rows)
    after: int | None = 0
    while after is not None:
        with engine.connect() as connection:
            upto = connection.execute(ends, {"after": after}).scalar()
            chunk = write(connection, {"after": after, "upto": upto or LAST_ID})
        yield chunk  # with the connection back in the pool
        after = upto


LAST_ID = 2**31 - 1  # the highest row id an integer column holds: the last chunk's bound


def _people_in_view(scope: Scope, unit: OrgUnit | None) -> list[ColumnElement[bool]]:
    where = [col(User.is_active), scope.unit_filter()]
    if unit is not None:
        where.append(in_subtree(unit.path))
    return where


def _chunk_end(scope: Scope, unit: OrgUnit | None) -> Select[tuple[int]]:
    """The id of the `CHUNK`th person in view after the id `after`; none when fewer are
    left. One statement for every chunk, with `after` bound at each."""
    return (
        select(col(User.id))
        .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
        .where(col(User.id) > bindparam("after", 0, type_=Integer), *_people_in_view(scope, unit))
        .order_by(col(User.id))
        .offset(CHUNK - 1)
        .limit(1)
    )


def _unit_paths(scope: Scope) -> Any:
    """Each unit in view with its path of names from the top of the caller's view, as
    `unit_names` gives it, defused: a recursive walk down from the scope's roots."""
    if scope.everything:
        top: ColumnElement[bool] = col(OrgUnit.parent_id).is_(None)
    elif scope.roots:
        top = col(OrgUnit.id).in_([root.id for root in scope.roots])
    else:
        top = false()
    # A path starts with its top unit's name: defused there, it is defused throughout.
    top_name = _defused_sql(cast(col(OrgUnit.name), Text))
    paths = (
        select(col(OrgUnit.id).label("id"), top_name.label("path"))
        .where(top)
        .cte("unit_path", recursive=True)
    )
    child = aliased(OrgUnit)
    return paths.union_all(
        select(
            col(child.id),
            cast(paths.c.path + PATH_SEPARATOR + col(child.name), Text),
        ).where(col(child.parent_id) == paths.c.id)
    )


def _progress_csv_rows(
    scope: Scope,
    unit: OrgUnit | None,
    sizes: list[CourseSize],
    now: datetime,
    today: date,
    dialect: str,
) -> Select[Any]:
    """The CSV's cells for the people in view with `after` < id ≤ `upto` (bound at each
    chunk), in PROGRESS_COLUMNS order; NULL where the cell is empty."""
    where = [
        col(User.id) > bindparam("after", 0, type_=Integer),
        col(User.id) <= bindparam("upto", LAST_ID, type_=Integer),
        *_people_in_view(scope, unit),
    ]
    people = (
        select(User.id, User.email, User.name, User.org_unit_id)
        .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
        .where(*where)
        .subquery()
    )
    paths = _unit_paths(scope)
    courses = _course_sizes(sizes, defuse)
    (title, belt, status, done, steps, read, modules, best, *texts) = _course_columns(
        courses, now, today, dialect
    )
    cells = select(
        _defused_sql(people.c.email),
        _defused_sql(people.c.name),
        paths.c.path,
        title,
        belt,
        status,
        _percent(done, steps),
        read,
        modules,
        _best_percent(best, dialect),
        *texts,
    ).select_from(people)
    # Outer joins, though every person has a unit and every course row matches: SQLite then
    # keeps the people, read in id order, as the outer loop, with no sort of the chunk.
    cells = cells.outerjoin(paths, paths.c.id == people.c.org_unit_id)
    return _per_course(cells, people.c.id, courses)


def _defused_sql(text: Any) -> ColumnElement[str]:
    """`defuse`, in the database."""
    return case((func.substr(text, 1, 1).in_(FORMULA_STARTS), "'" + text), else_=text)


def _percent(done: ColumnElement[int], steps: ColumnElement[int]) -> ColumnElement[int]:
    """round(100 * done / steps) as Python rounds it, half to even, in whole numbers; 0
    for a course of no steps."""
    hundredfold = 100 * done
    steps = func.nullif(steps, 0, type_=Integer)
    whole, twice_left = hundredfold // steps, 2 * (hundredfold % steps)
    up = or_(twice_left > steps, and_(twice_left == steps, whole % 2 == 1))
    return func.coalesce(whole + case((up, 1), else_=0), 0)


def _best_percent(best: ColumnElement[float], dialect: str) -> ColumnElement[int]:
    """round(100 * best) as Python rounds a float, half to even."""
    hundredfold = 100.0 * best
    if dialect == "postgresql":  # round(double precision) rounds half to even
        return cast(func.round(hundredfold), Integer)
    whole = cast(hundredfold, Integer)  # scores are not negative: this is the floor
    left = hundredfold - whole
    up = or_(left > 0.5, and_(left == 0.5, whole % 2 == 1))
    return whole + case((up, 1), else_=0)


def _written_csv(rows: Select[Any], connection: Connection, chunk: dict[str, int]) -> bytes:
    """The driver's rows, straight into csv.writer: no row object in between."""
    result = connection.execute(rows, chunk)
    try:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(result.cursor)  # type: ignore[arg-type]
    finally:
        result.close()
    return buffer.getvalue().encode()


def _copied_csv(rows: Compiled, connection: Connection, chunk: dict[str, int]) -> bytes:
    """PostgreSQL writes the CSV itself. COPY ends lines with LF, and an empty cell is an
    unquoted NULL as csv.writer writes it; the lines get csv.writer's CRLF."""
    # COPY takes no server-side parameters: psycopg binds them into the text itself.
    state = rows.construct_expanded_state(chunk)
    parameters = {
        name: state.processors[name](value) if name in state.processors else value
        for name, value in state.parameters.items()
    }
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    statement = f"COPY ({state.statement}) TO STDOUT (FORMAT csv)"
    with cursor, cursor.copy(statement, parameters) as copy:
        lines = list(copy)  # one item a row
    data = b"".join(bytes(line) for line in lines)
    if data.count(b"\n") == len(lines):
        return data.replace(b"\n", b"\r\n")
    # A cell with a line break in it: let csv.writer lay the rows out.
    return _csv_text(list(csv.reader(io.StringIO(data.decode(), newline="")))).encode()


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
