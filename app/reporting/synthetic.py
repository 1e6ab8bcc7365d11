"""A synthetic organisation for demos and load tests: `takt demo --learners N`.

Under the demo company it builds divisions, departments and teams (about one team per 40
learners), N learners who all share one password, and about four years of learning in the
synced certification courses: module reads, attempts with their exercise summaries, exam
sittings, certificates (some expired, expiring or revoked) and assignments, some overdue.
Rows go in through Core executemany in chunks (COPY on PostgreSQL); the HR summary tables
are then computed by `app.reporting.rebuild`, as `takt reports rebuild` would.

Each learner draws from a generator seeded with the seed and their number, so one seed
gives the same organisation on any database. Two things are not drawn: certificate codes,
which are secrets, and dates, which count back from the moment of the run.

Attempts follow the app's own rules (at most the exercise's attempts, none after a pass);
with today's Yellow, Green and Black Belts the mix below gives about 73 attempts per
learner on average, 7.3 million at 100,000 learners.
"""

import bisect
import functools
import hashlib
import math
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert, text
from sqlmodel import Session, col, func, select

from app.accounts.demo import DEMO_ACCOUNTS, DEMO_COMPANY, ensure_demo_accounts
from app.content.sync import current_exercise_version
from app.errors import Conflict, InvalidInput
from app.learning.attempts import seed_for
from app.learning.service import published_modules_with_versions
from app.models import (
    Assignment,
    Attempt,
    Certificate,
    Course,
    CourseStanding,
    Enrolment,
    Exam,
    ExamSitting,
    Exercise,
    ExerciseProgress,
    Module,
    ModuleProgress,
    OrgUnit,
    Role,
    UnitTally,
    User,
)
from app.models.base import utcnow
from app.org import units
from app.reporting.rebuild import RebuildReport, rebuild
from app.security.passwords import hash_password

LEARNER_PASSWORD = "takt-demo-learner"  # noqa: S105 - every synthetic learner's, demo only
EMAIL = "learner{:06d}@demo.takt.example"
EMAIL_PATTERN = "learner______@demo.takt.example"  # LIKE: six characters, the number
MAX_LEARNERS = 999_999

LEARNERS_PER_TEAM = 40
TEAMS_PER_DEPARTMENT = 20
DIVISIONS = (
    "Retail Banking",
    "Commercial Banking",
    "Wealth Management",
    "Payments",
    "Lending",
    "Technology",
    "Risk and Compliance",
    "Finance",
)
DEPARTMENTS = (
    "Customer Service",
    "Onboarding",
    "Claims",
    "Collections",
    "Underwriting",
    "Back Office",
    "Card Services",
    "Mortgages",
    "Fraud",
    "Reporting",
    "Procurement",
    "Service Desk",
    "Change",
    "Quality",
    "Settlements",
    "Complaints",
)
FIRST_NAMES = (
    "Amara", "Bilal", "Chen", "Dana", "Elif", "Farah", "Goran", "Hiro", "Ines", "Jonas",
    "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tomas",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zara", "Aiko", "Bruno", "Carla", "Dmitri",
)  # fmt: skip
LAST_NAMES = (
    "Abebe", "Berg", "Costa", "Diallo", "Eriksen", "Fischer", "García", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe",
    "Rossi", "Silva", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang",
)  # fmt: skip

# Who stands where in each course: not started, in progress, certified; in a course that
# requires another, only those certified in that one may be certified.
FIRST_COURSE_MIX = (0.20, 0.45, 0.35)
LATER_COURSE_MIX = (0.40, 0.30, 0.30)
INACTIVE = 0.02  # people who have left; their records stay
REVOKED = 0.01  # of certificates
HISTORY = timedelta(days=4 * 365)  # certificates are issued over the last four years
PREPARATION = timedelta(days=300)  # the most a certified learner spent before the exam
# Per exercise: whether it is tried at all, the chance each successive attempt passes, and
# the chance of trying again after a fail.
TRIES = 0.94
PASS_CHANCE = (0.35, 0.5, 0.6)
KEEP_TRYING = 0.9
EXAM_AFTER_READING = 0.4  # of learners in progress who read every module: sat and failed
REVOKE_REASON = "Synthetic data: exam conduct under review."
# How long after a step the next one comes: (soonest, latest).
FIRST_TRY = (timedelta(minutes=2), timedelta(days=2))  # after reading the module
RETRY = (timedelta(minutes=5), timedelta(days=3))
REVIEWED = (timedelta(hours=2), timedelta(days=3))

