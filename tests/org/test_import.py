"""Importing employees from CSV: the dry-run report, applying it all or nothing, and the
`takt users import` command."""

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine, transaction
from app.errors import InvalidInput
from app.models import OrgUnit, Role, User
from app.org import importer, units
from app.org.importer import Action, apply_import, plan_import
from app.reporting import rebuild, summaries
from app.security.passwords import verify_password
from tests.conftest import post_form
from tests.security.conftest import snapshot

HEADER = "email,name,unit,role\n"
NORTHWIND = "Northwind Bank/Operations/Claims"
FILE = (
    HEADER
    + f"grace@example.com,Grace Hopper,{NORTHWIND}/Team A,\n"
    + f"alan@example.com,Alan Turing,{NORTHWIND}/Team A,instructor\n"
    + f"edsger@example.com,Edsger Dijkstra,{NORTHWIND}/Team B,hr\n"
    + "barbara@example.com,Barbara Liskov,Northwind Bank/Risk,learner\n"
)


def rows_by_email(plan: importer.ImportPlan) -> dict[str, importer.RowPlan]:
    return {row.email: row for row in plan.rows}


def unit_at(db: Session, path: str) -> OrgUnit:
    """The unit at this path of names, as stored now."""
    db.expire_all()
    unit = None
    for name in path.split("/"):
        unit = units.find_child(db, unit, name)
        assert unit is not None, path
    assert unit is not None
    return unit


def imported(engine: Engine, text: str, admin: User | None) -> importer.ImportResult:
    """Apply in a transaction of its own, as the page and the command do."""
    with transaction(engine) as db:
        admin_here = db.get(User, admin.id) if admin else None
        return apply_import(db, text, admin_here)


def stored(engine: Engine, email: str) -> User:
    with Session(engine) as db:
        user = db.exec(select(User).where(User.email == email)).one()
        db.expunge(user)
        return user


def assert_no_drift(engine: Engine) -> None:
    with Session(engine) as db:
        report = rebuild.rebuild(db, write=False)
    assert not report.drifted, report.examples


