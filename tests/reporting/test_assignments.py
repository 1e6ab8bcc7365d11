"""Assigning courses with due dates: who an assignment reaches, which date wins, what
withdrawing leaves, how each assignment stands, and what the learner sees."""

import re
from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from app.models import Assignment, CourseStanding, User
from app.models.base import utcnow
from tests.conftest import post_form
from tests.reporting import steps
from tests.reporting.conftest import Org

FIELD_ERROR = re.compile(
    r'<div class="field has-error"><label for="(\w+)">.*?<p class="field-error">([^<]+)</p>',
    re.S,
)


def in_days(days: int) -> date:
    return utcnow().date() + timedelta(days=days)


def due_dates(engine, org: Org) -> dict[str, date | None]:  # type: ignore[no-untyped-def]
    """Each person's Yellow Belt due date, by their key in the org fixture."""
    with Session(engine) as db:
        standings = {
            s.user_id: s.due_on
            for s in db.exec(select(CourseStanding).where(col(CourseStanding.due_on).is_not(None)))
        }
    return {key: standings.get(person.id) for key, person in org.people.items()}


def field_errors(html: str) -> dict[str, str]:
    return dict(FIELD_ERROR.findall(html))


def assign(client, **form: str):  # type: ignore[no-untyped-def]
    """Post the assignment form as Hana would fill it in."""
    data = {"course": "yellow-belt", **form}
    return post_form(client, "/hr/assignments", "/hr/assignments", data)


def assignments(engine) -> list[Assignment]:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        return list(db.exec(select(Assignment).order_by(col(Assignment.id))))


@pytest.fixture
def hana(signed_in, org: Org, content):  # type: ignore[no-untyped-def]
    return signed_in("hana")


class TestWhoAnAssignmentReaches:
    def test_a_unit_assignment_reaches_everyone_below_the_unit(self, hana, engine, org):
        response = assign(hana, unit=str(org.operations.id), due_on=in_days(30).isoformat())
        assert response.status_code == 303, response.text
        assert due_dates(engine, org) == {
            "ada": in_days(30),
            "ines": in_days(30),
            "cara": in_days(30),
            "dev": in_days(30),
            "ben": None,
            "hana": None,
            "omar": None,
            "ivo": None,  # in no unit
        }

    def test_it_does_not_reach_the_units_siblings(self, hana, engine, org):
        assign(hana, unit=str(org.claims.id), due_on=in_days(30).isoformat())
        reached = {key for key, due in due_dates(engine, org).items() if due}
        assert reached == {"ada", "ines"}

    def test_people_listed_by_email_are_reached_alone(self, hana, engine, org):
        response = assign(
            hana, people="cara@example.com\nDEV@example.com ", due_on=in_days(9).isoformat()
        )
        assert response.status_code == 303, response.text
        reached = {key for key, due in due_dates(engine, org).items() if due}
        assert reached == {"cara", "dev"}

    def test_someone_who_moves_into_the_unit_later_gets_it(self, hana, engine, org):
        assign(hana, unit=str(org.claims.id), due_on=in_days(30).isoformat())
        steps.move(engine, org.people["dev"], org.claims)
        assert due_dates(engine, org)["dev"] == in_days(30)

    def test_someone_who_joins_the_unit_later_gets_it(self, hana, engine, org, password_hashes):
        assign(hana, unit=str(org.operations.id), due_on=in_days(30).isoformat())
        newcomer = steps.add_person(engine, "Nell Newcomer", org.payments, password_hashes["ada"])
        with Session(engine) as db:
            standing = db.exec(
                select(CourseStanding).where(CourseStanding.user_id == newcomer.id)
            ).one()
        assert standing.due_on == in_days(30)

    def test_someone_who_leaves_the_unit_loses_it(self, hana, engine, org):
        assign(hana, unit=str(org.claims.id), due_on=in_days(30).isoformat())
        steps.move(engine, org.people["ada"], org.payments)
        assert due_dates(engine, org)["ada"] is None
        assert steps.drift(engine) == []


class TestWhichDueDateWins:
    def test_the_earliest_of_the_assignments_reaching_someone(self, hana, engine, org):
        assign(hana, unit=str(org.operations.id), due_on=in_days(60).isoformat())
        assign(hana, unit=str(org.claims.id), due_on=in_days(30).isoformat())
        dates = due_dates(engine, org)
        assert (dates["ada"], dates["ines"]) == (in_days(30), in_days(30))
        assert (dates["cara"], dates["dev"]) == (in_days(60), in_days(60))

    def test_a_later_date_does_not_push_an_earlier_one_back(self, hana, engine, org):
        assign(hana, unit=str(org.claims.id), due_on=in_days(30).isoformat())
        assign(hana, unit=str(org.operations.id), due_on=in_days(90).isoformat())
        assign(hana, people="ada@example.com", due_on=in_days(45).isoformat())
        assert due_dates(engine, org)["ada"] == in_days(30)

    def test_a_personal_assignment_can_be_the_earliest(self, hana, engine, org):
        assign(hana, unit=str(org.operations.id), due_on=in_days(60).isoformat())
        assign(hana, people="cara@example.com", due_on=in_days(10).isoformat())
        dates = due_dates(engine, org)
        assert (dates["cara"], dates["dev"]) == (in_days(10), in_days(60))