CHUNK = 5000  # rows per executemany
LEARNERS_PER_BATCH = 1000  # learners whose activity is generated, then inserted, together
PROGRESS_SECONDS = 2.0


@dataclass(frozen=True)
class ExerciseRef:
    id: uuid.UUID
    version_id: int
    pass_mark: float
    attempts: int
    reviewed: bool


@dataclass(frozen=True)
class ModuleRef:
    id: uuid.UUID
    version_id: int
    exercises: tuple[ExerciseRef, ...]


@dataclass(frozen=True)
class ExamRef:
    id: uuid.UUID
    minutes: int
    pass_mark: float
    sittings: int
    feedback: str
    slots: tuple[tuple[tuple[ExerciseRef, ...], float], ...]


@dataclass(frozen=True)
class CourseRef:
    id: uuid.UUID
    title: str
    belt: str
    pass_mark: float
    valid_for: timedelta | None
    prerequisites: tuple[uuid.UUID, ...]
    modules: tuple[ModuleRef, ...]
    exam: ExamRef | None


@dataclass(frozen=True)
class Learner:
    number: int
    name: str
    team_id: int
    joined: datetime
    active: bool


@dataclass
class SyntheticReport:
    units: int = 0
    learners: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    rebuilt: RebuildReport | None = None

    def lines(self) -> list[str]:
        counts = ", ".join(f"{n:,} {name}" for name, n in self.rows.items())
        steps = ", ".join(f"{name} {s:.1f} s" for name, s in self.seconds.items())
        return [
            f"Synthetic organisation: {self.units:,} units, {self.learners:,} learners.",
            f"Rows: {counts}.",
            f"Time: {steps}; {sum(self.seconds.values()):.1f} s in all.",
            f"Every learner signs in with the password {LEARNER_PASSWORD!r}, "
            f"as {EMAIL.format(1)} and so on.",
        ]


Progress = Callable[[str], None]


def generate(
    db: Session,
    learners: int,
    *,
    seed: int = 1,
    now: datetime | None = None,
    progress: Progress = lambda line: None,
) -> SyntheticReport:
    """Build the organisation in the session's transaction; the caller commits."""
    if not 0 < learners <= MAX_LEARNERS:
        raise InvalidInput(f"Ask for 1 to {MAX_LEARNERS:,} learners.", field="learners")
    now = now or utcnow()
    report = SyntheticReport(learners=learners)
    existing = db.exec(
        select(func.count()).select_from(User).where(col(User.email).like(EMAIL_PATTERN))
    ).one()
    if existing:
        raise Conflict(
            f"This database already holds {existing:,} synthetic learners; "
            "build a synthetic organisation in a fresh database."
        )
    courses = load_courses(db)
    with _step(report, "units", progress):
        ensure_demo_accounts(db)  # which also scopes the demo HR user to the company
        company = units.ensure_path(db, [DEMO_COMPANY])
        tree = _tree(db, company, learners)
        report.units = tree.size
        hr = _demo_user(db, Role.hr)
    with _step(report, "learners", progress):
        ids = _insert_learners(db, learners, seed, tree.teams, now, report, progress)
    with _step(report, "assignments", progress):
        if courses:
            _assign(db, courses[0], tree, ids, hr, now, report)
    with _step(report, "activity", progress):
        _insert_activity(db, courses, ids, seed, tree.teams, now, report, progress)
    with _step(report, "summaries", progress):
        report.rebuilt = rebuild(db)
    if db.get_bind().dialect.name == "postgresql":
        with _step(report, "statistics", progress):
            # What autovacuum does soon after a bulk load, if it is on: without it, the
            # planner guesses at tables of millions of rows.
            loaded = (User, OrgUnit, Assignment, *TABLES, CourseStanding, UnitTally)
            db.execute(text("ANALYZE " + ", ".join(t.__tablename__ for t in loaded)))  # type: ignore[attr-defined]
    return report


