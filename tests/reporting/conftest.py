"""An organisation for the HR tests:

    Northwind ─┬─ Operations ─┬─ Claims    (Ada, Ines)
               │              └─ Payments  (Cara, Dev)
               └─ Finance ──── Ledger      (Ben, Hana, Omar)

Hana (HR) sees Operations only; Omar (admin) sees everything.
"""

from dataclasses import dataclass

import pytest
from sqlmodel import Session

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
