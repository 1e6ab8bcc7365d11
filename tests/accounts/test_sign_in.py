"""Signing in and out: the session cookie, generic failures, safe redirects, a fresh
session id at every sign-in, and log lines for each."""

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.accounts.conftest import session_cookie, sessions_of, signed_in_as
from tests.conftest import make_settings, person, post_form, sign_in

FAILED = "The email or password is not correct."


def attempt(client: TestClient, email: str, password: str, next_url: str | None = None):  # type: ignore[no-untyped-def]
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return post_form(client, "/sign-in", "/sign-in", data)


def set_cookie_attributes(response, name: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The attributes of the Set-Cookie header for `name`, with lower-cased keys."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            attributes = {"value": header.split(";")[0].split("=", 1)[1]}
            for part in header.split(";")[1:]:
                key, _, value = part.strip().partition("=")
                attributes[key.lower()] = value or "yes"
            return attributes
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


def above_the_form(response, email: str) -> str:  # type: ignore[no-untyped-def]
    """The page down to the sign-in form, where the message sits, without the email typed."""
    return response.text.replace(email, "EMAIL").split("<form")[0]


class TestSigningIn:
    def test_the_right_password_signs_in_with_a_protected_session_cookie(
        self, client, cast, settings
    ):
        response = attempt(client, "ada@example.com", person("ada").password)
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        cookie = set_cookie_attributes(response, "takt_session")
        assert cookie["httponly"] == "yes"
        assert cookie["samesite"].lower() == "lax"
        assert cookie["path"] == "/"
        assert "domain" not in cookie
        assert int(cookie["max-age"]) == settings.session_absolute_hours * 3600
        assert signed_in_as(client) == "ada@example.com"

    def test_the_email_is_matched_whatever_its_case_and_spacing(self, client, cast):
        response = attempt(client, " ADA@example.COM ", person("ada").password)
        assert response.status_code == 303
        assert signed_in_as(client) == "ada@example.com"

    def test_in_production_the_cookie_is_secure_and_host_prefixed(
        self, database_url, engine, tmp_path, cast
    ):
        settings = make_settings(
            database_url, tmp_path, env="production", base_url="https://takt.example"
        )
        app = create_app(settings, engine=engine)
        with TestClient(app, base_url="https://takt.example") as client:
            response = attempt(client, "ada@example.com", person("ada").password)
            assert response.status_code == 303
            cookie = set_cookie_attributes(response, "__Host-takt_session")
            assert cookie["secure"] == "yes"
            assert cookie["httponly"] == "yes"
            assert cookie["samesite"].lower() == "lax"
            assert cookie["path"] == "/"
            assert "domain" not in cookie  # browsers drop __Host- cookies that name a domain
            assert client.get("/api/v1/me").json()["email"] == "ada@example.com"

    def test_in_production_the_signed_out_csrf_cookie_is_secure_too(
        self, database_url, engine, tmp_path
    ):
        settings = make_settings(
            database_url, tmp_path, env="production", base_url="https://takt.example"
        )
        with TestClient(create_app(settings, engine=engine), base_url="https://takt.example") as c:
            cookie = set_cookie_attributes(c.get("/sign-in"), "__Host-takt_anon")
            assert cookie["secure"] == "yes"
            assert cookie["httponly"] == "yes"
            assert cookie["path"] == "/"
            assert "domain" not in cookie


class TestRefusingASignIn:
    def test_a_wrong_password_is_a_401_with_a_generic_message(self, client, cast):
        response = attempt(client, "ada@example.com", "not-adas-password")
        assert response.status_code == 401
        assert FAILED in response.text
        assert signed_in_as(client) is None

    def test_an_unknown_email_gets_the_very_same_message(self, client, cast):
        unknown = attempt(client, "nobody@example.com", "not-adas-password")
        wrong = attempt(client, "ada@example.com", "not-adas-password")
        assert unknown.status_code == wrong.status_code == 401
        assert FAILED in unknown.text
        assert above_the_form(unknown, "nobody@example.com") == above_the_form(
            wrong, "ada@example.com"
        )

    def test_a_disabled_user_cannot_sign_in_even_with_the_right_password(self, client, db, cast):
        cast["ada"].is_active = False
        db.add(cast["ada"])
        db.commit()
        response = attempt(client, "ada@example.com", person("ada").password)
        assert response.status_code == 401
        assert FAILED in response.text
        assert signed_in_as(client) is None

    def test_the_password_is_never_echoed_back(self, client, cast):
        response = attempt(client, "ada@example.com", "a-secret-typo-of-mine")
        assert 'value="ada@example.com"' in response.text
        assert "a-secret-typo-of-mine" not in response.text

    def test_an_empty_form_is_refused_inline_without_counting_a_failure(self, client, cast):
        response = attempt(client, "", "")
        assert response.status_code == 422
        assert 'id="email-error"' in response.text
        assert 'id="password-error"' in response.text


class TestTheNextPage:
    def test_it_goes_on_to_a_same_site_path(self, client, cast):
        response = attempt(
            client, "ada@example.com", person("ada").password, "/courses/yellow-belt?tab=1"
        )
        assert response.headers["location"] == "/courses/yellow-belt?tab=1"

    @pytest.mark.parametrize(
        "target",
        [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
        ],
    )
    def test_anything_but_a_same_site_path_goes_home(self, client, cast, target):
        response = attempt(client, "ada@example.com", person("ada").password, target)
        assert response.status_code == 303
        assert response.headers["location"] == "/"

    def test_the_sign_in_page_does_not_carry_a_foreign_next_into_its_form(self, client):
        page = client.get("/sign-in", params={"next": "https://evil.example"})
        assert 'name="next" value="/"' in page.text

    def test_a_signed_in_visitor_is_sent_on_only_to_a_same_site_path(self, signed_in):
        client = signed_in("ada")
        away = client.get("/sign-in?next=//evil.example", follow_redirects=False)
        assert away.headers["location"] == "/"
        onward = client.get("/sign-in?next=/account", follow_redirects=False)
        assert onward.headers["location"] == "/account"


class TestSigningOut:
    def test_signing_out_ends_the_session_on_the_server(
        self, signed_in, settings, browser, engine, cast
    ):
        client = signed_in("ada")
        cookie = session_cookie(client, settings)
        response = post_form(client, "/", "/sign-out", {})
        assert response.status_code == 303
        assert signed_in_as(client) is None
        assert sessions_of(engine, cast["ada"]) == []
        assert signed_in_as(browser(cookie)) is None

    def test_signing_out_asks_the_browser_to_drop_the_cookie(self, signed_in, settings):
        client = signed_in("ada")
        response = post_form(client, "/", "/sign-out", {})
        cookie = set_cookie_attributes(response, settings.session_cookie_name)
        assert cookie["value"] in ("", '""')
        assert cookie["max-age"] == "0"

    def test_signing_out_leaves_other_people_signed_in(self, signed_in, new_client):
        ben = new_client()
        sign_in(ben, "ben")
        post_form(signed_in("ada"), "/", "/sign-out", {})
        assert signed_in_as(ben) == "ben@example.com"


class TestANewSessionAtEverySignIn:
    def test_every_sign_in_issues_a_new_session_id(self, client, cast, settings):
        seen = set()
        for _ in range(3):
            sign_in(client, "ada")
            seen.add(session_cookie(client, settings))
        assert len(seen) == 3

    def test_a_session_held_before_signing_in_again_stops_working(
        self, client, cast, settings, browser
    ):
        sign_in(client, "ben")
        before = session_cookie(client, settings)
        sign_in(client, "ada")
        assert session_cookie(client, settings) != before
        assert signed_in_as(client) == "ada@example.com"
        assert signed_in_as(browser(before)) is None

    def test_a_session_cookie_planted_before_sign_in_does_not_become_the_victims(
        self, client, cast, settings, new_client, browser
    ):
        attacker = new_client()
        sign_in(attacker, "ben")
        planted = session_cookie(attacker, settings)
        for cookie in attacker.cookies.jar:
            client.cookies.jar.set_cookie(cookie)
        sign_in(client, "ada")
        assert session_cookie(client, settings) != planted
        assert signed_in_as(browser(planted)) != "ada@example.com"

    def test_a_forged_or_tampered_cookie_signs_in_no_one(self, signed_in, settings, browser):
        cookie = session_cookie(signed_in("ada"), settings)
        token, signature = cookie.rsplit(".", 1)
        flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        assert signed_in_as(browser(f"{token}.{flipped}")) is None
        assert signed_in_as(browser(token)) is None
        assert signed_in_as(browser("x" * 43 + "." + signature)) is None


class TestSignInLogging:
    def test_a_success_is_logged_with_the_user_and_the_request_id(self, client, cast, takt_log):
        response = attempt(client, "ada@example.com", person("ada").password)
        [line] = [x for x in takt_log() if x["message"] == "sign-in succeeded"]
        assert line["logger"] == "takt.accounts"
        assert line["user_id"] == cast["ada"].id
        assert line["request_id"] == response.headers["x-request-id"]

    def test_a_failure_is_logged_with_the_email_and_the_request_id(self, client, cast, takt_log):
        response = attempt(client, "ada@example.com", "not-adas-password")
        [line] = [x for x in takt_log() if x["message"] == "sign-in failed"]
        assert line["logger"] == "takt.accounts"
        assert line["email"] == "ada@example.com"
        assert line["request_id"] == response.headers["x-request-id"]
        assert "not-adas-password" not in str(takt_log())

    def test_a_sign_out_is_logged_with_the_user_and_the_request_id(self, signed_in, cast, takt_log):
        response = post_form(signed_in("ada"), "/", "/sign-out", {})
        [line] = [x for x in takt_log() if "sign-out" in str(x["message"])]
        assert line["user_id"] == cast["ada"].id
        assert line["request_id"] == response.headers["x-request-id"]
