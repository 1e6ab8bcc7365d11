"""The summary tables equal a recomputation from the raw records: after any sequence of
learning and organisation events, on the dashboard, and through `takt reports rebuild`."""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, update
from sqlmodel import Session, SQLModel, col, select
from typer.testing import CliRunner

from app import cli as app_cli
from app.cli import cli
from app.db import make_engine
from app.errors import AnswerInvalid, Conflict
from app.models import (
    Assignment,
    Attempt,
    Certificate,
    Course,
    CourseStanding,
    Exam,
    ExamSitting,
    Exercise,
    Module,
    ModuleProgress,
    OrgUnit,
    Role,
    UnitTally,
    User,
)
from app.models.base import utcnow
from app.org import units
from app.reporting.dashboard import Figures, dashboard
from app.reporting.figures import EXPIRY_WARNING, certification_courses
from app.reporting.rebuild import rebuild
from tests.reporting import steps
from tests.reporting.conftest import Org

CONTENT_TABLES = {
    "course",
    "module",
    "module_version",
    "module_figure",
    "exercise",
    "exercise_version",
    "exam",
}
# A few exercises of each sort: a one-attempt check, a calculation, and two PDCA forms
# whose wrong answers cannot be read (so cost no attempt), one of them reviewed by hand.
EXERCISES = ["yb-01-check", "yb-yield-mortgage", "yb-pdca-claims-delay", "yb-pdca-discharge"]


def reset_people(engine: Engine) -> None:
    """Empty everything but the synced content: a fresh organisation for each example."""
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in CONTENT_TABLES:
                connection.execute(table.delete())


@dataclass
class Playground:
    """A small organisation of its own: Root ─┬─ A ── A1, └─ B; learners join and move."""

    hr: User
    admin: User
    places: list[OrgUnit]
    learners: list[User] = field(default_factory=list)

    def learner(self, index: int) -> User:
        return self.learners[index % len(self.learners)]

    def place(self, index: int) -> OrgUnit:
        return self.places[index % len(self.places)]


def build_playground(engine: Engine, password_hash: str) -> Playground:
    with steps.unit_of_work(engine) as db:
        root = units.create_unit(db, "Root", None)
        a = units.create_unit(db, "A", root)
        a1 = units.create_unit(db, "A1", a)
        b = units.create_unit(db, "B", root)
    places = [root, a, a1, b]
    playground = Playground(
        hr=steps.add_person(engine, "Harriet", root, password_hash, Role.hr),
        admin=steps.add_person(engine, "Ahmed", None, password_hash, Role.admin),
        places=places,
    )
    for index in range(3):
        playground.learners.append(
            steps.add_person(engine, f"Learner {index}", places[index + 1], password_hash)
        )
    return playground


def ease_the_exam(engine: Engine) -> None:
    """Many retakes with no wait, so an example can fail and pass the exam in one go."""
    with steps.unit_of_work(engine) as db:
        exam = db.exec(select(Exam).where(Exam.title == "Yellow Belt final exam")).one()
        exam.definition = {**exam.definition, "retakes": 100, "retake_wait_hours": 0}
        db.add(exam)


def _earn(engine: Engine, playground: Playground, who: int) -> None:
    learner = playground.learner(who)
    steps.read(engine, learner)
    with Session(engine) as db:
        passed = db.exec(
            select(ExamSitting).where(ExamSitting.user_id == learner.id, col(ExamSitting.passed))
        ).first()
    if passed is None:
        steps.start_exam(engine, learner)
        steps.finish_exam(engine, learner, right=True)
    steps.award(engine, learner)


def _revoke(engine: Engine, playground: Playground, which: int) -> None:
    """Revoke one of the certificates held now, if any is."""
    with Session(engine) as db:
        held = db.exec(
            select(Certificate.id)
            .where(col(Certificate.revoked_at).is_(None))
            .order_by(col(Certificate.issued_at))
        ).all()
    if held:
        steps.revoke(engine, playground.admin, held[which % len(held)])


def _withdraw(engine: Engine, playground: Playground, which: int) -> None:
    with Session(engine) as db:
        ids = db.exec(select(Assignment.id).order_by(col(Assignment.id))).all()
    if ids:
        steps.withdraw(engine, playground.hr, ids[which % len(ids)])  # type: ignore[arg-type]


