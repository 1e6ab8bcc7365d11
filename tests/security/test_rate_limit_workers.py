"""The sign-in limit holds across real worker processes: 150 wrong passwords against one
account, sent concurrently to `uvicorn --workers 2` on one database, are answered by no
more than 100 password checks; the rest get a 429 with a Retry-After. On the test database
(SQLite, or PostgreSQL when TAKT_TEST_DATABASE_URL is set).

(tests/security/test_rate_limit.py proves the same rule within one process, on both
databases; this test proves it where the limiter's lock is all that stands between the
workers.)"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.models import LoginFailure, User
from tests.conftest import TEST_SECRET, TEST_SIGNING_KEY, person

LIMIT = 100
ATTEMPTS = 150
EMAIL = person("ada").email
PASSWORD = person("ada").password
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(database_url: str, cast: dict[str, User], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Two uvicorn workers on the test database (migrated, holding the cast); yields the
    base URL and the server's log."""
    env = {
        **os.environ,
        "TAKT_ENV": "test",
        "TAKT_DATABASE_URL": database_url,
        "TAKT_SECRET_KEY": TEST_SECRET,
        "TAKT_SIGNING_KEY": TEST_SIGNING_KEY,
        "TAKT_VAR_DIR": str(tmp_path / "var"),
        "TAKT_LOGIN_FAILURES_PER_ACCOUNT": str(LIMIT),
        "TAKT_LOGIN_WINDOW_MINUTES": "60",
        "TAKT_LOGIN_FAILURES_PER_IP": "1000",  # every request comes from 127.0.0.1
    }
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own venv's uvicorn, fixed arguments)
            [str(VENV_BIN / "uvicorn"), "app.main:app", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_workers(url, log, process)
            yield url, log
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)


def wait_for_workers(url: str, log: Path, process: subprocess.Popen[bytes]) -> None:
    """Until both workers have started and the server answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        started = log.read_text().count("Application startup complete")
        if started >= 2:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"the two workers did not start within 60 s:\n{log.read_text()}")


def sign_in_form(url: str) -> tuple[dict[str, str], str]:
    """The signed-out nonce cookie and the token of a sign-in page, as a browser gets them."""
    page = httpx.get(f"{url}/sign-in", timeout=10)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return dict(page.cookies), match.group(1)


def recorded_failures(engine: Engine) -> int:
    with Session(engine) as db:
        statement = select(func.count()).where(col(LoginFailure.key) == f"account:{EMAIL}")
        return db.exec(statement).one()


def password_checks_logged(log: Path) -> int:
    """The service logs "sign-in failed" once per password it verified and refused."""
    count = 0
    for line in log.read_text().splitlines():
        if line.startswith("{") and json.loads(line).get("message") == "sign-in failed":
            count += 1
    return count


def test_150_wrong_passwords_over_two_workers_get_at_most_100_checks(server, engine):
    url, log = server
    cookies, token = sign_in_form(url)
    data = {"email": EMAIL, "password": "not-the-passphrase", "csrf_token": token}

    def attempt(_: int) -> httpx.Response:
        return httpx.post(f"{url}/sign-in", data=data, cookies=cookies, timeout=120)

    with ThreadPoolExecutor(max_workers=24) as pool:
        responses = list(pool.map(attempt, range(ATTEMPTS)))

    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) == {401, 429}, statuses
    assert statuses[401] == LIMIT
    assert statuses[429] == ATTEMPTS - LIMIT
    for response in responses:
        if response.status_code == 429:
            assert 0 < int(response.headers["retry-after"]) <= 3600
            assert "Too many failed sign-ins" in response.text
    assert recorded_failures(engine) == LIMIT
    assert password_checks_logged(log) == LIMIT
    # Both workers took part (each logs its own process id at start-up).
    assert len(set(re.findall(r"Started server process \[(\d+)\]", log.read_text()))) == 2

    # The right password is refused too until the window has passed.
    right = httpx.post(
        f"{url}/sign-in", data={**data, "password": PASSWORD}, cookies=cookies, timeout=30
    )
    assert right.status_code == 429
    assert password_checks_logged(log) == LIMIT
