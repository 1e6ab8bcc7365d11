"""Attempts are written atomically and exactly once, even under concurrent submissions."""

import threading

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Attempt, ExerciseProgress
from tests.conftest import BASE_URL, sign_in
from tests.exercise_helpers import PAGE, form_controls, wrong_form


def test_the_same_token_posted_twice_at_once_creates_one_attempt(app, content, cast, db):
    first = TestClient(app, base_url=BASE_URL)
    sign_in(first, "ada")
    second = TestClient(app, base_url=BASE_URL, cookies=dict(first.cookies))
    data = {**form_controls(first.get(PAGE).text), **wrong_form(db, cast["ada"])}
    start = threading.Barrier(2)
    statuses = []

    def post(client):
        start.wait()
        statuses.append(
            client.post(f"{PAGE}/attempts", data=data, follow_redirects=False).status_code
        )

    threads = [threading.Thread(target=post, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303, 303]
    assert len(db.exec(select(Attempt)).all()) == 1
    assert db.exec(select(ExerciseProgress)).one().attempts_used == 1
    first.close()
    second.close()


def test_a_crash_before_commit_leaves_neither_attempt_nor_progress(
    app, content, cast, db, monkeypatch
):
    client = TestClient(app, base_url=BASE_URL, raise_server_exceptions=False)
    sign_in(client, "ada")
    data = {**form_controls(client.get(PAGE).text), **wrong_form(db, cast["ada"])}

    def crash(self):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Session, "commit", crash)
    response = client.post(f"{PAGE}/attempts", data=data, follow_redirects=False)
    monkeypatch.undo()
    assert response.status_code == 500
    assert "reference" in response.text and "power cut" not in response.text
    assert db.exec(select(Attempt)).all() == []
    assert db.exec(select(ExerciseProgress)).all() == []
    client.close()


@pytest.mark.parametrize("attempts_before", [0, 2])
def test_the_summary_matches_the_attempts(signed_in, content, cast, db, attempts_before):
    client = signed_in("ada")
    for _ in range(attempts_before + 1):
        data = {**form_controls(client.get(PAGE).text), **wrong_form(db, cast["ada"])}
        client.post(f"{PAGE}/attempts", data=data)
    rows = db.exec(select(Attempt)).all()
    progress = db.exec(select(ExerciseProgress)).one()
    assert progress.attempts_used == len(rows) == attempts_before + 1
    assert progress.best_score == max(a.score for a in rows)
    assert sorted(a.number for a in rows) == list(range(1, len(rows) + 1))
