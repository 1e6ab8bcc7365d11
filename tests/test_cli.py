"""The `takt` command, run as an operator would, against its own SQLite file."""

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.models import AuthSession, Course, HrScope, Module, ModuleVersion, OrgUnit, User
from app.models.base import utcnow
from tests.conftest import TEST_SECRET, TEST_SIGNING_KEY
from tests.content.browser_edits import publish_module
from tests.content.conftest import ContentTree

runner = CliRunner()


@pytest.fixture
def tree(tmp_path: Path) -> ContentTree:
    """Two valid courses with three modules in all."""
    tree = ContentTree(tmp_path / "content")
    tree.path("courses").mkdir(parents=True)
    tree.course("yellow-belt", ["01-seeing-waste", "02-takt-time"])
    tree.module("yellow-belt", "01-seeing-waste")
    tree.module("yellow-belt", "02-takt-time")
    tree.course("green-belt", ["01-measure"], belt="green")
    tree.module("green-belt", "01-measure")
    return tree


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    return tmp_path / "cli.sqlite3"


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path, tree, database_file) -> None:
    """A development setup of its own: nothing leaks in from the shell or the shared test DB."""
    for name in list(os.environ):
        if name.startswith("TAKT_") and name != "TAKT_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("TAKT_DATABASE_URL", f"sqlite:///{database_file}")
    monkeypatch.setenv("TAKT_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TAKT_CONTENT_DIR", str(tree.root))


@pytest.fixture
def cli_db(database_file) -> Iterator[Engine]:
    """The CLI's database, opened by the test to look at what the commands did."""
    opened = make_engine(f"sqlite:///{database_file}")
    yield opened
    opened.dispose()


@pytest.fixture
def upgraded() -> None:
    result = takt("db", "upgrade")
    assert result.stdout == "Database at head.\n"


def takt(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def count(engine: Engine, table: type) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(table)).one()


def find_user(engine: Engine, email: str) -> User | None:
    with Session(engine) as db:
        return db.exec(select(User).where(User.email == email)).first()


class TestContentCheck:
    def test_good_content_exits_0_and_prints_the_counts(self):
        result = takt("content", "check")
        assert result.exit_code == 0, result.output
        assert "2 course(s), 3 module(s)" in result.stdout
        assert result.stdout.rstrip().endswith("0 problem(s).")
        assert result.stderr == ""

    def test_a_folder_given_as_argument_is_checked_instead_of_the_setting(self, tmp_path):
        other = ContentTree(tmp_path / "other")
        other.course("lean-basics", ["01-flow"])
        other.module("lean-basics", "01-flow")
        result = takt("content", "check", str(other.root))
        assert result.exit_code == 0, result.output
        assert "1 course(s), 1 module(s)" in result.stdout

    def test_broken_content_exits_1_and_prints_each_problem_as_path_line_message(self, tree):
        course_yaml = tree.path("courses/green-belt/course.yaml")
        course_yaml.write_text(course_yaml.read_text() + "colour: green\n")
        shutil.rmtree(tree.path("courses/yellow-belt/02-takt-time"))
        result = takt("content", "check")
        assert result.exit_code == 1
        assert sorted(result.stderr.splitlines()) == sorted(
            [
                f"{course_yaml}:6: colour: unknown field",
                f"{tree.path('courses/yellow-belt/course.yaml')}:6: "
                "module '02-takt-time' has no 02-takt-time/index.md",
            ]
        )
        assert "1 course(s), 1 module(s)" in result.stdout
        assert result.stdout.rstrip().endswith("2 problem(s).")


