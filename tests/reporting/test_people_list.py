"""The people list of a unit: filters, sorting and pagination, and bad filter values
answered with a 422 that names the field, never a 500."""

import re
from datetime import timedelta

import pytest

from app.models.base import utcnow
from tests.reporting import steps
from tests.reporting.conftest import Org

ROW = re.compile(r'<a href="/hr/people/\d+">([^<]+)</a>.*?<span class="status status-(\w+)">', re.S)
PAGE_OF = re.compile(r"Page (\d+) of (\d+)")
CROWD = 52  # with Operations' own four, more than one page of fifty


@pytest.fixture
def crowded(engine, org: Org, content, password_hashes) -> Org:
    """Operations with 56 people. Among the newcomers, by name:

    Crowd 00  certified             Crowd 03  read 4 modules, due in 3 days
    Crowd 01  certificate expiring  Crowd 04  read 8 modules, due in 30 days
    Crowd 02  certificate expired   Crowd 05  read 1 module,  due yesterday
    Ada has read 2 modules; everyone else has not started.
    """
    teams = [org.claims, org.payments]
    people = [
        steps.add_person(engine, f"Crowd {n:02d}", teams[n % 2], password_hashes["ada"])
        for n in range(CROWD)
    ]
    now, today = utcnow(), utcnow().date()
    for person, expires in zip(people[:3], (900, 30, -2), strict=True):
        steps.earn_certificate(engine, person)
        steps.set_certificate_dates(
            engine, person, now - timedelta(days=1000), now + timedelta(days=expires)
        )
    hana = org.people["hana"]
    for person, read, due in ((people[3], 4, 3), (people[4], 8, 30), (people[5], 1, -1)):
        steps.read(engine, person, read)
        on = today + timedelta(days=due)
        steps.assign_people(engine, hana, [person], on, today=min(on, today))
    steps.read(engine, org.people["ada"], 2)
    return org


