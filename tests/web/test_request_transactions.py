"""The caller's lookup ends its transaction before the route runs (ADR 0020): FastAPI runs
the lookup and the route in separate threadpool hops, and a connection or SQLite write
lock held between them stalls a burst of requests."""

import asyncio

import anyio.to_thread
import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlmodel import Session, func, select
from starlette.requests import Request

from app import db as app_db
from app.accounts.service import create_api_token
from app.db import writer
from app.deps import optional_user
from app.learning import attempts
from app.models import Attempt, User
from app.security import passwords
from tests.accounts.conftest import session_cookie
from tests.conftest import csrf_from, person
from tests.exercise_helpers import PAGE, SLUG, form_controls, reference_form, wrong_form

MODULE = "/courses/yellow-belt/craft-mass-lean"


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


def test_a_burst_of_api_submissions_is_answered_without_waiting_out_a_lock(
    app, db, cast, content, monkeypatch
):
    """More submissions at once than there are threads. A route that read after its commit
    held a new transaction (on SQLite, the write lock) through the answer's serialisation,
    which waits for a thread, while every thread waited for that lock: nothing moved until
    the lock wait ran out."""
    monkeypatch.setattr(app_db, "SQLITE_BUSY_TIMEOUT_S", 3)  # fail in seconds, not 30
    learners = [cast["ada"], cast["ben"]]
    for n in range(4):
        learners.append(User(email=f"burst-{n}@takt.example", name=f"Burst {n}", password_hash="x"))
        db.add(learners[-1])
    db.commit()
    posts = []
    for learner in learners:
        _, token = create_api_token(db, learner, "burst")
        answer = reference_form(db, learner)
        version_id = attempts.load_exercise(db, SLUG).version.id
        body = {
            "version_id": version_id,
            "submission_token": f"burst-submission-{learner.id}",
            "answer": {name: values[0] for name, values in answer.items()},
        }
        posts.append(({"Authorization": f"Bearer {token}"}, body))
    db.commit()

    async def burst() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as c:
            replies = await asyncio.gather(
                *(
                    c.post(f"/api/v1/exercises/{SLUG}/attempts", json=body, headers=headers)
                    for headers, body in posts
                )
            )
        return [reply.status_code for reply in replies]

    assert asyncio.run(burst()) == [201] * len(learners)
    made = db.exec(select(func.count()).select_from(Attempt)).one()
    assert made == len(learners)


@pytest.fixture
def transaction_events(app):  # type: ignore[no-untyped-def]
    """Every transaction boundary on the app's engine, in order, from now on."""
    events: list[str] = []
    engine = app.state.engine
    listeners = {name: (lambda _c, n=name: events.append(n)) for name in ("begin", "commit")}
    listeners["rollback"] = lambda _c: events.append("rollback")
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    yield events
    for name, listener in listeners.items():
        event.remove(engine, name, listener)


@pytest.mark.parametrize("step", ["an exercise's answer", "a module marked read"])
def test_an_htmx_write_opens_no_transaction_after_its_commit(
    step, signed_in, content, db, cast, transaction_events
):
    """What htmx shows is read before the commit: a transaction begun after it would keep
    SQLite's write lock while the fragment renders and until the session closes."""
    client = signed_in("ada")
    if step == "an exercise's answer":
        page = client.get(PAGE).text
        answer = wrong_form(db, cast["ada"])
        transaction_events.clear()
        response = client.post(
            f"{PAGE}/attempts",
            data={**form_controls(page), **answer},
            headers={"HX-Request": "true"},
        )
    else:
        token = csrf_from(client.get(MODULE).text)
        transaction_events.clear()
        response = client.post(
            f"{MODULE}/read", headers={"HX-Request": "true", "X-CSRF-Token": token}
        )
    assert response.status_code == 200 and "<html" not in response.text
    assert transaction_events[-1] == "commit", transaction_events
    assert "begin" in transaction_events


@pytest.mark.parametrize("password", ["right", "wrong"])
def test_signing_in_checks_the_password_with_no_transaction_open(
    password, client, cast, transaction_events, monkeypatch
):
    """The hash takes tens of milliseconds; on SQLite an open transaction of a form post
    holds the write lock, and every other writer would wait for each sign-in."""
    check = passwords.verify_password

    def noted(*args, **kwargs):  # type: ignore[no-untyped-def]
        transaction_events.append("password checked")
        return check(*args, **kwargs)

    monkeypatch.setattr(passwords, "verify_password", noted)
    who = person("ada")
    token = csrf_from(client.get("/sign-in").text)
    transaction_events.clear()
    response = client.post(
        "/sign-in",
        data={
            "email": who.email,
            "password": who.password if password == "right" else "not the password",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == (303 if password == "right" else 401)
    before = transaction_events[: transaction_events.index("password checked")]
    assert before.count("begin") == before.count("commit") + before.count("rollback") > 0


def test_registering_hashes_the_password_with_no_transaction_open(
    client, transaction_events, monkeypatch
):
    hash_password = passwords.hash_password

    def noted(password: str) -> str:
        transaction_events.append("password hashed")
        return hash_password(password)

    monkeypatch.setattr(passwords, "hash_password", noted)
    token = csrf_from(client.get("/register").text)
    transaction_events.clear()
    response = client.post(
        "/register",
        data={
            "email": "new.learner@takt.example",
            "name": "New Learner",
            "password": "a long enough passphrase",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    before = transaction_events[: transaction_events.index("password hashed")]
    assert before.count("begin") == before.count("commit") + before.count("rollback")
