"""`takt backup` and `takt restore`: a copy restored into an empty database holds every row
of every table; a copy taken while learners are submitting is consistent; a database that
is not empty is refused unless --force is given."""

import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.accounts.service import create_api_token
from app.certification.service import award_if_earned
from app.cli import cli
from app.content.loader import LoadedContent
from app.db import make_engine, transaction, writer
from app.learning import attempts
from app.models import Attempt, Certificate, Course, ExerciseProgress, User
from app.ops.backup import PG_DUMP_HEADER, SQLITE_HEADER, BackupError, backup, restore
from app.security.sessions import start_session
from tests.certification.steps import read_modules, sit_exam
from tests.conftest import make_settings
from tests.faults.conftest import add_people, migrate, on_postgresql, sync, table_rows

pytestmark = pytest.mark.faults
runner = CliRunner()
SLUGS = ["yb-yield-mortgage", "yb-sigma-helpdesk", "yb-01-check"]


def answer(engine: Engine, user_id: int, slug: str, token: str) -> None:
    """Submit the reference answer through the learning service, in its own transaction."""
    with transaction(writer(engine)) as db:
        user = db.get(User, user_id)
        assert user is not None
        loaded = attempts.load_exercise(db, slug)
        variant = attempts.exercise_state(db, user, loaded).variant
        form = loaded.kind.to_form(
            loaded.params, variant, loaded.kind.solve(loaded.params, variant)
        )
        attempts.submit(db, user, loaded, loaded.version.id, token, form)  # type: ignore[arg-type]


@pytest.fixture
def source(
    fresh_database: Callable[[str], str],
    tmp_path: Path,
    password_hashes: dict[str, str],
    repository_content: LoadedContent,
) -> Iterator[tuple[str, Engine, dict[str, User]]]:
    """A platform with content, people, sessions, a token, attempts and a certificate."""
    if on_postgresql() and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not on PATH (Debian: postgresql-client)")
    url = fresh_database("source")
    engine = migrate(url, tmp_path / "var")
    sync(engine, repository_content)
    people = add_people(engine, password_hashes, learners=4)
    for key in ("ada", "ben", "learner1", "learner2"):
        for slug in SLUGS:
            answer(engine, people[key].id, slug, f"{key}-{slug}-token")  # type: ignore[arg-type]
    with Session(engine, expire_on_commit=False) as db:
        settings = make_settings(url, tmp_path / "var")
        start_session(db, people["ada"], settings)
        create_api_token(db, people["hana"], "payroll export")
        course = db.exec(select(Course).where(Course.slug == "yellow-belt")).one()
        read_modules(db, people["ada"], course)
        sit_exam(db, people["ada"], course, 0.9)
        assert award_if_earned(db, people["ada"], course) is not None
        db.commit()
    yield url, engine, people
    engine.dispose()


@pytest.fixture
def takt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """Run a `takt` command against the database at `url`, as an operator would."""
    for name in list(os.environ):
        if name.startswith("TAKT_") and name != "TAKT_TEST_DATABASE_URL":
            monkeypatch.delenv(name)

    def run(url: str, *args: str):  # type: ignore[no-untyped-def]
        environment = {"TAKT_DATABASE_URL": url, "TAKT_VAR_DIR": str(tmp_path / "cli-var")}
        return runner.invoke(cli, list(args), env=environment)

    return run


def test_a_backup_restored_into_an_empty_database_holds_every_row(
    source, fresh_database, takt, tmp_path
):
    url, engine, _ = source
    file = tmp_path / "takt.backup"
    made = takt(url, "backup", str(file))
    assert made.exit_code == 0, made.output
    assert made.output.startswith("Backed up ")
    original = table_rows(engine)
    rows = sum(len(found) for found in original.values())
    assert f"{rows:,} rows" in made.output

    target_url = fresh_database("target")
    restored = takt(target_url, "restore", str(file))
    assert restored.exit_code == 0, restored.output
    assert f"{rows:,} rows" in restored.output
    target = make_engine(target_url)
    try:
        copy = table_rows(target)
    finally:
        target.dispose()
    assert copy == original
    assert len(copy["attempt"]) == 12
    assert len(copy["certificate"]) == 1