class TestTheDryRunReport:
    def test_each_row_is_numbered_as_in_the_file_with_the_header_as_row_1(self, db, cast):
        text = HEADER + "a@example.com,A,Top,\n\nb@example.com,B,Top,\n"
        plan = plan_import(db, text)
        assert [(row.row, row.email) for row in plan.rows] == [
            (2, "a@example.com"),
            (4, "b@example.com"),
        ]
        assert plan.ok

    def test_new_people_are_created_and_a_blank_role_makes_a_learner(self, db, cast):
        plan = plan_import(db, FILE)
        rows = rows_by_email(plan)
        assert {row.action for row in plan.rows} == {Action.create}
        assert rows["grace@example.com"].details == [f"learner in {NORTHWIND}/Team A (a new unit)"]
        assert rows["alan@example.com"].role == Role.instructor
        assert plan.counts[Action.create] == 4
        assert plan.changes == 4

    def test_the_units_to_be_created_are_listed_once_each_from_the_top(self, db, cast):
        units.ensure_path(db, ["Northwind Bank", "Operations"])
        plan = plan_import(db, FILE)
        assert plan.new_units == [
            "Northwind Bank/Operations/Claims",
            f"{NORTHWIND}/Team A",
            f"{NORTHWIND}/Team B",
            "Northwind Bank/Risk",
        ]

    def test_an_existing_person_with_differences_is_an_update_that_says_what_changes(
        self, db, cast
    ):
        claims = units.ensure_path(db, ["Northwind Bank", "Claims"])
        text = HEADER + "ADA@example.com,Ada King,Northwind Bank/Claims,instructor\n"
        [row] = plan_import(db, text).rows
        assert row.action == Action.update
        assert row.email == "ada@example.com"
        assert row.details == [
            "name: Ada Lovelace → Ada King",
            "unit: (no unit) → Northwind Bank/Claims",
            "role: learner → instructor",
        ]
        assert row.user_id == cast["ada"].id
        assert claims.id is not None

    def test_a_blank_role_leaves_an_existing_persons_role_as_it_is(self, db, cast):
        unit = units.ensure_path(db, ["Northwind Bank"])
        cast["ines"].org_unit_id = unit.id
        db.add(cast["ines"])
        db.commit()
        [row] = plan_import(db, HEADER + "ines@example.com,Ines Ibarra,Northwind Bank,\n").rows
        assert row.action == Action.unchanged
        assert row.details == []

    @pytest.mark.parametrize(
        ("line", "problem"),
        [
            (",No Email,Top,", "email is missing"),
            ("not-an-email,Someone,Top,", "email “not-an-email” is not a valid address"),
            ("a@b,Someone,Top,", "email “a@b” is not a valid address"),
            ("x@example.com,,Top,", "name is missing"),
            (f"x@example.com,{'N' * 121},Top,", "name is longer than 120 characters"),
            ("x@example.com,Someone,,", "unit is missing"),
            ("x@example.com,Someone,Top//Team,", "unit “Top//Team” has an empty part"),
            ("x@example.com,Someone,/Top,", "unit “/Top” has an empty part"),
            ("x@example.com,Someone,Top/,", "unit “Top/” has an empty part"),
            (
                f"x@example.com,Someone,Top/{'U' * 121},",
                "A unit name has at most 120 characters.",
            ),
            ("x@example.com,Someone," + "/".join("ABCDEFGHI") + ",", "more than 8 levels deep"),
            ("x@example.com,Some\tone,Top,", "name contains a control character"),
            ("x@example.com,Someone,Top,manager", "role “manager” is not one of learner,"),
            ("x@example.com,Someone,Top,learner,extra", "has 5 values where the header has 4"),
            ("x@example.com,Someone,Top", "has 3 values where the header has 4"),
        ],
    )
    def test_each_kind_of_error_names_what_is_wrong(self, db, cast, line, problem):
        plan = plan_import(db, HEADER + "ok@example.com,Fine,Top,\n" + line + "\n")
        first, second = plan.rows
        assert first.action == Action.create
        assert second.row == 3
        assert second.action == Action.error
        assert any(problem in detail for detail in second.details), second.details
        assert not plan.ok
        assert plan.counts[Action.error] == 1

    def test_a_row_with_several_problems_lists_them_all(self, db, cast):
        [row] = plan_import(db, HEADER + "nope,,A//B,boss\n").rows
        assert len(row.details) == 4

    def test_an_email_repeated_in_the_file_names_the_row_it_first_appeared_on(self, db, cast):
        text = HEADER + "a@example.com,A,Top,\nb@example.com,B,Top,\nA@Example.com,A2,Top,\n"
        rows = plan_import(db, text).rows
        assert [row.action for row in rows] == [Action.create, Action.create, Action.error]
        assert rows[2].details == ["email is repeated in the file (first at row 2)"]

    @pytest.mark.parametrize(
        ("header", "problem"),
        [
            ("email,name,unit\n", "Missing column: role."),
            ("email,nmae,unit,role\n", "Missing column: name. Not a column we know: nmae."),
            ("mail,name,department,role\n", "Missing columns: email, unit."),
            ("email,name,unit,role,role\n", "Repeated column: role."),
            ("email,name,unit,role,\n", "Not a column we know: (blank)."),
        ],
    )
    def test_a_wrong_header_is_an_error_for_the_whole_file(self, db, cast, header, problem):
        plan = plan_import(db, header + "a@example.com,A,Top,learner\n")
        assert plan.rows == []
        [error] = plan.file_errors
        assert problem in error
        assert "email,name,unit,role" in error
        assert not plan.ok

    def test_the_header_may_use_any_order_and_case(self, db, cast):
        plan = plan_import(db, " Role ,UNIT,Name,Email\nhr,Top,Zed,zed@example.com\n")
        [row] = plan.rows
        assert (row.email, row.name, row.unit, row.role) == (
            "zed@example.com",
            "Zed",
            ("Top",),
            "hr",
        )

    @pytest.mark.parametrize("text", ["", "\n\n", "\ufeff"])
    def test_an_empty_file_is_an_error(self, db, cast, text):
        assert "The file is empty." in plan_import(db, text).file_errors[0]

    def test_a_utf8_file_with_or_without_a_byte_order_mark_reads_the_same(self, db, cast):
        data = (HEADER + "zoë@example.com,Zoë Ångström,Zürich,\r\n").encode()
        with_bom = plan_import(db, importer.decode(b"\xef\xbb\xbf" + data))
        without = plan_import(db, importer.decode(data))
        assert with_bom.ok
        assert [(r.email, r.name, r.unit) for r in with_bom.rows] == [
            ("zoë@example.com", "Zoë Ångström", ("Zürich",))
        ]
        assert with_bom.rows == without.rows

    def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(self):
        with pytest.raises(InvalidInput, match="not UTF-8"):
            importer.decode((HEADER + "zoe@example.com,Zoë,Zürich,\n").encode("latin-1"))

    def test_a_file_over_the_size_limit_is_refused(self, db, cast, monkeypatch):
        monkeypatch.setattr(importer, "MAX_BYTES", 100)
        with pytest.raises(InvalidInput, match="larger than"):
            importer.decode(b"x" * 101)
        assert "larger than" in plan_import(db, HEADER + "a" * 100).file_errors[0]

    def test_a_file_over_the_row_limit_is_refused(self, db, cast, monkeypatch):
        monkeypatch.setattr(importer, "MAX_ROWS", 3)
        lines = "".join(f"p{i}@example.com,P{i},Top,\n" for i in range(4))
        plan = plan_import(db, HEADER + lines)
        assert plan.file_errors == ["The file has more than 3 rows; split it into several."]
        assert plan.rows == []
        assert plan_import(db, HEADER + lines[: lines.rindex("p3@")]).ok

    def test_quoted_values_may_hold_commas(self, db, cast):
        [row] = plan_import(db, HEADER + '"k@example.com","King, Martin","Top",\n').rows
        assert (row.action, row.name) == (Action.create, "King, Martin")

    def test_an_admin_cannot_change_their_own_role_by_import(self, db, cast):
        text = HEADER + "omar@example.com,Omar Okafor,Top,learner\n"
        [row] = plan_import(db, text, admin=cast["omar"]).rows
        assert row.action == Action.error
        assert row.details == ["you cannot change your own role by an import"]
        keeps = HEADER + "omar@example.com,Omar Okafor,Top,admin\n"
        assert plan_import(db, keeps, admin=cast["omar"]).ok

    def test_planning_writes_nothing_not_even_the_new_units(self, db, engine, cast):
        before = snapshot(engine)
        plan = plan_import(db, FILE + "ada@example.com,Ada,Elsewhere,hr\n")
        assert plan.ok and plan.new_units
        assert snapshot(engine) == before
        assert not db.new and not db.dirty