def apply(engine: Engine, playground: Playground, event: tuple, password_hash: str) -> None:  # type: ignore[type-arg]
    kind, *args = event
    today = utcnow().date()
    match kind:
        case "read":
            steps.read_module(engine, playground.learner(args[0]), args[1])
        case "attempt":
            steps.attempt(engine, playground.learner(args[0]), EXERCISES[args[1]], args[2])
        case "start_exam":
            steps.start_exam(engine, playground.learner(args[0]))
        case "submit_exam":
            steps.finish_exam(engine, playground.learner(args[0]), right=args[1], late=args[2])
        case "earn":
            _earn(engine, playground, args[0])
        case "revoke":
            _revoke(engine, playground, args[0])
        case "active":
            steps.set_active(engine, playground.learner(args[0]), args[1])
        case "move":
            steps.move(engine, playground.learner(args[0]), playground.place(args[1]))
        case "assign_unit":
            due = today + timedelta(days=args[1])
            steps.assign_unit(engine, playground.hr, playground.place(args[0]), due)
        case "assign_person":
            due = today + timedelta(days=args[1])
            steps.assign_people(engine, playground.hr, [playground.learner(args[0])], due)
        case "withdraw":
            _withdraw(engine, playground, args[0])
        case "join":
            name = f"Learner {len(playground.learners)}"
            joined = steps.add_person(engine, name, playground.place(args[0]), password_hash)
            playground.learners.append(joined)


who = st.integers(0, 5)
where = st.integers(0, 3)
days = st.integers(-20, 60)  # a due date before today makes an overdue assignment
EVENTS = st.one_of(
    st.tuples(st.just("read"), who, st.integers(0, 9)),
    st.tuples(st.just("attempt"), who, st.integers(0, len(EXERCISES) - 1), st.booleans()),
    st.tuples(st.just("start_exam"), who),
    st.tuples(st.just("submit_exam"), who, st.booleans(), st.booleans()),
    st.tuples(st.just("earn"), who),
    st.tuples(st.just("revoke"), st.integers(0, 3)),
    st.tuples(st.just("active"), who, st.booleans()),
    st.tuples(st.just("move"), who, where),
    st.tuples(st.just("assign_unit"), where, days),
    st.tuples(st.just("assign_person"), who, days),
    st.tuples(st.just("withdraw"), st.integers(0, 5)),
    st.tuples(st.just("join"), where),
)


class TestAnySequenceOfEvents:
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(events=st.lists(EVENTS, min_size=1, max_size=14))
    def test_leaves_the_summaries_equal_to_a_rebuild(
        self, engine, content, password_hashes, events
    ):
        reset_people(engine)
        ease_the_exam(engine)
        playground = build_playground(engine, password_hashes["ada"])
        for event in events:
            note(f"event {event}")
            try:
                apply(engine, playground, event, password_hashes["ada"])
            except (Conflict, AnswerInvalid) as refused:  # refused as a request would be
                note(f"  refused: {refused.detail}")
        drifted = steps.drift(engine)
        assert drifted == [], "\n".join(drifted)


# The dashboard against a count made from the raw records alone.


@dataclass
class Counted:
    headcount: int = 0
    started: int = 0
    certified_ever: int = 0
    expired: int = 0
    expiring: int = 0
    overdue: int = 0

    @property
    def certified(self) -> int:
        return self.certified_ever - self.expired

    @property
    def in_progress(self) -> int:
        return self.started - self.certified_ever

    @property
    def not_started(self) -> int:
        return self.headcount - self.started


def brute_force(db: Session, unit: OrgUnit, direct_only: bool = False) -> Counted:
    """Count a unit's subtree (or its own members) from modules read, attempts, sittings,
    certificates and assignments, with none of the summary tables."""
    now, today = utcnow(), utcnow().date()
    course_id = db.exec(select(Course.id).where(Course.slug == steps.COURSE)).one()
    all_units = {u.id: u for u in db.exec(select(OrgUnit))}
    people = [
        person
        for person in db.exec(select(User).where(col(User.is_active)))
        if person.org_unit_id is not None
        and (
            person.org_unit_id == unit.id
            if direct_only
            else all_units[person.org_unit_id].path.startswith(unit.path)
        )
    ]
    counted = Counted(headcount=len(people))
    for person in people:
        read = db.exec(
            select(ModuleProgress)
            .join(Module, col(Module.id) == ModuleProgress.module_id)
            .where(ModuleProgress.user_id == person.id, Module.course_id == course_id)
        ).first()
        tried = db.exec(
            select(Attempt)
            .join(Exercise, col(Exercise.id) == Attempt.exercise_id)
            .where(Attempt.user_id == person.id, Exercise.course_id == course_id)
        ).first()
        sat = db.exec(
            select(ExamSitting)
            .join(Exam, col(Exam.id) == ExamSitting.exam_id)
            .where(ExamSitting.user_id == person.id, Exam.course_id == course_id)
        ).first()
        held = db.exec(
            select(Certificate).where(
                Certificate.user_id == person.id,
                Certificate.course_id == course_id,
                col(Certificate.revoked_at).is_(None),
            )
        ).first()
        counted.started += int(any((read, tried, sat)))
        valid = held is not None and (held.expires_at is None or held.expires_at > now)
        if held is not None:
            counted.certified_ever += 1
            if held.expires_at is not None and held.expires_at <= now:
                counted.expired += 1
            elif held.expires_at is not None and held.expires_at <= now + EXPIRY_WARNING:
                counted.expiring += 1
        due = _due_on(db, person, all_units)
        if due is not None and due < today and not valid:
            counted.overdue += 1
    return counted


