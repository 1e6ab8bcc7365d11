"""CSRF: every state-changing route refuses a request without this site's token or from
another site, and changes nothing; GET routes never change state."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from tests.conftest import csrf_from, person
from tests.security.conftest import (
    World,
    declared_routes,
    fill_path,
    route_table,
    signed_in_as,
    snapshot,
)

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
WRONG_TOKEN = "0" * 40
EVIL = "https://evil.example"
REFUSED_TOKEN = "Your form has expired or was not sent from this site."
REFUSED_ORIGIN = "This request came from another site and was refused."


@dataclass(frozen=True)
class Case:
    """How to make one state-changing request that would succeed with a valid token."""

    who: str
    path_params: Callable[[World], dict[str, object]] = lambda world: {}
    data: dict[str, str] = field(default_factory=dict)
    succeeds_with: int = 303


CASES: dict[tuple[str, str], Case] = {
    ("POST", "/sign-in"): Case(
        "ada", data={"email": "ada@example.com", "password": person("ada").password}
    ),
    ("POST", "/register"): Case(
        "ada",
        data={"name": "Grace Hopper", "email": "grace@example.com", "password": "no-bugs-here"},
    ),
    ("POST", "/sign-out"): Case("ada"),
    ("POST", "/account/password"): Case(
        "ada",
        data={"current_password": person("ada").password, "new_password": "a-new-passphrase"},
        succeeds_with=200,
    ),
    ("POST", "/account/tokens"): Case("ada", data={"name": "another"}, succeeds_with=200),
    ("POST", "/account/tokens/{token_id}/revoke"): Case(
        "ada", lambda world: {"token_id": world.ada_token_id}
    ),
    ("POST", "/account/sign-out-everywhere"): Case("ada"),
    ("POST", "/admin/users/{user_id}/disable"): Case(
        "omar", lambda world: {"user_id": world.ben_id}
    ),
    ("POST", "/admin/users/{user_id}/enable"): Case(
        "omar", lambda world: {"user_id": world.disabled_id}
    ),
    ("POST", "/courses/{slug}/enrol"): Case("ada", lambda world: {"slug": world.course_slug}),
    ("POST", "/courses/{slug}/{module_slug}/read"): Case(
        "ada", lambda world: {"slug": world.course_slug, "module_slug": world.module_slug}
    ),
    ("POST", "/teach/{course_slug}/modules/{module_slug}/draft"): Case(
        "ines",
        data={
            "title": "Craft, mass and lean",
            "minutes": "30",
            "objectives": "Tell craft, mass and lean production apart",
            "body": "A draft that a forged request must never save.",
        },
    ),
}
STATE_CHANGING_ROUTES = [
    (r.method, r.path) for r in declared_routes() if r.method in STATE_CHANGING
]


def test_the_walk_finds_every_state_changing_route_described_here():
    """The tests below walk the live route table; a described route that it no longer
    finds (renamed, removed) would otherwise go untested unnoticed."""
    assert set(CASES) <= set(STATE_CHANGING_ROUTES)


# Who may use a route that is not described above, by where it lives: the refusals then
# come from the CSRF check itself, not from a role that could not have done it anyway.
OWNER_BY_PREFIX = {"/admin": "omar", "/teach": "ines", "/review": "ines", "/hr": "hana"}


def case_for(route: tuple[str, str]) -> Case:
    """The described case, or for a route not described here: whoever its area is for."""
    if route in CASES:
        return CASES[route]
    owners = (who for prefix, who in OWNER_BY_PREFIX.items() if route[1].startswith(prefix))
    return Case(next(owners, "ada"))


def prepare(route: tuple[str, str], world: World, client_for) -> tuple[TestClient, str, Case]:  # type: ignore[no-untyped-def]
    case = case_for(route)
    client = client_for(case.who)
    params = case.path_params(world)
    url = route[1].format(**params) if params else fill_path(route[1], world)
    return client, url, case


def send(client: TestClient, method: str, url: str, data: dict[str, str], **headers: str):  # type: ignore[no-untyped-def]
    return client.request(method, url, data=data, headers=headers, follow_redirects=False)


class TestRefusingStateChangesWithoutAValidToken:
    @pytest.fixture(autouse=True)
    def staff(self, teaching: None) -> None:
        """Ines teaches the course, so the instructors' routes reach their work."""

    @pytest.fixture(params=STATE_CHANGING_ROUTES, ids=[" ".join(r) for r in STATE_CHANGING_ROUTES])
    def route(self, request: pytest.FixtureRequest) -> tuple[str, str]:
        return request.param

    def assert_refused(self, response, message: str) -> None:  # type: ignore[no-untyped-def]
        assert response.status_code == 403, response.text
        assert message in response.text

    def assert_nothing_changed(self, client, case: Case, before, engine) -> None:  # type: ignore[no-untyped-def]
        assert snapshot(engine) == before
        assert signed_in_as(client) == person(case.who).email

    def test_a_request_without_a_token_is_refused(self, route, world, client_for, engine):
        client, url, case = prepare(route, world, client_for)
        before = snapshot(engine)
        self.assert_refused(send(client, route[0], url, case.data), REFUSED_TOKEN)
        self.assert_nothing_changed(client, case, before, engine)

    def test_a_request_with_a_wrong_token_is_refused(self, route, world, client_for, engine):
        client, url, case = prepare(route, world, client_for)
        before = snapshot(engine)
        for attempt in (
            send(client, route[0], url, {**case.data, "csrf_token": WRONG_TOKEN}),
            send(client, route[0], url, case.data, **{"X-CSRF-Token": WRONG_TOKEN}),
            send(client, route[0], url, {**case.data, "csrf_token": ""}),
        ):
            self.assert_refused(attempt, REFUSED_TOKEN)
        self.assert_nothing_changed(client, case, before, engine)

    def test_a_token_from_someone_elses_session_is_refused(self, route, world, client_for, engine):
        client, url, case = prepare(route, world, client_for)
        other = client_for("ben" if case.who != "ben" else "ada")
        foreign = csrf_from(other.get("/account").text)
        before = snapshot(engine)
        self.assert_refused(
            send(client, route[0], url, {**case.data, "csrf_token": foreign}), REFUSED_TOKEN
        )
        self.assert_nothing_changed(client, case, before, engine)

    def test_a_valid_token_from_another_origin_is_refused(self, route, world, client_for, engine):
        client, url, case = prepare(route, world, client_for)
        token = csrf_from(client.get("/account").text)
        before = snapshot(engine)
        for origin in (EVIL, "null", "http://testserver.evil.example", "https://testserver"):
            response = send(
                client, route[0], url, {**case.data, "csrf_token": token}, Origin=origin
            )
            self.assert_refused(response, REFUSED_ORIGIN)
        self.assert_nothing_changed(client, case, before, engine)

    def test_a_valid_token_sent_cross_site_is_refused(self, route, world, client_for, engine):
        client, url, case = prepare(route, world, client_for)
        token = csrf_from(client.get("/account").text)
        before = snapshot(engine)
        response = send(
            client,
            route[0],
            url,
            {**case.data, "csrf_token": token},
            **{"Sec-Fetch-Site": "cross-site"},
        )
        self.assert_refused(response, REFUSED_ORIGIN)
        self.assert_nothing_changed(client, case, before, engine)

    def test_a_valid_token_from_the_page_passes(self, route, world, client_for, engine):
        client, url, case = prepare(route, world, client_for)
        token = csrf_from(client.get("/account").text)
        before = snapshot(engine)
        response = send(
            client,
            route[0],
            url,
            {**case.data, "csrf_token": token},
            Origin="http://testserver",
            **{"Sec-Fetch-Site": "same-origin"},
        )
        assert REFUSED_TOKEN not in response.text
        assert REFUSED_ORIGIN not in response.text
        assert response.status_code < 500, response.text
        if route in CASES:  # described here: it does what it is for
            assert response.status_code == case.succeeds_with, response.text
            assert snapshot(engine) != before


