"""Sign-in throttling per account and per client address, kept in the database so that
it holds across workers; a throttled attempt costs no argon2 work."""

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, func, select

from app.main import create_app
from app.models import LoginFailure
from app.models.base import utcnow
from app.security import passwords
from tests.conftest import BASE_URL, csrf_from, make_settings, person
from tests.security.conftest import signed_in_as

LIMIT = 5
WINDOW_MINUTES = 15
WRONG = "not-the-password"


@pytest.fixture
def make_app(database_url, engine, tmp_path) -> Callable[..., FastAPI]:  # type: ignore[no-untyped-def]
    """An app instance (think: one worker) on the shared test database."""

    def make(**overrides: object) -> FastAPI:
        values: dict[str, object] = {
            "login_failures_per_account": LIMIT,
            "login_window_minutes": WINDOW_MINUTES,
            **overrides,
        }
        return create_app(make_settings(database_url, tmp_path / "var", **values), engine=engine)

    return make


@pytest.fixture
def clients() -> Iterator[Callable[..., TestClient]]:
    made: list[TestClient] = []

    def make(app: FastAPI, ip: str = "198.51.100.7") -> TestClient:
        made.append(TestClient(app, base_url=BASE_URL, client=(ip, 50000)))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def worker(make_app, clients, cast) -> TestClient:  # type: ignore[no-untyped-def]
    return clients(make_app())


