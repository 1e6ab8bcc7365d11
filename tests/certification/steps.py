"""Steps towards a certificate, taken directly through the services."""

from sqlmodel import select

from app.content.sync import current_version
from app.learning import service as learning
from app.models import Exam, ExamSitting, Module
from app.models.base import utcnow


def read_modules(db, user, course, leave_out=0):
    modules = db.exec(select(Module).where(Module.course_id == course.id)).all()
    for module in modules[: len(modules) - leave_out]:
        version = current_version(db, module)
        learning.mark_read(db, user, course, module, version)
    db.commit()


def sit_exam(db, user, course, score, passed=True):
    exam = db.exec(select(Exam).where(Exam.course_id == course.id)).one()
    now = utcnow()
    db.add(
        ExamSitting(
            user_id=user.id,
            exam_id=exam.id,
            number=1,
            status="submitted",
            started_at=now,
            deadline_at=now,
            submitted_at=now,
            score=score,
            passed=passed,
        )
    )
    db.commit()
