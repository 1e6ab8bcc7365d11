"""The admin pages for the organisation: the unit tree, HR scopes, one person's page with
moving them to another unit, and importing employees (check, then confirm)."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models import HrScope, OrgUnit, User
from app.org import importer, scope, units
from app.reporting import rebuild
from tests.conftest import csrf_from, post_form
from tests.org.test_import import FILE, HEADER, NORTHWIND, imported, stored, unit_at
from tests.security.conftest import snapshot

PAGES = ["/admin/units", "/admin/hr-scopes", "/admin/import", "/admin/users/{ben}"]
NOT_ALLOWED = "Your role does not give access to this page."


def page(path: str, cast: dict[str, User]) -> str:
    return path.format(ben=cast["ben"].id)


def post_routes(cast: dict[str, User], unit: OrgUnit) -> list[tuple[str, dict[str, str]]]:
    """Each state-changing route, with a form that would succeed for Omar."""
    hana, ben = cast["hana"].id, cast["ben"].id
    return [
        ("/admin/units", {"name": "Risk", "parent_id": ""}),
        (f"/admin/units/{unit.id}/rename", {"name": "Renamed"}),
        (f"/admin/hr-scopes/{hana}", {"unit_ids": str(unit.id)}),
        (f"/admin/users/{ben}/unit", {"unit_id": str(unit.id)}),
        (f"/admin/users/{ben}/password", {"password": "a-long-new-passphrase"}),
        ("/admin/import", {"text": FILE}),
        ("/admin/import/apply", {"content": FILE}),
    ]


@pytest.fixture
def company(db: Session, cast: dict[str, User]) -> OrgUnit:
    unit = units.ensure_path(db, ["Northwind Bank"])
    db.commit()
    return unit


def assert_no_drift(engine: Engine) -> None:
    with Session(engine) as db:
        assert not rebuild.rebuild(db, write=False).drifted


class TestWhoMayUseThem:
    @pytest.mark.parametrize("path", PAGES)
    @pytest.mark.parametrize("who", ["ada", "ines", "hana"])
    def test_other_roles_get_a_403(self, client_for, cast, path, who):
        response = client_for(who).get(page(path, cast))
        assert response.status_code == 403
        assert NOT_ALLOWED in response.text

    @pytest.mark.parametrize("path", PAGES)
    def test_omar_gets_each_page(self, client_for, cast, path):
        assert client_for("omar").get(page(path, cast)).status_code == 200

    @pytest.mark.parametrize("path", PAGES)
    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, cast, path):
        response = client.get(page(path, cast), follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=/admin/")

    @pytest.mark.parametrize("who", ["ada", "hana"])
    def test_other_roles_cannot_change_anything(self, client_for, engine, cast, company, who):
        client = client_for(who)
        before = snapshot(engine)
        for action, data in post_routes(cast, company):
            response = post_form(client, "/account", action, data)
            assert response.status_code == 403, action
        assert snapshot(engine) == before

    def test_every_form_needs_the_csrf_token(self, client_for, engine, cast, company):
        omar = client_for("omar")
        before = snapshot(engine)
        for action, data in post_routes(cast, company):
            response = omar.post(action, data=data, follow_redirects=False)
            assert response.status_code == 403, action
            assert "Your form has expired" in response.text
        assert snapshot(engine) == before

    def test_the_admin_nav_links_to_the_units_page(self, client_for, cast):
        assert 'href="/admin/units"' in client_for("omar").get("/").text
        assert 'href="/admin/units"' not in client_for("hana").get("/").text


class TestTheUnitsPage:
    def test_it_shows_the_tree_nested_with_headcounts(self, client_for, engine, cast):
        imported(engine, FILE, cast["omar"])
        text = client_for("omar").get("/admin/units").text
        tree = text[text.index('class="org-tree-root"') :]
        order = ["Northwind Bank", "Operations", "Claims", "Team A", "Team B", "Risk"]
        assert [tree.index(f'org-unit-name">{name}<') for name in order] == sorted(
            tree.index(f'org-unit-name">{name}<') for name in order
        )
        claims = tree[tree.index('org-unit-name">Claims<') :]
        assert claims.index("<ul") < claims.index("Team A")  # nested inside Claims
        assert re.search(r"Team A</span>\s*<span class=\"meta\">2 here · 2 in total", tree)
        assert re.search(r"Northwind Bank</span>\s*<span class=\"meta\">0 here · 4 in total", tree)

    def test_an_empty_organisation_says_how_to_start(self, client_for, cast):
        assert "There are no units yet" in client_for("omar").get("/admin/units").text

    def test_omar_adds_a_top_level_unit_and_one_inside_it(self, client_for, db, cast):
        omar = client_for("omar")
        response = post_form(omar, "/admin/units", "/admin/units", {"name": " Northwind  Bank "})
        assert response.status_code == 303
        company = unit_at(db, "Northwind Bank")
        assert response.headers["location"] == f"/admin/units#unit-{company.id}"
        data = {"name": "Risk", "parent_id": str(company.id)}
        assert post_form(omar, "/admin/units", "/admin/units", data).status_code == 303
        risk = unit_at(db, "Northwind Bank/Risk")
        assert risk.path == f"/{company.id}/{risk.id}/"

    @pytest.mark.parametrize(
        ("name", "error"),
        [
            ("", "Give the unit a name."),
            ("Ops/Claims", "A unit name cannot contain “/”."),
            ("x" * 121, "A unit name has at most 120 characters."),
            ("Northwind Bank", "There is already a unit called “Northwind Bank” here."),
        ],
    )
    def test_a_bad_name_is_shown_inline_and_nothing_is_added(
        self, client_for, engine, company, name, error
    ):
        omar = client_for("omar")
        before = snapshot(engine)
        response = post_form(omar, "/admin/units", "/admin/units", {"name": name})
        assert response.status_code == 422
        assert f'<p class="field-error" id="name-error">{error}</p>' in response.text
        assert 'aria-invalid="true"' in response.text
        assert snapshot(engine) == before

    @pytest.mark.parametrize("parent", ["999999", "abc", "-1", str(2**63)])
    def test_an_unknown_parent_is_an_inline_error(self, client_for, engine, company, parent):
        omar = client_for("omar")
        before = snapshot(engine)
        data = {"name": "Risk", "parent_id": parent}
        response = post_form(omar, "/admin/units", "/admin/units", data)
        assert response.status_code == 422
        assert "Choose a unit from the list." in response.text
        assert snapshot(engine) == before

    def test_omar_renames_a_unit(self, client_for, db, company):
        action = f"/admin/units/{company.id}/rename"
        response = post_form(client_for("omar"), "/admin/units", action, {"name": "Northwind"})
        assert response.status_code == 303
        db.refresh(company)
        assert company.name == "Northwind"

    def test_renaming_to_a_siblings_name_is_an_inline_error(self, client_for, db, engine, cast):
        first = units.ensure_path(db, ["Northwind Bank", "Claims"])
        units.ensure_path(db, ["Northwind Bank", "Risk"])
        db.commit()
        omar = client_for("omar")
        before = snapshot(engine)
        action = f"/admin/units/{first.id}/rename"
        response = post_form(omar, "/admin/units", action, {"name": "Risk"})
        assert response.status_code == 422
        assert f'id="rename-{first.id}-error">There is already a unit called' in response.text
        assert 'class="org-rename" open' in response.text
        assert snapshot(engine) == before

    def test_a_name_may_be_reused_under_another_parent(self, client_for, db, cast):
        claims = units.ensure_path(db, ["Northwind Bank", "Claims"])
        units.ensure_path(db, ["Northwind Bank", "Risk", "Team A"])
        db.commit()
        action = f"/admin/units/{claims.id}/rename"
        response = post_form(client_for("omar"), "/admin/units", action, {"name": "Team A"})
        assert response.status_code == 303

    def test_renaming_an_unknown_unit_is_a_404(self, client_for, company):
        response = post_form(client_for("omar"), "/admin/units", "/admin/units/999999/rename", {})
        assert response.status_code == 404


class TestHrScopes:
    def test_the_page_lists_hr_users_only_with_what_they_see(self, client_for, db, cast):
        claims = units.ensure_path(db, ["Northwind Bank", "Claims"])
        scope.set_scopes(db, cast["hana"], [claims])
        db.commit()
        text = client_for("omar").get("/admin/hr-scopes").text
        assert "Hana Haddad" in text
        assert "Ada Lovelace" not in text
        assert "Sees: Northwind Bank/Claims" in text
        assert f'<option value="{claims.id}" selected>Northwind Bank/Claims</option>' in text

    def test_omar_sets_and_clears_an_hr_users_units(self, client_for, db, cast):
        claims = units.ensure_path(db, ["Northwind Bank", "Claims"])
        risk = units.ensure_path(db, ["Northwind Bank", "Risk"])
        db.commit()
        omar, hana = client_for("omar"), cast["hana"]
        action = f"/admin/hr-scopes/{hana.id}"
        chosen = {"unit_ids": [str(claims.id), str(risk.id), str(claims.id)]}
        response = post_form(omar, "/admin/hr-scopes", action, chosen)  # type: ignore[arg-type]
        assert response.status_code == 303
        assert response.headers["location"] == f"/admin/hr-scopes#hr-{hana.id}"
        assert {u.name for u in scope.scope_of(db, hana).roots} == {"Claims", "Risk"}
        assert post_form(omar, "/admin/hr-scopes", action, {}).status_code == 303
        assert db.exec(select(HrScope)).all() == []

    @pytest.mark.parametrize("who", ["ben", "omar"])
    def test_someone_without_the_hr_role_is_a_404(self, client_for, cast, company, who):
        action = f"/admin/hr-scopes/{cast[who].id}"
        data = {"unit_ids": str(company.id)}
        assert post_form(client_for("omar"), "/admin/hr-scopes", action, data).status_code == 404

    def test_an_unknown_unit_is_an_inline_error_and_changes_nothing(
        self, client_for, engine, cast, company
    ):
        omar = client_for("omar")
        before = snapshot(engine)
        action = f"/admin/hr-scopes/{cast['hana'].id}"
        data = {"unit_ids": [str(company.id), "999999"]}
        response = post_form(omar, "/admin/hr-scopes", action, data)  # type: ignore[arg-type]
        assert response.status_code == 422
        assert f'id="units-{cast["hana"].id}-error">Choose a unit from the list.' in response.text
        assert snapshot(engine) == before


class TestOnePersonsPage:
    def test_it_shows_name_email_role_unit_and_status(self, client_for, engine, cast):
        imported(engine, FILE, cast["omar"])
        alan = stored(engine, "alan@example.com")
        text = client_for("omar").get(f"/admin/users/{alan.id}").text
        for shown in ("Alan Turing", "alan@example.com", "Instructor", f"{NORTHWIND}/Team A"):
            assert shown in text
        assert "<dd>Active</dd>" in text
        assert "Not set yet: this person cannot sign in." in text

    def test_an_unknown_person_is_a_404(self, client_for, cast):
        assert client_for("omar").get("/admin/users/999999").status_code == 404

    def test_omar_moves_a_person_and_the_headcounts_follow(self, client_for, engine, db, cast):
        imported(engine, FILE, cast["omar"])
        alan = stored(engine, "alan@example.com")
        risk = unit_at(db, "Northwind Bank/Risk")
        response = post_form(
            client_for("omar"),
            f"/admin/users/{alan.id}",
            f"/admin/users/{alan.id}/unit",
            {"unit_id": str(risk.id)},
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/admin/users/{alan.id}"
        assert stored(engine, "alan@example.com").org_unit_id == risk.id
        assert unit_at(db, "Northwind Bank/Risk").headcount == 2
        assert unit_at(db, f"{NORTHWIND}/Team A").headcount == 1
        assert_no_drift(engine)

    @pytest.mark.parametrize("unit_id", ["", "999999", "nope"])
    def test_an_unknown_unit_is_an_inline_error(self, client_for, engine, cast, company, unit_id):
        omar = client_for("omar")
        before = snapshot(engine)
        ben = cast["ben"].id
        response = post_form(
            omar,
            f"/admin/users/{ben}",
            f"/admin/users/{ben}/unit",
            {"unit_id": unit_id},
        )
        assert response.status_code == 422
        assert '<p class="field-error" id="unit_id-error">Choose a unit from the list.' in (
            response.text
        )
        assert snapshot(engine) == before


class TestSettingAPassword:
    def test_an_imported_person_signs_in_with_the_password_an_admin_set(
        self, client_for, new_client, engine, cast
    ):
        imported(engine, FILE, cast["omar"])
        alan = stored(engine, "alan@example.com")
        response = post_form(
            client_for("omar"),
            f"/admin/users/{alan.id}",
            f"/admin/users/{alan.id}/password",
            {"password": "enigma-broken-at-bletchley"},
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/admin/users/{alan.id}?password=set"
        browser = new_client()
        signed_in = post_form(
            browser,
            "/sign-in",
            "/sign-in",
            {"email": "alan@example.com", "password": "enigma-broken-at-bletchley"},
        )
        assert signed_in.status_code == 303
        assert "Not set yet" not in client_for("omar").get(f"/admin/users/{alan.id}").text

    def test_a_weak_password_is_an_inline_error_and_changes_nothing(self, client_for, engine, cast):
        ben = cast["ben"].id
        omar = client_for("omar")
        before = snapshot(engine)
        response = post_form(
            omar,
            f"/admin/users/{ben}",
            f"/admin/users/{ben}/password",
            {"password": "short"},
        )
        assert response.status_code == 422
        assert 'id="password-error"' in response.text
        assert snapshot(engine) == before

    def test_it_ends_the_persons_sessions(self, client_for, cast):
        ben = client_for("ben")
        assert ben.get("/account").status_code == 200
        post_form(
            client_for("omar"),
            f"/admin/users/{cast['ben'].id}",
            f"/admin/users/{cast['ben'].id}/password",
            {"password": "a-long-new-passphrase"},
        )
        assert ben.get("/account", follow_redirects=False).status_code == 303


def upload(client: TestClient, content: bytes, filename: str = "people.csv"):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/admin/import").text)
    return client.post(
        "/admin/import",
        data={"csrf_token": token, "text": ""},
        files={"file": (filename, content, "text/csv")},
    )


HIDDEN_CONTENT = re.compile(r'<input type="hidden" name="content" value="([^"]*)">')


def confirm(client: TestClient, report: str):  # type: ignore[no-untyped-def]
    """Press the report's confirm button: post back its hidden fields."""
    parts = [html.unescape(part) for part in HIDDEN_CONTENT.findall(report)]
    assert parts, "the report has no confirm form"
    data = {"csrf_token": csrf_from(report), "content": parts}
    return client.post("/admin/import/apply", data=data)  # type: ignore[arg-type]


