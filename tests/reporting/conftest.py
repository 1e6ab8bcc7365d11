"""An organisation for the HR tests:

    Northwind ─┬─ Operations ─┬─ Claims    (Ada, Ines)
               │              └─ Payments  (Cara, Dev)
               └─ Finance ──── Ledger      (Ben, Hana, Omar)

Hana (HR) sees Operations only; Omar (admin) sees everything.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app.config import REPO_ROOT
from app.content.loader import LoadedContent, load_content
from app.content.sync import sync_content
from app.models import OrgUnit, Role, User
from app.org import scope, units
from app.reporting import summaries


@dataclass(frozen=True)
class Org:
    northwind: OrgUnit
    operations: OrgUnit
    claims: OrgUnit
    payments: OrgUnit
    finance: OrgUnit
    ledger: OrgUnit
    people: dict[str, User]


def place(db: Session, user: User, unit: OrgUnit) -> None:
    old = user.org_unit_id
    user.org_unit_id = unit.id
    db.add(user)
    db.flush()
    summaries.person_moved(db, user, old)


@pytest.fixture
def org(db: Session, engine, cast: dict[str, User], password_hashes) -> Org:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        northwind = units.create_unit(session, "Northwind", None)
        operations = units.create_unit(session, "Operations", northwind)
        claims = units.create_unit(session, "Claims", operations)
        payments = units.create_unit(session, "Payments", operations)
        finance = units.create_unit(session, "Finance", northwind)
        ledger = units.create_unit(session, "Ledger", finance)
        people = {key: session.get(User, user.id) for key, user in cast.items()}
        for key, name in (("cara", "Cara Mendes"), ("dev", "Dev Patel")):
            extra = User(
                email=f"{key}@example.com",
                name=name,
                role=Role.learner,
                password_hash=password_hashes["ada"],
            )
            session.add(extra)
            session.flush()
            people[key] = extra
        for key, unit in (
            ("ada", claims),
            ("ines", claims),
            ("cara", payments),
            ("dev", payments),
            ("ben", ledger),
            ("hana", ledger),
            ("omar", ledger),
        ):
            place(session, people[key], unit)  # type: ignore[arg-type]
        scope.set_scopes(session, people["hana"], [operations])  # type: ignore[arg-type]
        session.commit()
    return Org(northwind, operations, claims, payments, finance, ledger, people)  # type: ignore[arg-type]


@pytest.fixture
def reader(engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    """A session for looking at the results. Unlike `db`, which loaded the cast before the
    organisation was built, it holds no stale copies; open a new one after each change."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session")
def loaded_content() -> LoadedContent:
    loaded = load_content(REPO_ROOT)
    assert loaded.problems == []
    return loaded


@pytest.fixture
def content(db: Session, loaded_content: LoadedContent) -> None:
    """The repository's courses, synced as tests/conftest.py's fixture does, but read from
    the files once per run: reading them is most of its cost, and most tests here use it."""
    sync_content(db, loaded_content)
    db.commit()
