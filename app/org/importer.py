"""Bulk import of employees from a CSV file with the header `email,name,unit,role`.

Importing is two steps. `plan_import` reads the file and reports, row by row, what would
happen (create, update, unchanged, or error) without writing anything: it compares the
rows with the people and units already stored, in memory. `apply_import` writes a plan
that has no error, in the caller's transaction, so an import is all or nothing.

`unit` is the path of unit names from the root, such as `Northwind Bank/Operations/Claims`;
missing units are created. `role` is learner, instructor, hr or admin: a new person with a
blank role is a learner, an existing person with a blank role keeps the role they have.
Imported people get no usable password: they cannot sign in until one is set for them.
"""

import base64
import csv
import io
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput
from app.logs import get_logger, log_event
from app.models import OrgUnit, Role, User
from app.org import units
from app.org.scope import drop_scopes_unless_hr
from app.reporting import summaries
from app.security import passwords

COLUMNS = ("email", "name", "unit", "role")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_EMAIL = 254
MAX_PERSON_NAME = 120
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # as app.accounts.schemas.Email
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
LOOKUP_BATCH = 1000
logger = get_logger("org.import")

# A well-formed argon2id hash with today's parameters, so that checking a password against
# it costs a full verification (no timing difference from a real account), but of a random
# digest under a salt that marks it: no password is known that verifies.
_NO_PASSWORD_SALT = base64.b64encode(b"takt:no-password").decode().rstrip("=")
NO_PASSWORD_PREFIX = (
    f"$argon2id$v=19$m={passwords.ARGON2_MEMORY_KIB},t={passwords.ARGON2_TIME_COST},"
    f"p={passwords.ARGON2_PARALLELISM}${_NO_PASSWORD_SALT}$"
)


def no_password_hash() -> str:
    """A password hash that no password verifies, different for each person."""
    return NO_PASSWORD_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def has_no_password(user: User) -> bool:
    return user.password_hash.startswith(NO_PASSWORD_PREFIX)


class Action(StrEnum):
    create = "create"
    update = "update"
    unchanged = "unchanged"
    error = "error"


@dataclass
class RowPlan:
    """One row of the file: what it asks for, and what importing it would do."""

    row: int  # as in the file: the header is row 1
    email: str
    action: Action
    details: list[str] = field(default_factory=list)  # the changes, or what is wrong
    name: str = ""
    unit: tuple[str, ...] = ()
    role: Role | None = None  # None: blank in the file
    user_id: int | None = None  # the existing person


@dataclass
class ImportPlan:
    rows: list[RowPlan] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)  # paths of the units to be created
    file_errors: list[str] = field(default_factory=list)
    planned_by: int | None = None  # the admin it was planned for (None: the command line)

    @property
    def counts(self) -> dict[Action, int]:
        counted = Counter(row.action for row in self.rows)
        return {action: counted.get(action, 0) for action in Action}

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.counts[Action.error]

    @property
    def changes(self) -> int:
        return self.counts[Action.create] + self.counts[Action.update]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    units_created: list[str]


