"""The organisation tree. Each unit stores its path of ids from the root ("/1/4/9/"), so a
subtree is one prefix match on a small table."""

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.models import OrgUnit

PATH_SEPARATOR = "/"  # between unit names in an import file: "Northwind/Operations/Claims"
MAX_NAME = 120
MAX_DEPTH = 8
UNASSIGNED = "Unassigned"


def create_unit(db: Session, name: str, parent: OrgUnit | None) -> OrgUnit:
    name = check_unit_name(name)
    if parent is not None and parent.path.count("/") - 1 >= MAX_DEPTH:
        raise InvalidInput(f"The tree is at most {MAX_DEPTH} levels deep.", field="parent")
    if find_child(db, parent, name) is not None:
        raise InvalidInput(f"There is already a unit called “{name}” here.", field="name")
    unit = OrgUnit(name=name, parent_id=parent.id if parent else None)
    db.add(unit)
    db.flush()  # the id is part of the path
    unit.path = (parent.path if parent else PATH_SEPARATOR) + f"{unit.id}/"
    db.add(unit)
    db.flush()
    return unit


def check_unit_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Give the unit a name.", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"A unit name has at most {MAX_NAME} characters.", field="name")
    if PATH_SEPARATOR in name:
        raise InvalidInput(f"A unit name cannot contain “{PATH_SEPARATOR}”.", field="name")
    return name


def find_child(db: Session, parent: OrgUnit | None, name: str) -> OrgUnit | None:
    parent_filter = (
        col(OrgUnit.parent_id).is_(None) if parent is None else OrgUnit.parent_id == parent.id
    )
    return db.exec(select(OrgUnit).where(parent_filter, OrgUnit.name == name)).first()


def ensure_path(db: Session, names: list[str]) -> OrgUnit:
    """The unit at this path of names from the root, creating any that are missing."""
    unit: OrgUnit | None = None
    for name in names:
        unit = find_child(db, unit, check_unit_name(name)) or create_unit(db, name, unit)
    if unit is None:
        raise InvalidInput("Give the unit path, such as Company/Division/Team.", field="unit")
    return unit


def default_unit(db: Session) -> OrgUnit:
    """Where people go who have not been placed yet, such as those who register themselves."""
    return ensure_path(db, [UNASSIGNED])


def get_unit(db: Session, unit_id: int) -> OrgUnit:
    unit = db.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("There is no such unit.")
    return unit


def in_subtree(root_path: str) -> ColumnElement[bool]:
    """Units at or below the unit with this path."""
    return col(OrgUnit.path).startswith(root_path, autoescape=True)


def is_within(unit: OrgUnit, root: OrgUnit) -> bool:
    return unit.path.startswith(root.path)


def ancestors(db: Session, unit: OrgUnit) -> list[OrgUnit]:
    """From the root down to the unit itself."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    units = {u.id: u for u in db.exec(select(OrgUnit).where(col(OrgUnit.id).in_(ids)))}
    return [units[i] for i in ids if i in units]


def names_path(db: Session, unit: OrgUnit) -> str:
    return PATH_SEPARATOR.join(u.name for u in ancestors(db, unit))


def children(db: Session, unit: OrgUnit | None) -> list[OrgUnit]:
    parent_filter = (
        col(OrgUnit.parent_id).is_(None) if unit is None else OrgUnit.parent_id == unit.id
    )
    return list(db.exec(select(OrgUnit).where(parent_filter).order_by(col(OrgUnit.name))))