@contextmanager
def _step(report: SyntheticReport, name: str, progress: Progress) -> Iterator[None]:
    """Time one step into the report, and say when it starts and when it is done."""
    progress(f"{name}…")
    started = time.perf_counter()
    yield
    report.seconds[name] = time.perf_counter() - started
    progress(f"{name}: done in {report.seconds[name]:.1f} s")


# The courses, as synced ---------------------------------------------------------------------


def load_courses(db: Session) -> list[CourseRef]:
    """The published certification courses that have modules, with their current module
    and exercise versions, each after the courses it requires."""
    courses = db.exec(
        select(Course)
        .where(col(Course.is_published), col(Course.certification).is_not(None))
        .order_by(col(Course.position))
    ).all()
    slugs = {c.slug: c.id for c in courses}
    exercises = {e.slug: e for e in db.exec(select(Exercise).where(col(Exercise.is_published)))}
    refs: dict[str, ExerciseRef] = {}
    for slug, exercise in exercises.items():
        version = current_exercise_version(db, exercise.id)
        if version is not None:
            refs[slug] = ExerciseRef(
                exercise.id,
                version.id,  # type: ignore[arg-type]
                float(version.definition["pass_mark"]),
                int(version.definition["attempts"]),
                version.definition.get("review") == "required",
            )
    modules: dict[uuid.UUID, list[ModuleRef]] = {}
    for module, version in db.exec(
        published_modules_with_versions().order_by(col(Module.position))
    ):
        own = tuple(  # an exercise counts towards the course it belongs to, and only there
            refs[s]
            for s in version.exercise_slugs
            if s in refs and exercises[s].course_id == module.course_id
        )
        modules.setdefault(module.course_id, []).append(
            ModuleRef(module.id, version.id, own)  # type: ignore[arg-type]
        )
    return _prerequisites_first(
        [
            CourseRef(
                course.id,
                course.title,
                course.belt,
                float(course.certification["exam_pass_mark"]),  # type: ignore[index]
                _validity(course.certification),  # type: ignore[arg-type]
                tuple(slugs[s] for s in course.prerequisites if s in slugs),
                tuple(modules.get(course.id, [])),
                _exam(db, course.id, refs),
            )
            for course in courses
            if course.id in modules
        ]
    )


def _prerequisites_first(courses: list[CourseRef]) -> list[CourseRef]:
    """Catalogue order, except that a course comes after the courses it requires."""
    ordered: list[CourseRef] = []
    waiting = list(courses)
    while waiting:
        placed = {c.id for c in ordered}
        ready = [c for c in waiting if placed.issuperset(c.prerequisites)] or waiting  # a cycle
        ordered.append(ready[0])
        waiting.remove(ready[0])
    return ordered


def _validity(rule: dict[str, Any]) -> timedelta | None:
    years = rule.get("valid_years")
    return timedelta(days=365 * int(years)) if years else None


def _exam(db: Session, course_id: uuid.UUID, refs: dict[str, ExerciseRef]) -> ExamRef | None:
    exam = db.exec(select(Exam).where(Exam.course_id == course_id, col(Exam.is_published))).first()
    if exam is None:
        return None
    rules = exam.definition
    slots = tuple(
        (tuple(refs[s] for s in slot["pool"] if s in refs), float(slot["weight"]))
        for slot in rules["slots"]
    )
    return ExamRef(
        exam.id,
        int(rules["time_limit_minutes"]),
        float(rules["pass_mark"]),
        1 + int(rules["retakes"]),
        rules["feedback"],
        tuple(slot for slot in slots if slot[0]),
    )


