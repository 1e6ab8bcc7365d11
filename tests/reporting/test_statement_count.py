"""The HR pages read the summary tables in a fixed number of statements: the same for a
handful of learners as for sixty spread over twice the units."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine, event
from sqlmodel import Session, func, select

from app.models import User
from app.models.base import utcnow
from app.org import units
from tests.conftest import sign_in
from tests.reporting import steps
from tests.reporting.conftest import Org


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """Every statement the engine sends while the block runs."""
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def statements(client, engine: Engine, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # once first, so any bookkeeping of the session happens outside
    with counting(engine) as sent:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return len(sent)


def measure(new_client, engine: Engine, org: Org) -> dict[str, int]:  # type: ignore[no-untyped-def]
    omar, hana = new_client(), new_client()
    sign_in(omar, "omar")
    sign_in(hana, "hana")
    ada = org.people["ada"].id
    return {
        "company dashboard": statements(omar, engine, f"/hr/units/{org.northwind.id}"),
        "company API": statements(omar, engine, f"/api/v1/hr/units/{org.northwind.id}"),
        "division dashboard": statements(hana, engine, f"/hr/units/{org.operations.id}"),
        "learner page": statements(hana, engine, f"/hr/people/{ada}"),
    }


def grow(engine: Engine, org: Org, password_hash: str) -> None:
    """Six more teams and fifty-five more learners, most of them busy: reading, exercises,
    certificates (one revoked), assignments, one person disabled; Ada does more too."""
    with steps.unit_of_work(engine) as db:
        teams = [org.claims, org.payments, org.ledger]
        for parent in (org.claims, org.payments, org.ledger):
            teams.append(units.create_unit(db, f"{parent.name} North", parent))
            teams.append(units.create_unit(db, f"{parent.name} South", parent))
    learners = [
        steps.add_person(engine, f"Learner {n:02d}", teams[n % len(teams)], password_hash)
        for n in range(55)
    ]
    today = utcnow().date()
    steps.assign_unit(engine, org.people["omar"], org.northwind, today + timedelta(days=10))
    steps.assign_unit(
        engine, org.people["omar"], org.ledger, today - timedelta(days=2), today - timedelta(days=5)
    )
    for n, learner in enumerate(learners[:30]):
        steps.read(engine, learner, 1 + n % 10)
    for learner in learners[30:36]:
        steps.attempt(engine, learner, "yb-01-check", right=False)
    certified = [steps.earn_certificate(engine, learner) for learner in learners[36:41]]
    steps.revoke(engine, org.people["omar"], certified[0].id)
    steps.set_active(engine, learners[41], False)
    steps.earn_certificate(engine, org.people["ada"])
    steps.attempt(engine, org.people["ada"], "yb-yield-mortgage", right=False)


def test_the_hr_pages_issue_as_many_statements_for_sixty_learners_as_for_five(
    new_client, engine, org: Org, content, password_hashes
):
    steps.read(engine, org.people["ada"], 3)
    steps.read(engine, org.people["cara"], 1)
    small = measure(new_client, engine, org)

    grow(engine, org, password_hashes["ada"])
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(User)).one() >= 60
    assert steps.drift(engine) == []
    large = measure(new_client, engine, org)

    assert min(small.values()) >= 5, small  # the listener saw the requests' queries
    assert large == small
