"""Sessions end on the server: idle and absolute timeouts, an admin disabling the user,
a password change, and "sign out everywhere"."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from app.accounts.service import create_api_token
from app.models import AuthSession, User
from app.models.base import utcnow
from tests.accounts.conftest import (
    session_cookie,
    sessions_of,
    signed_in_as,
    stored_user,
)
from tests.conftest import csrf_from, person, post_form, sign_in


def age_sessions(engine: Engine, user: User, **columns: object) -> None:
    """Move the user's sessions in time, as if the clock had run on."""
    with Session(engine) as db:
        db.exec(update(AuthSession).where(col(AuthSession.user_id) == user.id).values(**columns))  # type: ignore[call-overload]
        db.commit()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def ada(signed_in):  # type: ignore[no-untyped-def]
    return signed_in("ada")


class TestTimeouts:
    def test_a_session_idle_for_longer_than_the_limit_ends(self, ada, engine, cast, settings):
        idle = timedelta(minutes=settings.session_idle_minutes)
        age_sessions(engine, cast["ada"], last_seen_at=utcnow() - idle - timedelta(seconds=5))
        assert signed_in_as(ada) is None
        assert sessions_of(engine, cast["ada"]) == []

    def test_a_session_used_just_within_the_idle_limit_goes_on_and_is_touched(
        self, ada, engine, cast, settings
    ):
        idle = timedelta(minutes=settings.session_idle_minutes)
        almost = utcnow() - idle + timedelta(minutes=2)
        age_sessions(engine, cast["ada"], last_seen_at=almost)
        assert signed_in_as(ada) == "ada@example.com"
        [session] = sessions_of(engine, cast["ada"])
        assert utcnow() - session.last_seen_at < timedelta(minutes=1)

    def test_a_session_past_its_absolute_lifetime_ends_even_when_active(self, ada, engine, cast):
        age_sessions(engine, cast["ada"], expires_at=utcnow() - timedelta(seconds=1))
        assert signed_in_as(ada) is None
        assert sessions_of(engine, cast["ada"]) == []

    def test_a_new_session_lives_for_the_configured_absolute_lifetime(
        self, ada, engine, cast, settings
    ):
        [session] = sessions_of(engine, cast["ada"])
        lifetime = session.expires_at - session.created_at
        assert lifetime == timedelta(hours=settings.session_absolute_hours)

    def test_an_ended_session_sends_the_browser_to_sign_in(self, ada, engine, cast):
        age_sessions(engine, cast["ada"], expires_at=utcnow() - timedelta(seconds=1))
        response = ada.get("/account", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in?next=/account"


class TestDisablingAUser:
    def disable(self, omar, user: User):  # type: ignore[no-untyped-def]
        return post_form(omar, "/admin/users", f"/admin/users/{user.id}/disable", {})

    def test_an_admin_disabling_a_user_ends_their_sessions_and_api_access(
        self, ada, new_client, db, engine, cast
    ):
        _, token = create_api_token(db, cast["ada"], "reports")
        db.commit()
        assert ada.get("/api/v1/me", headers=bearer(token)).status_code == 200
        omar = new_client()
        sign_in(omar, "omar")
        response = self.disable(omar, cast["ada"])
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/users"
        assert not stored_user(engine, cast["ada"]).is_active
        assert sessions_of(engine, cast["ada"]) == []
        assert signed_in_as(ada) is None
        api = new_client().get("/api/v1/me", headers=bearer(token))
        assert api.status_code == 401
        assert api.json()["error"] == "not_authenticated"

    def test_enabling_the_user_again_lets_them_sign_in_but_revives_no_session(
        self, ada, new_client, engine, cast, settings, browser
    ):
        old_cookie = session_cookie(ada, settings)
        omar = new_client()
        sign_in(omar, "omar")
        self.disable(omar, cast["ada"])
        enabled = post_form(omar, "/admin/users", f"/admin/users/{cast['ada'].id}/enable", {})
        assert enabled.status_code == 303
        assert stored_user(engine, cast["ada"]).is_active
        assert signed_in_as(browser(old_cookie)) is None
        sign_in(ada, "ada")
        assert signed_in_as(ada) == "ada@example.com"

    def test_disabling_one_user_leaves_the_others_signed_in(self, ada, new_client, cast):
        ben = new_client()
        sign_in(ben, "ben")
        omar = new_client()
        sign_in(omar, "omar")
        self.disable(omar, cast["ada"])
        assert signed_in_as(ben) == "ben@example.com"
        assert signed_in_as(omar) == "omar@example.com"


class TestChangingThePassword:
    NEW = "a-brand-new-passphrase"

    def change(self, client, current: str, new: str):  # type: ignore[no-untyped-def]
        return post_form(
            client,
            "/account",
            "/account/password",
            {"current_password": current, "new_password": new},
        )

    def test_it_ends_the_other_sessions_but_keeps_this_one(
        self, ada, new_client, engine, cast, settings
    ):
        cookie = session_cookie(ada, settings)
        other = new_client()
        sign_in(other, "ada")
        assert len(sessions_of(engine, cast["ada"])) == 2
        response = self.change(ada, person("ada").password, self.NEW)
        assert response.status_code == 200
        assert "Your password was changed" in response.text
        assert signed_in_as(ada) == "ada@example.com"
        assert session_cookie(ada, settings) == cookie
        assert signed_in_as(other) is None
        assert len(sessions_of(engine, cast["ada"])) == 1

    def test_only_the_new_password_signs_in_afterwards(self, ada, new_client, cast):
        self.change(ada, person("ada").password, self.NEW)
        old = new_client()
        refused = post_form(
            old,
            "/sign-in",
            "/sign-in",
            {"email": "ada@example.com", "password": person("ada").password},
        )
        assert refused.status_code == 401
        fresh = new_client()
        accepted = post_form(
            fresh, "/sign-in", "/sign-in", {"email": "ada@example.com", "password": self.NEW}
        )
        assert accepted.status_code == 303

    def test_a_wrong_current_password_changes_nothing(self, ada, new_client, engine, cast):
        other = new_client()
        sign_in(other, "ada")
        before = stored_user(engine, cast["ada"]).password_hash
        response = self.change(ada, "not-the-current-one", self.NEW)
        assert response.status_code == 422
        assert 'id="current_password-error"' in response.text
        assert "The current password is not correct." in response.text
        assert stored_user(engine, cast["ada"]).password_hash == before
        assert signed_in_as(other) == "ada@example.com"

    def test_a_weak_new_password_is_refused_on_the_new_password_field(
        self, ada, new_client, engine, cast
    ):
        other = new_client()
        sign_in(other, "ada")
        before = stored_user(engine, cast["ada"]).password_hash
        response = self.change(ada, person("ada").password, "password1")
        assert response.status_code == 422
        assert 'id="new_password-error"' in response.text
        assert "commonly used passwords" in response.text
        assert stored_user(engine, cast["ada"]).password_hash == before
        assert signed_in_as(other) == "ada@example.com"

    def test_it_needs_a_signed_in_user(self, client, cast):
        page = client.get("/sign-in")
        response = client.post(
            "/account/password",
            data={
                "current_password": person("ada").password,
                "new_password": self.NEW,
                "csrf_token": csrf_from(page.text),
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in")


class TestSigningOutEverywhere:
    def test_it_ends_every_session_of_the_user_and_only_theirs(
        self, ada, new_client, engine, cast, settings, browser
    ):
        cookie = session_cookie(ada, settings)
        laptop = new_client()
        sign_in(laptop, "ada")
        ben = new_client()
        sign_in(ben, "ben")
        response = post_form(ada, "/account", "/account/sign-out-everywhere", {})
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in"
        assert sessions_of(engine, cast["ada"]) == []
        assert signed_in_as(ada) is None
        assert signed_in_as(laptop) is None
        assert signed_in_as(browser(cookie)) is None
        assert signed_in_as(ben) == "ben@example.com"