class TestContentSync:
    def test_a_first_sync_creates_everything_and_a_second_changes_nothing(self, upgraded, cli_db):
        first = takt("content", "sync")
        assert first.exit_code == 0, first.output
        assert first.stdout == "Content synced: 5 created, 0 updated, 0 unpublished, 0 unchanged.\n"
        second = takt("content", "sync")
        assert second.exit_code == 0, second.output
        assert (
            second.stdout == "Content synced: 0 created, 0 updated, 0 unpublished, 5 unchanged.\n"
        )
        assert (count(cli_db, Course), count(cli_db, Module), count(cli_db, ModuleVersion)) == (
            2,
            3,
            3,
        )

    def test_content_with_problems_syncs_the_valid_part_and_exits_1(self, upgraded, cli_db, tree):
        broken = tree.write("courses/green-belt/01-measure/index.md", "no front matter\n")
        result = takt("content", "sync")
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{broken}:1: expected front matter: the file must start with '---'"
        ]
        assert "4 created" in result.stdout
        assert (count(cli_db, Course), count(cli_db, Module)) == (2, 2)


class TestContentExport:
    def test_it_writes_the_content_and_prints_the_counts(self, upgraded, tree, tmp_path):
        assert takt("content", "sync").exit_code == 0
        out = tmp_path / "out"
        result = takt("content", "export", str(out))
        assert result.exit_code == 0, result.output
        assert result.stdout == (
            f"Exported 2 course(s), 3 module(s), 0 exercise(s), 0 figure(s), 0 exam(s) to {out}.\n"
        )
        written = out / "courses/yellow-belt/02-takt-time/index.md"
        assert (
            written.read_bytes()
            == tree.path("courses/yellow-belt/02-takt-time/index.md").read_bytes()
        )

    def test_a_folder_that_is_not_empty_is_refused_with_exit_1(self, upgraded, tmp_path):
        assert takt("content", "sync").exit_code == 0
        (tmp_path / "out").mkdir()
        (tmp_path / "out/notes.txt").write_text("mine")
        result = takt("content", "export", str(tmp_path / "out"))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Nothing exported: {tmp_path / 'out'} is not empty")
        assert "--force" in result.stderr
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["notes.txt"]

    def test_force_writes_into_a_folder_that_is_not_empty(self, upgraded, tmp_path):
        assert takt("content", "sync").exit_code == 0
        (tmp_path / "out").mkdir()
        (tmp_path / "out/notes.txt").write_text("mine")
        result = takt("content", "export", str(tmp_path / "out"), "--force")
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
            "courses",
            "exercises",
            "notes.txt",
        ]

    def test_exported_files_that_would_not_load_exit_1_naming_each_problem(
        self, upgraded, cli_db, tmp_path
    ):
        assert takt("content", "sync").exit_code == 0
        with Session(cli_db) as db:
            version = db.exec(select(ModuleVersion).where(ModuleVersion.number == 1)).first()
            version.source_text = "no front matter\n"
            db.add(version)
            db.commit()
        result = takt("content", "export", str(tmp_path / "out"))
        assert result.exit_code == 1
        assert "expected front matter" in result.stderr
        assert "The exported files have 1 problem(s): fix them before syncing." in result.stderr


def publish_takt_time_in_the_browser(engine: Engine) -> None:
    """Ines publishes version 2 of the Takt time module in the browser."""
    with Session(engine) as db:
        ines = User(email="ines@example.com", name="Ines Ibarra", password_hash="-")
        db.add(ines)
        db.commit()
        module = db.exec(select(Module).where(Module.slug == "takt-time")).one()
        publish_module(db, module.id, ines)