class TestApplying:
    def test_it_creates_units_and_people_with_the_right_headcounts_and_no_drift(
        self, engine, db, cast
    ):
        result = imported(engine, FILE, cast["omar"])
        assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
        assert len(result.units_created) == 6
        assert unit_at(db, f"{NORTHWIND}/Team A").headcount == 2
        assert unit_at(db, f"{NORTHWIND}/Team B").headcount == 1
        assert unit_at(db, "Northwind Bank/Risk").headcount == 1
        assert unit_at(db, NORTHWIND).headcount == 0
        alan = stored(engine, "alan@example.com")
        assert (alan.name, alan.role, alan.is_active) == ("Alan Turing", "instructor", True)
        assert alan.org_unit_id == unit_at(db, f"{NORTHWIND}/Team A").id
        assert stored(engine, "grace@example.com").role == "learner"
        assert_no_drift(engine)

    def test_it_places_people_in_units_that_already_exist(self, engine, db, cast):
        claims = units.ensure_path(db, NORTHWIND.split("/"))
        db.commit()
        result = imported(engine, HEADER + f"zed@example.com,Zed,{NORTHWIND},\n", cast["omar"])
        assert result.units_created == []
        assert stored(engine, "zed@example.com").org_unit_id == claims.id
        assert len(db.exec(select(OrgUnit)).all()) == 3

    def test_importing_the_same_file_again_changes_nothing(self, engine, db, cast):
        imported(engine, FILE, cast["omar"])
        before = snapshot(engine)
        plan = plan_import(db, FILE, admin=cast["omar"])
        assert {row.action for row in plan.rows} == {Action.unchanged}
        assert plan.new_units == []
        result = imported(engine, FILE, cast["omar"])
        assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
        assert snapshot(engine) == before

    def test_a_file_with_one_bad_row_writes_nothing(self, engine, cast):
        before = snapshot(engine)
        with pytest.raises(InvalidInput, match="Nothing was imported: the file has 1 error"):
            imported(engine, FILE + "broken-email,Someone,Top,\n", cast["omar"])
        assert snapshot(engine) == before

    def test_a_failure_part_way_leaves_no_unit_and_no_person_behind(
        self, engine, cast, monkeypatch
    ):
        calls = []

        def fail_on_the_third(db, user):  # type: ignore[no-untyped-def]
            calls.append(user.email)
            if len(calls) == 3:
                raise RuntimeError("the database went away")
            summaries_person_added(db, user)

        summaries_person_added = summaries.person_added
        monkeypatch.setattr(summaries, "person_added", fail_on_the_third)
        before = snapshot(engine)
        with pytest.raises(RuntimeError):
            imported(engine, FILE, cast["omar"])
        assert len(calls) == 3
        assert snapshot(engine) == before

    def test_a_new_unit_path_moves_the_person_and_their_headcount(self, engine, db, cast):
        imported(engine, FILE, cast["omar"])
        moved = FILE.replace(
            f"alan@example.com,Alan Turing,{NORTHWIND}/Team A",
            "alan@example.com,Alan Turing,Northwind Bank/Risk",
        )
        [row] = [r for r in plan_import(db, moved).rows if r.action != Action.unchanged]
        assert row.details == [f"unit: {NORTHWIND}/Team A → Northwind Bank/Risk"]
        result = imported(engine, moved, cast["omar"])
        assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
        assert (
            stored(engine, "alan@example.com").org_unit_id == unit_at(db, "Northwind Bank/Risk").id
        )
        assert unit_at(db, f"{NORTHWIND}/Team A").headcount == 1
        assert unit_at(db, "Northwind Bank/Risk").headcount == 2
        assert_no_drift(engine)

    def test_an_update_changes_name_and_role_and_places_someone_without_a_unit(
        self, engine, db, cast
    ):
        text = HEADER + "ada@example.com,Ada King,Northwind Bank,hr\n"
        result = imported(engine, text, cast["omar"])
        assert (result.created, result.updated) == (0, 1)
        ada = stored(engine, "ada@example.com")
        assert (ada.name, ada.role) == ("Ada King", "hr")
        assert ada.password_hash == cast["ada"].password_hash
        assert unit_at(db, "Northwind Bank").headcount == 1
        assert_no_drift(engine)

    def test_a_disabled_person_moved_by_import_is_not_counted(self, engine, db, cast):
        imported(engine, FILE, cast["omar"])
        grace = stored(engine, "grace@example.com")
        with transaction(engine) as session:
            from app.accounts.service import set_active

            set_active(session, session.get(User, grace.id), active=False)  # type: ignore[arg-type]
        moved = FILE.replace(f"Grace Hopper,{NORTHWIND}/Team A", "Grace Hopper,Northwind Bank/Risk")
        imported(engine, moved, cast["omar"])
        assert unit_at(db, f"{NORTHWIND}/Team A").headcount == 1
        assert unit_at(db, "Northwind Bank/Risk").headcount == 1
        assert_no_drift(engine)

    def test_a_plan_checked_for_another_admin_is_refused(self, engine, db, cast):
        plan = plan_import(db, FILE, admin=cast["omar"])
        with pytest.raises(InvalidInput, match="checked for someone else"):
            apply_import(db, plan, None)
        assert db.exec(select(User).where(col(User.email) == "grace@example.com")).first() is None

    def test_the_import_is_logged_with_its_counts(self, engine, cast, takt_log):
        imported(engine, FILE, cast["omar"])
        [line] = [x for x in takt_log() if x["message"] == "employees imported"]
        assert line["created"] == 4
        assert line["updated"] == 0
        assert line["units_created"] == 6
        assert line["by_user_id"] == cast["omar"].id


