"""Keeping the HR summary tables current, inside the transaction of each change.

Every learning event (a module read, an attempt, an exam, a certificate) and every change
to a person (joining, moving unit, being disabled) calls one function here, in the same
transaction as the change itself, so the figures HR reads are never behind the records.
Each function issues a fixed, small number of statements whatever the size of the
organisation. `app.reporting.rebuild` recomputes the same tables from scratch.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Uuid, case, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.models import Assignment, Certificate, CourseStanding, OrgUnit, UnitTally, User
from app.org.units import in_subtree


def _insert(db: Session):  # type: ignore[no-untyped-def]
    """INSERT … ON CONFLICT, which both databases support with the same meaning."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert


def _counts(user: User) -> bool:
    """Only active people who sit in a unit count towards a unit's figures."""
    return user.is_active and user.org_unit_id is not None


def counted_unit(user: User) -> int | None:
    """The unit a person's standings count towards: none while they are disabled, so
    the date-window counts, which read the standings alone, leave them out as well."""
    return user.org_unit_id if user.is_active else None


def _of(user_id: int, course_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return (CourseStanding.user_id == user_id) & (CourseStanding.course_id == course_id)


def ensure_standing(db: Session, user: User, course_id: uuid.UUID) -> None:
    statement = _insert(db)(CourseStanding).values(
        user_id=user.id,
        course_id=course_id,
        org_unit_id=counted_unit(user),
        modules_read=0,
        exam_passed=False,
        attempts=0,
    )
    db.execute(statement.on_conflict_do_nothing(index_elements=["user_id", "course_id"]))


def bump_tally(
    db: Session, unit_id: int, course_id: uuid.UUID, started: int = 0, certified: int = 0
) -> None:
    insert = _insert(db)(UnitTally).values(
        org_unit_id=unit_id, course_id=course_id, started=started, certified=certified
    )
    db.execute(
        insert.on_conflict_do_update(
            index_elements=["org_unit_id", "course_id"],
            set_={
                "started": UnitTally.started + started,
                "certified": UnitTally.certified + certified,
            },
        )
    )


def bump_headcount(db: Session, unit_id: int, delta: int) -> None:
    db.execute(
        update(OrgUnit)
        .where(col(OrgUnit.id) == unit_id)
        .values(headcount=OrgUnit.headcount + delta)
    )


def _activity(db: Session, user: User, course_id: uuid.UUID, when: datetime, **values) -> None:  # type: ignore[no-untyped-def]
    """Note the activity, and start the learner on the course if this is their first step.
    Usually one statement: the standing exists and the learner has started already."""
    started = _note_activity(db, user, course_id, when, values)
    if started is _NO_STANDING:
        ensure_standing(db, user, course_id)
        started = _note_activity(db, user, course_id, when, values)
    if started is not None:
        return
    first = db.execute(
        update(CourseStanding)
        .where(_of(user.id, course_id), col(CourseStanding.started_at).is_(None))  # type: ignore[arg-type]
        .values(started_at=when)
    ).rowcount
    if first and _counts(user):
        bump_tally(db, user.org_unit_id, course_id, started=1)  # type: ignore[arg-type]


_NO_STANDING = object()


def _note_activity(
    db: Session, user: User, course_id: uuid.UUID, when: datetime, values: dict[str, Any]
) -> object:
    """Update the standing's activity and counters; its started_at, or _NO_STANDING."""
    last = col(CourseStanding.last_activity_at)
    row = db.execute(
        update(CourseStanding)
        .where(_of(user.id, course_id))  # type: ignore[arg-type]
        .values(last_activity_at=case((last.is_(None) | (last < when), when), else_=last), **values)
        .returning(CourseStanding.started_at)
    ).first()
    return _NO_STANDING if row is None else row.started_at


def module_read(db: Session, user: User, course_id: uuid.UUID, when: datetime) -> None:
    _activity(db, user, course_id, when, modules_read=CourseStanding.modules_read + 1)


def attempt_made(db: Session, user: User, course_id: uuid.UUID | None, when: datetime) -> None:
    if course_id is not None:  # an exercise no course uses yet counts towards none
        _activity(db, user, course_id, when, attempts=CourseStanding.attempts + 1)


def exam_started(db: Session, user: User, course_id: uuid.UUID, when: datetime) -> None:
    _activity(db, user, course_id, when)


def exam_finished(
    db: Session, user: User, course_id: uuid.UUID, when: datetime, score: float | None, passed: bool
) -> None:
    """`score` is None for a late sitting: recorded as activity, but it does not count."""
    values = {}
    if score is not None:
        best = col(CourseStanding.exam_best)
        values["exam_best"] = case((best.is_(None) | (best < score), score), else_=best)
    if passed:
        values["exam_passed"] = True
    _activity(db, user, course_id, when, **values)


def certificate_issued(db: Session, user: User, certificate: Certificate) -> None:
    ensure_standing(db, user, certificate.course_id)
    db.execute(
        update(CourseStanding)
        .where(_of(user.id, certificate.course_id))  # type: ignore[arg-type]
        .values(
            certified_at=certificate.issued_at,
            certified_month=certificate.issued_at.strftime("%Y-%m"),
            expires_at=certificate.expires_at,
        )
    )
    if _counts(user):
        bump_tally(db, user.org_unit_id, certificate.course_id, certified=1)  # type: ignore[arg-type]


def certificate_revoked(db: Session, certificate: Certificate) -> None:
    user = db.get(User, certificate.user_id)
    assert user is not None  # the certificate's foreign key guarantees it
    db.execute(
        update(CourseStanding)
        .where(_of(user.id, certificate.course_id))  # type: ignore[arg-type]
        .values(certified_at=None, certified_month=None, expires_at=None)
    )
    if _counts(user):
        bump_tally(db, user.org_unit_id, certificate.course_id, certified=-1)  # type: ignore[arg-type]


def _contribution(db: Session, user: User) -> list[tuple[uuid.UUID, int, int]]:
    """What this person adds to their unit's tallies: (course, started, certified)."""
    rows = db.exec(
        select(
            CourseStanding.course_id, CourseStanding.started_at, CourseStanding.certified_at
        ).where(CourseStanding.user_id == user.id)
    )
    return [
        (course_id, int(started is not None), int(certified is not None))
        for course_id, started, certified in rows
    ]


def _add_person(db: Session, user: User, sign: int) -> None:
    if user.org_unit_id is None:
        return
    bump_headcount(db, user.org_unit_id, sign)
    for course_id, started, certified in _contribution(db, user):
        if started or certified:
            bump_tally(db, user.org_unit_id, course_id, sign * started, sign * certified)


def person_added(db: Session, user: User) -> None:
    """A new person: counted in their unit, and given the courses assigned to it."""
    if _counts(user):
        _add_person(db, user, +1)
    apply_assignments_to_person(db, user)


def person_active_changed(db: Session, user: User, was_active: bool) -> None:
    if was_active == user.is_active:
        return
    _add_person(db, user, +1 if user.is_active else -1)
    _set_standing_unit(db, user)


def _set_standing_unit(db: Session, user: User) -> None:
    db.execute(
        update(CourseStanding)
        .where(col(CourseStanding.user_id) == user.id)
        .values(org_unit_id=counted_unit(user))
    )


def person_moved(db: Session, user: User, old_unit_id: int | None) -> None:
    """Move the person's figures to the new unit; they also get the new unit's courses."""
    if old_unit_id == user.org_unit_id:
        return
    new_unit_id = user.org_unit_id
    if user.is_active:
        user.org_unit_id = old_unit_id
        _add_person(db, user, -1)
        user.org_unit_id = new_unit_id
        _add_person(db, user, +1)
    _set_standing_unit(db, user)
    apply_assignments_to_person(db, user)


def set_due_dates(db: Session, course_id: uuid.UUID, due_on: date, people) -> None:  # type: ignore[no-untyped-def]
    """Give each person in `people` (a select of user ids) this due date for the course,
    unless an earlier one already applies."""
    rows = select(
        col(User.id),
        literal(course_id, type_=Uuid),
        case((col(User.is_active), col(User.org_unit_id)), else_=None),
        literal(0),
        literal(False),
        literal(0),
        literal(due_on, type_=Date),
    ).where(col(User.id).in_(people))
    insert = _insert(db)(CourseStanding).from_select(
        [
            "user_id",
            "course_id",
            "org_unit_id",
            "modules_read",
            "exam_passed",
            "attempts",
            "due_on",
        ],
        rows,
    )
    current = col(CourseStanding.due_on)
    db.execute(
        insert.on_conflict_do_update(
            index_elements=["user_id", "course_id"],
            set_={
                "due_on": case(
                    (
                        current.is_(None) | (insert.excluded.due_on < current),
                        insert.excluded.due_on,
                    ),
                    else_=current,
                )
            },
        )
    )


def people_in_unit(unit: OrgUnit):  # type: ignore[no-untyped-def]
    return (
        select(col(User.id))
        .join(OrgUnit, col(OrgUnit.id) == User.org_unit_id)
        .where(in_subtree(unit.path))
    )


def assignments_covering(db: Session, user: User) -> dict[uuid.UUID, date]:
    """The earliest due date per course among the assignments that reach this person:
    their own, and those of their unit and every unit above it."""
    unit = db.get(OrgUnit, user.org_unit_id) if user.org_unit_id is not None else None
    unit_ids = [int(part) for part in unit.path.strip("/").split("/")] if unit else []
    reaches = (col(Assignment.user_id) == user.id) | col(Assignment.org_unit_id).in_(unit_ids)
    due: dict[uuid.UUID, date] = {}
    for assignment in db.exec(select(Assignment).where(reaches)):
        earlier = due.get(assignment.course_id)
        due[assignment.course_id] = (
            min(earlier, assignment.due_on) if earlier else assignment.due_on
        )
    return due


def apply_assignments_to_person(db: Session, user: User) -> None:
    """Set the person's due dates from the assignments that reach them now, clearing any
    that came from a unit they have left."""
    covering = assignments_covering(db, user)
    db.execute(
        update(CourseStanding)
        .where(
            col(CourseStanding.user_id) == user.id,
            col(CourseStanding.course_id).not_in(list(covering)),
        )
        .values(due_on=None)
    )
    for course_id, due_on in covering.items():
        ensure_standing(db, user, course_id)
        db.execute(
            update(CourseStanding)
            .where(_of(user.id, course_id))  # type: ignore[arg-type]
            .values(due_on=due_on)
        )
