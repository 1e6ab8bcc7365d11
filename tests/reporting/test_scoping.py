"""Who sees what on every HR route: Hana (HR, Operations only) gets 404 for anything
outside her scope, Ada (learner) 403, an anonymous visitor is sent to sign in, and Omar
(admin) sees the whole organisation. Exports and API lists hold only people in view.

The route table is walked, so a new HR route without a probe here fails the suite.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.accounts.service import create_api_token
from app.models import Assignment, User
from app.models.base import utcnow
from app.org import scope
from tests.conftest import post_form, sign_in
from tests.reporting import steps
from tests.reporting.conftest import Org

HR_PREFIXES = ("/hr", "/api/v1/hr")
NOT_ALLOWED = "Your role does not give access to this page."


@dataclass(frozen=True)
class World:
    """The org fixture's people, a certificate each for Ada and Ben, and four assignments:
    to Operations and to Cara (inside Hana's view), to Finance and to Ben (outside it)."""

    org: Org
    ids: dict[str, object]

    def url(self, template: str) -> str:
        return template.format(**self.ids)


@pytest.fixture
def world(engine, org: Org, content) -> World:
    people = org.people
    ada_certificate = steps.earn_certificate(engine, people["ada"])
    ben_certificate = steps.earn_certificate(engine, people["ben"])
    steps.read(engine, people["cara"], 2)
    due = utcnow().date() + timedelta(days=30)
    operations = steps.assign_unit(engine, people["hana"], org.operations, due)
    finance = steps.assign_unit(engine, people["omar"], org.finance, due)
    (for_ben,) = steps.assign_people(engine, people["omar"], [people["ben"]], due)
    (for_cara,) = steps.assign_people(engine, people["hana"], [people["cara"]], due)
    ids = {
        "northwind": org.northwind.id,
        "operations": org.operations.id,
        "claims": org.claims.id,
        "payments": org.payments.id,
        "finance": org.finance.id,
        "ledger": org.ledger.id,
        **{key: person.id for key, person in people.items()},
        "ada_certificate": ada_certificate.id,
        "ben_certificate": ben_certificate.id,
        "operations_assignment": operations.id,
        "finance_assignment": finance.id,
        "ben_assignment": for_ben.id,
        "cara_assignment": for_cara.id,
        "due": due.isoformat(),
    }
    return World(org, ids)


@dataclass(frozen=True)
class Probe:
    """One way of calling a route: at something in Hana's view (`inside`) and, where the
    route names an object or a unit, at something outside it (`outside`)."""

    method: str
    route: str
    inside: str
    outside: str | None = None
    form: tuple[tuple[str, str], ...] = ()

    @property
    def is_api(self) -> bool:
        return self.route.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.route}"