class TestContentSyncWithBrowserEdits:
    def test_a_browser_edit_is_kept_with_exit_0_and_a_hint_to_export(self, upgraded, cli_db):
        assert takt("content", "sync").exit_code == 0
        publish_takt_time_in_the_browser(cli_db)
        result = takt("content", "sync")
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith("Kept: module yellow-belt/takt-time (")
        assert "Run `takt content export` to bring it into the files." in result.stderr
        assert result.stdout == (
            "Content synced: 0 created, 0 updated, 0 unpublished, 4 unchanged, "
            "1 kept as edited in the browser.\n"
        )

    def test_a_conflict_exits_1_writes_nothing_and_says_how_to_resolve(
        self, upgraded, cli_db, tree
    ):
        assert takt("content", "sync").exit_code == 0
        publish_takt_time_in_the_browser(cli_db)
        path = tree.path("courses/yellow-belt/02-takt-time/index.md")
        path.write_text(path.read_text().replace("Waiting is most", "Waiting is nearly all"))
        tree.course("lean-basics", ["01-flow"])
        tree.module("lean-basics", "01-flow")
        result = takt("content", "sync")
        assert result.exit_code == 1
        assert result.stderr.startswith(
            f"Conflict: module yellow-belt/takt-time ({path}): changed in the files and in "
            "the browser since the last sync; in the browser: version 2 by Ines Ibarra"
        )
        assert "takt content export DIR" in result.stderr
        assert "takt content sync --overwrite-browser-edits" in result.stderr
        assert result.stdout == (
            "Content not synced: 1 conflict(s) with changes published in the browser; "
            "nothing was written.\n"
        )
        assert (count(cli_db, Course), count(cli_db, ModuleVersion)) == (2, 4)

    def test_overwriting_browser_edits_takes_the_files_side(self, upgraded, cli_db, tree):
        assert takt("content", "sync").exit_code == 0
        publish_takt_time_in_the_browser(cli_db)
        path = tree.path("courses/yellow-belt/02-takt-time/index.md")
        path.write_text(path.read_text().replace("Waiting is most", "Waiting is nearly all"))
        result = takt("content", "sync", "--overwrite-browser-edits")
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith("Overwritten by the files: module yellow-belt/takt-time")
        assert result.stdout == (
            "Content synced: 0 created, 1 updated, 0 unpublished, 4 unchanged, "
            "1 browser edit(s) overwritten.\n"
        )
        assert count(cli_db, ModuleVersion) == 5

    def test_serve_starts_despite_a_conflict_and_serves_the_database_as_it_is(
        self, upgraded, cli_db, tree, monkeypatch
    ):
        assert takt("content", "sync").exit_code == 0
        publish_takt_time_in_the_browser(cli_db)
        path = tree.path("courses/yellow-belt/02-takt-time/index.md")
        path.write_text(path.read_text().replace("Waiting is most", "Waiting is nearly all"))
        started: list[str] = []
        monkeypatch.setattr("app.cli.uvicorn.run", lambda target, **options: started.append(target))
        result = takt("serve", "--no-demo")
        assert result.exit_code == 0, result.output
        assert started == ["app.main:app"]
        assert "Conflict: module yellow-belt/takt-time" in result.stderr
        assert "Serving the content as it is in the database" in result.stderr
        assert count(cli_db, ModuleVersion) == 4


class TestDemo:
    def test_running_it_twice_leaves_the_four_demo_accounts(self, upgraded, cli_db):
        first = takt("demo")
        assert first.exit_code == 0, first.output
        second = takt("demo")
        assert second.exit_code == 0, second.output
        assert second.stdout == first.stdout
        assert count(cli_db, User) == 4
        assert count(cli_db, OrgUnit) == 2
        with Session(cli_db) as db:
            roles = sorted(db.exec(select(User.role)))
        assert roles == ["admin", "hr", "instructor", "learner"]
        for email in ("learner@demo.takt.example", "admin@demo.takt.example"):
            assert email in first.stdout
        with Session(cli_db) as db:
            scoped = db.exec(
                select(User.email, OrgUnit.name)
                .join(HrScope, col(HrScope.user_id) == User.id)
                .join(OrgUnit, col(OrgUnit.id) == HrScope.org_unit_id)
            ).all()
        assert scoped == [("hr@demo.takt.example", "Demo Bank")]

    def test_it_refuses_in_production(self, upgraded, cli_db, monkeypatch):
        monkeypatch.setenv("TAKT_ENV", "production")
        monkeypatch.setenv("TAKT_SECRET_KEY", TEST_SECRET)
        monkeypatch.setenv("TAKT_SIGNING_KEY", TEST_SIGNING_KEY)
        result = takt("demo")
        assert result.exit_code == 2
        assert "Refusing to create demo accounts" in result.stderr
        assert count(cli_db, User) == 0

    def test_it_names_the_missing_variable_when_production_settings_are_incomplete(
        self, monkeypatch
    ):
        monkeypatch.setenv("TAKT_ENV", "production")
        result = takt("demo")
        assert result.exit_code == 2
        assert "TAKT_SECRET_KEY" in result.stderr