def _due_on(db: Session, person: User, all_units: dict[int | None, OrgUnit]):  # type: ignore[no-untyped-def]
    above = [int(p) for p in all_units[person.org_unit_id].path.strip("/").split("/")]
    dates = [
        a.due_on
        for a in db.exec(select(Assignment))
        if a.user_id == person.id or a.org_unit_id in above
    ]
    return min(dates, default=None)


def as_counted(figures: Figures) -> Counted:
    return Counted(
        figures.headcount,
        figures.started,
        figures.certified_ever,
        figures.expired,
        figures.expiring,
        figures.overdue,
    )


def assert_dashboards_match(engine: Engine, org: Org) -> None:
    with Session(engine) as db:
        _assert_dashboards_match(db, org)


def _assert_dashboards_match(db: Session, org: Org) -> None:
    sizes = certification_courses(db)
    course_id = sizes[0].course.id
    now = utcnow()
    for unit in (org.northwind, org.operations, org.claims, org.payments, org.finance):
        board = dashboard(db, unit, sizes, now, now.date())
        assert as_counted(board.total.course(course_id)) == brute_force(db, unit), unit.name
        for row in board.rows:
            expected = brute_force(db, row.unit, direct_only=row.is_direct)
            assert as_counted(row.course(course_id)) == expected, (unit.name, row.unit.name)


@pytest.fixture
def busy_org(engine, org: Org, content) -> Org:
    """Every status and every kind of assignment somewhere in the organisation:

    Ada certified · Ines read two modules · Cara certified, expiring · Dev certified,
    expired · Ben's certificate revoked · Omar has an overdue assignment, Hana a future one.
    """
    people, now = org.people, utcnow()
    for key in ("ada", "cara", "dev", "ben"):
        steps.earn_certificate(engine, people[key])
    steps.read(engine, people["ines"], 2)
    steps.set_certificate_dates(
        engine, people["cara"], now - timedelta(days=1000), now + timedelta(days=30)
    )
    steps.set_certificate_dates(
        engine, people["dev"], now - timedelta(days=1200), now - timedelta(days=5)
    )
    with Session(engine) as db:
        ben_certificate = db.exec(
            select(Certificate).where(Certificate.user_id == people["ben"].id)
        ).one()
    steps.revoke(engine, people["omar"], ben_certificate.id)
    today = now.date()
    steps.assign_unit(
        engine, people["omar"], org.ledger, today - timedelta(days=3), today - timedelta(days=10)
    )
    steps.assign_unit(engine, people["omar"], org.operations, today + timedelta(days=40))
    steps.assign_people(
        engine,
        people["omar"],
        [people["dev"]],
        today - timedelta(days=1),
        today - timedelta(days=2),
    )
    assert steps.drift(engine) == []
    return org


class TestTheDashboard:
    def test_each_units_figures_equal_a_count_from_the_raw_records(self, engine, busy_org):
        assert_dashboards_match(engine, busy_org)

    def test_the_figures_it_shows_are_the_expected_ones(self, reader, busy_org):
        """A fixed point for the brute force itself, so both cannot be wrong together."""
        sizes = certification_courses(reader)
        now = utcnow()
        board = dashboard(reader, busy_org.operations, sizes, now, now.date())
        figures = board.total.course(sizes[0].course.id)
        assert (figures.headcount, figures.started, figures.certified_ever) == (4, 4, 3)
        assert (figures.expiring, figures.expired, figures.overdue) == (1, 1, 1)

    def test_the_five_status_columns_add_up_to_the_headcount(self, reader, busy_org):
        """Ines in progress, Ada certified, Cara expiring, Dev expired: one column each."""
        sizes = certification_courses(reader)
        now = utcnow()
        board = dashboard(reader, busy_org.operations, sizes, now, now.date())
        f = board.total.course(sizes[0].course.id)
        columns = (f.not_started, f.in_progress, f.certified, f.expiring, f.expired)
        assert columns == (0, 1, 1, 1, 1)
        assert sum(columns) == f.headcount

    def test_a_disabled_person_leaves_every_figure(self, engine, busy_org):
        """Dev holds an expired certificate and is overdue; disabled, he counts nowhere."""
        steps.set_active(engine, busy_org.people["dev"], False)
        assert steps.drift(engine) == []
        assert_dashboards_match(engine, busy_org)

    def test_a_move_carries_the_persons_figures_to_the_new_unit(self, engine, busy_org):
        steps.move(engine, busy_org.people["cara"], busy_org.ledger)
        assert steps.drift(engine) == []
        assert_dashboards_match(engine, busy_org)