class OrgTree:
    """Every unit, loaded once: find paths of names, label units, walk the tree."""

    def __init__(self, db: Session) -> None:
        self.units = list(db.exec(select(OrgUnit)))
        self.by_id = {unit.id: unit for unit in self.units}
        self._by_name = {(unit.parent_id, unit.name): unit for unit in self.units}
        self._children: dict[int | None, list[OrgUnit]] = {}
        for unit in sorted(self.units, key=lambda u: u.name.casefold()):
            self._children.setdefault(unit.parent_id, []).append(unit)

    def find(self, names: Iterable[str]) -> OrgUnit | None:
        unit: OrgUnit | None = None
        for name in names:
            unit = self._by_name.get((unit.id if unit else None, name))
            if unit is None:
                return None
        return unit

    def missing(self, names: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The paths along `names` that do not exist yet, from the top down."""
        return [names[:depth] for depth in range(1, len(names) + 1) if not self.find(names[:depth])]

    def names(self, unit_id: int | None) -> tuple[str, ...]:
        unit = self.by_id.get(unit_id)
        if unit is None:
            return ()
        ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        return tuple(self.by_id[i].name for i in ids if i in self.by_id)

    def label(self, unit_id: int | None) -> str:
        return units.PATH_SEPARATOR.join(self.names(unit_id)) or "(no unit)"

    def children(self, unit_id: int | None) -> list[OrgUnit]:
        return self._children.get(unit_id, [])

    def walk(self, unit_id: int | None = None, depth: int = 0) -> Iterator[tuple[OrgUnit, int]]:
        """Every unit below `unit_id` (the whole tree by default), parents first."""
        for child in self.children(unit_id):
            yield child, depth
            yield from self.walk(child.id, depth + 1)

    def total_headcount(self, unit: OrgUnit) -> int:
        """The people in the unit and every unit below it."""
        return unit.headcount + sum(self.total_headcount(c) for c in self.children(unit.id))


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8, with or without a byte order mark."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(_too_large(), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.",
            field="file",
        ) from error
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _too_large() -> str:
    return f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into several."


@dataclass
class _Row:
    number: int
    email: str
    name: str
    unit: tuple[str, ...]
    role: Role | None
    problems: list[str]


def plan_import(db: Session, text: str, *, admin: User | None = None) -> ImportPlan:
    """What importing `text` would do, row by row. Writes nothing.

    `admin` is who will apply it: an import may not change their own role.
    """
    plan = ImportPlan(planned_by=admin.id if admin else None)
    text = text.removeprefix("\ufeff")
    if len(text.encode()) > MAX_BYTES:
        plan.file_errors.append(_too_large())
        return plan
    rows = _read_rows(text, plan)
    if plan.file_errors:
        return plan
    tree = OrgTree(db)
    existing = _existing_users(db, [row.email for row in rows if not row.problems])
    new_units: dict[tuple[str, ...], None] = {}
    for row in rows:
        plan.rows.append(_plan_row(row, existing.get(row.email), tree, admin, new_units))
    plan.new_units = [units.PATH_SEPARATOR.join(path) for path in new_units]
    return plan


def _read_rows(text: str, plan: ImportPlan) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[_Row] = []
    first_seen: dict[str, int] = {}
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            plan.file_errors.append(_header_message("The file is empty."))
            return []
        positions = _columns(header, plan)
        if positions is None:
            return []
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # a blank line
            if len(rows) == MAX_ROWS:
                plan.file_errors.append(
                    f"The file has more than {MAX_ROWS:,} rows; split it into several."
                )
                return []
            rows.append(_parse_row(number, record, positions, first_seen))
    except csv.Error as error:
        plan.file_errors.append(f"Row {reader.line_num}: this is not valid CSV ({error}).")
        return []
    return rows


def _header_message(problem: str) -> str:
    return f"{problem} The first row must name the columns: {','.join(COLUMNS)}."


def _columns(header: list[str], plan: ImportPlan) -> dict[str, int] | None:
    names = [cell.strip().lower() for cell in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n or "(blank)" for n in names if n not in COLUMNS]
    repeated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    problems = []
    if missing:
        problems.append(f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
    if unknown:
        problems.append(f"Not a column we know: {', '.join(unknown)}.")
    if repeated:
        problems.append(f"Repeated column: {', '.join(repeated)}.")
    if problems:
        plan.file_errors.append(_header_message(" ".join(problems)))
        return None
    return {name: names.index(name) for name in COLUMNS}


def _parse_row(
    number: int, record: list[str], positions: dict[str, int], first_seen: dict[str, int]
) -> _Row:
    problems: list[str] = []
    if len(record) != len(positions):
        problems.append(
            f"has {len(record)} values where the header has {len(positions)}"
            + (" (quote values that contain a comma)" if len(record) > len(positions) else "")
        )
        record = (record + [""] * len(positions))[: len(positions)]
    values = {column: record[index].strip() for column, index in positions.items()}
    for column, value in values.items():
        if CONTROL_CHARACTERS.search(value):
            problems.append(f"{column} contains a control character (such as a tab)")
    email = values["email"].lower()
    if not email:
        problems.append("email is missing")
    elif len(email) > MAX_EMAIL or not EMAIL.fullmatch(email):
        problems.append(f"email “{values['email']}” is not a valid address")
    elif email in first_seen:
        problems.append(f"email is repeated in the file (first at row {first_seen[email]})")
    else:
        first_seen[email] = number
    name = values["name"]
    if not name:
        problems.append("name is missing")
    elif len(name) > MAX_PERSON_NAME:
        problems.append(f"name is longer than {MAX_PERSON_NAME} characters")
    unit, unit_problem = _unit_path(values["unit"])
    if unit_problem:
        problems.append(unit_problem)
    role: Role | None = None
    if values["role"]:
        try:
            role = Role(values["role"].lower())
        except ValueError:
            known = ", ".join(r.value for r in Role)
            problems.append(f"role “{values['role']}” is not one of {known}")
    return _Row(number, email or values["email"], name, unit, role, problems)


def _unit_path(raw: str) -> tuple[tuple[str, ...], str | None]:
    if not raw:
        return (), "unit is missing"
    parts = raw.split(units.PATH_SEPARATOR)
    if any(not part.strip() for part in parts):
        return (), f"unit “{raw}” has an empty part (check the {units.PATH_SEPARATOR!r} separators)"
    if len(parts) > units.MAX_DEPTH:
        return (), f"unit “{raw}” is more than {units.MAX_DEPTH} levels deep"
    names = []
    for part in parts:
        try:
            names.append(units.check_unit_name(part))
        except InvalidInput as invalid:
            return (), f"unit part “{part.strip()[:40]}”: {invalid.detail}"
    return tuple(names), None


def _existing_users(db: Session, emails: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for start in range(0, len(emails), LOOKUP_BATCH):
        batch = emails[start : start + LOOKUP_BATCH]
        found.update((u.email, u) for u in db.exec(select(User).where(col(User.email).in_(batch))))
    return found


def _plan_row(
    row: _Row,
    user: User | None,
    tree: OrgTree,
    admin: User | None,
    new_units: dict[tuple[str, ...], None],
) -> RowPlan:
    plan = RowPlan(row.number, row.email, Action.error, name=row.name, unit=row.unit, role=row.role)
    if row.problems:
        plan.details = row.problems
        return plan
    target = tree.find(row.unit)
    unit_label = units.PATH_SEPARATOR.join(row.unit)
    if user is None:
        plan.action = Action.create
        role = row.role or Role.learner
        plan.details = [f"{role.value} in {unit_label}" + (" (a new unit)" if not target else "")]
    else:
        plan.user_id = user.id
        if admin is not None and user.id == admin.id and row.role and row.role != user.role:
            plan.details = ["you cannot change your own role by an import"]
            return plan
        plan.details = _changes(row, user, target, tree)
        plan.action = Action.update if plan.details else Action.unchanged
    if plan.action != Action.unchanged and target is None:
        new_units.update(dict.fromkeys(tree.missing(row.unit)))
    return plan


def _changes(row: _Row, user: User, target: OrgUnit | None, tree: OrgTree) -> list[str]:
    changes = []
    if row.name != user.name:
        changes.append(f"name: {user.name} → {row.name}")
    if target is None or target.id != user.org_unit_id:
        new = units.PATH_SEPARATOR.join(row.unit) + (" (a new unit)" if target is None else "")
        changes.append(f"unit: {tree.label(user.org_unit_id)} → {new}")
    if row.role and row.role != user.role:
        changes.append(f"role: {user.role} → {row.role.value}")
    return changes


def apply_import(db: Session, plan_or_text: ImportPlan | str, admin: User | None) -> ImportResult:
    """Write an error-free plan (or plan `text` first) in the caller's transaction.

    `admin` is who imports (None from the command line). Raises InvalidInput, having
    written nothing, when any row has an error.
    """
    plan = plan_or_text
    if isinstance(plan, str):
        plan = plan_import(db, plan, admin=admin)
    if plan.planned_by != (admin.id if admin else None):
        raise InvalidInput("This import was checked for someone else; check it again.")
    if not plan.ok:
        problems = len(plan.file_errors) + plan.counts[Action.error]
        raise InvalidInput(
            f"Nothing was imported: the file has {problems} error{'s' if problems > 1 else ''}.",
            field="file",
        )
    placed: dict[tuple[str, ...], OrgUnit] = {}

    def unit_at(names: tuple[str, ...]) -> OrgUnit:
        if names not in placed:
            placed[names] = units.ensure_path(db, list(names))
        return placed[names]

    try:
        created = [
            _new_person(row, unit_at(row.unit)) for row in plan.rows if row.action == Action.create
        ]
        db.add_all(created)
        db.flush()  # one batch of inserts, rather than one round trip per person
        for user in created:
            summaries.person_added(db, user)
        for row in plan.rows:
            if row.action == Action.update:
                _update_person(db, row, unit_at(row.unit))
        db.flush()
    except IntegrityError as error:
        raise Conflict(
            "Someone changed the same people or units while this import ran; check it again."
        ) from error
    counts = plan.counts
    result = ImportResult(
        created=counts[Action.create],
        updated=counts[Action.update],
        unchanged=counts[Action.unchanged],
        units_created=plan.new_units,
    )
    log_event(
        logger,
        "employees imported",
        by_user_id=admin.id if admin else None,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        units_created=len(result.units_created),
    )
    return result


def _new_person(row: RowPlan, unit: OrgUnit) -> User:
    return User(
        email=row.email,
        name=row.name,
        password_hash=no_password_hash(),
        role=row.role or Role.learner,
        org_unit_id=unit.id,
    )


def _update_person(db: Session, row: RowPlan, unit: OrgUnit) -> None:
    user = db.get(User, row.user_id)
    if user is None:
        raise Conflict(f"Row {row.row}: {row.email} was removed meanwhile; check the import again.")
    user.name = row.name
    if row.role:
        user.role = row.role
        drop_scopes_unless_hr(db, user)
    db.add(user)
    move_person(db, user, unit)


def move_person(db: Session, user: User, unit: OrgUnit) -> None:
    """Place the person in another unit, moving their figures with them."""
    old_unit_id = user.org_unit_id
    if old_unit_id == unit.id:
        return
    user.org_unit_id = unit.id
    db.add(user)
    db.flush()
    summaries.person_moved(db, user, old_unit_id)
    db.flush()
