"""Who may do what: the admin pages by role, the API without credentials, no secrets in
any response, logged denials, and errors that show a reference but never a stack trace."""

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.db import make_engine
from app.learning import service as learning
from app.main import create_app
from app.models import User
from tests.conftest import BASE_URL, post_form
from tests.security.conftest import World, declared_routes, session_cookie, snapshot

ADMIN = "/admin/users"
NOT_ALLOWED = "Your role does not give access to this page."


def stored_user(engine, user: User) -> User:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        fresh = db.get(User, user.id)
        assert fresh is not None
        return fresh


class TestTheAdminPages:
    @pytest.mark.parametrize("who", ["ada", "ines", "hana"])
    def test_other_roles_get_a_403_page(self, client_for, who):
        response = client_for(who).get(ADMIN)
        assert response.status_code == 403
        assert NOT_ALLOWED in response.text
        assert "omar@example.com" not in response.text

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, cast):
        response = client.get(ADMIN, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in?next=/admin/users"

    def test_omar_sees_every_user(self, client_for, cast):
        response = client_for("omar").get(ADMIN)
        assert response.status_code == 200
        assert all(user.email in response.text for user in cast.values())

    @pytest.mark.parametrize("action", ["disable", "enable"])
    @pytest.mark.parametrize("who", ["ada", "ines", "hana"])
    def test_other_roles_cannot_disable_or_enable_anyone(
        self, client_for, engine, cast, who, action
    ):
        client = client_for(who)
        before = snapshot(engine)
        response = post_form(client, "/account", f"/admin/users/{cast['ben'].id}/{action}", {})
        assert response.status_code == 403
        assert NOT_ALLOWED in response.text
        assert snapshot(engine) == before

    def test_omar_cannot_disable_himself(self, client_for, engine, cast):
        omar = client_for("omar")
        response = post_form(omar, ADMIN, f"/admin/users/{cast['omar'].id}/disable", {})
        assert response.status_code == 422
        assert "You cannot disable your own account." in response.text
        assert stored_user(engine, cast["omar"]).is_active

    @pytest.mark.parametrize("action", ["disable", "enable"])
    def test_an_unknown_user_id_is_a_404(self, client_for, cast, action):
        response = post_form(client_for("omar"), ADMIN, f"/admin/users/999999/{action}", {})
        assert response.status_code == 404

    @pytest.mark.parametrize("user_id", ["abc", "-1", "0", "1.5", "1e3"])
    def test_a_malformed_user_id_is_a_404_not_a_500(self, client_for, cast, user_id):
        response = post_form(client_for("omar"), ADMIN, f"/admin/users/{user_id}/disable", {})
        assert response.status_code == 404


ROUTES_WITH_PARAMETERS = [r for r in declared_routes() if "{" in r.path]
NO_SUCH_ID = ["0", "-1", "abc", str(2**31), str(2**63), str(10**20)]


class TestIdsThatExistNowhere:
    def test_the_walk_finds_routes_with_parameters(self):
        assert len(ROUTES_WITH_PARAMETERS) >= 5

    @pytest.mark.parametrize("value", NO_SUCH_ID)
    @pytest.mark.parametrize(
        "route",
        ROUTES_WITH_PARAMETERS,
        ids=[f"{r.method} {r.path}" for r in ROUTES_WITH_PARAMETERS],
    )
    def test_every_route_answers_404_never_500(self, client_for, route, value):
        """Out of the database's integer range, negative, or not a number at all."""
        omar = client_for("omar")
        url = re.sub(r"\{\w+\}", value, route.path)
        if route.method == "GET":
            response = omar.get(url, follow_redirects=False)
        else:
            response = post_form(omar, "/account", url, {})
        # An API write validates its (here empty) JSON body before looking anything up.
        allowed = {404, 422} if route.path.startswith("/api/") and route.method != "GET" else {404}
        assert response.status_code in allowed, response.text


class TestTheApiWithoutCredentials:
    @pytest.mark.parametrize(
        "path", ["/api/v1/me", "/api/v1/me/progress", "/api/v1/modules/{module_id}"]
    )
    def test_it_answers_401_json_naming_the_error(self, client, world: World, path):
        response = client.get(path.format(module_id=world.module_id))
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["error"] == "not_authenticated"
        assert body["detail"]
        assert response.headers["www-authenticate"] == "Bearer"

    def test_a_malformed_authorization_header_is_not_a_server_error(self, client, cast):
        for value in ("Bearer", "Bearer ", "Basic YWRhOmFkYQ==", "bearer  takt_x  "):
            response = client.get("/api/v1/me", headers={"Authorization": value})
            assert response.status_code == 401, value


class TestNoSecretsInResponses:
    def test_no_response_carries_a_password_token_or_session_hash(
        self, world: World, client_for, new_client, settings, cast
    ):
        ada, omar = client_for("ada"), client_for("omar")
        secrets_ = [hashlib.sha256(world.ada_token.encode()).hexdigest()]
        for who in (ada, omar):
            token = session_cookie(who, settings).rsplit(".", 1)[0]
            secrets_.append(hashlib.sha256(token.encode()).hexdigest())
        secrets_ += [user.password_hash.split("$")[-1] for user in cast.values()]
        api = new_client().get("/api/v1/me", headers={"Authorization": f"Bearer {world.ada_token}"})
        responses = {
            "api me": api,
            "api me (cookie)": ada.get("/api/v1/me"),
            "account": ada.get("/account"),
            "admin users": omar.get(ADMIN),
            "admin search": omar.get(ADMIN, params={"q": "example"}),
        }
        assert set(api.json()) == {"id", "email", "name", "role"}
        for where, response in responses.items():
            assert response.status_code == 200, where
            assert "$argon2" not in response.text, where
            assert not any(secret in response.text for secret in secrets_), where
            assert world.ada_token not in response.text, where


class TestDenialsAreLogged:
    def test_a_403_is_logged_with_the_path_and_the_request_id(self, client_for, takt_log):
        response = client_for("ada").get(ADMIN)
        [line] = [x for x in takt_log() if x["message"] == "access denied"]
        assert line["level"] == "warning"
        assert line["path"] == ADMIN
        assert line["request_id"] == response.headers["x-request-id"]


@pytest.fixture
def broken_catalogue(monkeypatch):  # type: ignore[no-untyped-def]
    """Make the course listing fail the way a bug would."""

    def explode(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret internal detail: /srv/takt/app.py line 42")

    monkeypatch.setattr(learning, "list_courses", explode)


@pytest.fixture
def raw_client(app):  # type: ignore[no-untyped-def]
    """A client that receives the 500 response instead of the exception."""
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        yield client


class TestUnexpectedErrors:
    def test_a_page_shows_a_reference_and_no_stack_trace(self, raw_client, broken_catalogue):
        response = raw_client.get("/")
        assert response.status_code == 500
        assert "Something went wrong" in response.text
        assert re.search(r"reference [0-9a-f]{16}", response.text)
        assert "Traceback" not in response.text
        assert "secret internal detail" not in response.text
        assert "RuntimeError" not in response.text

    def test_the_api_answers_json_without_a_stack_trace(self, raw_client, broken_catalogue):
        response = raw_client.get("/api/v1/courses")
        assert response.status_code == 500
        body = response.json()
        assert body["error"] == "internal_error"
        assert re.search(r"reference [0-9a-f]{16}", body["detail"])
        assert "secret internal detail" not in response.text
        assert "Traceback" not in response.text

    def test_the_500_response_carries_the_security_headers_and_its_reference(
        self, raw_client, broken_catalogue
    ):
        response = raw_client.get("/")
        reference = re.search(r"reference ([0-9a-f]{16})", response.text).group(1)  # type: ignore[union-attr]
        assert response.headers["x-request-id"] == reference
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"

    def test_the_error_is_logged_with_the_reference_shown(
        self, raw_client, broken_catalogue, takt_log
    ):
        response = raw_client.get("/")
        reference = re.search(r"reference ([0-9a-f]{16})", response.text).group(1)  # type: ignore[union-attr]
        [line] = [x for x in takt_log() if x["message"] == "unexpected error"]
        assert "secret internal detail" in str(line["exception"])
        assert line["request_id"] == reference


class TestAnUnavailableDatabase:
    def test_a_failing_query_is_a_503_with_retry_after(self, client, monkeypatch):
        def unreachable(*args: object, **kwargs: object) -> object:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

        monkeypatch.setattr(learning, "list_courses", unreachable)
        page = client.get("/")
        assert page.status_code == 503
        assert int(page.headers["retry-after"]) > 0
        assert "try again in a moment" in page.text
        assert "connection refused" not in page.text
        api = client.get("/api/v1/courses")
        assert api.status_code == 503
        assert api.json()["error"] == "unavailable"
        assert int(api.headers["retry-after"]) > 0

    def test_a_database_that_cannot_be_reached_at_all_is_a_503(self, settings):
        nowhere = make_engine("postgresql+psycopg://takt@127.0.0.1:1/takt?connect_timeout=2")
        app = create_app(settings, engine=nowhere)
        try:
            with TestClient(app, base_url=BASE_URL) as client:
                assert client.get("/healthz").status_code == 200
                assert client.get("/readyz").status_code == 503
                for path in ("/", "/api/v1/courses"):
                    response = client.get(path)
                    assert response.status_code == 503, path
                    assert int(response.headers["retry-after"]) > 0
                    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
                token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text)
                assert token
                signing_in = client.post(
                    "/sign-in",
                    data={
                        "email": "ada@example.com",
                        "password": "whatever-it-is",
                        "csrf_token": token.group(1),
                    },
                    follow_redirects=False,
                )
                assert signing_in.status_code == 503
        finally:
            nowhere.dispose()