PROBES = [
    Probe("GET", "/hr", "/hr"),
    Probe("GET", "/hr/units", "/hr/units"),
    Probe("GET", "/hr/units/{unit_id}", "/hr/units/{operations}", "/hr/units/{finance}"),
    Probe("GET", "/hr/units/{unit_id}", "/hr/units/{claims}", "/hr/units/{ledger}"),
    Probe("GET", "/hr/units/{unit_id}", "/hr/units/{payments}", "/hr/units/{northwind}"),
    Probe(
        "GET",
        "/hr/units/{unit_id}/people",
        "/hr/units/{operations}/people",
        "/hr/units/{ledger}/people",
    ),
    Probe("GET", "/hr/people/{user_id}", "/hr/people/{ada}", "/hr/people/{ben}"),
    Probe("GET", "/hr/people/{user_id}", "/hr/people/{cara}", "/hr/people/{hana}"),
    Probe(
        "GET",
        "/hr/exports/progress.csv",
        "/hr/exports/progress.csv?unit={claims}",
        "/hr/exports/progress.csv?unit={ledger}",
    ),
    Probe(
        "GET",
        "/hr/exports/certificates.csv",
        "/hr/exports/certificates.csv?unit={operations}",
        "/hr/exports/certificates.csv?unit={finance}",
    ),
    Probe(
        "GET", "/hr/assignments", "/hr/assignments?unit={claims}", "/hr/assignments?unit={finance}"
    ),
    Probe(
        "POST",
        "/hr/assignments",
        "/hr/assignments",
        form=(("course", "yellow-belt"), ("unit", "{claims}"), ("due_on", "{due}")),
    ),
    Probe(
        "POST",
        "/hr/assignments/{assignment_id}/withdraw",
        "/hr/assignments/{operations_assignment}/withdraw",
        "/hr/assignments/{finance_assignment}/withdraw",
        form=(("confirm", "yes"),),
    ),
    Probe(
        "POST",
        "/hr/assignments/{assignment_id}/withdraw",
        "/hr/assignments/{cara_assignment}/withdraw",
        "/hr/assignments/{ben_assignment}/withdraw",
        form=(("confirm", "yes"),),
    ),
    Probe(
        "GET",
        "/api/v1/hr/units/{unit_id}",
        "/api/v1/hr/units/{operations}",
        "/api/v1/hr/units/{finance}",
    ),
    Probe(
        "GET",
        "/api/v1/hr/progress",
        "/api/v1/hr/progress?unit_id={claims}",
        "/api/v1/hr/progress?unit_id={ledger}",
    ),
    Probe(
        "GET",
        "/api/v1/hr/certificates",
        "/api/v1/hr/certificates?unit_id={operations}",
        "/api/v1/hr/certificates?unit_id={ledger}",
    ),
    Probe(
        "GET",
        "/certificates/{certificate_id}.pdf",
        "/certificates/{ada_certificate}.pdf",
        "/certificates/{ben_certificate}.pdf",
    ),
    Probe(
        "GET",
        "/certificates/{certificate_id}.jwt",
        "/certificates/{ada_certificate}.jwt",
        "/certificates/{ben_certificate}.jwt",
    ),
]
HR_PROBES = [p for p in PROBES if p.route.startswith(HR_PREFIXES)]
OUTSIDE = [p for p in PROBES if p.outside]


def call(client: TestClient, world: World, probe: Probe, url: str, page: str = "/account"):  # type: ignore[no-untyped-def]
    """Request the probe's URL; a form is posted with a CSRF token taken from `page`."""
    if probe.method == "GET":
        return client.get(world.url(url), follow_redirects=False)
    form = {name: world.url(value) for name, value in probe.form}
    return post_form(client, page, world.url(url), form)


def assignment_count(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(Assignment)).one()


@pytest.fixture
def as_(new_client, cast):  # type: ignore[no-untyped-def]
    """A browser signed in as one of the cast: `as_("hana")`."""

    def make(key: str) -> TestClient:
        client = new_client()
        sign_in(client, key)
        return client

    return make


class TestTheRouteTable:
    def test_every_hr_route_has_a_probe(self, app):
        declared = {
            (method, context.path)
            for context in iter_route_contexts(app.routes)
            for method in (context.methods or ())
            if method != "HEAD" and context.path.startswith(HR_PREFIXES)
        }
        probed = {(p.method, p.route) for p in HR_PROBES}
        assert declared - probed == set(), "HR routes without a scoping probe"
        assert probed - declared == set(), "probes for routes that no longer exist"

    def test_every_route_that_names_an_object_is_probed_outside_the_scope(self):
        named = {(p.method, p.route) for p in HR_PROBES if "{" in p.route}
        assert named <= {(p.method, p.route) for p in OUTSIDE}


def answers(
    client: TestClient, world: World, probes, outside: bool = False, page: str = "/account"
):  # type: ignore[no-untyped-def]
    """Call each probe in turn, at its inside or its outside URL: {"METHOD url": response}."""
    responses = {}
    for probe in probes:
        url = probe.outside if outside else probe.inside
        responses[f"{probe.method} {url}"] = call(client, world, probe, url, page)
    assert len(responses) == len(probes), "two probes call the same URL"
    return responses


def named(probe: Probe, outside: bool = False) -> str:
    return f"{probe.method} {probe.outside if outside else probe.inside}"


