"""Progress and certificate exports, as CSV downloads and as the paginated HR API."""

import base64
import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from app.accounts.service import create_api_token
from app.models import Certificate, User
from app.models.base import utcnow
from app.reporting import exports
from tests.reporting import steps
from tests.reporting.conftest import Org

PROGRESS_HEADER = [
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
]
CERTIFICATE_HEADER = [
    "email",
    "holder_name",
    "unit",
    "course",
    "belt",
    "status",
    "issued_at",
    "expires_at",
    "verification_code",
]
FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.fixture
def exported(engine, org: Org, content, password_hashes) -> Org:
    """Operations, as Hana sees it:

    Claims:   Ada (certified), Ines (certificate expiring), Fay "=HYPERLINK…" (certified)
    Payments: Cara (2 modules read, due in 5 days), Dev (nothing), Eve (certificate expired)
    Ben (Finance) is certified too, outside Hana's view.
    """
    people, now = org.people, utcnow()
    people["fay"] = steps.add_person(engine, FORMULAS[0], org.claims, password_hashes["ada"])
    people["eve"] = steps.add_person(engine, "Eve Expired", org.payments, password_hashes["ada"])
    for key in ("ada", "ines", "fay", "eve", "ben"):
        steps.earn_certificate(engine, people[key])
    steps.set_certificate_dates(
        engine, people["ines"], now - timedelta(days=1000), now + timedelta(days=30)
    )
    steps.set_certificate_dates(
        engine, people["eve"], now - timedelta(days=1200), now - timedelta(days=3)
    )
    steps.read(engine, people["cara"], 2)
    steps.assign_people(engine, people["hana"], [people["cara"]], now.date() + timedelta(days=5))
    return org


