"""Course staff: the instructors an admin appointed to author and review a course.

An admin acts as staff of every course. Anyone else asking for a course they are not
staff of is told it does not exist, the same answer as for a course that does not.
Services flush; routes commit.
"""

import uuid

from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.logs import get_logger, log_event
from app.models import Course, CourseStaff, Role, User

logger = get_logger("authoring")


def is_staff(db: Session, user: User, course_id: uuid.UUID) -> bool:
    if user.role == Role.admin:
        return True
    if user.role != Role.instructor:
        return False
    found = db.exec(
        select(CourseStaff.id).where(
            CourseStaff.course_id == course_id, CourseStaff.user_id == user.id
        )
    ).first()
    return found is not None


def staffed_courses(db: Session, user: User) -> list[Course]:
    """The courses the user may author and review, in catalogue order."""
    statement = select(Course).order_by(col(Course.position))
    if user.role != Role.admin:
        statement = statement.join(CourseStaff, col(CourseStaff.course_id) == Course.id).where(
            CourseStaff.user_id == user.id
        )
    return list(db.exec(statement).all())


def course_for_staff(db: Session, user: User, slug: str) -> Course:
    """The course by slug if the user is its staff; NotFound otherwise."""
    course = db.exec(select(Course).where(Course.slug == slug)).first()
    if course is None or not is_staff(db, user, course.id):
        raise NotFound("There is no such course among the courses you teach.")
    return course


def require_staff(db: Session, user: User, course_id: uuid.UUID | None) -> None:
    """NotFound unless the user is staff of the course an object belongs to."""
    if course_id is None or not is_staff(db, user, course_id):
        raise NotFound("There is no such item among the courses you teach.")


def staff_of(db: Session, course_id: uuid.UUID) -> list[User]:
    rows = db.exec(
        select(User)
        .join(CourseStaff, col(CourseStaff.user_id) == User.id)
        .where(CourseStaff.course_id == course_id)
        .order_by(col(User.name))
    )
    return list(rows.all())


def add_staff(db: Session, course: Course, instructor: User, admin: User | None) -> None:
    """Make an instructor staff of a course; adding someone twice changes nothing.
    `admin` is who appointed them (None when the demo set-up does)."""
    if instructor.role != Role.instructor:
        raise InvalidInput(
            f"{instructor.email} is not an instructor; only instructors can be course staff.",
            field="email",
        )
    if is_staff(db, instructor, course.id):
        return
    by = admin.id if admin else None
    db.add(CourseStaff(course_id=course.id, user_id=instructor.id, added_by_id=by))  # type: ignore[arg-type]
    db.flush()
    log_event(logger, "course_staff_added", course=course.slug, user=instructor.id, by=by)


def add_staff_by_email(db: Session, course: Course, email: str, admin: User) -> User:
    """Make the instructor with this email staff of the course; InvalidInput names the
    email field when no account has it or the account is not an instructor's."""
    email = email.strip().lower()
    instructor = db.exec(select(User).where(User.email == email)).first() if email else None
    if instructor is None:
        detail = f"No account has the email {email}." if email else "Enter an email."
        raise InvalidInput(detail, field="email")
    add_staff(db, course, instructor, admin)
    return instructor


def staff_by_course(db: Session) -> list[tuple[Course, list[User]]]:
    """Every course in catalogue order with its staff, for the admins' page."""
    courses = list(db.exec(select(Course).order_by(col(Course.position))))
    people: dict[uuid.UUID, list[User]] = {course.id: [] for course in courses}
    rows = db.exec(
        select(CourseStaff.course_id, User)
        .join(User, col(User.id) == CourseStaff.user_id)
        .order_by(col(User.name))
    )
    for course_id, user in rows:
        people[course_id].append(user)
    return [(course, people[course.id]) for course in courses]


def remove_staff(db: Session, course: Course, instructor: User, admin: User) -> None:
    row = db.exec(
        select(CourseStaff).where(
            CourseStaff.course_id == course.id, CourseStaff.user_id == instructor.id
        )
    ).first()
    if row is None:
        raise NotFound("That instructor is not staff of this course.")
    db.delete(row)
    db.flush()
    log_event(logger, "course_staff_removed", course=course.slug, user=instructor.id, by=admin.id)