def unexpected(responses, expected: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The probes that did not answer `expected`, with what they answered instead."""
    return {name: r.status_code for name, r in responses.items() if r.status_code != expected}


class TestAnonymousVisitors:
    def test_are_sent_to_sign_in_from_every_page(self, client, engine, world):
        pages = [p for p in PROBES if not p.is_api]
        responses = answers(client, world, pages, page="/sign-in")
        assert unexpected(responses, 303) == {}
        for probe in pages:
            path = world.url(probe.inside).split("?")[0]
            location = responses[named(probe)].headers["location"]
            assert location.startswith(f"/sign-in?next={path}"), probe
        assert assignment_count(engine) == 4

    def test_get_a_401_from_the_api(self, client, world):
        responses = answers(client, world, [p for p in PROBES if p.is_api])
        assert unexpected(responses, 401) == {}
        assert {r.json()["error"] for r in responses.values()} == {"not_authenticated"}


class TestALearner:
    def test_gets_403_on_every_hr_route(self, as_, engine, world):
        responses = answers(as_("ada"), world, HR_PROBES)
        assert unexpected(responses, 403) == {}
        for probe in HR_PROBES:
            response = responses[named(probe)]
            if probe.is_api:
                assert response.json()["error"] == "permission_denied"
            else:
                assert NOT_ALLOWED in response.text
        assert assignment_count(engine) == 4

    def test_gets_a_403_with_her_api_token_too(self, client, engine, world):
        headers = {"Authorization": f"Bearer {api_token(engine, world.org.people['ada'])}"}
        for path in ("/api/v1/hr/progress", "/api/v1/hr/certificates"):
            assert client.get(path, headers=headers).status_code == 403

    def test_gets_her_own_certificate_and_a_404_on_bens(self, as_, world):
        ada = as_("ada")
        for suffix in ("pdf", "jwt"):
            own = ada.get(world.url(f"/certificates/{{ada_certificate}}.{suffix}"))
            assert own.status_code == 200
            bens = ada.get(world.url(f"/certificates/{{ben_certificate}}.{suffix}"))
            assert bens.status_code == 404


class TestHanaOutsideHerScope:
    def test_gets_a_404_as_if_nothing_were_there(self, as_, engine, world):
        responses = answers(as_("hana"), world, OUTSIDE, outside=True)
        assert unexpected(responses, 404) == {}
        for probe in OUTSIDE:
            response = responses[named(probe, outside=True)]
            if probe.is_api:
                assert response.json()["error"] == "not_found"
            assert "Ben Okri" not in response.text and "Ledger" not in response.text
        assert assignment_count(engine) == 4

    def test_cannot_assign_a_course_to_a_unit_outside(self, as_, engine, world):
        form = {
            "course": "yellow-belt",
            "unit": str(world.org.finance.id),
            "due_on": world.ids["due"],
        }
        response = post_form(as_("hana"), "/hr/assignments", "/hr/assignments", form)
        assert response.status_code == 422
        assert "There is no such unit." in response.text
        assert assignment_count(engine) == 4

    def test_cannot_assign_a_course_to_ben_by_email(self, as_, engine, world):
        form = {"course": "yellow-belt", "people": "ben@example.com", "due_on": world.ids["due"]}
        response = post_form(as_("hana"), "/hr/assignments", "/hr/assignments", form)
        assert response.status_code == 422
        assert "No one in your organisation has the email ben@example.com." in response.text
        assert assignment_count(engine) == 4


class TestHanaInsideHerScope:
    def test_is_served_on_every_route(self, as_, engine, world):
        responses = answers(as_("hana"), world, PROBES)
        redirects = {named(p) for p in PROBES if p.method == "POST" or p.inside == "/hr"}
        assert unexpected({k: r for k, r in responses.items() if k in redirects}, 303) == {}
        assert unexpected({k: r for k, r in responses.items() if k not in redirects}, 200) == {}
        assert assignment_count(engine) == 4 + 1 - 2  # one assigned, two withdrawn

    def test_starts_at_operations(self, as_, world):
        response = as_("hana").get("/hr", follow_redirects=False)
        assert response.headers["location"] == f"/hr/units/{world.org.operations.id}"

    def test_the_units_page_offers_operations_alone(self, as_, world):
        page = as_("hana").get("/hr/units").text
        assert f'href="/hr/units/{world.org.operations.id}"' in page
        for unit in (world.org.northwind, world.org.finance, world.org.ledger):
            assert f'href="/hr/units/{unit.id}"' not in page

    def test_the_dashboard_shows_operations_units_and_no_others(self, as_, world):
        page = as_("hana").get(f"/hr/units/{world.org.operations.id}").text
        assert "Claims" in page and "Payments" in page
        assert "Ledger" not in page and "Finance" not in page
        # The breadcrumb does not offer Northwind, which is above her scope.
        assert f'href="/hr/units/{world.org.northwind.id}"' not in page

    def test_the_people_list_holds_operations_people_only(self, as_, world):
        page = as_("hana").get(f"/hr/units/{world.org.operations.id}/people").text
        for name in ("Ada Lovelace", "Ines Ibarra", "Cara Mendes", "Dev Patel"):
            assert name in page
        for name in ("Ben Okri", "Omar Okafor"):
            assert name not in page

    def test_the_progress_export_holds_operations_people_only(self, as_, world):
        rows = read_csv(as_("hana").get("/hr/exports/progress.csv"))
        assert {row["email"] for row in rows} == OPERATIONS_EMAILS

    def test_the_certificate_export_holds_adas_certificate_only(self, as_, engine, world):
        rows = read_csv(as_("hana").get("/hr/exports/certificates.csv"))
        assert [row["email"] for row in rows] == ["ada@example.com"]

    def test_the_api_lists_operations_people_and_certificates_only(self, client, engine, world):
        token = api_token(engine, world.org.people["hana"])
        headers = {"Authorization": f"Bearer {token}"}
        progress = client.get("/api/v1/hr/progress", headers=headers).json()
        assert {item["email"] for item in progress["items"]} == OPERATIONS_EMAILS
        certificates = client.get("/api/v1/hr/certificates", headers=headers).json()
        assert [item["email"] for item in certificates["items"]] == ["ada@example.com"]
        report = client.get(f"/api/v1/hr/units/{world.org.operations.id}", headers=headers)
        assert [row["name"] for row in report.json()["children"]] == ["Claims", "Payments"]

    def test_the_assignments_page_lists_operations_assignments_only(self, as_, world):
        page = as_("hana").get("/hr/assignments").text
        assert f"/hr/assignments/{world.ids['operations_assignment']}/withdraw" in page
        for other in ("finance_assignment", "ben_assignment"):
            assert f"/hr/assignments/{world.ids[other]}/withdraw" not in page
        units_offered = re.findall(r'<option value="(\d+)"', page)
        assert str(world.org.ledger.id) not in units_offered
        assert str(world.org.claims.id) in units_offered

    @pytest.mark.parametrize("suffix", ["pdf", "jwt"])
    def test_downloads_adas_certificate(self, as_, world, suffix):
        response = as_("hana").get(world.url(f"/certificates/{{ada_certificate}}.{suffix}"))
        assert response.status_code == 200
        assert "attachment" in response.headers["content-disposition"]


class TestOmarTheAdmin:
    def test_sees_what_hana_cannot(self, as_, engine, world):
        responses = answers(as_("omar"), world, OUTSIDE, outside=True)
        posts = {named(p, outside=True) for p in OUTSIDE if p.method == "POST"}
        assert unexpected({k: r for k, r in responses.items() if k in posts}, 303) == {}
        assert unexpected({k: r for k, r in responses.items() if k not in posts}, 200) == {}
        assert assignment_count(engine) == 2  # he withdrew Finance's and Ben's

    def test_starts_at_the_top_of_the_organisation(self, as_, world):
        response = as_("omar").get("/hr", follow_redirects=False)
        assert response.headers["location"] == f"/hr/units/{world.org.northwind.id}"

    def test_exports_everyone_placed_and_every_certificate(self, as_, world):
        omar = as_("omar")
        rows = read_csv(omar.get("/hr/exports/progress.csv"))
        placed = {p.email for p in world.org.people.values() if p.org_unit_id is not None}
        assert {row["email"] for row in rows} == placed
        certificates = read_csv(omar.get("/hr/exports/certificates.csv"))
        assert {row["email"] for row in certificates} == {"ada@example.com", "ben@example.com"}


class TestAnHrUserWithNoScope:
    @pytest.fixture
    def unscoped(self, engine, world, as_) -> TestClient:  # type: ignore[no-untyped-def]
        with steps.unit_of_work(engine) as db:
            hana = db.get(User, world.org.people["hana"].id)
            scope.set_scopes(db, hana, [])  # type: ignore[arg-type]
        return as_("hana")

    def test_is_told_that_no_units_are_in_view(self, unscoped):
        assert unscoped.get("/hr", follow_redirects=False).headers["location"] == "/hr/units"
        page = unscoped.get("/hr/units")
        assert page.status_code == 200
        assert "No units are in your view yet." in page.text

    def test_gets_a_404_for_any_unit_person_or_certificate(self, unscoped, world, engine):
        named = [p for p in PROBES if "{" in p.route]
        assert unexpected(answers(unscoped, world, named), 404) == {}
        assert assignment_count(engine) == 4

    def test_exports_and_api_lists_are_empty(self, unscoped, world):
        assert read_csv(unscoped.get("/hr/exports/progress.csv")) == []
        assert read_csv(unscoped.get("/hr/exports/certificates.csv")) == []
        for path in ("/api/v1/hr/progress", "/api/v1/hr/certificates"):
            assert unscoped.get(path).json() == {"items": [], "next_cursor": None}

    def test_sees_no_assignments(self, unscoped, world):
        page = unscoped.get("/hr/assignments").text
        assert "No courses are assigned yet." in page
        assert "/withdraw" not in page


OPERATIONS_EMAILS = {"ada@example.com", "ines@example.com", "cara@example.com", "dev@example.com"}


def read_csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def api_token(engine, user: User) -> str:  # type: ignore[no-untyped-def]
    with steps.unit_of_work(engine) as db:
        _, plain = create_api_token(db, db.get(User, user.id), "HR system")  # type: ignore[arg-type]
    return plain


class TestAnHrUserWithTwoScopes:
    def test_sees_both_subtrees_and_nothing_between_them(self, engine, world, as_):
        org = world.org
        with steps.unit_of_work(engine) as db:
            hana = db.get(User, org.people["hana"].id)
            scope.set_scopes(db, hana, [org.claims, org.ledger])  # type: ignore[arg-type]
        client = as_("hana")
        assert client.get("/hr", follow_redirects=False).headers["location"] == "/hr/units"
        page = client.get("/hr/units").text
        assert f'href="/hr/units/{org.claims.id}"' in page
        assert f'href="/hr/units/{org.ledger.id}"' in page
        for unit, status in (
            (org.claims, 200),
            (org.ledger, 200),
            (org.payments, 404),
            (org.operations, 404),
            (org.finance, 404),
        ):
            assert client.get(f"/hr/units/{unit.id}").status_code == status, unit.name
        rows = read_csv(client.get("/hr/exports/progress.csv"))
        expected = {"ada", "ines", "ben", "hana", "omar"}
        assert {row["email"] for row in rows} == {f"{key}@example.com" for key in expected}

    def test_a_scope_inside_another_adds_nothing(self, engine, world, as_):
        org = world.org
        with steps.unit_of_work(engine) as db:
            hana = db.get(User, org.people["hana"].id)
            scope.set_scopes(db, hana, [org.operations, org.claims])  # type: ignore[arg-type]
        client = as_("hana")
        response = client.get("/hr", follow_redirects=False)
        assert response.headers["location"] == f"/hr/units/{org.operations.id}"
        rows = read_csv(client.get("/hr/exports/progress.csv"))
        courses = {row["course"] for row in rows}
        assert len(rows) == len(OPERATIONS_EMAILS) * len(courses)  # one row per person and course