# Repairing drift.


def corrupt(engine: Engine, org: Org) -> None:
    """Change the summaries behind the application's back: one tally, one standing, one
    headcount, and one standing removed."""
    with steps.unit_of_work(engine) as db:
        db.execute(
            update(UnitTally)
            .where(col(UnitTally.org_unit_id) == org.claims.id)
            .values(started=UnitTally.started + 5)
        )
        db.execute(
            update(CourseStanding)
            .where(col(CourseStanding.user_id) == org.people["cara"].id)
            .values(modules_read=99)
        )
        db.execute(update(OrgUnit).where(col(OrgUnit.id) == org.payments.id).values(headcount=42))
        db.execute(
            delete(CourseStanding).where(col(CourseStanding.user_id) == org.people["dev"].id)
        )


@pytest.fixture
def learning_org(engine, org: Org, content) -> Org:
    steps.earn_certificate(engine, org.people["ada"])
    steps.read(engine, org.people["cara"], 3)
    steps.read(engine, org.people["dev"], 1)
    return org


class TestRebuild:
    def test_a_clean_database_reports_no_drift(self, reader, learning_org):
        report = rebuild(reader, write=False)
        assert not report.drifted, report.examples
        assert (report.standings, report.units) == (3, 6)

    def test_it_reports_each_drifted_row_and_writes_nothing_when_asked_not_to(
        self, reader, engine, learning_org
    ):
        corrupt(engine, learning_org)
        report = rebuild(reader, write=False)
        drifted = (report.drifted_standings, report.drifted_tallies, report.drifted_headcounts)
        assert drifted == (2, 1, 1)
        cara, dev = learning_org.people["cara"].id, learning_org.people["dev"].id
        course_id = steps.yellow_belt(engine).id
        assert set(report.examples) == {
            f"standing of user {cara} in course {course_id}: modules_read stored 99, expected 3",
            f"standing of user {dev} in course {course_id}: missing",
            f"tally of unit {learning_org.claims.id} in course {course_id}: "
            "stored (6, 1), expected (1, 1)",
            f"headcount of unit {learning_org.payments.id}: stored 42, expected 2",
        }
        assert steps.drift(engine) == report.examples

    def test_writing_repairs_every_drift(self, engine, learning_org):
        corrupt(engine, learning_org)
        with steps.unit_of_work(engine) as session:
            report = rebuild(session, write=True)
        assert report.drifted
        assert steps.drift(engine) == []
        with Session(engine) as db:
            assert db.get(OrgUnit, learning_org.payments.id).headcount == 2  # type: ignore[union-attr]
            cara = learning_org.people["cara"].id
            standing = db.exec(select(CourseStanding).where(CourseStanding.user_id == cara)).one()
        assert standing.modules_read == 3


runner = CliRunner()


@pytest.fixture
def cli_environment(monkeypatch, database_url, tmp_path) -> Iterator[None]:
    """The `takt` command pointed at the test database, nothing else from the shell.

    The command opens an engine and leaves it to the end of the process; here the process
    goes on, so the engines it made are disposed after the test.
    """
    for name in list(os.environ):
        if name.startswith("TAKT_") and name != "TAKT_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("TAKT_DATABASE_URL", database_url)
    monkeypatch.setenv("TAKT_VAR_DIR", str(tmp_path / "var"))
    made: list[Engine] = []

    def make_and_keep(url: str) -> Engine:
        made.append(make_engine(url))
        return made[-1]

    monkeypatch.setattr(app_cli, "make_engine", make_and_keep)
    yield
    for engine in made:
        engine.dispose()


class TestTheRebuildCommand:
    def test_check_exits_0_when_the_figures_match(self, cli_environment, learning_org):
        result = runner.invoke(cli, ["reports", "rebuild", "--check"])
        assert result.exit_code == 0, result.output
        assert "No drift" in result.output

    def test_check_exits_1_on_drift_naming_the_rows_and_changes_nothing(
        self, cli_environment, engine, learning_org
    ):
        corrupt(engine, learning_org)
        result = runner.invoke(cli, ["reports", "rebuild", "--check"])
        assert result.exit_code == 1, result.output
        assert "Drift: 2 standings, 1 tallies, 1 headcounts" in result.output
        assert f"headcount of unit {learning_org.payments.id}" in result.output
        assert steps.drift(engine) != []

    def test_without_check_it_repairs_and_a_second_check_is_clean(
        self, cli_environment, engine, learning_org
    ):
        corrupt(engine, learning_org)
        repaired = runner.invoke(cli, ["reports", "rebuild"])
        assert repaired.exit_code == 0, repaired.output
        assert "all have been recomputed" in repaired.output
        assert runner.invoke(cli, ["reports", "rebuild", "--check"]).exit_code == 0
