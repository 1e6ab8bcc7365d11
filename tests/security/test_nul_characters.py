"""A NUL character in any text a request carries is refused with a 422 naming the field,
before any route runs: PostgreSQL cannot store one, so it must never reach a query."""

import pytest

from tests.conftest import csrf_from, post_form
from tests.security.conftest import declared_routes, fill_path
from tests.security.test_csrf import case_for

STATE_CHANGING = [
    (r.method, r.path)
    for r in declared_routes()
    if r.method in {"POST", "PUT", "PATCH", "DELETE"} and not r.path.startswith("/api/")
]


class TestEveryForm:
    @pytest.mark.parametrize("route", STATE_CHANGING, ids=[" ".join(r) for r in STATE_CHANGING])
    def test_a_nul_in_any_field_is_a_422_and_changes_nothing(
        self, route, world, teaching, client_for
    ):
        case = case_for(route)
        client = client_for(case.who)
        params = case.path_params(world)
        url = route[1].format(**params) if params else fill_path(route[1], world)
        token = csrf_from(client.get("/account").text)
        data = {**case.data, "note": "a\x00b", "csrf_token": token}
        response = client.request(route[0], url, data=data, follow_redirects=False)
        assert response.status_code == 422, response.text
        assert "Remove the NUL character" in response.text


class TestSignedOutForms:
    def test_registering_with_a_nul_in_the_name(self, client, cast):
        data = {"name": "A\x00b", "email": "m@example.com", "password": "plausible-pass"}
        response = post_form(client, "/register", "/register", data)
        assert response.status_code == 422

    def test_signing_in_with_a_nul_in_the_email(self, client, cast):
        data = {"email": "ada\x00@example.com", "password": "whatever-it-is"}
        assert post_form(client, "/sign-in", "/sign-in", data).status_code == 422


class TestQueriesAndJson:
    def test_a_nul_in_a_query_parameter(self, client_for):
        response = client_for("omar").get("/admin/users", params={"q": "ada\x00"})
        assert response.status_code == 422

    def test_a_nul_deep_in_a_json_body_names_its_top_level_field(self, world, new_client):
        response = new_client().post(
            "/api/v1/toolkit/pareto",
            json={"categories": [{"name": "late\x00", "count": 3}]},
            headers={"Authorization": f"Bearer {world.ada_token}"},
        )
        assert response.status_code == 422
        assert response.json()["field"] == "categories"

    def test_an_escaped_backslash_before_u0000_is_not_a_nul(self, world, new_client):
        response = new_client().post(
            "/api/v1/toolkit/pareto",
            content=b'{"categories": [{"name": "C:\\\\u0000", "count": 3}]}',
            headers={
                "Authorization": f"Bearer {world.ada_token}",
                "Content-Type": "application/json",
            },
        )
        assert "NUL" not in response.text