class TestImportedPeople:
    def test_they_have_a_password_hash_that_no_password_verifies(self, engine, cast):
        imported(engine, FILE, cast["omar"])
        grace = stored(engine, "grace@example.com")
        assert importer.has_no_password(grace)
        assert not importer.has_no_password(stored(engine, "ada@example.com"))
        for attempt in ("", "Grace Hopper", "grace@example.com", grace.password_hash):
            assert verify_password(attempt, grace.password_hash) == (False, None)
        assert grace.password_hash != stored(engine, "alan@example.com").password_hash

    def test_they_cannot_sign_in(self, client, engine, cast):
        imported(engine, FILE, cast["omar"])
        for password in ("", "x" * 12, "Grace Hopper"):
            response = post_form(
                client,
                "/sign-in",
                "/sign-in",
                {"email": "grace@example.com", "password": password},
            )
            assert response.status_code in (401, 422)
            assert "grace@example.com" not in str(client.cookies)
        assert client.get("/account", follow_redirects=False).status_code == 303


runner = CliRunner()


@pytest.fixture
def cli_database(monkeypatch, tmp_path: Path) -> Engine:  # type: ignore[misc]
    """The command's own SQLite file, migrated, as in tests/test_cli.py."""
    for name in list(os.environ):
        if name.startswith("TAKT_") and name != "TAKT_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    database = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("TAKT_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("TAKT_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TAKT_CONTENT_DIR", str(tmp_path / "content"))
    assert takt("db", "upgrade").exit_code == 0
    engine = make_engine(f"sqlite:///{database}")
    yield engine  # type: ignore[misc]
    engine.dispose()


