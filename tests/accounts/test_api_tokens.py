"""Personal API tokens: made on the account page and shown once, used as a bearer token,
revoked by their owner only, and stored as digests."""

import hashlib
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from app.models import ApiToken
from tests.conftest import post_form, sign_in

NEW_TOKEN = re.compile(r'<code class="token" id="new-token">([^<]+)</code>')


def create_token(client: TestClient, name: str = "nightly export") -> str:
    page = post_form(client, "/account", "/account/tokens", {"name": name})
    assert page.status_code == 200, page.text
    match = NEW_TOKEN.search(page.text)
    assert match, "the new token is not shown"
    return match.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def me(app_client: TestClient, token: str):  # type: ignore[no-untyped-def]
    return app_client.get("/api/v1/me", headers=bearer(token))


def token_row(engine: Engine, plain: str) -> ApiToken:
    digest = hashlib.sha256(plain.encode()).hexdigest()
    with Session(engine) as db:
        return db.exec(select(ApiToken).where(ApiToken.token_hash == digest)).one()


class TestCreatingAToken:
    def test_the_account_page_shows_the_new_token_once(self, signed_in):
        client = signed_in("ada")
        token = create_token(client)
        assert token.startswith("takt_")
        assert len(token) >= 40
        later = client.get("/account")
        assert token not in later.text
        assert "nightly export" in later.text
        assert f"<code>{token[:12]}…</code>" in later.text

    def test_the_token_calls_the_api_as_its_owner_without_any_cookie(self, signed_in, new_client):
        token = create_token(signed_in("ada"))
        response = me(new_client(), token)
        assert response.status_code == 200
        assert response.json()["email"] == "ada@example.com"

    def test_a_token_needs_a_name(self, signed_in, db):
        page = post_form(signed_in("ada"), "/account", "/account/tokens", {"name": "   "})
        assert page.status_code == 422
        assert 'id="name-error"' in page.text
        assert db.exec(select(ApiToken)).all() == []

    def test_tokens_are_stored_as_digests_only(self, signed_in, engine):
        token = create_token(signed_in("ada"))
        row = token_row(engine, token)
        assert row.prefix == token[:12]
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT * FROM api_token")).all()
        assert len(stored) == 1
        assert all(token not in str(value) for value in stored[0])
        assert token[12:20] not in " ".join(str(value) for value in stored[0])

    def test_the_last_use_is_recorded(self, signed_in, new_client, engine):
        token = create_token(signed_in("ada"))
        assert token_row(engine, token).last_used_at is None
        me(new_client(), token)
        assert token_row(engine, token).last_used_at is not None


class TestRevokingAToken:
    def revoke(self, client: TestClient, token_id: int):  # type: ignore[no-untyped-def]
        return post_form(client, "/account", f"/account/tokens/{token_id}/revoke", {})

    def test_a_revoked_token_is_refused_with_a_401(self, signed_in, new_client, engine):
        client = signed_in("ada")
        token = create_token(client)
        response = self.revoke(client, token_row(engine, token).id)
        assert response.status_code == 303
        assert response.headers["location"] == "/account"
        refused = me(new_client(), token)
        assert refused.status_code == 401
        assert refused.json()["error"] == "not_authenticated"
        assert "nightly export" not in client.get("/account").text

    def test_revoking_keeps_the_other_tokens_working(self, signed_in, new_client, engine):
        client = signed_in("ada")
        first = create_token(client, "first")
        second = create_token(client, "second")
        self.revoke(client, token_row(engine, first).id)
        assert me(new_client(), second).status_code == 200

    def test_ben_cannot_revoke_adas_token(self, signed_in, new_client, engine):
        token = create_token(signed_in("ada"))
        ben = new_client()
        sign_in(ben, "ben")
        response = self.revoke(ben, token_row(engine, token).id)
        assert response.status_code == 404
        assert token_row(engine, token).revoked_at is None
        assert me(new_client(), token).json()["email"] == "ada@example.com"

    def test_revoking_twice_or_an_unknown_id_is_a_404(self, signed_in, engine):
        client = signed_in("ada")
        token = create_token(client)
        token_id = token_row(engine, token).id
        assert self.revoke(client, token_id).status_code == 303
        assert self.revoke(client, token_id).status_code == 404
        assert self.revoke(client, 999_999).status_code == 404


class TestUsingAToken:
    def test_a_forged_token_is_refused(self, client, cast):
        response = me(client, "takt_" + "A" * 43)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    def test_an_invalid_token_is_not_rescued_by_a_valid_session_cookie(self, signed_in):
        """A caller that sends a bearer token is judged by that token alone."""
        client = signed_in("ada")
        assert me(client, "takt_forged").status_code == 401
