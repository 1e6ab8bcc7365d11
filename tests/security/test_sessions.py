"""Sessions as an attacker meets them: no fixation at sign-in, an old cookie replayed after
sign-out or after the user is disabled opens nothing, and the idle and absolute timeouts
hold on a clock the test controls."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.config import Settings
from app.main import create_app
from app.models import ApiToken
from app.security import sessions
from tests.conftest import BASE_URL, csrf_from, make_settings, person, post_form, sign_in
from tests.security.conftest import session_cookie, signed_in_as


class Clock:
    """The sessions' notion of now, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(sessions, "utcnow", clock)
    return clock


def replay(app, settings: Settings, cookie: str) -> TestClient:  # type: ignore[no-untyped-def]
    """Another browser that presents an old session cookie."""
    client = TestClient(app, base_url=BASE_URL)
    client.cookies.set(settings.session_cookie_name, cookie)
    return client


def tokens_named(db, name: str) -> list[ApiToken]:  # type: ignore[no-untyped-def]
    return list(db.exec(select(ApiToken).where(ApiToken.name == name)))


class TestTheConfiguredLimits:
    def test_the_defaults_are_eight_hours_idle_and_seven_days_absolute(self, tmp_path):
        settings = Settings(var_dir=tmp_path, database_url="sqlite://")
        assert settings.session_idle_minutes == 8 * 60
        assert settings.session_absolute_hours == 7 * 24

    def test_both_are_set_from_the_environment(self, tmp_path, monkeypatch):
        monkeypatch.setenv("TAKT_SESSION_IDLE_MINUTES", "30")
        monkeypatch.setenv("TAKT_SESSION_ABSOLUTE_HOURS", "12")
        settings = Settings(var_dir=tmp_path, database_url="sqlite://")
        assert (settings.session_idle_minutes, settings.session_absolute_hours) == (30, 12)


class TestTheIdleTimeout:
    def test_a_session_used_every_seven_hours_stays_signed_in(self, client, cast, clock):
        sign_in(client, "ada")
        for _ in range(3):
            clock.advance(hours=7, minutes=59)
            assert signed_in_as(client) == "ada@example.com"

    def test_eight_hours_without_a_request_end_the_session(self, client, cast, clock, engine):
        sign_in(client, "ada")
        clock.advance(hours=3)
        assert signed_in_as(client) == "ada@example.com"
        clock.advance(hours=8, seconds=1)  # counted from the last request, not the sign-in
        assert signed_in_as(client) is None
        clock.advance(seconds=1)
        assert client.get("/account", follow_redirects=False).status_code == 303

    def test_a_shorter_configured_idle_limit_is_honoured(
        self, database_url, engine, tmp_path, cast, clock
    ):
        app_settings = make_settings(database_url, tmp_path / "var", session_idle_minutes=30)
        with TestClient(create_app(app_settings, engine=engine), base_url=BASE_URL) as browser:
            sign_in(browser, "ada")
            clock.advance(minutes=29)
            assert signed_in_as(browser) == "ada@example.com"
            clock.advance(minutes=30, seconds=1)
            assert signed_in_as(browser) is None