def test_restoring_into_a_database_that_is_not_empty_is_refused_without_force(
    source, fresh_database, takt, tmp_path, password_hashes
):
    url, engine, _ = source
    file = tmp_path / "takt.backup"
    assert takt(url, "backup", str(file)).exit_code == 0
    original = table_rows(engine)
    other_url = fresh_database("other")
    other = migrate(other_url, tmp_path / "var")
    try:
        add_people(other, password_hashes)
        refused = takt(other_url, "restore", str(file))
        assert refused.exit_code == 1
        assert "is not empty" in refused.output
        assert "--force" in refused.output
        assert len(table_rows(other)["user_account"]) == 6

        forced = takt(other_url, "restore", "--force", str(file))
        assert forced.exit_code == 0, forced.output
        assert table_rows(other) == original
    finally:
        other.dispose()


def test_a_backup_of_the_other_kind_of_database_is_refused_with_the_reason(takt, tmp_path):
    # The file is read before the database is opened, so the database need not exist.
    target = (
        os.environ["TAKT_TEST_DATABASE_URL"]
        if on_postgresql()
        else f"sqlite:///{tmp_path / 'target.sqlite3'}"
    )
    file = tmp_path / "foreign.backup"
    file.write_bytes((SQLITE_HEADER if on_postgresql() else PG_DUMP_HEADER) + b"\0" * 200)
    refused = takt(target, "restore", str(file))
    assert refused.exit_code == 1
    other = "a SQLite backup" if on_postgresql() else "a PostgreSQL backup"
    assert other in refused.output
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a backup at all")
    refused = takt(target, "restore", str(garbage))
    assert refused.exit_code == 1
    assert "is not a backup made by `takt backup`" in refused.output


def test_without_pg_dump_on_the_path_the_backup_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BackupError, match=r"`pg_dump` was not found on PATH: install"):
        backup("postgresql+psycopg://takt@127.0.0.1:1/takt", tmp_path / "takt.backup")
    assert not (tmp_path / "takt.backup").exists()


def test_a_backup_of_a_missing_sqlite_file_is_refused(tmp_path, takt):
    missing = tmp_path / "nowhere.sqlite3"
    refused = takt(f"sqlite:///{missing}", "backup", str(tmp_path / "takt.backup"))
    assert refused.exit_code == 1
    assert f"There is no database at {missing}" in refused.output
    assert not missing.exists()


def test_backups_taken_while_learners_submit_are_consistent(
    source, fresh_database, tmp_path, repository_content
):
    url, engine, people = source
    learners = [people[f"learner{i}"].id for i in (3, 4)]
    slugs = sorted(repository_content.exercises)
    stop = threading.Event()
    submitted: list[str] = []
    failures: list[BaseException] = []

    def keep_submitting() -> None:
        try:
            for slug in slugs:
                for user_id in learners:
                    if stop.is_set():
                        return
                    token = f"{user_id}-{slug}"[:64].ljust(16, "-")
                    answer(engine, user_id, slug, token)  # type: ignore[arg-type]
                    submitted.append(token)
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=keep_submitting)
    thread.start()
    copies = []
    try:
        for i in range(2):
            while len(submitted) < 6 * (i + 1) and thread.is_alive():
                stop.wait(0.01)
            submitted_before = len(submitted)
            copies.append((backup(url, tmp_path / f"during-{i}.backup"), submitted_before))
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not failures, failures
    assert len(submitted) > copies[-1][1], "the writes did not outlast the backups"

    for report, submitted_before in copies:
        assert report.rows > 0
        if not on_postgresql():
            with closing(sqlite3.connect(report.file)) as copy:
                assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        target_url = fresh_database(report.file.stem)
        restore(target_url, report.file)
        target = make_engine(target_url)
        try:
            assert_summaries_match_attempts(target)
            with Session(target) as db:
                made = db.exec(select(func.count()).where(col(Attempt.user_id).in_(learners))).one()
            assert made >= submitted_before
        finally:
            target.dispose()


def assert_summaries_match_attempts(engine: Engine) -> None:
    """Each summary counts exactly the attempts stored: no half-written transaction."""
    per_exercise = select(Attempt.user_id, Attempt.exercise_id, func.count()).group_by(
        col(Attempt.user_id), col(Attempt.exercise_id)
    )
    with Session(engine) as db:
        counted = {(user, exercise): n for user, exercise, n in db.exec(per_exercise).all()}
        summaries = {
            (p.user_id, p.exercise_id): p.attempts_used
            for p in db.exec(select(ExerciseProgress)).all()
        }
        assert counted == summaries
        assert db.exec(select(func.count()).select_from(Certificate)).one() == 1
