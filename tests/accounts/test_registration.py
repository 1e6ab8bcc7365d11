"""Registering an account: a new learner, signed in at once; refusals are inline and
write nothing."""

import re

import pytest
from sqlmodel import Session, func, select

from app.models import AuthSession, Role, User
from tests.accounts.conftest import signed_in_as
from tests.conftest import post_form

GRACE = {"name": "Grace Hopper", "email": "grace@example.com", "password": "compilers-not-bugs"}


def register(client, **changes: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/register", "/register", {**GRACE, **changes})


def inline_error(html: str, field: str) -> str:
    """The message shown under one form field; fails when the field has none."""
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert match, f"no inline error on {field!r}"
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', html), f"{field} not marked"
    return match.group(1)


def count(db: Session, table: type) -> int:
    return db.exec(select(func.count()).select_from(table)).one()


class TestRegistering:
    def test_it_creates_a_learner_and_signs_them_in(self, client, db, engine):
        response = register(client)
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        user = db.exec(select(User).where(User.email == "grace@example.com")).one()
        assert user.name == "Grace Hopper"
        assert user.role == Role.learner
        assert user.is_active
        assert user.password_hash.startswith("$argon2id$")
        assert signed_in_as(client) == "grace@example.com"

    def test_the_email_is_stored_lower_cased_and_trimmed(self, client, db):
        assert register(client, email="  Grace@Example.COM ").status_code == 303
        assert db.exec(select(User.email)).all() == ["grace@example.com"]

    def test_the_new_account_can_sign_in_again_later(self, client, new_client):
        register(client)
        later = new_client()
        signed = post_form(
            later,
            "/sign-in",
            "/sign-in",
            {"email": GRACE["email"], "password": GRACE["password"]},
        )
        assert signed.status_code == 303
        assert signed_in_as(later) == "grace@example.com"


class TestRefusingARegistration:
    def test_an_email_already_taken_in_another_case_is_refused_on_the_email_field(
        self, client, db, cast
    ):
        response = register(client, email="ADA@Example.com")
        assert response.status_code == 422
        assert inline_error(response.text, "email") == "An account with this email already exists."
        assert count(db, User) == len(cast)
        assert count(db, AuthSession) == 0

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("short1!", "Use at least 8 characters; 15 or more is better."),
            ("password1", "This password is on the list of commonly used passwords"),
            ("x" * 129, "Use at most 128 characters."),
            ("my-grace-forever", "The password must not contain your email or name."),
        ],
        ids=["too-short", "common", "too-long", "contains-the-email"],
    )
    def test_a_weak_password_is_refused_on_the_password_field(
        self, client, db, engine, password, message
    ):
        response = register(client, password=password)
        assert response.status_code == 422
        assert inline_error(response.text, "password").startswith(message)
        assert count(db, User) == 0
        assert count(db, AuthSession) == 0
        assert signed_in_as(client) is None

    @pytest.mark.parametrize("email", ["grace", "grace@", "@example.com", "grace@example", ""])
    def test_a_malformed_email_is_refused_on_the_email_field(self, client, db, engine, email):
        response = register(client, email=email)
        assert response.status_code == 422
        assert inline_error(response.text, "email")
        assert count(db, User) == 0

    def test_a_missing_name_is_refused_on_the_name_field(self, client, db, engine):
        response = register(client, name="   ")
        assert response.status_code == 422
        assert inline_error(response.text, "name") == "This field is required."
        assert count(db, User) == 0

    def test_the_form_keeps_the_name_and_email_but_never_echoes_the_password(self, client, engine):
        response = register(client, email="not-an-email", password="compilers-not-bugs-2")
        assert response.status_code == 422
        assert 'value="Grace Hopper"' in response.text
        assert 'value="not-an-email"' in response.text
        assert "compilers-not-bugs-2" not in response.text

    def test_a_signed_in_visitor_is_sent_away_from_the_registration_page(self, signed_in):
        response = signed_in("ada").get("/register", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/"


class TestRegisteringFromASignedInBrowser:
    def test_the_session_the_browser_had_ends(self, signed_in, settings, new_client):
        client = signed_in("ada")
        before = client.cookies.get(settings.session_cookie_name)
        assert register(client).status_code == 303
        assert signed_in_as(client) == "grace@example.com"
        replay = new_client()
        replay.cookies.set(settings.session_cookie_name, before)
        assert signed_in_as(replay) is None