def takt(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def count_users(engine: Engine) -> int:
    with Session(engine) as db:
        return len(db.exec(select(User)).all())


class TestTheImportCommand:
    @pytest.fixture
    def csv_file(self, tmp_path: Path) -> Path:
        path = tmp_path / "people.csv"
        path.write_bytes(b"\xef\xbb\xbf" + FILE.encode())
        return path

    def test_a_dry_run_prints_each_row_and_writes_nothing(self, cli_database, csv_file):
        result = takt("users", "import", str(csv_file))
        assert result.exit_code == 0, result.output
        assert (
            f"row 2: grace@example.com: create: learner in {NORTHWIND}/Team A (a new unit)"
            in result.stdout
        )
        assert "row 5: barbara@example.com: create:" in result.stdout
        assert "Dry run (nothing written; use --apply to import): 4 create, 0 update" in (
            result.stdout
        )
        assert count_users(cli_database) == 0

    def test_apply_writes_everything_and_a_second_run_changes_nothing(self, cli_database, csv_file):
        first = takt("users", "import", str(csv_file), "--apply")
        assert first.exit_code == 0, first.output
        assert "Imported: 4 create, 0 update, 0 unchanged, 0 error; 6 new unit(s)." in first.stdout
        assert count_users(cli_database) == 4
        assert_no_drift(cli_database)
        second = takt("users", "import", str(csv_file), "--apply")
        assert second.exit_code == 0
        assert "Imported: 0 create, 0 update, 4 unchanged, 0 error." in second.stdout

    def test_a_file_with_errors_exits_1_and_apply_writes_nothing(
        self, cli_database, tmp_path: Path
    ):
        path = tmp_path / "bad.csv"
        path.write_text(FILE + "oops,,Top,\n")
        result = takt("users", "import", str(path), "--apply")
        assert result.exit_code == 1
        assert "row 6: oops: error: email “oops” is not a valid address; name is missing" in (
            result.stdout
        )
        assert "Nothing imported: 4 create, 0 update, 0 unchanged, 1 error" in result.stderr
        assert count_users(cli_database) == 0

    def test_a_wrong_header_or_encoding_exits_1_naming_the_file(self, cli_database, tmp_path: Path):
        path = tmp_path / "bad.csv"
        path.write_text("mail,name,unit,role\n")
        result = takt("users", "import", str(path))
        assert result.exit_code == 1
        assert f"{path}: Missing column: email." in result.stderr
        path.write_bytes("email,name,unit,role\nz@example.com,Zoë,Top,\n".encode("latin-1"))
        result = takt("users", "import", str(path))
        assert result.exit_code == 1
        assert "is not UTF-8" in result.stderr
