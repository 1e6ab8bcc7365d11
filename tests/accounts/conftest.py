"""Helpers for the account tests: who a browser is signed in as, its session cookie, the
sessions kept in the database, and the lines written to the `takt` log."""

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.logs import JsonFormatter
from app.models import AuthSession, User


def signed_in_as(client: TestClient) -> str | None:
    """The email of whoever this browser is signed in as, or None."""
    response = client.get("/api/v1/me")
    if response.status_code == 401:
        return None
    assert response.status_code == 200, response.text
    return response.json()["email"]


def session_cookie(client: TestClient, settings: Settings) -> str | None:
    return client.cookies.get(settings.session_cookie_name)


def sessions_of(engine: Engine, user: User) -> list[AuthSession]:
    """A fresh read of the user's sessions (not the test's own, possibly stale, objects)."""
    with Session(engine) as db:
        statement = select(AuthSession).where(col(AuthSession.user_id) == user.id)
        return list(db.exec(statement))


def stored_user(engine: Engine, user: User) -> User:
    with Session(engine, expire_on_commit=False) as db:
        fresh = db.get(User, user.id)
        assert fresh is not None
        return fresh


@pytest.fixture
def browser(new_client: Callable[[], TestClient], settings: Settings):  # type: ignore[no-untyped-def]
    """A fresh browser that already holds `cookie` as its session: `browser(cookie)`."""

    def make(cookie: str) -> TestClient:
        client = new_client()
        client.cookies.set(settings.session_cookie_name, cookie)
        return client

    return make


@pytest.fixture
def takt_log(app: FastAPI) -> Iterator[Callable[[], list[dict[str, object]]]]:
    """The lines the `takt` logger has written so far in this test, as parsed JSON.

    The app configures `takt` not to propagate (so caplog alone sees nothing). Lines are
    formatted as they are emitted, so each carries the request id of its request."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("takt")
    logger.addHandler(handler)

    def lines() -> list[dict[str, object]]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    logger.removeHandler(handler)
