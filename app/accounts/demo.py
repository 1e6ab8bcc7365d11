"""The demo organisation and one account per role, for trying Takt locally."""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts.service import create_user, find_by_email
from app.authoring import staff
from app.models import Course, Role
from app.org import scope, units


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str


DEMO_ACCOUNTS = (
    DemoAccount("learner@demo.takt.example", "Ada Lovelace", Role.learner, "takt-demo-ada"),
    DemoAccount("instructor@demo.takt.example", "Ines Ibarra", Role.instructor, "takt-demo-ines"),
    DemoAccount("hr@demo.takt.example", "Hana Haddad", Role.hr, "takt-demo-hana"),
    DemoAccount("admin@demo.takt.example", "Omar Okafor", Role.admin, "takt-demo-omar"),
)
DEMO_COMPANY = "Demo Bank"
DEMO_UNIT = "Retail Operations"


def ensure_demo_accounts(db: Session) -> list[DemoAccount]:
    """Create the demo organisation and accounts if missing; running it twice changes nothing."""
    unit = units.ensure_path(db, [DEMO_COMPANY, DEMO_UNIT])
    for account in DEMO_ACCOUNTS:
        user = find_by_email(db, account.email)
        if user is None:
            user = create_user(
                db,
                email=account.email,
                name=account.name,
                password=account.password,
                role=account.role,
                org_unit_id=unit.id,
            )
        if account.role == Role.hr and not scope.scope_of(db, user).roots:
            company = units.ensure_path(db, [DEMO_COMPANY])
            scope.set_scopes(db, user, [company])  # the demo HR user sees the whole bank
        if account.role == Role.instructor:
            for course in db.exec(select(Course)):  # the demo instructor teaches every course
                staff.add_staff(db, course, user, admin=None)
    return list(DEMO_ACCOUNTS)