class TestUsers:
    def test_create_makes_a_user_with_the_given_role(self, upgraded, cli_db):
        result = takt(
            "users", "create", "Zoe@Example.com", "--name", "Zoe Zhang",
            "--role", "instructor", "--password", "zoe-maps-the-value-stream",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert result.stdout == "Created instructor zoe@example.com.\n"
        user = find_user(cli_db, "zoe@example.com")
        assert user is not None
        assert (user.name, user.role, user.is_active) == ("Zoe Zhang", "instructor", True)

    @pytest.mark.parametrize(
        "password",
        ["short", "password123", "zoezhang-rules"],
        ids=["too short", "common", "contains the email"],
    )
    def test_create_with_a_weak_password_fails_naming_the_field(self, upgraded, cli_db, password):
        result = takt(
            "users", "create", "zoezhang@example.com", "--name", "Zoe", "--password", password
        )
        assert result.exit_code == 1
        assert result.stderr.startswith("password: ")
        assert count(cli_db, User) == 0

    def test_disable_ends_the_users_sessions_and_enable_lets_them_back(self, upgraded, cli_db):
        created = takt(
            "users", "create", "zoe@example.com", "--name", "Zoe", "--password",
            "zoe-maps-the-value-stream",
        )  # fmt: skip
        assert created.exit_code == 0, created.output
        user = find_user(cli_db, "zoe@example.com")
        assert user is not None
        with Session(cli_db) as db:
            for token_hash in ("a" * 64, "b" * 64):
                db.add(
                    AuthSession(
                        token_hash=token_hash,
                        user_id=user.id,
                        expires_at=utcnow() + timedelta(hours=1),
                    )
                )
            db.commit()

        disabled = takt("users", "disable", "zoe@example.com")
        assert disabled.exit_code == 0, disabled.output
        assert disabled.stdout == "zoe@example.com is now disabled.\n"
        assert count(cli_db, AuthSession) == 0
        assert find_user(cli_db, "zoe@example.com").is_active is False  # type: ignore[union-attr]

        enabled = takt("users", "enable", "zoe@example.com")
        assert enabled.exit_code == 0, enabled.output
        assert enabled.stdout == "zoe@example.com is now enabled.\n"
        assert find_user(cli_db, "zoe@example.com").is_active is True  # type: ignore[union-attr]

    def test_disable_leaves_other_users_sessions_alone(self, upgraded, cli_db):
        for email in ("zoe@example.com", "yan@example.com"):
            result = takt(
                "users", "create", email, "--name", "Someone", "--password",
                "a-long-and-unusual-passphrase",
            )  # fmt: skip
            assert result.exit_code == 0, result.output
        yan = find_user(cli_db, "yan@example.com")
        assert yan is not None
        with Session(cli_db) as db:
            db.add(
                AuthSession(
                    token_hash="c" * 64, user_id=yan.id, expires_at=utcnow() + timedelta(hours=1)
                )
            )
            db.commit()
        assert takt("users", "disable", "zoe@example.com").exit_code == 0
        assert count(cli_db, AuthSession) == 1

    def test_disabling_an_unknown_email_fails(self, upgraded):
        result = takt("users", "disable", "nobody@example.com")
        assert result.exit_code == 1
        assert "No user with email nobody@example.com." in result.stderr