class TestWithdrawing:
    def withdraw(self, client, assignment: Assignment, confirm: bool = True):  # type: ignore[no-untyped-def]
        form = {"confirm": "yes"} if confirm else {}
        url = f"/hr/assignments/{assignment.id}/withdraw"
        return post_form(client, "/hr/assignments", url, form)

    def test_restores_the_date_the_other_assignment_gives(self, hana, engine, org):
        assign(hana, unit=str(org.operations.id), due_on=in_days(60).isoformat())
        assign(hana, unit=str(org.claims.id), due_on=in_days(30).isoformat())
        claims = assignments(engine)[1]
        response = self.withdraw(hana, claims)
        assert response.status_code == 303, response.text
        dates = due_dates(engine, org)
        assert (dates["ada"], dates["ines"], dates["cara"]) == (in_days(60),) * 3

    def test_the_last_one_withdrawn_leaves_no_due_date(self, hana, engine, org):
        assign(hana, unit=str(org.operations.id), due_on=in_days(60).isoformat())
        assign(hana, people="ada@example.com", due_on=in_days(20).isoformat())
        for assignment in assignments(engine):
            assert self.withdraw(hana, assignment).status_code == 303
        assert set(due_dates(engine, org).values()) == {None}
        assert steps.drift(engine) == []

    def test_a_personal_assignment_withdrawn_gives_way_to_the_units(self, hana, engine, org):
        assign(hana, unit=str(org.operations.id), due_on=in_days(60).isoformat())
        assign(hana, people="ada@example.com", due_on=in_days(20).isoformat())
        self.withdraw(hana, assignments(engine)[1])
        assert due_dates(engine, org)["ada"] == in_days(60)

    def test_without_the_confirm_box_it_is_refused_and_nothing_changes(self, hana, engine, org):
        assign(hana, unit=str(org.claims.id), due_on=in_days(30).isoformat())
        response = self.withdraw(hana, assignments(engine)[0], confirm=False)
        assert response.status_code == 422
        assert "Tick the box to confirm the withdrawal." in response.text
        assert len(assignments(engine)) == 1
        assert due_dates(engine, org)["ada"] == in_days(30)


class TestTheForm:
    def test_without_a_certifying_course_it_says_there_is_nothing_to_assign(self, signed_in, org):
        page = signed_in("hana").get("/hr/assignments").text
        assert "nothing to assign" in page
        assert 'action="/hr/assignments"' not in page

    def test_a_due_date_in_the_past_is_refused_naming_the_field(self, hana, engine, org):
        response = assign(hana, unit=str(org.claims.id), due_on=in_days(-1).isoformat())
        assert response.status_code == 422
        assert field_errors(response.text) == {"due_on": "The due date is in the past."}
        assert assignments(engine) == []

    def test_today_is_accepted(self, hana, engine, org):
        response = assign(hana, unit=str(org.claims.id), due_on=in_days(0).isoformat())
        assert response.status_code == 303

    def test_an_unreadable_date_is_refused_naming_the_field(self, hana, engine, org):
        for due_on in ("31/12/2030", "", "2030-02-30", "tomorrow"):
            response = assign(hana, unit=str(org.claims.id), due_on=due_on)
            assert response.status_code == 422, due_on
            assert field_errors(response.text) == {"due_on": "Give the due date as YYYY-MM-DD."}
        assert assignments(engine) == []

    def test_a_date_more_than_five_years_away_is_refused(self, hana, engine, org):
        response = assign(hana, unit=str(org.claims.id), due_on=in_days(6 * 365).isoformat())
        assert response.status_code == 422
        assert list(field_errors(response.text)) == ["due_on"]

    def test_what_was_entered_is_kept_on_the_page(self, hana, org):
        response = assign(hana, people="cara@example.com", due_on="31/12/2030")
        assert "cara@example.com</textarea>" in response.text
        assert 'value="31/12/2030"' in response.text

    def test_an_email_outside_the_scope_refuses_the_whole_list(self, hana, engine, org):
        response = assign(
            hana, people="ada@example.com\nben@example.com", due_on=in_days(9).isoformat()
        )
        assert response.status_code == 422
        assert field_errors(response.text) == {
            "people": "No one in your organisation has the email ben@example.com."
        }
        assert assignments(engine) == []
        assert due_dates(engine, org)["ada"] is None

    def test_an_unknown_email_is_refused(self, hana, engine, org):
        response = assign(hana, people="nobody@example.com", due_on=in_days(9).isoformat())
        assert response.status_code == 422
        assert list(field_errors(response.text)) == ["people"]

    def test_neither_unit_nor_people_is_refused_naming_the_unit(self, hana, engine, org):
        response = assign(hana, due_on=in_days(9).isoformat())
        assert response.status_code == 422
        assert field_errors(response.text) == {"unit": "Choose a unit, or list people by email."}

    def test_an_unknown_course_is_refused_naming_the_field(self, hana, engine, org):
        response = assign(
            hana, course="purple-belt", unit=str(org.claims.id), due_on=in_days(9).isoformat()
        )
        assert response.status_code == 422
        assert list(field_errors(response.text)) == ["course"]