def rows_of(response) -> tuple[list[str], list[dict[str, str]]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="takt-')
    reader = csv.reader(io.StringIO(response.text))
    header = next(reader)
    return header, yellow_only([dict(zip(header, row, strict=True)) for row in reader])


def yellow_only(rows: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    """The Yellow Belt's rows: these tests follow one course, and the repository's other
    courses add a row each per person to the progress export."""
    return [row for row in rows if row["course"] == "Yellow Belt"]


def by_email(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    found = {row["email"]: row for row in rows}
    assert len(found) == len(rows), "a person appears twice"
    return found


OPERATIONS = {"ada", "ines", "fay", "cara", "dev", "eve"}


def emails(org: Org, keys: set[str]) -> set[str]:
    return {org.people[key].email for key in keys}


class TestTheProgressExport:
    def test_has_its_header_and_one_row_per_person_and_course_in_scope(
        self, signed_in, engine, exported
    ):
        header, rows = rows_of(signed_in("hana").get("/hr/exports/progress.csv"))
        assert header == PROGRESS_HEADER
        assert set(by_email(rows)) == emails(exported, OPERATIONS)  # one course, so one row each
        assert {row["course"] for row in rows} == {steps.yellow_belt(engine).title}

    def test_a_unit_narrows_it_to_the_units_subtree(self, signed_in, exported):
        url = f"/hr/exports/progress.csv?unit={exported.claims.id}"
        _, rows = rows_of(signed_in("hana").get(url))
        assert set(by_email(rows)) == emails(exported, {"ada", "ines", "fay"})
        assert {row["unit"] for row in rows} == {"Operations/Claims"}

    def test_each_person_has_the_status_and_progress_they_stand_at(self, signed_in, exported):
        _, rows = rows_of(signed_in("hana").get("/hr/exports/progress.csv"))
        found = by_email(rows)
        people = exported.people
        columns = ("status", "progress_percent", "modules_read", "modules_total", "assignment")
        expected = {
            "ada": ("certified", "100", "10", "10", ""),
            "ines": ("expiring", "100", "10", "10", ""),
            "eve": ("expired", "100", "10", "10", ""),
            "cara": ("in_progress", "18", "2", "10", "at_risk"),
            "dev": ("not_started", "0", "0", "10", ""),
        }
        for key, values in expected.items():
            row = found[people[key].email]
            assert tuple(row[c] for c in columns) == values, key
        assert found[people["ada"].email]["exam_best_percent"] == "100"
        assert found[people["ada"].email]["certified_at"] != ""
        assert found[people["dev"].email]["started_at"] == ""
        cara_due = (utcnow().date() + timedelta(days=5)).isoformat()
        assert found[people["cara"].email]["due_on"] == cara_due

    def test_timestamps_are_utc_to_the_second_as_stored(self, signed_in, engine, exported):
        issued = datetime(2024, 2, 29, 23, 59, 58, 999_999, tzinfo=UTC)
        expires = issued.astimezone(timezone(timedelta(hours=-5))) + timedelta(days=3 * 365)
        steps.set_certificate_dates(engine, exported.people["ines"], issued, expires)
        _, rows = rows_of(signed_in("hana").get("/hr/exports/progress.csv"))
        ines = by_email(rows)[exported.people["ines"].email]
        assert ines["certified_at"] == "2024-02-29T23:59:58Z"
        assert ines["expires_at"] == "2027-02-28T23:59:58Z"  # kept in UTC, not the offset given
        assert ines["status"] == "certified"

    def test_a_name_a_spreadsheet_would_run_as_a_formula_is_defused(
        self, signed_in, engine, exported, password_hashes
    ):
        for formula in FORMULAS[1:]:
            steps.add_person(engine, formula, exported.claims, password_hashes["ada"])
        _, rows = rows_of(signed_in("hana").get("/hr/exports/progress.csv"))
        names = {row["name"] for row in rows}
        assert {"'" + formula for formula in FORMULAS} <= names
        assert not names & set(FORMULAS)

    def test_is_read_in_several_chunks_without_losing_or_repeating_anyone(
        self, signed_in, exported, monkeypatch
    ):
        client = signed_in("hana")
        _, whole = rows_of(client.get("/hr/exports/progress.csv"))
        monkeypatch.setattr(exports, "CHUNK", 2)
        _, chunked = rows_of(client.get("/hr/exports/progress.csv"))
        assert len(chunked) == len(OPERATIONS)
        assert chunked == whole


class TestTheCertificateExport:
    def test_has_its_header_and_one_row_per_certificate_in_scope(self, signed_in, exported):
        header, rows = rows_of(signed_in("hana").get("/hr/exports/certificates.csv"))
        assert header == CERTIFICATE_HEADER
        assert set(by_email(rows)) == emails(exported, {"ada", "ines", "fay", "eve"})

    def test_each_certificate_has_its_status_and_verification_code(
        self, signed_in, engine, exported
    ):
        _, rows = rows_of(signed_in("hana").get("/hr/exports/certificates.csv"))
        found = by_email(rows)
        people = exported.people
        statuses = {key: found[people[key].email]["status"] for key in ("ada", "ines", "eve")}
        # A certificate is valid until it expires; "expiring" is a learner's standing.
        assert statuses == {"ada": "valid", "ines": "valid", "eve": "expired"}
        with Session(engine) as db:
            ada = db.exec(select(Certificate).where(Certificate.user_id == people["ada"].id)).one()
        assert found[people["ada"].email]["verification_code"] == ada.code

    def test_a_revoked_certificate_is_listed_as_revoked(self, signed_in, engine, exported):
        with Session(engine) as db:
            ada = db.exec(
                select(Certificate).where(Certificate.user_id == exported.people["ada"].id)
            ).one()
        steps.revoke(engine, exported.people["omar"], ada.id)
        _, rows = rows_of(signed_in("hana").get("/hr/exports/certificates.csv"))
        assert by_email(rows)[exported.people["ada"].email]["status"] == "revoked"

    def test_a_holder_name_that_looks_like_a_formula_is_defused(self, signed_in, exported):
        _, rows = rows_of(signed_in("hana").get("/hr/exports/certificates.csv"))
        fay = by_email(rows)[exported.people["fay"].email]
        assert fay["holder_name"] == "'" + FORMULAS[0]

    def test_is_read_in_several_chunks_without_losing_or_repeating_anyone(
        self, signed_in, exported, monkeypatch
    ):
        client = signed_in("hana")
        _, whole = rows_of(client.get("/hr/exports/certificates.csv"))
        monkeypatch.setattr(exports, "CHUNK", 2)
        _, chunked = rows_of(client.get("/hr/exports/certificates.csv"))
        assert len(chunked) == 4
        assert chunked == whole


def token_for(engine, user: User) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with steps.unit_of_work(engine) as db:
        _, plain = create_api_token(db, db.get(User, user.id), "HR system")  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {plain}"}


def walk(client, path: str, headers: dict[str, str], **query: str) -> tuple[list[dict], int]:  # type: ignore[no-untyped-def, type-arg]
    """Follow next_cursor to the end, a person or certificate a page: every item, and how
    many pages it took."""
    items: list[dict] = []  # type: ignore[type-arg]
    cursor, pages = None, 0
    while True:
        params = {**query, "limit": "1", **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(yellow_only(page["items"]))
        pages += 1
        assert pages <= 50, "the cursor never ends"
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


def encoded(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


class TestTheApiPagination:
    def test_progress_walks_every_person_once_a_page_at_a_time(self, client, engine, exported):
        items, pages = walk(
            client, "/api/v1/hr/progress", token_for(engine, exported.people["hana"])
        )
        found = [item["email"] for item in items]
        assert sorted(found) == sorted(emails(exported, OPERATIONS))
        assert pages in (len(OPERATIONS), len(OPERATIONS) + 1)  # at most one empty last page

    def test_progress_pages_say_what_the_csv_says(self, client, signed_in, engine, exported):
        items, _ = walk(client, "/api/v1/hr/progress", token_for(engine, exported.people["hana"]))
        _, rows = rows_of(signed_in("hana").get("/hr/exports/progress.csv"))
        csv_rows = by_email(rows)
        for item in items:
            row = csv_rows[item["email"]]
            assert (item["status"], str(item["progress_percent"])) == (
                row["status"],
                row["progress_percent"],
            )

    def test_certificates_walk_every_certificate_once(self, client, engine, exported):
        headers = token_for(engine, exported.people["hana"])
        items, _ = walk(client, "/api/v1/hr/certificates", headers)
        found = [item["email"] for item in items]
        assert sorted(found) == sorted(emails(exported, {"ada", "ines", "fay", "eve"}))

    def test_a_unit_narrows_the_pages(self, client, engine, exported):
        headers = token_for(engine, exported.people["hana"])
        unit_id = str(exported.payments.id)
        items, _ = walk(client, "/api/v1/hr/progress", headers, unit_id=unit_id)
        assert {item["email"] for item in items} == emails(exported, {"cara", "dev", "eve"})


# Cursors the API never gave out, by what is wrong with them.
BAD_CURSORS = {
    "not base64": "garbage!!",
    "not JSON": "bm90IGpzb24",
    "not an object": encoded([1]),
    "no after": encoded({"before": 3}),
    "after is text": encoded({"after": "x"}),
    "after is negative": encoded({"after": -1}),
    "after is true": encoded({"after": True}),
    "after is a fraction": encoded({"after": 1.5}),
    "after is past any row id": encoded({"after": 2**31}),
    "after overflows 64 bits": encoded({"after": 10**30}),
}


class TestCursorsItDidNotGiveOut:
    @pytest.mark.parametrize("path", ["/api/v1/hr/progress", "/api/v1/hr/certificates"])
    def test_are_a_422_naming_the_cursor(self, client, engine, org, content, path):
        headers = token_for(engine, org.people["hana"])
        answered = {}
        for name, cursor in BAD_CURSORS.items():
            response = client.get(path, params={"cursor": cursor}, headers=headers)
            body = response.json()
            answered[name] = (response.status_code, body.get("error"), body.get("field"))
        wanted = {name: (422, "invalid_input", "cursor") for name in BAD_CURSORS}
        assert answered == wanted

    @pytest.mark.parametrize("path", ["/api/v1/hr/progress", "/api/v1/hr/certificates"])
    def test_an_overlong_one_is_a_422_naming_the_cursor(self, client, engine, org, content, path):
        headers = token_for(engine, org.people["hana"])
        response = client.get(path, params={"cursor": "x" * 201}, headers=headers)
        assert response.status_code == 422
        assert [f["field"] for f in response.json()["fields"]] == ["cursor"]
