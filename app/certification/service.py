"""Awarding and verifying certificates.

The course's rule (course.yaml `certification`) is checked in the same transaction as the
step that may complete it, such as marking the last module read or passing the exam. A
certificate is issued at most once per learner and course: a database constraint backs
the check, so two requests finishing at once cannot both issue one.
"""

import secrets
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.errors import NotFound
from app.logs import get_logger, log_event
from app.models import Certificate, Course, Exam, ExamSitting, Module, ModuleProgress, User
from app.models.base import utcnow

logger = get_logger("certification")


def award_if_earned(db: Session, user: User, course: Course) -> Certificate | None:
    """Issue the course's certificate if the learner now meets its rule; else nothing."""
    rule = course.certification
    if not rule or _held(db, user, course) is not None:
        return None
    if not (
        _all_modules_read(db, user, course)
        and _exam_passed(db, user, course, float(rule["exam_pass_mark"]))
        and _prerequisites_held(db, user, course)
    ):
        return None
    now = utcnow()
    years = rule.get("valid_years")
    certificate = Certificate(
        code=secrets.token_urlsafe(18),
        user_id=user.id,  # type: ignore[arg-type]
        course_id=course.id,
        holder_name=user.name,
        course_title=course.title,
        belt=course.belt,
        issued_at=now,
        expires_at=now + timedelta(days=365 * int(years)) if years else None,
    )
    try:
        with db.begin_nested():
            db.add(certificate)
    except IntegrityError:
        return None  # issued by a request that finished at the same moment
    log_event(logger, "certificate issued", user_id=user.id, course=course.slug)
    return certificate


def _held(db: Session, user: User, course: Course) -> Certificate | None:
    statement = select(Certificate).where(
        Certificate.user_id == user.id, Certificate.course_id == course.id
    )
    return db.exec(statement).first()


def _all_modules_read(db: Session, user: User, course: Course) -> bool:
    published = (Module.course_id == course.id) & col(Module.is_published)
    total = db.exec(select(func.count()).select_from(Module).where(published)).one()
    read = db.exec(
        select(func.count())
        .select_from(ModuleProgress)
        .join(Module, col(Module.id) == ModuleProgress.module_id)
        .where(published, ModuleProgress.user_id == user.id)
    ).one()
    return total > 0 and read == total


def _exam_passed(db: Session, user: User, course: Course, pass_mark: float) -> bool:
    exam = db.exec(select(Exam).where(Exam.course_id == course.id, col(Exam.is_published))).first()
    if exam is None:
        return True  # a course without an exam certifies on its modules alone
    best = db.exec(
        select(func.max(ExamSitting.score)).where(
            ExamSitting.user_id == user.id,
            ExamSitting.exam_id == exam.id,
            col(ExamSitting.passed),
        )
    ).one()
    return best is not None and best >= pass_mark - 1e-9


def _prerequisites_held(db: Session, user: User, course: Course) -> bool:
    now = utcnow()
    for slug in course.prerequisites:
        held = db.exec(
            select(Certificate)
            .join(Course, col(Course.id) == Certificate.course_id)
            .where(Course.slug == slug, Certificate.user_id == user.id)
        ).first()
        if held is None or held.status(now) != "valid":
            return False
    return True


def certificates_of(db: Session, user: User) -> list[Certificate]:
    statement = (
        select(Certificate)
        .where(Certificate.user_id == user.id)
        .order_by(col(Certificate.issued_at).desc())
    )
    return list(db.exec(statement))


def verify(db: Session, code: str) -> Certificate:
    certificate = db.exec(select(Certificate).where(Certificate.code == code)).first()
    if certificate is None:
        raise NotFound("No certificate has this verification code.")
    return certificate
