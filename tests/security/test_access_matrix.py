"""The access matrix: every route of the app × six callers, each path parameter naming
someone else's object (tests/security/matrix.py builds them and says who may do what).

A caller whose role a route does not admit gets 403; one whose role fits but who does
not own, teach or see the object gets 404 (never 403, which would confirm it exists, and
never 200); a visitor who is not signed in gets 401 from the API and is sent to sign in
by a page. A refused request changes nothing. A new route fails the matrix until the
policy table says who may use it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine

from tests.conftest import csrf_from, sign_in
from tests.security.conftest import RouteEntry, declared_routes, route_table, snapshot
from tests.security.matrix import (
    CALLERS,
    ENDS_SESSION,
    POLICIES,
    QUERIES,
    SENT_LAST,
    Answer,
    Caller,
    MatrixWorld,
    Policy,
    build_world,
    fill,
)

ADMITTED_STATUSES = {200, 201, 409, 422}


def key(route: RouteEntry) -> tuple[str, str]:
    return (route.method, route.path)


class TestThePolicyTable:
    def test_every_route_has_a_policy(self):
        missing = sorted(set(map(key, declared_routes())) - set(POLICIES))
        assert not missing, f"say who may use these routes in matrix.POLICIES: {missing}"

    def test_every_policy_names_a_route_that_exists(self):
        gone = sorted(set(POLICIES) - set(map(key, declared_routes())))
        assert not gone, f"these routes no longer exist; drop them from matrix.POLICIES: {gone}"

    def test_the_special_cases_name_routes_of_the_table(self):
        assert not (ENDS_SESSION | SENT_LAST | set(QUERIES)) - set(POLICIES)


def answers_as_expected(response: Response, expected: Answer, url: str) -> bool:
    status = response.status_code
    location = response.headers.get("location", "")
    sent_to_sign_in = status == 303 and location.startswith("/sign-in?next=")
    if expected is Answer.ADMITTED:
        return status in ADMITTED_STATUSES or (status == 303 and not sent_to_sign_in)
    if expected is Answer.SIGN_IN:
        if url.startswith("/api/"):
            return status == 401
        return status == 303 and location == f"/sign-in?next={quote(url)}"
    if expected is Answer.FORBIDDEN:
        return status == 403
    return status == 404


@dataclass
class Walk:
    """One caller's walk over the route table, collecting every answer that differs
    from the policy's and every refused request that changed the database."""

    caller: Caller
    world: MatrixWorld
    new_client: Callable[[], TestClient]
    engine: Engine
    mismatches: list[str] = field(default_factory=list)
    unchanged: dict[str, list[tuple[str, ...]]] | None = None  # the database, if known

    def __post_init__(self) -> None:
        self.browser, self.csrf = self.signed_in()
        self.api_client = self.new_client()  # no cookies: the bearer token says who calls

    def signed_in(self) -> tuple[TestClient, str]:
        """A browser of the caller's, with the CSRF token of its session."""
        client = self.new_client()
        if self.caller.key is None:
            return client, csrf_from(client.get("/sign-in").text)
        sign_in(client, self.caller.key)
        return client, csrf_from(client.get("/account").text)

    def run(self, routes: list[RouteEntry]) -> list[str]:
        for route in sorted(routes, key=self.order):
            url = fill(route.path, self.world)
            self.both_ways(route, url, POLICIES[key(route)])
            if key(route) in QUERIES:
                query, policy = QUERIES[key(route)]
                self.both_ways(route, f"{url}?{fill(query, self.world)}", policy)
        return self.mismatches

    def both_ways(self, route: RouteEntry, url: str, policy: Policy) -> None:
        """From the browser and, for the API, with the caller's API token too."""
        self.check(route, url, policy)
        if url.startswith("/api/") and self.caller.key is not None:
            self.check(route, url, policy, bearer=self.world.tokens[self.caller.key])

    @staticmethod
    def order(route: RouteEntry) -> int:
        """Reads first, then writes; then those that take away a draft, and last those
        that end sessions (signing out everywhere ends the walk's own session too)."""
        if key(route) in ENDS_SESSION:
            return 3
        if key(route) in SENT_LAST:
            return 2
        return 0 if route.method == "GET" else 1

    def check(self, route: RouteEntry, url: str, policy: Policy, bearer: str = "") -> None:
        expected = policy.expected(self.caller)
        client, csrf = self.browser, self.csrf
        if key(route) in ENDS_SESSION and self.caller.key is not None:
            client, csrf = self.signed_in()  # signing in wrote a session
            self.unchanged = None
        refused_write = route.method != "GET" and expected is not Answer.ADMITTED
        before = (self.unchanged or snapshot(self.engine)) if refused_write else None
        response = self.send(client, route.method, url, csrf, bearer)
        said = f"{route.method} {url}{' with an API token' if bearer else ''} as {self.caller}"
        if not answers_as_expected(response, expected, url):
            location = response.headers.get("location")
            got = f"{response.status_code}" + (f" to {location}" if location else "")
            self.mismatches.append(f"{said}: expected {expected.value} ({policy}), got {got}")
        self.unchanged = None  # an admitted write may change the database
        if before is not None:
            after = snapshot(self.engine)
            if after != before:
                changed = sorted(t for t in after if after[t] != before[t])
                self.mismatches.append(f"{said}: refused, yet changed {changed}")
            self.unchanged = after  # the next refused write starts from here

    def send(self, client: TestClient, method: str, url: str, csrf: str, bearer: str) -> Response:
        if bearer:
            client, headers = self.api_client, {"Authorization": f"Bearer {bearer}"}
        else:
            headers = {"X-CSRF-Token": csrf} if method != "GET" else {}
        if method == "GET":
            return client.get(url, headers=headers, follow_redirects=False)
        if url.startswith("/api/"):
            return client.request(method, url, json={}, headers=headers, follow_redirects=False)
        return client.request(
            method, url, data={"csrf_token": csrf}, headers=headers, follow_redirects=False
        )


@pytest.fixture
def world(engine: Engine, cast, teaching) -> MatrixWorld:  # type: ignore[no-untyped-def]
    return build_world(engine, cast)


@pytest.mark.parametrize("caller", CALLERS, ids=[c.key or "anonymous" for c in CALLERS])
def test_every_route_answers_each_caller_as_its_policy_says(
    app: FastAPI, world: MatrixWorld, new_client, engine: Engine, caller: Caller
):
    routes = route_table(app)
    assert {key(r) for r in routes} == set(POLICIES)
    mismatches = Walk(caller, world, new_client, engine).run(routes)
    assert not mismatches, f"{len(mismatches)} answers differ from the policy:\n" + "\n".join(
        mismatches
    )