# The organisation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    divisions: list[OrgUnit]
    departments: list[list[OrgUnit]]  # of each division
    teams: list[OrgUnit]

    @property
    def size(self) -> int:
        return len(self.divisions) + sum(map(len, self.departments)) + len(self.teams)


def _tree(db: Session, company: OrgUnit, learners: int) -> Tree:
    """Divisions → departments → teams under the company."""
    teams = max(1, round(learners / LEARNERS_PER_TEAM))
    departments = min(teams, max(2, round(teams / TEAMS_PER_DEPARTMENT)))
    divisions = min(len(DIVISIONS), departments, max(2, round(math.sqrt(departments))))
    tops = [_child(db, company, DIVISIONS[i]) for i in range(divisions)]
    middles = [
        _child(db, tops[i % divisions], _numbered(DEPARTMENTS, i // divisions))
        for i in range(departments)
    ]
    leaves = [
        _child(db, middles[i % departments], f"Team {i // departments + 1:02d}")
        for i in range(teams)
    ]
    return Tree(tops, [middles[i::divisions] for i in range(divisions)], leaves)


def _numbered(names: tuple[str, ...], index: int) -> str:
    name = names[index % len(names)]
    return name if index < len(names) else f"{name} {index // len(names) + 1}"


def _child(db: Session, parent: OrgUnit, name: str) -> OrgUnit:
    return units.find_child(db, parent, name) or units.create_unit(db, name, parent)


def _demo_user(db: Session, role: Role) -> User:
    email = next(a.email for a in DEMO_ACCOUNTS if a.role == role)
    return db.exec(select(User).where(User.email == email)).one()


def _rng(seed: int, purpose: str, number: int = 0) -> random.Random:
    return random.Random(f"{seed}/{purpose}/{number}")  # noqa: S311 - demo data, not secrets


class _TeamPicker:
    """Teams of uneven size: each draws a weight between 0.5 and 1.5 once."""

    def __init__(self, seed: int, teams: list[OrgUnit]) -> None:
        rng = _rng(seed, "teams")
        self.ids = [t.id for t in teams]
        self.bounds: list[float] = []
        total = 0.0
        for _ in teams:
            total += rng.uniform(0.5, 1.5)
            self.bounds.append(total)

    def __call__(self, rng: random.Random) -> int:
        index = bisect.bisect(self.bounds, rng.random() * self.bounds[-1])
        return self.ids[min(index, len(self.ids) - 1)]  # type: ignore[return-value]


def learner(seed: int, number: int, pick: _TeamPicker, now: datetime) -> Learner:
    """Who learner `number` is: the same on every call with the same seed."""
    rng = _rng(seed, "person", number)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    long_served = rng.random() < 0.85
    years = rng.uniform(4.2, 8) if long_served else rng.uniform(0, 4.2)
    joined = now - timedelta(days=365 * years)
    return Learner(number, name, pick(rng), joined, rng.random() >= INACTIVE)


def _insert_learners(
    db: Session,
    count: int,
    seed: int,
    teams: list[OrgUnit],
    now: datetime,
    report: SyntheticReport,
    progress: Progress,
) -> list[int]:
    """Insert the learners; their ids, in number order (index 0 is learner 1)."""
    password_hash = hash_password(LEARNER_PASSWORD)
    pick = _TeamPicker(seed, teams)
    started, said = time.perf_counter(), 0.0
    for first in range(1, count + 1, CHUNK):
        rows = []
        for number in range(first, min(first + CHUNK, count + 1)):
            who = learner(seed, number, pick, now)
            rows.append(
                {
                    "email": EMAIL.format(number),
                    "name": who.name,
                    "password_hash": password_hash,
                    "role": Role.learner.value,
                    "org_unit_id": who.team_id,
                    "is_active": who.active,
                    "created_at": who.joined,
                }
            )
        _insert(db, User, rows)
        done = first + len(rows) - 1
        said = _say(progress, said, started, f"learners {done:,}/{count:,}", done, done == count)
    report.rows["learners"] = count
    ids = dict(
        db.exec(select(User.email, User.id).where(col(User.email).like(EMAIL_PATTERN))).all()  # type: ignore[arg-type]
    )
    return [ids[EMAIL.format(n)] for n in range(1, count + 1)]


def _insert(db: Session, table: type, rows: list[dict[str, Any]]) -> None:
    """Rows that all have the same keys: COPY on PostgreSQL (psycopg's executemany costs
    three times as much per row), one Core executemany elsewhere."""
    if not rows:
        return
    connection = db.connection()
    core: Table = table.__table__  # type: ignore[attr-defined]
    if connection.dialect.name == "postgresql":
        _copy(connection, core, rows)
    else:
        connection.execute(insert(core), rows)


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    from psycopg import sql
    from psycopg.types.json import Json

    names = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            # None in a JSON column is stored as JSON null, as SQLAlchemy stores it.
            copy.write_row(
                [Json(row[n]) if j else row[n] for n, j in zip(names, as_json, strict=True)]
            )


def _say(
    progress: Progress, said: float, started: float, what: str, rows: int, last: bool
) -> float:
    """Report progress at most every PROGRESS_SECONDS; the time it was last said."""
    elapsed = time.perf_counter() - started
    if last or elapsed - said >= PROGRESS_SECONDS:
        progress(f"  {what} ({rows / max(elapsed, 1e-9):,.0f} rows/s)")
        return elapsed
    return said


def _assign(
    db: Session,
    course: CourseRef,
    tree: Tree,
    ids: list[int],
    hr: User,
    now: datetime,
    report: SyntheticReport,
) -> None:
    """The first course assigned to some divisions, departments and people: one division's
    date has passed, so it has overdue people; another's is close, so some are at risk."""
    today = now.date()
    targets: list[tuple[OrgUnit | None, int | None, date]] = [
        (tree.divisions[0], None, today - timedelta(days=60)),
        (tree.divisions[-1], None, today + timedelta(days=10)),
    ]
    for index, departments in enumerate(tree.departments[1:3]):
        targets.append((departments[0], None, today + timedelta(days=90 * (index + 1))))
    targets += [(None, user_id, today + timedelta(days=30)) for user_id in ids[:5]]
    for unit, user_id, due_on in targets:
        db.add(
            Assignment(
                course_id=course.id,
                org_unit_id=unit.id if unit else None,
                user_id=user_id,
                due_on=due_on,
                assigned_by_id=hr.id,
                created_at=min(now, _moment(due_on) - timedelta(days=90)),
            )
        )
    db.flush()
    report.rows["assignments"] = len(targets)


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


# Learning activity ----------------------------------------------------------------------------


TABLES: tuple[type, ...] = (
    Enrolment,
    ModuleProgress,
    Attempt,
    ExerciseProgress,
    ExamSitting,
    Certificate,
)
NAMES = {
    Enrolment: "enrolments",
    ModuleProgress: "module reads",
    Attempt: "attempts",
    ExerciseProgress: "exercise summaries",
    ExamSitting: "exam sittings",
    Certificate: "certificates",
}


class _Ids:
    """UUIDs (version 8) that rise with each call, so bulk inserts append to the primary-key
    index rather than touch a random page of it; the low bits come from the seed."""

    def __init__(self, seed: int) -> None:
        low = int.from_bytes(hashlib.sha256(f"takt-synthetic:{seed}".encode()).digest()[:8])
        self.low = (0b10 << 62) | (low & ((1 << 62) - 1))
        self.count = 0

    def __call__(self) -> uuid.UUID:
        self.count += 1
        return uuid.UUID(int=(self.count << 80) | (0x8 << 76) | self.low)


@dataclass
class _Batch:
    rows: dict[type, list[dict[str, Any]]] = field(
        default_factory=lambda: {table: [] for table in TABLES}
    )

    def add(self, table: type, row: dict[str, Any]) -> None:
        self.rows[table].append(row)

    def size(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def write(self, db: Session, report: SyntheticReport) -> None:
        for table, rows in self.rows.items():
            for start in range(0, len(rows), CHUNK):
                _insert(db, table, rows[start : start + CHUNK])
            name = NAMES[table]
            report.rows[name] = report.rows.get(name, 0) + len(rows)
            rows.clear()


@dataclass(frozen=True)
class _Context:
    now: datetime
    ids: _Ids
    reviewer: User

    @functools.cached_property
    def latest(self) -> datetime:
        """The last moment anything happens: a minute ago."""
        return self.now - timedelta(minutes=1)


def _insert_activity(
    db: Session,
    courses: list[CourseRef],
    ids: list[int],
    seed: int,
    teams: list[OrgUnit],
    now: datetime,
    report: SyntheticReport,
    progress: Progress,
) -> None:
    """Draw the learners' activity and write it, a batch of learners at a time. (Writing
    from a second thread while the next batch is drawn made it slower on two cores.)"""
    context = _Context(now, _Ids(seed), _demo_user(db, Role.instructor))
    pick = _TeamPicker(seed, teams)
    batch = _Batch()
    started, said, written = time.perf_counter(), 0.0, 0
    for number, user_id in enumerate(ids, start=1):
        who = learner(seed, number, pick, now)
        _learn(batch, _rng(seed, "learning", number), user_id, who, courses, context)
        if number % LEARNERS_PER_BATCH == 0 or number == len(ids):
            written += batch.size()
            batch.write(db, report)
            what = f"learners {number:,}/{len(ids):,}, {report.rows[NAMES[Attempt]]:,} attempts"
            said = _say(progress, said, started, what, written, number == len(ids))


def _learn(
    batch: _Batch,
    rng: random.Random,
    user_id: int,
    who: Learner,
    courses: list[CourseRef],
    context: _Context,
) -> None:
    certified: set[uuid.UUID] = set()
    for course in courses:
        mix = LATER_COURSE_MIX if course.prerequisites else FIRST_COURSE_MIX
        state = rng.choices(("none", "learning", "certified"), weights=mix)[0]
        if state == "none":
            continue
        if state == "certified" and not certified.issuperset(course.prerequisites):
            state = "learning"
        earliest = max(context.now - HISTORY, who.joined + PREPARATION)
        if state == "certified" and earliest < context.now - timedelta(days=1):
            _certify(batch, rng, user_id, who, course, earliest, context)
            certified.add(course.id)
        else:
            _study(batch, rng, user_id, who, course, context)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _after(rng: random.Random, moment: datetime, least: timedelta, most: timedelta) -> datetime:
    return moment + least + (most - least) * rng.random()


def _certify(
    batch: _Batch,
    rng: random.Random,
    user_id: int,
    who: Learner,
    course: CourseRef,
    earliest: datetime,
    context: _Context,
) -> None:
    """Every module read, the exam passed (after up to two fails), a certificate issued."""
    now = context.now
    issued = _between(rng, earliest, now - timedelta(hours=1))
    sat_from = issued
    if course.exam is not None:
        fails = rng.choices((0, 1, 2), weights=(80, 15, 5))[0]
        fails = min(fails, course.exam.sittings - 1)
        sat_from = _sittings_before(batch, rng, user_id, course, issued, fails, context)
    start = sat_from - timedelta(days=rng.uniform(10, 200))
    _read_and_practise(batch, rng, user_id, course, len(course.modules), start, sat_from, context)
    revoked = rng.random() < REVOKED
    revoked_at = min(_after(rng, issued, timedelta(days=1), timedelta(days=365)), context.latest)
    batch.add(
        Certificate,
        {
            "id": context.ids(),
            "code": secrets.token_urlsafe(18),
            "user_id": user_id,
            "course_id": course.id,
            "holder_name": who.name,
            "course_title": course.title,
            "belt": course.belt,
            "issued_at": issued,
            "expires_at": issued + course.valid_for if course.valid_for else None,
            "revoked_at": revoked_at if revoked else None,
            "revoked_reason": REVOKE_REASON if revoked else None,
        },
    )


def _sittings_before(
    batch: _Batch,
    rng: random.Random,
    user_id: int,
    course: CourseRef,
    passed_at: datetime,
    fails: int,
    context: _Context,
) -> datetime:
    """The failed sittings and the passing one that ends at `passed_at`; when the first began."""
    exam = course.exam
    assert exam is not None
    ends = [passed_at]
    for _ in range(fails):
        previous_start = ends[-1] - timedelta(minutes=exam.minutes)
        ends.append(previous_start - timedelta(days=rng.uniform(1.5, 20)))
    ends.reverse()
    first_start = passed_at
    for number, ended in enumerate(ends, start=1):
        passing = number == len(ends)
        started = ended - timedelta(minutes=rng.uniform(20, exam.minutes - 5))
        first_start = min(first_start, started)
        _sit(batch, rng, user_id, exam, course.pass_mark, number, started, ended, passing, context)
    return first_start


def _study(
    batch: _Batch,
    rng: random.Random,
    user_id: int,
    who: Learner,
    course: CourseRef,
    context: _Context,
) -> None:
    """Some modules read and practised; someone who has read them all may have failed the exam."""
    now = context.now
    start = _between(rng, max(now - timedelta(days=730), who.joined), now - timedelta(hours=1))
    end = _between(rng, start, now - timedelta(minutes=1))
    read = rng.randint(1, len(course.modules))
    last = _read_and_practise(batch, rng, user_id, course, read, start, end, context)
    exam = course.exam
    if exam is None or read < len(course.modules) or rng.random() >= EXAM_AFTER_READING:
        return
    started = _after(rng, last, timedelta(hours=1), timedelta(days=10))
    for number in range(1, rng.randint(1, exam.sittings) + 1):
        ended = started + timedelta(minutes=rng.uniform(20, exam.minutes - 5))
        if ended >= now:
            return
        _sit(batch, rng, user_id, exam, course.pass_mark, number, started, ended, False, context)
        started = _after(rng, ended, timedelta(days=1.5), timedelta(days=20))


def _read_and_practise(
    batch: _Batch,
    rng: random.Random,
    user_id: int,
    course: CourseRef,
    read: int,
    start: datetime,
    end: datetime,
    context: _Context,
) -> datetime:
    """Read the first `read` modules between start and end, trying each one's exercises
    after reading it. The last read."""
    moments = sorted(_between(rng, start, end) for _ in range(read))
    batch.add(Enrolment, {"user_id": user_id, "course_id": course.id, "enrolled_at": moments[0]})
    for module, read_at in zip(course.modules, moments, strict=False):
        batch.add(
            ModuleProgress,
            {
                "user_id": user_id,
                "module_id": module.id,
                "module_version_id": module.version_id,
                "read_at": read_at,
            },
        )
        for exercise in module.exercises:
            if rng.random() < TRIES:
                _practise(batch, rng, user_id, exercise, read_at, context)
    return moments[-1]


def _practise(
    batch: _Batch,
    rng: random.Random,
    user_id: int,
    exercise: ExerciseRef,
    read_at: datetime,
    context: _Context,
) -> None:
    """Attempts until a pass, the last allowed, or giving up; then the exercise summary."""
    latest = context.latest
    moment = _after(rng, read_at, *FIRST_TRY)
    used, best, passed, last = 0, 0.0, False, moment
    for number in range(1, exercise.attempts + 1):
        moment = last = min(moment, latest)
        chance = PASS_CHANCE[min(number, len(PASS_CHANCE)) - 1]
        success = rng.random() < chance
        score = round(
            rng.uniform(exercise.pass_mark, 1.0)
            if success
            else rng.uniform(0.2, exercise.pass_mark - 0.05),
            3,
        )
        counted = _attempt(batch, rng, user_id, exercise, number, score, success, moment, context)
        used += 1
        if counted:
            best, passed = max(best, score), passed or success
        if success or rng.random() >= KEEP_TRYING:
            break
        moment = _after(rng, moment, *RETRY)
    batch.add(
        ExerciseProgress,
        {
            "user_id": user_id,
            "exercise_id": exercise.id,
            "attempts_used": used,
            "best_score": best,
            "passed": passed,
            "last_attempt_at": last,
        },
    )


_variant_seed = functools.lru_cache(maxsize=16)(seed_for)  # one learner's attempts come together


def _attempt(
    batch: _Batch,
    rng: random.Random,
    user_id: int,
    exercise: ExerciseRef,
    number: int,
    score: float,
    success: bool,
    moment: datetime,
    context: _Context,
) -> bool:
    """One attempt; False when it waits for a review, so it does not count yet."""
    reviewed_at = None
    if exercise.reviewed:
        reviewed_at = _after(rng, moment, *REVIEWED)
        if reviewed_at >= context.now:
            reviewed_at = None
    waiting = exercise.reviewed and reviewed_at is None
    batch.add(
        Attempt,
        {
            "id": context.ids(),
            "user_id": user_id,
            "exercise_id": exercise.id,
            "exercise_version_id": exercise.version_id,
            "number": number,
            "seed": _variant_seed(user_id, exercise.id),
            "submission_token": f"synthetic-{exercise.id.hex}-{number}",
            "answer": {"answer": ["synthetic"]},
            "parts": [
                {
                    "name": "answer",
                    "label": "Answer",
                    "score": score,
                    "weight": 1.0,
                    "feedback": "",
                    "expected": None,
                }
            ],
            "score": score,
            "status": "awaiting_review" if waiting else "reviewed" if reviewed_at else "graded",
            "created_at": moment,
            "review": _review(context, score, success) if reviewed_at else None,
            "reviewed_by_id": context.reviewer.id if reviewed_at else None,
            "reviewed_at": reviewed_at,
        },
    )
    return not waiting


def _review(context: _Context, score: float, passed: bool) -> dict[str, Any]:
    return {
        "reviewer": context.reviewer.name,
        "criteria": [],
        "comment": "",
        "score": score,
        "passed": passed,
    }


def _sit(
    batch: _Batch,
    rng: random.Random,
    user_id: int,
    exam: ExamRef,
    certify_mark: float,
    number: int,
    started: datetime,
    ended: datetime,
    passing: bool,
    context: _Context,
) -> None:
    """One submitted sitting whose question scores add up to a pass or a fail, as asked."""
    mark = max(exam.pass_mark, certify_mark) if passing else exam.pass_mark
    target = rng.uniform(mark + 0.02, 1.0) if passing else rng.uniform(0.4, mark - 0.08)
    slots = [
        {
            "exercise_id": str(chosen.id),
            "version_id": chosen.version_id,
            "seed": rng.randrange(2**31),
            "weight": weight,
        }
        for chosen, weight in ((rng.choice(pool), weight) for pool, weight in exam.slots)
    ]
    scores = [min(1.0, max(0.0, round(target + rng.uniform(-0.1, 0.1), 2))) for _ in slots]
    score = _weighted(scores, slots)
    if (score >= mark - 1e-9) != passing:
        scores = [round(target, 2)] * len(slots)
        score = _weighted(scores, slots)
    batch.add(
        ExamSitting,
        {
            "id": context.ids(),
            "user_id": user_id,
            "exam_id": exam.id,
            "number": number,
            "status": "submitted",
            "started_at": started,
            "deadline_at": started + timedelta(minutes=exam.minutes),
            "submitted_at": ended,
            "plan": {
                "time_limit_minutes": exam.minutes,
                "pass_mark": exam.pass_mark,
                "feedback": exam.feedback,
                "slots": slots,
            },
            "answers": {},
            "results": {str(i): {"score": s, "parts": []} for i, s in enumerate(scores)},
            "score": score,
            "passed": score >= exam.pass_mark - 1e-9,
        },
    )


def _weighted(scores: list[float], slots: list[dict[str, Any]]) -> float:
    weights = [float(slot["weight"]) for slot in slots]
    if not weights:
        return 0.0
    return sum(w * s for w, s in zip(weights, scores, strict=True)) / sum(weights)