class TestSignedOutForms:
    """Signing in and registering are CSRF targets too (login CSRF)."""

    @pytest.mark.parametrize("path", ["/sign-in", "/register"])
    def test_a_signed_out_post_without_the_pages_token_is_refused(self, client, cast, path):
        data = {"name": "Grace Hopper", "email": "ada@example.com", "password": "x" * 12}
        response = client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 403
        assert REFUSED_TOKEN in response.text
        assert signed_in_as(client) is None

    def test_the_token_of_one_browser_does_not_work_in_another(self, client, cast, new_client):
        token = csrf_from(new_client().get("/sign-in").text)
        client.get("/sign-in")  # this browser has its own signed-out nonce
        data = {"email": "ada@example.com", "password": person("ada").password}
        response = client.post(
            "/sign-in", data={**data, "csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 403
        assert signed_in_as(client) is None

    def test_an_htmx_request_may_send_the_token_as_a_header(self, client_for, world, engine):
        client = client_for("ada")
        token = csrf_from(client.get("/account").text)
        response = client.post(
            f"/courses/{world.course_slug}/{world.module_slug}/read",
            headers={"X-CSRF-Token": token, "HX-Request": "true"},
        )
        assert response.status_code == 200
        assert snapshot(engine)["module_progress"]


class TestReadingChangesNothing:
    @pytest.mark.parametrize(
        "who",
        ["ada", "ines", "hana", "omar", None],
        ids=["ada", "ines", "hana", "omar", "anonymous"],
    )
    def test_every_get_route_leaves_the_database_as_it_was(
        self, app, world, teaching, client_for, new_client, engine, who
    ):
        client = client_for(who) if who else new_client()
        routes = [r for r in route_table(app) if r.method == "GET"]
        assert len(routes) >= 10
        before = snapshot(engine)
        for route in routes:
            response = client.get(fill_path(route.path, world), follow_redirects=False)
            assert response.status_code < 500, (route, response.text)
        assert snapshot(engine) == before
        if who:
            assert signed_in_as(client) == person(who).email

    def test_get_routes_read_with_a_bearer_token_change_nothing_but_its_last_use(
        self, app, world, new_client, engine
    ):
        client = new_client()
        headers = {"Authorization": f"Bearer {world.ada_token}"}
        before = snapshot(engine)
        for route in [r for r in route_table(app) if r.method == "GET"]:
            response = client.get(
                fill_path(route.path, world), headers=headers, follow_redirects=False
            )
            assert response.status_code < 500, (route, response.text)
        assert snapshot(engine) == before
