"""`takt demo --learners N`: a synthetic organisation that holds together like a real one."""

import os
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import REPO_ROOT
from app.content.loader import load_content
from app.content.sync import sync_content
from app.db import make_engine
from app.errors import Conflict
from app.migrations import upgrade
from app.models import (
    Attempt,
    Certificate,
    Course,
    CourseStanding,
    Exam,
    ExamSitting,
    Exercise,
    ExerciseProgress,
    HrScope,
    OrgUnit,
    User,
)
from app.reporting import figures
from app.reporting.rebuild import rebuild
from app.reporting.synthetic import EMAIL_PATTERN, SyntheticReport, generate
from app.security.passwords import verify_password
from tests.conftest import TEST_SECRET, TEST_SIGNING_KEY, make_settings

LEARNERS = 300
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.fixture
def organisation(engine: Engine, content: None) -> SyntheticReport:
    with Session(engine, expire_on_commit=False) as tx:
        report = generate(tx, LEARNERS, seed=1, now=NOW)
        tx.commit()
    return report


def learners(db: Session) -> list[User]:
    return list(db.exec(select(User).where(col(User.email).like(EMAIL_PATTERN))))


class TestTheOrganisation:
    def test_every_learner_sits_in_a_team_four_levels_down_from_the_demo_company(
        self, organisation, db
    ):
        people = learners(db)
        assert len(people) == LEARNERS == organisation.learners
        company = db.exec(select(OrgUnit).where(OrgUnit.name == "Demo Bank")).one()
        teams = {u.id: u for u in db.exec(select(OrgUnit).where(OrgUnit.name.startswith("Team")))}
        assert {p.org_unit_id for p in people} <= set(teams)
        for team in teams.values():
            assert team.path.startswith(company.path)
            assert team.path.count("/") - 1 == 4
        assert len(teams) == round(LEARNERS / 40)

    def test_headcounts_add_up_to_the_active_people_in_each_team(self, organisation, db):
        active = Counter(p.org_unit_id for p in learners(db) if p.is_active)
        teams = db.exec(select(OrgUnit).where(OrgUnit.name.startswith("Team"))).all()
        assert {t.id: t.headcount for t in teams if t.headcount} == dict(active)

    def test_learners_share_one_documented_password(self, organisation, db):
        people = learners(db)
        assert len({p.password_hash for p in people}) == 1
        assert verify_password("takt-demo-learner", people[0].password_hash)[0]

    def test_the_demo_hr_user_sees_the_whole_company(self, organisation, db):
        scope = db.exec(
            select(OrgUnit.name)
            .join(HrScope, col(HrScope.org_unit_id) == OrgUnit.id)
            .join(User, col(User.id) == HrScope.user_id)
            .where(User.email == "hr@demo.takt.example")
        ).all()
        assert scope == ["Demo Bank"]


class TestTheRecords:
    def test_the_summaries_match_the_records(self, organisation, db):
        assert organisation.rebuilt is not None
        check = rebuild(db, write=False)
        assert not check.drifted, check.examples
        assert check.standings >= LEARNERS * 0.75

    def test_a_learner_holds_at_most_one_certificate_per_course_each_with_its_own_code(
        self, organisation, db
    ):
        certificates = db.exec(select(Certificate)).all()
        assert len(certificates) > LEARNERS * 0.2
        assert len({(c.user_id, c.course_id) for c in certificates}) == len(certificates)
        assert len({c.code for c in certificates}) == len(certificates)

    def test_attempts_are_unique_per_token_and_number_and_match_the_exercise_summaries(
        self, organisation, db
    ):
        attempts = db.exec(
            select(Attempt.user_id, Attempt.exercise_id, Attempt.number, Attempt.submission_token)
        ).all()
        assert len(attempts) > LEARNERS * 15
        assert len({(a.user_id, a.submission_token) for a in attempts}) == len(attempts)
        assert len({(a.user_id, a.exercise_id, a.number) for a in attempts}) == len(attempts)
        used = Counter((a.user_id, a.exercise_id) for a in attempts)
        summaries = db.exec(select(ExerciseProgress)).all()
        assert {(s.user_id, s.exercise_id): s.attempts_used for s in summaries} == used
        assert max(used.values()) <= 3

    def test_nothing_happens_in_the_future_or_before_the_learner_joined(self, organisation, db):
        joined = dict(db.exec(select(User.id, User.created_at)).all())
        for user_id, created_at in db.exec(select(Attempt.user_id, Attempt.created_at)):
            assert joined[user_id] <= created_at < NOW
        assert db.exec(select(func.max(ExamSitting.submitted_at))).one() < NOW

    def test_certified_learners_passed_the_exam_just_as_their_certificate_was_issued(
        self, organisation, db
    ):
        passed = {
            (user_id, course_id): at
            for user_id, course_id, at in db.exec(
                select(ExamSitting.user_id, Exam.course_id, func.max(ExamSitting.submitted_at))
                .join(Exam, col(Exam.id) == ExamSitting.exam_id)
                .where(col(ExamSitting.passed))
                .group_by(col(ExamSitting.user_id), col(Exam.course_id))
            )
        }
        valid_years = {c.id: c.certification["valid_years"] for c in db.exec(select(Course))}
        for certificate in db.exec(select(Certificate)):
            assert passed[(certificate.user_id, certificate.course_id)] == certificate.issued_at
            validity = timedelta(days=365 * valid_years[certificate.course_id])
            assert certificate.expires_at == certificate.issued_at + validity

    def test_hr_sees_every_standing_and_overdue_people(self, organisation, db):
        yellow = db.exec(select(Course).where(Course.slug == "yellow-belt")).one()
        standings = {
            s.user_id: s
            for s in db.exec(select(CourseStanding).where(CourseStanding.course_id == yellow.id))
        }
        seen = Counter(figures.status(standings.get(p.id), NOW) for p in learners(db))
        assert set(seen) == set(figures.Status)
        assert seen[figures.Status.not_started] > LEARNERS * 0.15
        overdue = [s for s in standings.values() if s.due_on and s.due_on < NOW.date()]
        assert overdue
        assert db.exec(select(func.count()).where(col(Certificate.revoked_at).is_not(None))).one()