class TestImporting:
    def test_the_form_offers_a_file_and_a_box_to_paste_into(self, client_for, cast):
        text = client_for("omar").get("/admin/import").text
        assert 'enctype="multipart/form-data"' in text
        assert 'type="file"' in text
        assert '<textarea id="text" name="text"' in text

    def test_checking_an_uploaded_file_reports_each_row_and_writes_nothing(
        self, client_for, engine, cast
    ):
        omar = client_for("omar")
        before = snapshot(engine)
        response = upload(omar, b"\xef\xbb\xbf" + FILE.encode())
        assert response.status_code == 200
        text = response.text
        assert "<strong>4</strong> to create" in text
        assert "<strong>0</strong> to update" in text
        assert "<strong>0</strong> unchanged" in text
        assert (
            "<td>2</td>\n    <td>grace@example.com</td>\n    <td>create</td>\n"
            f"    <td>learner in {NORTHWIND}/Team A (a new unit)</td>"
        ) in text
        assert f"<li>{NORTHWIND}/Team B</li>" in text
        assert "Import 4 rows" in text
        assert 'class="table-wrap"' in text
        assert snapshot(engine) == before

    def test_pasted_rows_are_checked_the_same_way(self, client_for, engine, cast):
        omar = client_for("omar")
        response = post_form(omar, "/admin/import", "/admin/import", {"text": FILE})
        assert response.status_code == 200
        assert "<strong>4</strong> to create" in response.text

    def test_a_file_with_errors_is_a_422_report_without_a_confirm_button(
        self, client_for, engine, cast
    ):
        omar = client_for("omar")
        before = snapshot(engine)
        bad = FILE + "oops,Someone,Top,\nalan@example.com,Alan again,Top,boss\n"
        response = upload(omar, bad.encode())
        assert response.status_code == 422
        text = response.text
        assert "<strong>2</strong> with errors" in text
        assert "<td>6</td>\n    <td>oops</td>\n    <td>error</td>" in text
        assert "email “oops” is not a valid address" in text
        assert "<li>email is repeated in the file (first at row 3)</li>" in text
        assert "role “boss” is not one of" in text
        assert "Correct the file and check it again" in text
        assert "/admin/import/apply" not in text
        assert snapshot(engine) == before

    def test_errors_are_listed_first_and_a_long_report_is_cut_short(
        self, client_for, cast, monkeypatch
    ):
        from app.web.routes import organisation

        monkeypatch.setattr(organisation, "MAX_LISTED", 2)
        response = upload(client_for("omar"), (FILE + "oops,Someone,Top,\n").encode())
        rows = re.findall(r"<td>(\d+)</td>\n    <td>([^<]+)</td>", response.text)
        assert rows == [("6", "oops"), ("2", "grace@example.com")]
        assert "3 more rows to create or update are not listed here" in response.text

    def test_a_wrong_header_is_reported_for_the_whole_file(self, client_for, cast):
        response = upload(client_for("omar"), b"mail,name,unit,role\na@example.com,A,B,\n")
        assert response.status_code == 422
        assert "This file cannot be imported" in response.text
        assert "Missing column: email." in response.text

    def test_a_file_that_is_not_utf8_is_refused_on_the_form(self, client_for, cast):
        response = upload(client_for("omar"), (HEADER + "z@example.com,Zoë,Z,\n").encode("cp1252"))
        assert response.status_code == 422
        assert "The file is not UTF-8 text." in response.text
        assert 'type="file"' in response.text

    def test_sending_nothing_asks_for_a_file(self, client_for, cast):
        response = post_form(client_for("omar"), "/admin/import", "/admin/import", {"text": " "})
        assert response.status_code == 422
        assert "Choose a CSV file, or paste its rows" in response.text

    def test_pasting_more_than_the_form_parser_takes_is_a_400_not_a_500(self, client_for, cast):
        rows = "".join(f"p{i}@example.com,Person {i},Top,\n" for i in range(40_000))
        assert len(rows) > 1024 * 1024
        response = post_form(client_for("omar"), "/admin/import", "/admin/import", {"text": rows})
        assert response.status_code == 400
        assert "exceeded maximum size" in response.text

    def test_confirming_imports_the_checked_rows(self, client_for, engine, db, cast):
        omar = client_for("omar")
        report = upload(omar, FILE.encode()).text
        response = confirm(omar, report)
        assert response.status_code == 200
        assert "4 people created, 0 updated, 0 unchanged, 6 units created." in response.text
        assert unit_at(db, f"{NORTHWIND}/Team A").headcount == 2
        assert importer.has_no_password(stored(engine, "grace@example.com"))
        assert_no_drift(engine)
        again = upload(omar, FILE.encode())
        assert "Nothing to import: every row already matches" in again.text
        assert "4 rows already match what is stored" in again.text
        assert "/admin/import/apply" not in again.text

    def test_a_large_file_goes_back_in_parts_and_arrives_whole(
        self, client_for, engine, cast, monkeypatch
    ):
        from app.web.routes import organisation

        monkeypatch.setattr(organisation, "CONTENT_PART", 40)
        omar = client_for("omar")
        report = upload(omar, FILE.encode()).text
        assert len(HIDDEN_CONTENT.findall(report)) == -(-len(FILE) // 40)
        assert confirm(omar, report).status_code == 200
        with Session(engine) as db:
            assert len(db.exec(select(User)).all()) == len(cast) + 4  # the file's four people

    def test_confirming_checks_again_and_imports_nothing_if_there_are_errors_now(
        self, client_for, engine, cast
    ):
        omar = client_for("omar")
        token = csrf_from(omar.get("/admin/import").text)
        before = snapshot(engine)
        response = omar.post(
            "/admin/import/apply", data={"csrf_token": token, "content": FILE + "oops,,,\n"}
        )
        assert response.status_code == 422
        assert "Nothing was imported: the file has errors." in response.text
        assert snapshot(engine) == before

    def test_omar_cannot_change_his_own_role_by_import(self, client_for, engine, cast):
        text = HEADER + "omar@example.com,Omar Okafor,Northwind Bank,learner\n"
        response = post_form(client_for("omar"), "/admin/import", "/admin/import", {"text": text})
        assert response.status_code == 422
        assert "you cannot change your own role by an import" in response.text
        assert stored(engine, "omar@example.com").role == "admin"