@pytest.fixture
def argon2_calls(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Every password verification, counted where the service calls it."""
    calls: list[str] = []
    real = passwords.verify_password

    def counting(password: str, password_hash: str | None) -> tuple[bool, str | None]:
        calls.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return calls


def attempt(client: TestClient, email: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/sign-in").text)
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def fail(client: TestClient, email: str = "ada@example.com", times: int = LIMIT) -> None:
    for _ in range(times):
        response = attempt(client, email, WRONG)
        assert response.status_code == 401, response.text


def retry_after(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.text
    assert "Too many failed sign-ins" in response.text
    return int(response.headers["retry-after"])


def age_failures(engine: Engine, by: timedelta) -> None:
    """Date every recorded failure `by` ago, as if the clock had run on."""
    with Session(engine) as db:
        db.exec(update(LoginFailure).values(at=utcnow() - by))  # type: ignore[call-overload]
        db.commit()


def failures_recorded(engine: Engine, key: str) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).where(col(LoginFailure.key) == key)).one()


class TestTheAccountLimit:
    def test_after_the_limit_even_the_right_password_gets_a_429_with_retry_after(self, worker):
        fail(worker)
        response = attempt(worker, "ada@example.com", person("ada").password)
        assert 0 < retry_after(response) <= WINDOW_MINUTES * 60
        assert signed_in_as(worker) is None

    def test_failures_are_counted_in_the_database(self, worker, engine):
        fail(worker, times=3)
        assert failures_recorded(engine, "account:ada@example.com") == 3
        assert failures_recorded(engine, "ip:198.51.100.7") == 3

    def test_the_account_is_counted_whatever_the_case_of_the_email(self, worker):
        for email in ("ada@example.com", "ADA@example.com", " Ada@Example.com "):
            attempt(worker, email, WRONG)
        fail(worker, "ada@EXAMPLE.com", times=LIMIT - 3)
        retry_after(attempt(worker, "ada@example.com", person("ada").password))

    def test_an_unknown_email_is_throttled_just_like_a_real_one(self, worker):
        fail(worker, "nobody@example.com")
        retry_after(attempt(worker, "nobody@example.com", WRONG))

    def test_other_accounts_are_not_throttled_by_adas_failures(self, worker):
        fail(worker)
        assert attempt(worker, "ben@example.com", person("ben").password).status_code == 303

    def test_a_second_worker_sharing_the_database_refuses_too(self, make_app, clients, cast):
        first, second = clients(make_app()), clients(make_app(), ip="203.0.113.20")
        fail(first, times=3)
        fail(second, times=2)
        retry_after(attempt(second, "ada@example.com", person("ada").password))
        retry_after(attempt(first, "ada@example.com", person("ada").password))

    def test_the_retry_after_counts_down_from_the_oldest_failure(self, worker, engine):
        fail(worker)
        age_failures(engine, timedelta(minutes=10))
        wait = retry_after(attempt(worker, "ada@example.com", WRONG))
        assert 0 < wait <= 5 * 60


class TestTheAddressLimit:
    def test_many_accounts_tried_from_one_address_are_throttled(self, make_app, clients, cast):
        app = make_app(login_failures_per_ip=4)
        one_address = clients(app, ip="192.0.2.1")
        for email in ("ada@example.com", "ines@example.com", "hana@example.com", "x@example.com"):
            fail(one_address, email, times=1)
        retry_after(attempt(one_address, "ben@example.com", person("ben").password))
        elsewhere = clients(app, ip="192.0.2.2")
        assert attempt(elsewhere, "ben@example.com", person("ben").password).status_code == 303


class TestClearingFailures:
    def test_a_successful_sign_in_clears_the_accounts_failures(self, worker, engine):
        fail(worker, times=LIMIT - 1)
        assert attempt(worker, "ada@example.com", person("ada").password).status_code == 303
        assert failures_recorded(engine, "account:ada@example.com") == 0
        fail(worker, times=LIMIT)
        retry_after(attempt(worker, "ada@example.com", WRONG))

    def test_once_the_window_has_passed_signing_in_works_again(self, worker, engine):
        fail(worker)
        retry_after(attempt(worker, "ada@example.com", person("ada").password))
        age_failures(engine, timedelta(minutes=WINDOW_MINUTES, seconds=1))
        assert attempt(worker, "ada@example.com", person("ada").password).status_code == 303


class TestNoArgon2WorkWhenThrottled:
    def test_a_throttled_attempt_does_not_verify_the_password(self, worker, argon2_calls):
        fail(worker)
        assert len(argon2_calls) == LIMIT
        retry_after(attempt(worker, "ada@example.com", person("ada").password))
        assert len(argon2_calls) == LIMIT

    def test_over_two_workers_no_more_than_the_limit_is_ever_verified(
        self, make_app, clients, cast, argon2_calls
    ):
        workers = [clients(make_app(), ip="203.0.113.1"), clients(make_app(), ip="203.0.113.2")]
        statuses = [
            attempt(workers[i % 2], "ada@example.com", WRONG).status_code for i in range(30)
        ]
        assert statuses == [401] * LIMIT + [429] * (30 - LIMIT)
        assert len(argon2_calls) == LIMIT

    def test_concurrent_attempts_cannot_exceed_the_limit(
        self, make_app, clients, cast, monkeypatch
    ):
        """Attempts that arrive together must not all slip in before any is recorded."""
        burst = 3 * LIMIT
        verified = verify_in_step(monkeypatch, burst)
        apps = [make_app(), make_app()]
        browsers = [clients(apps[i % 2], ip=f"203.0.113.{i}") for i in range(burst)]
        statuses = post_together(browsers, [("ada@example.com", WRONG)] * burst)
        assert len(verified) <= LIMIT
        assert set(statuses) == {401, 429}


class TestConcurrentSignIns:
    def test_two_people_signing_in_at_the_same_moment_are_both_signed_in(
        self, make_app, clients, cast, monkeypatch
    ):
        verify_in_step(monkeypatch, 2)
        app = make_app()
        browsers = [clients(app, ip="192.0.2.1"), clients(app, ip="192.0.2.2")]
        credentials = [(person(key).email, person(key).password) for key in ("ada", "ben")]
        assert post_together(browsers, credentials) == [303, 303]


def verify_in_step(monkeypatch: pytest.MonkeyPatch, parties: int) -> list[str]:
    """Hold each password verification until `parties` of them are under way (or a few
    seconds pass), so that concurrent sign-ins overlap for certain. Returns the calls."""
    calls: list[str] = []
    together = threading.Barrier(parties, timeout=3)
    real = passwords.verify_password

    def in_step(password: str, password_hash: str | None) -> tuple[bool, str | None]:
        calls.append(password)
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait()
        return real(password, password_hash)

    monkeypatch.setattr(passwords, "verify_password", in_step)
    return calls


def post_together(browsers: list[TestClient], credentials: list[tuple[str, str]]) -> list[int]:
    """Sign in from every browser at once (each with its own page's token); the statuses."""
    tokens = [csrf_from(browser.get("/sign-in").text) for browser in browsers]

    def post(i: int) -> int:
        email, password = credentials[i]
        data = {"email": email, "password": password, "csrf_token": tokens[i]}
        return browsers[i].post("/sign-in", data=data, follow_redirects=False).status_code

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        return list(pool.map(post, range(len(browsers))))