class TestTheSeed:
    def test_one_seed_gives_the_same_organisation_in_two_databases(self, tmp_path):
        first = fingerprint(tmp_path / "first", seed=7)
        assert fingerprint(tmp_path / "again", seed=7) == first
        assert fingerprint(tmp_path / "other", seed=8) != first


def fingerprint(folder: Path, seed: int) -> list[tuple[object, ...]]:
    """What the learners are and did, without ids or certificate codes (which are secrets)."""
    url = f"sqlite:///{folder / 'takt.sqlite3'}"
    opened = make_engine(url)
    upgrade(opened, make_settings(url, folder / "var"))
    with Session(opened, expire_on_commit=False) as tx:
        sync_content(tx, load_content(REPO_ROOT))
        generate(tx, 60, seed=seed, now=NOW)
        tx.commit()
        person = (User.email, User.name, OrgUnit.name, User.is_active)
        attempt = (Exercise.slug, Attempt.number, Attempt.score, Attempt.created_at)
        rows = tx.exec(
            select(*person, *attempt)
            .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
            .join(Attempt, col(Attempt.user_id) == User.id)
            .join(Exercise, col(Exercise.id) == Attempt.exercise_id)
            .order_by(col(User.email), col(Exercise.slug), col(Attempt.number))
        ).all()
        issued = tx.exec(select(Certificate.issued_at).order_by(col(Certificate.issued_at))).all()
    opened.dispose()
    return [*map(tuple, rows), tuple(issued)]


class TestRunningItAgain:
    def test_a_second_run_is_refused_and_changes_nothing(self, organisation, engine, db):
        with Session(engine) as tx, pytest.raises(Conflict, match="already holds 300"):
            generate(tx, 10, now=NOW)
        assert len(learners(db)) == LEARNERS


runner = CliRunner()


@pytest.fixture
def environment(monkeypatch, tmp_path: Path, database_url: str, engine: Engine) -> Iterator[None]:
    """The CLI on the test database, with nothing leaking in from the shell; the engines
    the commands make are closed afterwards (PostgreSQL warns of connections left open)."""
    for name in list(os.environ):
        if name.startswith("TAKT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TAKT_DATABASE_URL", database_url)
    monkeypatch.setenv("TAKT_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TAKT_CONTENT_DIR", str(REPO_ROOT))
    made: list[Engine] = []

    def tracked(url: str) -> Engine:
        made.append(make_engine(url))
        return made[-1]

    monkeypatch.setattr("app.cli.make_engine", tracked)
    yield
    for opened in made:
        opened.dispose()


class TestTheCommand:
    def test_demo_learners_syncs_the_content_and_builds_the_organisation_once(
        self, environment, db
    ):
        first = runner.invoke(cli, ["demo", "--learners", "40"])
        assert first.exit_code == 0, first.output
        assert "Content synced" in first.stdout
        assert "Synthetic organisation: " in first.stdout
        assert "40 learners" in first.stdout
        assert len(learners(db)) == 40
        again = runner.invoke(cli, ["demo", "--learners", "40"])
        assert again.exit_code == 1
        assert "already holds 40 synthetic learners" in again.stderr
        assert len(learners(db)) == 40

    def test_it_is_refused_in_production(self, environment, monkeypatch, db):
        monkeypatch.setenv("TAKT_ENV", "production")
        monkeypatch.setenv("TAKT_SECRET_KEY", TEST_SECRET)
        monkeypatch.setenv("TAKT_SIGNING_KEY", TEST_SIGNING_KEY)
        result = runner.invoke(cli, ["demo", "--learners", "40"])
        assert result.exit_code == 2
        assert "Refusing" in result.stderr
        assert db.exec(select(func.count()).select_from(User)).one() == 0