class TestTheAbsoluteTimeout:
    def test_even_a_session_in_constant_use_ends_after_seven_days(self, client, cast, clock):
        sign_in(client, "ada")
        for _ in range(7 * 24 // 4 - 1):
            clock.advance(hours=4)
            assert signed_in_as(client) == "ada@example.com"
        clock.advance(hours=4)  # exactly seven days after signing in
        assert signed_in_as(client) is None

    def test_signing_in_again_starts_a_new_lifetime(self, client, cast, clock):
        sign_in(client, "ada")
        for _ in range(6 * 24 // 6):
            clock.advance(hours=6)
            assert signed_in_as(client) == "ada@example.com"
        sign_in(client, "ada")
        for _ in range(2):
            clock.advance(hours=6)
            assert signed_in_as(client) == "ada@example.com"


class TestNoFixation:
    def test_a_well_formed_cookie_planted_before_sign_in_is_replaced(
        self, client, app, cast, settings, new_client
    ):
        attacker = new_client()
        sign_in(attacker, "ben")
        planted = session_cookie(attacker, settings)
        assert planted
        for cookie in attacker.cookies.jar:
            client.cookies.jar.set_cookie(cookie)
        sign_in(client, "ada")
        assert session_cookie(client, settings) != planted
        # The session the browser held is ended, so the planted id opens nothing at all.
        assert signed_in_as(replay(app, settings, planted)) is None
        assert signed_in_as(client) == "ada@example.com"

    def test_a_signed_out_pages_token_does_not_work_once_signed_in(
        self, client, cast, db, settings
    ):
        """Whoever planted the signed-out nonce knows its token; signing in retires it."""
        signed_out_token = csrf_from(client.get("/sign-in").text)
        sign_in(client, "ada")
        forged = client.post(
            "/account/tokens",
            data={"name": "planted", "csrf_token": signed_out_token},
            follow_redirects=False,
        )
        assert forged.status_code == 403
        assert tokens_named(db, "planted") == []


class TestReplayingAnEndedSession:
    def old_session(self, client: TestClient, settings: Settings) -> tuple[str, str]:
        """The cookie and the page token an attacker could have copied."""
        cookie = session_cookie(client, settings)
        assert cookie
        return cookie, csrf_from(client.get("/account").text)

    def assert_dead(self, app, settings, cookie: str, token: str, db) -> None:  # type: ignore[no-untyped-def]
        stale = replay(app, settings, cookie)
        assert signed_in_as(stale) is None
        page = stale.get("/account", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/sign-in")
        data = {"name": "replayed", "csrf_token": token}
        write = stale.post("/account/tokens", data=data, follow_redirects=False)
        assert write.status_code in (303, 401, 403)
        assert tokens_named(db, "replayed") == []

    def test_after_signing_out(self, client, app, cast, settings, db):
        sign_in(client, "ada")
        cookie, token = self.old_session(client, settings)
        assert post_form(client, "/", "/sign-out", {}).status_code == 303
        self.assert_dead(app, settings, cookie, token, db)

    def test_after_signing_out_everywhere_from_another_browser(
        self, client, app, cast, settings, db, new_client
    ):
        sign_in(client, "ada")
        cookie, token = self.old_session(client, settings)
        elsewhere = new_client()
        sign_in(elsewhere, "ada")
        post_form(elsewhere, "/account", "/account/sign-out-everywhere", {})
        self.assert_dead(app, settings, cookie, token, db)

    def test_after_an_admin_disables_the_user(self, client, app, cast, settings, db, new_client):
        sign_in(client, "ada")
        cookie, token = self.old_session(client, settings)
        omar = new_client()
        sign_in(omar, "omar")
        disabled = post_form(omar, "/admin/users", f"/admin/users/{cast['ada'].id}/disable", {})
        assert disabled.status_code == 303
        self.assert_dead(app, settings, cookie, token, db)
        # Enabled again, the user signs in afresh; the old cookie stays dead.
        post_form(omar, "/admin/users", f"/admin/users/{cast['ada'].id}/enable", {})
        sign_in(new_client(), "ada")
        self.assert_dead(app, settings, cookie, token, db)

    def test_after_the_idle_timeout(self, client, app, cast, settings, db, clock):
        sign_in(client, "ada")
        cookie, token = self.old_session(client, settings)
        clock.advance(hours=8, seconds=1)
        self.assert_dead(app, settings, cookie, token, db)
        clock.now -= timedelta(hours=8)  # turning the clock back revives nothing
        self.assert_dead(app, settings, cookie, token, db)

    def test_the_password_is_still_needed_to_sign_in_again(self, client, cast):
        sign_in(client, "ada")
        post_form(client, "/", "/sign-out", {})
        wrong = post_form(
            client, "/sign-in", "/sign-in", {"email": person("ada").email, "password": "guess"}
        )
        assert wrong.status_code == 401
        assert signed_in_as(client) is None