def listing(client, org: Org, **query: str) -> tuple[list[tuple[str, str]], tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The (name, status) rows shown, and (page, pages)."""
    response = client.get(f"/hr/units/{org.operations.id}/people", params=query)
    assert response.status_code == 200, response.text
    found = PAGE_OF.search(response.text)
    pages = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
    return ROW.findall(response.text), pages


def names(rows: list[tuple[str, str]]) -> list[str]:
    return [name for name, _ in rows]


@pytest.fixture
def hana(signed_in, crowded):  # type: ignore[no-untyped-def]
    return signed_in("hana")


EVERYONE = 4 + CROWD


class TestPagination:
    def test_fifty_people_a_page_and_the_rest_on_the_next(self, hana, crowded):
        first, position = listing(hana, crowded)
        assert (len(first), position) == (50, (1, 2))
        second, position = listing(hana, crowded, page="2")
        assert (len(second), position) == (EVERYONE - 50, (2, 2))
        assert len(set(names(first + second))) == EVERYONE

    def test_a_page_past_the_end_shows_the_last_page(self, hana, crowded):
        rows, position = listing(hana, crowded, page="9")
        assert position == (2, 2)
        assert len(rows) == EVERYONE - 50

    def test_the_pager_keeps_the_filters(self, hana, crowded):
        query = {"q": "crowd", "order": "desc", "sort": "unit"}
        response = hana.get(f"/hr/units/{crowded.operations.id}/people", params=query)
        next_link = re.search(r'rel="next" href="([^"]+)"', response.text)
        assert next_link is not None, "52 people match, so there is a second page"
        assert next_link.group(1).startswith("?page=2&")
        for name, value in query.items():
            assert f"{name}={value}" in next_link.group(1)

    def test_the_total_is_stated(self, hana, crowded):
        response = hana.get(f"/hr/units/{crowded.operations.id}/people")
        assert f"{EVERYONE} people." in response.text


class TestFilters:
    def test_a_status_lists_exactly_the_people_shown_with_it(self, hana, crowded):
        expected = {
            "in_progress": {"Ada Lovelace", "Crowd 03", "Crowd 04", "Crowd 05"},
            "expiring": {"Crowd 01"},
            "expired": {"Crowd 02"},
        }
        for status, people in expected.items():
            rows, _ = listing(hana, crowded, status=status)
            assert set(names(rows)) == people, status
            assert {shown for _, shown in rows} == {status}

    def test_certified_lists_exactly_the_people_shown_as_certified(self, hana, crowded):
        rows, _ = listing(hana, crowded, status="certified")
        assert rows == [("Crowd 00", "certified")]

    def test_not_started_lists_everyone_else(self, hana, crowded):
        first, _ = listing(hana, crowded, status="not_started")
        second, _ = listing(hana, crowded, status="not_started", page="2")
        shown = set(names(first + second))
        assert len(shown) == EVERYONE - 7
        assert {status for _, status in first + second} == {"not_started"}
        assert not shown & {"Ada Lovelace", "Crowd 00", "Crowd 03"}

    def test_due_before_lists_people_due_by_that_date(self, hana, crowded):
        day = (utcnow().date() + timedelta(days=3)).isoformat()
        rows, _ = listing(hana, crowded, due_before=day)
        assert set(names(rows)) == {"Crowd 03", "Crowd 05"}

    def test_due_and_status_combine(self, hana, crowded):
        rows, _ = listing(hana, crowded, due="overdue", status="in_progress")
        assert names(rows) == ["Crowd 05"]

    def test_q_matches_names_and_emails_ignoring_case(self, hana, crowded):
        expected = {
            "LOVELACE": {"Ada Lovelace"},
            "cara@": {"Cara Mendes"},
            "Crowd 0": {f"Crowd 0{n}" for n in range(10)},
            "nobody-by-this-name": set(),
        }
        for q, people in expected.items():
            rows, _ = listing(hana, crowded, q=q)
            assert set(names(rows)) == people, q

    def test_q_takes_wildcard_characters_literally(self, hana, crowded):
        for q in ("%", "_"):
            rows, _ = listing(hana, crowded, q=q)
            assert rows == [], q


class TestSorting:
    def all_rows(self, client, org, **query):  # type: ignore[no-untyped-def]
        rows, (_, pages) = listing(client, org, **query)
        for page in range(2, pages + 1):
            rows += listing(client, org, page=str(page), **query)[0]
        return rows

    def test_by_name_ascending_and_descending(self, hana, crowded):
        ascending = names(self.all_rows(hana, crowded))
        assert ascending == sorted(ascending)
        descending = names(self.all_rows(hana, crowded, order="desc"))
        assert descending == list(reversed(ascending))

    def test_by_progress_descending_puts_the_furthest_first(self, hana, crowded):
        rows = names(self.all_rows(hana, crowded, sort="progress", order="desc"))
        assert rows[:3] == ["Crowd 00", "Crowd 01", "Crowd 02"]  # ten modules each, by id
        assert rows[3:7] == ["Crowd 04", "Crowd 03", "Ada Lovelace", "Crowd 05"]

    def test_by_activity_descending_puts_the_latest_first(self, hana, crowded):
        rows = names(self.all_rows(hana, crowded, sort="activity", order="desc"))
        latest = ["Ada Lovelace", "Crowd 05", "Crowd 04", "Crowd 03"]
        assert rows[:4] == latest

    def test_by_unit_groups_claims_before_payments(self, hana, crowded):
        response = hana.get(
            f"/hr/units/{crowded.operations.id}/people", params={"sort": "unit", "q": "crowd 0"}
        )
        units = re.findall(r"</span></td>\s*<td>(Claims|Payments)</td>", response.text)
        assert units == ["Claims"] * 5 + ["Payments"] * 5

    def test_by_due_date_puts_the_soonest_first(self, hana, crowded):
        rows = names(self.all_rows(hana, crowded, sort="due", q="crowd 0"))
        dated = [name for name in rows if name in {"Crowd 03", "Crowd 04", "Crowd 05"}]
        assert dated == ["Crowd 05", "Crowd 03", "Crowd 04"]

    def test_by_due_date_puts_people_with_none_last(self, hana, crowded):
        rows = names(self.all_rows(hana, crowded, sort="due"))
        assert rows[:3] == ["Crowd 05", "Crowd 03", "Crowd 04"]


BAD_VALUES = [
    ("status", "finished"),
    ("due", "soon"),
    ("due_before", "2026-13-40"),
    ("due_before", "next week"),
    ("sort", "salary"),
    ("order", "sideways"),
    ("page", "0"),
    ("page", "two"),
    ("page", "100001"),
    ("q", "x" * 101),
    ("course", "c" * 81),
]


class TestBadValues:
    def test_are_a_422_naming_the_field(self, signed_in, org, content):
        client = signed_in("hana")
        for field, value in BAD_VALUES:
            response = client.get(f"/hr/units/{org.operations.id}/people", params={field: value})
            assert response.status_code == 422, (field, value, response.status_code)
            assert f"{field}: " in response.text, (field, value)

    def test_an_unknown_course_falls_back_to_the_first(self, signed_in, org, content):
        response = signed_in("hana").get(
            f"/hr/units/{org.operations.id}/people", params={"course": "purple-belt"}
        )
        assert response.status_code == 200
        assert 'value="yellow-belt" selected' in response.text
