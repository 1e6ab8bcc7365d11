"""The caller's lookup ends its transaction before the route runs (ADR 0020): FastAPI runs
the lookup and the route in separate threadpool hops, and a connection or SQLite write
lock held between them stalls a burst of requests."""

from fastapi import FastAPI
from sqlmodel import Session
from starlette.requests import Request

from app.accounts.service import create_api_token
from app.db import writer
from app.deps import optional_user
from app.models import User
from tests.accounts.conftest import session_cookie


def form_post(app: FastAPI, headers: list[tuple[bytes, bytes]]) -> Request:
    return Request({"type": "http", "method": "POST", "headers": headers, "app": app})


def test_a_form_posts_lookup_leaves_no_transaction_open(app, signed_in, cast, settings):
    cookie = session_cookie(signed_in("ada"), settings)
    request = form_post(app, [(b"cookie", f"{settings.session_cookie_name}={cookie}".encode())])
    with Session(writer(app.state.engine), expire_on_commit=False) as db:
        user = optional_user(request, db, settings)
        assert isinstance(user, User) and user.email == cast["ada"].email
        assert not db.in_transaction()
        assert user.name == cast["ada"].name  # still readable, not expired by the commit


def test_an_api_token_lookup_leaves_no_transaction_open(app, db, cast, settings):
    _, plain = create_api_token(db, cast["ada"], "export")
    db.commit()
    request = form_post(app, [(b"authorization", f"Bearer {plain}".encode())])
    with Session(writer(app.state.engine), expire_on_commit=False) as session:
        user = optional_user(request, session, settings)
        assert user is not None and user.id == cast["ada"].id
        assert not session.in_transaction()