# How an assignment stands: one person per boundary, all in Payments.
# (days until due, modules read, certificate) → expected status
CASES = {
    "Fifteen Days Nothing Read": (15, 0, None, "on_track"),
    "Fourteen Days Nothing Read": (14, 0, None, "at_risk"),
    "Due Today Nothing Read": (0, 0, None, "at_risk"),
    "Due Yesterday": (-1, 0, None, "overdue"),
    "Three Days Six Read": (3, 6, None, "on_track"),  # 6 of 11 steps: over half done
    "Three Days Five Read": (3, 5, None, "at_risk"),  # 5 of 11: under half
    "Certified Past Due": (-1, 10, "valid", "done"),
    "Expiring Past Due": (-1, 10, "expiring", "done"),
    "Expired Past Due": (-1, 10, "expired", "overdue"),
    "Expired Due Soon": (20, 10, "expired", "on_track"),
}
LIST_ROW = re.compile(
    r'<a href="/hr/people/\d+">([^<]+)</a>.*?'  # the name, then the row's last cell:
    r'<td>(?:<span class="due due-\w+">([^<]+)</span>|—)</td>\s*</tr>',
    re.S,
)
LABELS = {"on_track": "On track", "at_risk": "At risk", "overdue": "Overdue", "done": "Done"}


@pytest.fixture
def boundaries(engine, org: Org, content, password_hashes) -> dict[str, User]:
    people = {}
    now = utcnow()
    for name, (days, read, certificate, _) in CASES.items():
        person = steps.add_person(engine, name, org.payments, password_hashes["ada"])
        people[name] = person
        if certificate:
            steps.earn_certificate(engine, person)
            expires = {"valid": 900, "expiring": 30, "expired": -2}[certificate]
            steps.set_certificate_dates(
                engine, person, now - timedelta(days=1000), now + timedelta(days=expires)
            )
        elif read:
            steps.read(engine, person, read)
        due = in_days(days)
        steps.assign_people(engine, org.people["hana"], [person], due, today=min(due, in_days(0)))
    return people


def listed(client, org: Org, due: str = "") -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Name → assignment label on the people list of Payments (optionally filtered)."""
    url = f"/hr/units/{org.payments.id}/people" + (f"?due={due}" if due else "")
    response = client.get(url)
    assert response.status_code == 200, response.text
    return dict(LIST_ROW.findall(response.text))


class TestHowAnAssignmentStands:
    def test_each_person_shows_the_status_of_their_boundary(self, signed_in, org, boundaries):
        shown = listed(signed_in("hana"), org)
        for name, (*_, expected) in CASES.items():
            assert shown[name] == LABELS[expected], name

    def test_the_filter_lists_exactly_the_people_with_that_status(self, signed_in, org, boundaries):
        client = signed_in("hana")
        for status, label in LABELS.items():
            shown = listed(client, org, due=status)
            expected = {name for name, (*_, wanted) in CASES.items() if wanted == status}
            assert set(shown) == expected, status
            assert set(shown.values()) == {label}


class TestTheLearnersOwnPage:
    def test_shows_what_is_assigned_to_her_with_its_status(self, signed_in, engine, org, content):
        steps.read(engine, org.people["ada"], 2)
        steps.assign_unit(engine, org.people["hana"], org.claims, in_days(5))
        section = assigned_section(signed_in("ada").get("/").text)
        assert 'href="/courses/yellow-belt"' in section
        assert '<span class="due due-at_risk">At risk</span>' in section
        assert f"due {in_days(5).strftime('%-d %b %Y')} · 18% done" in section

    def test_shows_done_once_she_is_certified(self, signed_in, engine, org, content):
        steps.assign_unit(engine, org.people["hana"], org.claims, in_days(5))
        steps.earn_certificate(engine, org.people["ada"])
        section = assigned_section(signed_in("ada").get("/").text)
        assert '<span class="due due-done">Done</span>' in section
        assert "100% done" in section

    def test_someone_with_nothing_assigned_sees_no_section(self, signed_in, engine, org, content):
        steps.assign_unit(engine, org.people["hana"], org.claims, in_days(5))
        assert "Assigned to you" not in signed_in("ben").get("/").text


def assigned_section(page: str) -> str:
    assert "Assigned to you" in page
    return page.split("Assigned to you")[1].split("</section>")[0]
