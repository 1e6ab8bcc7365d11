"""Awarding and verifying certificates.

The course's rule (course.yaml `certification`) is checked in the same transaction as the
step that may complete it, such as marking the last module read or passing the exam. A
certificate is issued at most once per learner and course: a database constraint backs
the check, so two requests finishing at once cannot both issue one.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.errors import InvalidInput, NotFound
from app.logs import get_logger, log_event
from app.models import Certificate, Course, Exam, ExamSitting, Module, ModuleProgress, User
from app.models.base import utcnow
from app.reporting import summaries

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
    summaries.certificate_issued(db, user, certificate)
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


def get_own_certificate(db: Session, user: User, certificate_id: uuid.UUID) -> Certificate:
    certificate = db.get(Certificate, certificate_id)
    if certificate is None or certificate.user_id != user.id:
        raise NotFound("There is no such certificate.")
    return certificate


def list_certificates(
    db: Session, limit: int, offset: int, query: str = ""
) -> tuple[list[Certificate], int]:
    statement = select(Certificate)
    if query:
        statement = statement.where(
            func.lower(col(Certificate.holder_name)).like(f"%{query.strip().lower()}%")
        )
    total = db.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = db.exec(
        statement.order_by(col(Certificate.issued_at).desc()).offset(offset).limit(limit)
    )
    return list(rows), total


def revoke(db: Session, admin: User, certificate_id: uuid.UUID, reason: str) -> Certificate:
    """Revoke with a stated reason; the certificate then shows as revoked everywhere."""
    certificate = db.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound("There is no such certificate.")
    reason = reason.strip()
    if not 3 <= len(reason) <= 500:
        raise InvalidInput("Give the reason for revoking (3 to 500 characters).", field="reason")
    if certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
        certificate.revoked_reason = reason
        db.add(certificate)
        summaries.certificate_revoked(db, certificate)
        log_event(
            logger,
            "certificate revoked",
            certificate_id=str(certificate.id),
            admin_id=admin.id,
            reason=reason,
        )
    return certificate


EXPIRY_WARNING = timedelta(days=90)


@dataclass(frozen=True)
class Held:
    """A certificate as its holder sees it, with its status today."""

    certificate: Certificate
    status: str  # valid | expiring | expired | revoked


def standing_of(db: Session, user: User) -> list[Held]:
    """The learner's certificates; one expiring within 90 days is flagged for recertification."""
    now = utcnow()
    held = []
    for certificate in certificates_of(db, user):
        status = certificate.status(now)
        expires = certificate.expires_at
        if status == "valid" and expires is not None and expires - now <= EXPIRY_WARNING:
            status = "expiring"
        held.append(Held(certificate, status))
    return held
