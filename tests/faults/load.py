"""Learners submitting answers to a live server from threads, each submission with its own
token, retried with the same token until the server acknowledges it, and the checks that
the database holds what was acknowledged, once."""

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.accounts.service import create_api_token
from app.learning import attempts
from app.models import Attempt, ExerciseProgress, User
from tests.conftest import csrf_from, person

ACKNOWLEDGED = {201, 303}  # the API's Created, the form's See Other
RETRYABLE = {502, 503, 504}


@dataclass(frozen=True)
class Submission:
    slug: str
    version_id: int
    token: str
    form: dict[str, list[str]]


@dataclass
class Learner:
    user: User
    via_api: bool
    api_token: str = ""
    plan: list[Submission] = field(default_factory=list)


@dataclass
class Outcome:
    """What the clients saw, shared by every thread (list appends are atomic)."""

    acknowledged: list[tuple[int, str]] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    unexpected: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    bodies: dict[int, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def dropped(self) -> None:
        with self.lock:
            self.transport_errors += 1

    def saw(self, status: int, body: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.bodies.setdefault(status, body[:500])


def plan_learners(engine: Engine, users: list[User], slugs: list[str]) -> list[Learner]:
    """Every learner answers every exercise once, with the reference answer for their own
    variant; half of them use the JSON API with a token, half the HTML form."""
    learners = []
    with Session(engine, expire_on_commit=False) as db:
        loaded = {slug: attempts.load_exercise(db, slug) for slug in slugs}
        for i, user in enumerate(users):
            learner = Learner(user, via_api=i % 2 == 0)
            if learner.via_api:
                _, learner.api_token = create_api_token(db, user, "load test")
            for slug, exercise in loaded.items():
                variant = exercise.variant(attempts.seed_for(user.id, exercise.exercise.id))  # type: ignore[arg-type]
                answer = exercise.kind.solve(exercise.params, variant)
                learner.plan.append(
                    Submission(
                        slug,
                        exercise.version.id,  # type: ignore[arg-type]
                        f"{user.id}-{slug[:20]}-{secrets.token_hex(8)}",
                        exercise.kind.to_form(exercise.params, variant, answer),
                    )
                )
            learners.append(learner)
        db.commit()
    return learners


def run_learner(
    base_url: Callable[[], str], learner: Learner, outcome: Outcome, deadline: float
) -> None:
    """Submit the learner's plan in order; retry each submission with the same token on
    a dropped connection or a 5xx until it is acknowledged or time runs out."""
    with httpx.Client(timeout=10, follow_redirects=False) as client:
        csrf = "" if learner.via_api else _sign_in(client, base_url, learner, outcome, deadline)
        for submission in learner.plan:
            while True:
                if time.monotonic() > deadline:
                    outcome.unfinished.append(submission.token)
                    return
                try:
                    response = _post(client, base_url(), learner, submission, csrf)
                except httpx.TransportError:
                    outcome.dropped()
                    time.sleep(0.05)
                    continue
                outcome.saw(response.status_code, response.text)
                if response.status_code in ACKNOWLEDGED:
                    outcome.acknowledged.append((learner.user.id, submission.token))  # type: ignore[arg-type]
                    break
                if response.status_code not in RETRYABLE:
                    outcome.unexpected.append(
                        f"{submission.slug}: {response.status_code} {response.text[:300]}"
                    )
                    break
                time.sleep(0.1)


def _post(
    client: httpx.Client, base: str, learner: Learner, submission: Submission, csrf: str
) -> httpx.Response:
    if learner.via_api:
        body: dict[str, Any] = {
            "version_id": submission.version_id,
            "submission_token": submission.token,
            "answer": submission.form,
        }
        return client.post(
            f"{base}/api/v1/exercises/{submission.slug}/attempts",
            json=body,
            headers={"authorization": f"Bearer {learner.api_token}"},
        )
    data = {
        **submission.form,
        "csrf_token": csrf,
        "version_id": str(submission.version_id),
        "submission_token": submission.token,
    }
    return client.post(f"{base}/exercises/{submission.slug}/attempts", data=data)


def _sign_in(
    client: httpx.Client,
    base_url: Callable[[], str],
    learner: Learner,
    outcome: Outcome,
    deadline: float,
) -> str:
    """Sign in through the form and return the session's CSRF token (retrying a dropped
    connection or a 5xx like any other request)."""
    password = person("ada").password
    while time.monotonic() < deadline:
        try:
            base = base_url()
            token = csrf_from(client.get(f"{base}/sign-in").text)
            signed_in = client.post(
                f"{base}/sign-in",
                data={"email": learner.user.email, "password": password, "csrf_token": token},
            )
            if signed_in.status_code == 303:
                page = client.get(f"{base}/exercises/{learner.plan[0].slug}")
                if page.status_code == 200:
                    return csrf_from(page.text)
            outcome.saw(signed_in.status_code, signed_in.text)
        except (httpx.TransportError, AssertionError):
            outcome.dropped()
        time.sleep(0.1)
    return ""


def run_load(
    base_url: Callable[[], str],
    learners: list[Learner],
    outcome: Outcome,
    deadline: float,
) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=run_learner, args=(base_url, learner, outcome, deadline))
        for learner in learners
    ]
    for thread in threads:
        thread.start()
    return threads


def wait_for_acknowledgements(outcome: Outcome, count: int, deadline: float) -> None:
    while len(outcome.acknowledged) < count:
        assert time.monotonic() < deadline, f"only {len(outcome.acknowledged)} acknowledged"
        time.sleep(0.02)


def assert_acknowledged_once(engine: Engine, learners: list[Learner], outcome: Outcome) -> None:
    """Every acknowledged submission is stored, no submission is stored twice, and every
    stored attempt is one that was sent; the summaries count exactly what is stored."""
    ids = [learner.user.id for learner in learners]
    sent = {(learner.user.id, s.token) for learner in learners for s in learner.plan}
    with Session(engine) as db:
        stored = db.exec(
            select(Attempt.user_id, Attempt.submission_token).where(col(Attempt.user_id).in_(ids))
        ).all()
        per_exercise = dict(
            ((user, exercise), n)
            for user, exercise, n in db.exec(
                select(Attempt.user_id, Attempt.exercise_id, func.count())
                .where(col(Attempt.user_id).in_(ids))
                .group_by(col(Attempt.user_id), col(Attempt.exercise_id))
            ).all()
        )
        summaries = {
            (p.user_id, p.exercise_id): p.attempts_used
            for p in db.exec(
                select(ExerciseProgress).where(col(ExerciseProgress.user_id).in_(ids))
            ).all()
        }
    stored_set = {(user, token) for user, token in stored}
    assert len(stored) == len(stored_set), "a submission was stored twice"
    assert set(outcome.acknowledged) <= stored_set, "an acknowledged attempt is missing"
    assert stored_set <= sent, "an attempt nobody sent was stored"
    assert set(per_exercise.values()) == {1}, "an exercise was answered more than once"
    assert per_exercise == summaries, "the summaries disagree with the attempts"
