"""Response headers on every route (CSP, nosniff, Referrer-Policy, request id; HSTS in
production), no public API docs in production, and pages that need no inline script."""

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import app as app_package
from app.main import create_app
from tests.conftest import make_settings, post_form
from tests.security.conftest import fill_path, route_table

APP_DIR = Path(app_package.__file__).parent


def csp_directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = response.headers["content-security-policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_secure_headers(response, where: str) -> None:  # type: ignore[no-untyped-def]
    csp = csp_directives(response)
    assert csp["object-src"] == ["'none'"], where
    assert csp["base-uri"] == ["'none'"], where
    assert csp["frame-ancestors"] == ["'none'"], where
    script_src = csp.get("script-src", csp["default-src"])
    assert "'unsafe-inline'" not in script_src, where
    assert "'unsafe-eval'" not in script_src, where
    assert not any(s.startswith(("http:", "https:", "*", "data:")) for s in script_src), where
    assert response.headers["x-content-type-options"] == "nosniff", where
    assert response.headers["referrer-policy"] in ("same-origin", "strict-origin", "no-referrer")
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["x-request-id"]), where


@pytest.fixture
def production_app(database_url, engine, tmp_path):  # type: ignore[no-untyped-def]
    settings = make_settings(
        database_url, tmp_path / "var", env="production", base_url="https://takt.example"
    )
    return create_app(settings, engine=engine)


class TestHeadersEverywhere:
    @pytest.mark.parametrize("who", ["omar", None], ids=["omar", "anonymous"])
    def test_every_get_route_carries_the_security_headers(
        self, app, world, client_for, new_client, who
    ):
        client = client_for(who) if who else new_client()
        for route in [r for r in route_table(app) if r.method == "GET"]:
            path = fill_path(route.path, world)
            response = client.get(path, follow_redirects=False)
            assert response.status_code < 500, (path, response.status_code)
            assert_secure_headers(response, path)

    def test_static_files_errors_and_refusals_carry_them_too(self, client, cast):
        responses = {
            200: client.get("/static/takt.css"),
            404: client.get("/no-such-page"),
            401: client.get("/api/v1/me"),
            403: client.post("/sign-out", follow_redirects=False),
            405: client.put("/account"),
            422: post_form(client, "/register", "/register", {"email": "not-an-email"}),
        }
        for status, response in responses.items():
            assert response.status_code == status
            assert_secure_headers(response, str(status))
        json_404 = client.get("/api/v1/no-such-thing")
        assert json_404.status_code == 404
        assert_secure_headers(json_404, "api 404")

    def test_every_response_gets_its_own_request_id(self, client):
        ids = {client.get("/healthz").headers["x-request-id"] for _ in range(5)}
        assert len(ids) == 5

    def test_pages_are_not_cached(self, signed_in):
        assert signed_in("ada").get("/account").headers["cache-control"] == "no-store"

    def test_no_hsts_outside_production(self, client):
        assert "strict-transport-security" not in client.get("/").headers


class TestProduction:
    def test_every_response_carries_hsts_for_at_least_a_year(self, production_app):
        with TestClient(production_app, base_url="https://takt.example") as client:
            for path in ("/", "/sign-in", "/static/takt.css", "/nope", "/api/v1/courses"):
                hsts = client.get(path).headers["strict-transport-security"]
                max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))  # type: ignore[union-attr]
                assert max_age >= 365 * 24 * 3600, path

    @pytest.mark.parametrize(
        "path", ["/api/docs", "/api/v1/openapi.json", "/docs/oauth2-redirect", "/api/redoc"]
    )
    def test_the_interactive_api_docs_are_not_public(self, production_app, path):
        with TestClient(production_app, base_url="https://takt.example") as client:
            assert client.get(path).status_code == 404

    def test_the_docs_are_there_outside_production(self, client):
        assert client.get("/api/docs").status_code == 200
        assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Takt"

    def test_the_docs_outside_production_load_only_same_origin_script(self, client):
        """Under script-src 'self', an inline or CDN script would leave the page blank."""
        page = client.get("/api/docs")
        assert page.status_code == 200
        scripts = re.findall(r"<script\b([^>]*)>", page.text)
        assert scripts
        for attributes in scripts:
            assert re.search(r'src="(/|http://testserver/)', attributes), attributes

    def test_debug_mode_is_off(self, production_app):
        assert production_app.debug is False


class TestNoInlineScript:
    def test_htmx_may_not_evaluate_code_or_run_script_tags(self, client):
        meta = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', client.get("/").text)
        assert meta, "base.html has no htmx-config"
        config = json.loads(meta.group(1))
        assert config["allowEval"] is False
        assert config["allowScriptTags"] is False
        assert config["selfRequestsOnly"] is True

    @pytest.mark.parametrize("who", ["omar", "ada", None], ids=["omar", "ada", "anonymous"])
    def test_no_page_has_inline_script_handlers_or_styles(
        self, app, world, client_for, new_client, who
    ):
        """CSP would block them, so they would only be broken features."""
        client = client_for(who) if who else new_client()
        for route in [r for r in route_table(app) if r.method == "GET"]:
            response = client.get(fill_path(route.path, world))
            if "text/html" not in response.headers["content-type"]:
                continue
            html = response.text
            for tag in re.findall(r"<script\b[^>]*>", html):
                assert "src=" in tag, (route.path, tag)
            assert not re.search(r"\son[a-z]+\s*=", html), route.path
            assert not re.search(r"\sstyle\s*=", html), route.path
            assert "javascript:" not in html, route.path

    def test_what_people_type_is_escaped_on_every_page_that_shows_it(self, client, new_client):
        name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        registered = post_form(
            client,
            "/register",
            "/register",
            {"name": name, "email": "mallory@example.com", "password": "plausible-passphrase"},
        )
        assert registered.status_code == 303
        page = client.get("/account").text
        assert name not in page
        assert "&lt;script&gt;" in page


class TestTemplatesAreNeverBuiltFromContent:
    def test_no_code_builds_a_template_from_a_string(self):
        offenders = [
            str(path.relative_to(APP_DIR))
            for path in APP_DIR.rglob("*")
            if path.suffix in (".py", ".html")
            and re.search(r"from_string|Template\(", path.read_text())
        ]
        assert offenders == []
