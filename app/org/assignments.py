"""Courses assigned to a unit or to people, with a due date, and how each one stands.

An assignment sets the due date on the course standing of everyone it reaches (the
earliest date wins when several do), so the dashboard and the learner's own page read
it from one row. People who join a unit later get its assignments when they join.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.logs import get_logger, log_event
from app.models import Assignment, Course, CourseStanding, OrgUnit, User
from app.models.base import utcnow
from app.org.scope import Scope
from app.reporting import figures, summaries

logger = get_logger("assignments")
MAX_YEARS_AHEAD = 5


def _check_due(due_on: date, today: date) -> None:
    if due_on < today:
        raise InvalidInput("The due date is in the past.", field="due_on")
    if due_on > today + timedelta(days=365 * MAX_YEARS_AHEAD):
        raise InvalidInput(
            f"The due date is more than {MAX_YEARS_AHEAD} years away.", field="due_on"
        )


def assign_to_unit(
    db: Session, hr: User, course: Course, unit: OrgUnit, due_on: date, today: date
) -> Assignment:
    _check_due(due_on, today)
    assignment = Assignment(
        course_id=course.id, org_unit_id=unit.id, due_on=due_on, assigned_by_id=hr.id
    )
    db.add(assignment)
    db.flush()
    summaries.set_due_dates(db, course.id, due_on, summaries.people_in_unit(unit))
    log_event(logger, "course assigned", course=course.slug, unit_id=unit.id, by=hr.id)
    return assignment


def assign_to_people(
    db: Session, hr: User, course: Course, people: list[User], due_on: date, today: date
) -> list[Assignment]:
    _check_due(due_on, today)
    if not people:
        raise InvalidInput("Choose at least one person.", field="people")
    made = []
    for person in people:
        assignment = Assignment(
            course_id=course.id, user_id=person.id, due_on=due_on, assigned_by_id=hr.id
        )
        db.add(assignment)
        made.append(assignment)
    db.flush()
    summaries.set_due_dates(db, course.id, due_on, [p.id for p in people])
    log_event(logger, "course assigned", course=course.slug, people=len(people), by=hr.id)
    return made


@dataclass(frozen=True)
class AssignmentLine:
    assignment: Assignment
    course: Course
    unit: OrgUnit | None
    person: User | None


def assignments_in_scope(
    db: Session, scope: Scope, limit: int, offset: int
) -> list[AssignmentLine]:
    """Assignments to units in view and to people in view, newest first."""
    in_view = scope.units_in_view()
    statement = (
        select(Assignment, Course, OrgUnit, User)
        .join(Course, col(Course.id) == Assignment.course_id)
        .outerjoin(User, col(User.id) == Assignment.user_id)
        .outerjoin(
            OrgUnit,
            (col(OrgUnit.id) == Assignment.org_unit_id) | (col(OrgUnit.id) == User.org_unit_id),
        )
        .where(col(OrgUnit.id).in_(in_view))
        .order_by(col(Assignment.created_at).desc(), col(Assignment.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        AssignmentLine(a, course, unit, person)
        for a, course, unit, person in db.exec(statement).all()
    ]


def get_assignment(db: Session, scope: Scope, assignment_id: int) -> Assignment:
    assignment = db.get(Assignment, assignment_id)
    target_unit = None
    if assignment is not None:
        unit_id = assignment.org_unit_id
        if unit_id is None and (person := db.get(User, assignment.user_id)) is not None:
            unit_id = person.org_unit_id
        target_unit = db.get(OrgUnit, unit_id) if unit_id is not None else None
    if assignment is None or target_unit is None or not scope.covers(target_unit):
        raise NotFound("There is no such assignment.")
    return assignment


def withdraw(db: Session, hr: User, assignment: Assignment) -> None:
    """Remove an assignment; everyone it reached gets the due date their other
    assignments give them, or none."""
    course_id = assignment.course_id
    if assignment.org_unit_id is not None:
        unit = db.get(OrgUnit, assignment.org_unit_id)
        assert unit is not None  # the foreign key guarantees it
        reached = summaries.people_in_unit(unit)
    else:
        reached = select(col(User.id)).where(User.id == assignment.user_id)
    db.delete(assignment)
    db.flush()
    _recompute_due_dates(db, course_id, reached)
    log_event(logger, "assignment withdrawn", assignment_id=assignment.id, by=hr.id)


def _recompute_due_dates(db: Session, course_id: uuid.UUID, reached) -> None:  # type: ignore[no-untyped-def]
    standings = db.exec(
        select(CourseStanding).where(
            CourseStanding.course_id == course_id, col(CourseStanding.user_id).in_(reached)
        )
    )
    for standing in standings:
        person = db.get(User, standing.user_id)
        assert person is not None
        standing.due_on = summaries.assignments_covering(db, person).get(course_id)
        db.add(standing)


@dataclass(frozen=True)
class MyAssignment:
    """A course the learner has been asked to complete, as their dashboard shows it."""

    course: Course
    due_on: date
    due: figures.Due
    progress: float


def my_assignments(db: Session, user: User) -> list[MyAssignment]:
    """The learner's assigned courses, soonest due first."""
    sizes = {s.course.id: s for s in figures.certification_courses(db)}
    standings = db.exec(
        select(CourseStanding)
        .where(CourseStanding.user_id == user.id, col(CourseStanding.due_on).is_not(None))
        .order_by(col(CourseStanding.due_on))
    )
    now = utcnow()
    mine = []
    for standing in standings:
        size = sizes.get(standing.course_id)
        due = figures.due_status(standing, size, now, now.date()) if size else None
        if size is not None and due is not None and standing.due_on is not None:
            mine.append(
                MyAssignment(size.course, standing.due_on, due, figures.progress(standing, size))
            )
    return mine
