"""What an HR user may see: the subtrees under the units they are scoped to.

Every HR page and API route resolves the caller's scope first and loads units, people
and certificates through it; anything outside answers 404, exactly as a missing object.
Admins see the whole organisation.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models import Certificate, HrScope, OrgUnit, Role, User
from app.org.units import in_subtree, is_within


@dataclass(frozen=True)
class Scope:
    roots: list[OrgUnit]  # the top units in view
    everything: bool = False  # an admin

    def unit_filter(self) -> ColumnElement[bool]:
        if self.everything:
            return true()
        if not self.roots:
            return false()
        return or_(*(in_subtree(root.path) for root in self.roots))

    def covers(self, unit: OrgUnit) -> bool:
        return self.everything or any(is_within(unit, root) for root in self.roots)

    def units_in_view(self):  # type: ignore[no-untyped-def]
        """A select of the ids of every unit in view, to filter larger tables with."""
        return select(col(OrgUnit.id)).where(self.unit_filter())


def scope_of(db: Session, user: User) -> Scope:
    if user.role == Role.admin:
        roots = list(db.exec(select(OrgUnit).where(col(OrgUnit.parent_id).is_(None))))
        return Scope(sorted(roots, key=lambda u: u.name), everything=True)
    roots = db.exec(
        select(OrgUnit)
        .join(HrScope, col(HrScope.org_unit_id) == OrgUnit.id)
        .where(HrScope.user_id == user.id)
        .order_by(col(OrgUnit.path))
    ).all()
    # A scope nested inside another adds nothing.
    kept: list[OrgUnit] = []
    for unit in roots:
        if not any(is_within(unit, outer) for outer in kept):
            kept.append(unit)
    return Scope(kept)


def unit_in_scope(db: Session, scope: Scope, unit_id: int) -> OrgUnit:
    unit = db.get(OrgUnit, unit_id)
    if unit is None or not scope.covers(unit):
        raise NotFound("There is no such unit.")
    return unit


def person_in_scope(db: Session, scope: Scope, user_id: int) -> tuple[User, OrgUnit]:
    row = db.exec(
        select(User, OrgUnit)
        .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
        .where(User.id == user_id)
    ).first()
    if row is None or not scope.covers(row[1]):
        raise NotFound("There is no such person.")
    return row


def certificate_in_scope(db: Session, scope: Scope, certificate: Certificate) -> None:
    """Raise 404 unless the certificate's holder is in view."""
    person_in_scope(db, scope, certificate.user_id)


def set_scopes(db: Session, hr_user: User, units: list[OrgUnit]) -> None:
    """Replace the units an HR user is scoped to."""
    for existing in db.exec(select(HrScope).where(HrScope.user_id == hr_user.id)):
        db.delete(existing)
    db.flush()
    for unit in units:
        db.add(HrScope(user_id=hr_user.id, org_unit_id=unit.id))  # type: ignore[arg-type]
    db.flush()


def drop_scopes_unless_hr(db: Session, user: User) -> None:
    """Someone who is no longer HR keeps no view of the organisation."""
    if user.role != Role.hr:
        for existing in db.exec(select(HrScope).where(HrScope.user_id == user.id)):
            db.delete(existing)
