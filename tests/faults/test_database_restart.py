"""Restart PostgreSQL under load, on a private cluster this test starts itself: while the
database is down the app answers 503 with a clear message (a page for browsers, a JSON
problem for the API), never a 500; it recovers by itself within 10 s of the database
coming back; and nothing it acknowledged is lost."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import text

from app.db import make_engine
from app.error_handlers import DATABASE_UNAVAILABLE
from tests.faults.cluster import Cluster, make_cluster, remove_cluster, why_not_available
from tests.faults.conftest import add_people, migrate, sync
from tests.faults.load import (
    Outcome,
    assert_acknowledged_once,
    plan_learners,
    run_load,
    wait_for_acknowledgements,
)
from tests.faults.servers import start_server

pytestmark = pytest.mark.faults
LEARNERS = 6
DOWN_FOR = 3.0  # seconds the database stays down
RECOVERY_LIMIT = 10.0  # seconds within which the app must answer again


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    reason = why_not_available()
    if reason:
        pytest.skip(f"no private PostgreSQL cluster can be started: {reason}")
    made = make_cluster()
    yield made
    remove_cluster(made)


@pytest.fixture
def platform(cluster, tmp_path, password_hashes, repository_content):  # type: ignore[no-untyped-def]
    admin = make_engine(cluster.url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE takt"))
    admin.dispose()
    url = cluster.database_url("takt")
    engine = migrate(url, tmp_path / "var")
    sync(engine, repository_content)
    people = add_people(engine, password_hashes, learners=LEARNERS)
    users = [people[f"learner{i}"] for i in range(1, LEARNERS + 1)]
    slugs = sorted(s for s in repository_content.exercises if s.startswith("yb-"))
    learners = plan_learners(engine, users, slugs)
    yield url, engine, learners
    engine.dispose()


def probe(client: httpx.Client, base: str, api_token: str) -> tuple[httpx.Response, ...]:
    """A browser's page and an API client's call, as the outage goes on."""
    page = client.get(f"{base}/")
    api = client.get(f"{base}/api/v1/courses", headers={"authorization": f"Bearer {api_token}"})
    return page, api


def assert_unavailable(page: httpx.Response, api: httpx.Response) -> None:
    assert page.status_code == 503, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "cannot reach its database" in page.text
    assert "Traceback" not in page.text
    assert int(page.headers["retry-after"]) > 0
    assert api.status_code == 503, api.text
    assert api.json() == {"error": "unavailable", "detail": DATABASE_UNAVAILABLE}
    assert int(api.headers["retry-after"]) > 0


def test_a_database_restart_mid_load_is_a_503_then_recovers_and_loses_nothing(
    cluster: Cluster, platform, tmp_path: Path
):
    url, engine, learners = platform
    api_token = next(learner for learner in learners if learner.via_api).api_token
    total = sum(len(learner.plan) for learner in learners)
    server = start_server(url, tmp_path / "var", workers=1)
    outages: list[tuple[int, int]] = []
    try:
        deadline = time.monotonic() + 60
        outcome = Outcome()
        threads = run_load(lambda: server.url, learners, outcome, deadline)
        wait_for_acknowledgements(outcome, total // 4, deadline)
        with httpx.Client(timeout=10) as client:
            cluster.stop()
            acknowledged_when_down = len(outcome.acknowledged)
            down_until = time.monotonic() + DOWN_FOR
            while time.monotonic() < down_until:
                page, api = probe(client, server.url, api_token)
                assert_unavailable(page, api)
                outages.append((page.status_code, api.status_code))
                time.sleep(0.2)
            cluster.start()
            back = time.monotonic()
            while True:
                page, api = probe(client, server.url, api_token)
                if page.status_code == 200 and api.status_code == 200:
                    break
                assert_unavailable(page, api)
                assert time.monotonic() - back < RECOVERY_LIMIT, "the app did not recover"
                time.sleep(0.1)
            recovered_in = time.monotonic() - back
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        server.stop()
    log = server.log_text()

    print(  # shown with -s
        f"{total} submissions, {acknowledged_when_down} acknowledged before the stop, "
        f"recovered {recovered_in:.1f} s after the database was back, statuses "
        f"{outcome.statuses}, {outcome.transport_errors} dropped connections"
    )
    assert outages, "the outage was never observed"
    assert outcome.unexpected == [], log[-5000:]
    assert outcome.unfinished == [], "the load did not finish in time"
    assert 500 not in outcome.statuses
    assert outcome.statuses[503] > 0, "no submission met the outage"
    assert "Traceback" not in outcome.bodies[503]
    assert len(outcome.acknowledged) == total
    assert acknowledged_when_down < total, "the load was over before the database stopped"
    assert_acknowledged_once(engine, learners, outcome)
    assert "unexpected error" not in log, log[-5000:]
    assert "Traceback" not in log, log[-5000:]
