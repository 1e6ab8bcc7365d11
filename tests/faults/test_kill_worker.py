"""Kill -9 one of two uvicorn workers while learners submit answers: clients retry what
was not acknowledged with the same submission token; every acknowledged attempt is stored,
none twice, and the database passes its integrity check."""

import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.faults.conftest import add_people, migrate, on_postgresql, sync
from tests.faults.load import (
    Outcome,
    assert_acknowledged_once,
    plan_learners,
    run_load,
    wait_for_acknowledgements,
)
from tests.faults.servers import start_server

pytestmark = pytest.mark.faults
LEARNERS = 8
TIME_LIMIT = 45  # seconds for the whole load, kill and recovery included


@pytest.fixture
def platform(fresh_schema, tmp_path, password_hashes, repository_content):  # type: ignore[no-untyped-def]
    url = fresh_schema("killed")
    engine = migrate(url, tmp_path / "var")
    sync(engine, repository_content)
    people = add_people(engine, password_hashes, learners=LEARNERS)
    users = [people[f"learner{i}"] for i in range(1, LEARNERS + 1)]
    slugs = sorted(s for s in repository_content.exercises if s.startswith("yb-"))
    learners = plan_learners(engine, users, slugs)
    yield url, engine, learners
    engine.dispose()


def test_killing_a_worker_mid_load_loses_and_duplicates_nothing(platform, tmp_path: Path):
    url, engine, learners = platform
    total = sum(len(learner.plan) for learner in learners)
    server = start_server(url, tmp_path / "var", workers=2)
    try:
        started = time.monotonic()
        deadline = started + TIME_LIMIT
        outcome = Outcome()
        threads = run_load(lambda: server.url, learners, outcome, deadline)
        wait_for_acknowledgements(outcome, total // 4, deadline)
        before_kill = len(outcome.acknowledged)
        killed = server.kill_worker()
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
        assert not any(thread.is_alive() for thread in threads)
        while killed in server.worker_pids() or len(server.worker_pids()) < 2:
            assert time.monotonic() < deadline, "uvicorn did not replace the killed worker"
            time.sleep(0.1)
    finally:
        server.stop()

    print(  # shown with -s: what the clients went through
        f"{total} submissions, {before_kill} acknowledged before the kill, "
        f"{outcome.transport_errors} dropped connections retried, statuses {outcome.statuses}, "
        f"{time.monotonic() - started:.1f} s"
    )
    assert outcome.unexpected == []
    assert outcome.unfinished == [], "the load did not finish in time"
    assert len(outcome.acknowledged) == total
    assert 500 not in outcome.statuses
    assert before_kill < total, "the load was over before the worker was killed"
    assert_acknowledged_once(engine, learners, outcome)
    if not on_postgresql():
        path = make_url(url).database
        with closing(sqlite3.connect(path)) as database:  # type: ignore[arg-type]
            assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
