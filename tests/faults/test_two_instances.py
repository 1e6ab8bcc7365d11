"""Two app instances (think: two machines behind a load balancer) over one database, the
production layout: sessions, sign-out and the sign-in throttle hold across them, and two
final submissions sent to both at once award one certificate.

On PostgreSQL (TAKT_TEST_DATABASE_URL) the instances share a schema of the test database;
otherwise they share one SQLite file, as workers on one machine do."""

import threading
from collections.abc import Iterator

import httpx2 as httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.learning import exams
from app.models import Certificate, Course, Exam, ExamSitting, User
from tests.certification.steps import read_modules
from tests.conftest import csrf_from, person
from tests.faults.conftest import (
    add_people,
    drop_schema,
    migrate,
    on_postgresql,
    schema_url,
    sync,
)
from tests.faults.servers import Server, start_server

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def shared(
    tmp_path_factory: pytest.TempPathFactory, password_hashes, repository_content
) -> Iterator[tuple[Engine, dict[str, User], Server, Server]]:
    """One database with content and people, and two instances serving it."""
    var_dir = tmp_path_factory.mktemp("instances")
    url = schema_url("instances") if on_postgresql() else f"sqlite:///{var_dir / 'takt.sqlite3'}"
    engine = migrate(url, var_dir / "var")
    sync(engine, repository_content)
    people = add_people(engine, password_hashes, learners=3)
    first = start_server(url, var_dir / "first")
    try:
        second = start_server(url, var_dir / "second")
    except BaseException:
        first.stop()
        raise
    yield engine, people, first, second
    first.stop()
    second.stop()
    engine.dispose()
    if on_postgresql():
        drop_schema(url)


def sign_in(client: httpx.Client, server: Server, who: str, password: str) -> httpx.Response:
    token = csrf_from(client.get(f"{server.url}/sign-in").text)
    return client.post(
        f"{server.url}/sign-in",
        data={"email": who, "password": password, "csrf_token": token},
    )


def signed_in_name(client: httpx.Client, server: Server) -> str | None:
    """Whose attempts page the instance shows, or None when it asks to sign in."""
    page = client.get(f"{server.url}/attempts")
    if page.status_code == 303:
        assert page.headers["location"].startswith("/sign-in")
        return None
    assert page.status_code == 200, page.text
    return next(p.name for p in map(person, ("ada", "ben")) if p.name in page.text)


def test_a_session_made_on_one_instance_works_on_the_other(shared):
    _, _, first, second = shared
    # Cookies are bound to the host, not the port: one browser reaches both instances.
    with httpx.Client(timeout=10) as browser:
        assert sign_in(browser, first, "ada@example.com", person("ada").password).status_code == 303
        assert signed_in_name(browser, second) == "Ada Lovelace"
        assert signed_in_name(browser, first) == "Ada Lovelace"


def test_signing_out_on_one_instance_ends_the_session_on_the_other(shared):
    _, _, first, second = shared
    with httpx.Client(timeout=10) as browser, httpx.Client(timeout=10) as replay:
        assert sign_in(browser, first, "ben@example.com", person("ben").password).status_code == 303
        assert signed_in_name(browser, second) == "Ben Okri"
        cookies = dict(browser.cookies)
        token = csrf_from(browser.get(f"{second.url}/attempts").text)
        signed_out = browser.post(f"{second.url}/sign-out", data={"csrf_token": token})
        assert signed_out.status_code == 303
        assert signed_in_name(browser, first) is None
        for name, value in cookies.items():  # an old cookie, replayed, is refused too
            replay.cookies.set(name, value)
        assert signed_in_name(replay, first) is None
        assert signed_in_name(replay, second) is None


def test_the_sign_in_throttle_counts_failures_on_both_instances(shared):
    _, _, first, second = shared
    limit = 10  # TAKT_LOGIN_FAILURES_PER_ACCOUNT's default, which both instances use
    with httpx.Client(timeout=10) as browser:
        for i in range(limit):
            wrong = sign_in(browser, (first, second)[i % 2], "learner1@example.com", "wrong!")
            assert wrong.status_code == 401, wrong.text
        for server in (first, second):
            refused = sign_in(browser, server, "learner1@example.com", person("ada").password)
            assert refused.status_code == 429
            assert int(refused.headers["retry-after"]) > 0


def ready_to_submit(engine: Engine, user: User) -> ExamSitting:
    """Every Yellow Belt module read and an exam sitting open with every answer right:
    submitting it completes the course."""
    with Session(engine, expire_on_commit=False) as db:
        course = db.exec(select(Course).where(Course.slug == "yellow-belt")).one()
        read_modules(db, user, course)
        exam = db.exec(select(Exam).where(Exam.course_id == course.id)).one()
        sitting = exams.start(db, user, exam)
        for index in range(len(sitting.plan["slots"])):
            item = exams.question(db, sitting, index)
            kind, params = item.loaded.kind, item.loaded.params
            form = kind.to_form(params, item.variant, kind.solve(params, item.variant))
            exams.save_answer(db, sitting, index, form)
        db.commit()
        return sitting


@pytest.mark.parametrize("learner", ["learner2", "learner3"])
def test_final_submissions_to_both_instances_at_once_award_one_certificate(shared, learner):
    engine, people, first, second = shared
    user = people[learner]
    sitting = ready_to_submit(engine, user)
    together = threading.Barrier(2, timeout=10)
    statuses: list[int] = []

    def submit(server: Server, browser: httpx.Client, token: str) -> None:
        together.wait()
        response = browser.post(
            f"{server.url}/exam-sittings/{sitting.id}/submit",
            data={"confirm": "yes", "csrf_token": token},
        )
        statuses.append(response.status_code)

    with httpx.Client(timeout=30) as one, httpx.Client(timeout=30) as other:
        for browser in (one, other):
            assert sign_in(browser, first, user.email, person("ada").password).status_code == 303
        tokens = [
            csrf_from(b.get(f"{s.url}/exam-sittings/{sitting.id}").text)
            for b, s in ((one, first), (other, second))
        ]
        threads = [
            threading.Thread(target=submit, args=(first, one, tokens[0])),
            threading.Thread(target=submit, args=(second, other, tokens[1])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert statuses == [303, 303]
    with Session(engine) as db:
        held = db.exec(select(func.count()).where(col(Certificate.user_id) == user.id)).one()
        submitted = db.exec(select(ExamSitting).where(ExamSitting.id == sitting.id)).one()
    assert held == 1
    assert submitted.status == "submitted" and submitted.passed
