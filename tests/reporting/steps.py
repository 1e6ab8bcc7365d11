"""Learning and organisation steps for the HR tests, each taken through the services in
its own committed transaction, as a request would, so the summary tables are kept
current exactly as they are in production.

`tests.certification.steps.sit_exam` writes a sitting directly; these never do.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.certification import service as certification
from app.content.sync import current_version
from app.learning import attempts, exams
from app.learning import service as learning
from app.models import (
    Assignment,
    Certificate,
    Course,
    Exam,
    ExamSitting,
    Exercise,
    Module,
    OrgUnit,
    Role,
    User,
)
from app.models.base import utcnow
from app.org import assignments
from app.reporting import summaries
from app.reporting.rebuild import rebuild

COURSE = "yellow-belt"


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction, committed at the end, as one request makes it."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()


def yellow_belt(engine: Engine) -> Course:
    with Session(engine, expire_on_commit=False) as db:
        return db.exec(select(Course).where(Course.slug == COURSE)).one()


def _fresh(db: Session, user: User) -> User:
    found = db.get(User, user.id)
    assert found is not None
    return found


def read(engine: Engine, user: User, count: int | None = None) -> None:
    """Read the first `count` modules of the Yellow Belt (all of them by default)."""
    with unit_of_work(engine) as db:
        course = db.exec(select(Course).where(Course.slug == COURSE)).one()
        modules = db.exec(
            select(Module).where(Module.course_id == course.id).order_by(col(Module.position))
        ).all()
        learner = _fresh(db, user)
        for module in modules[:count]:
            learning.mark_read(db, learner, course, module, current_version(db, module))


def read_module(engine: Engine, user: User, position: int) -> None:
    """Read one module, by its place in the course."""
    with unit_of_work(engine) as db:
        course = db.exec(select(Course).where(Course.slug == COURSE)).one()
        modules = db.exec(
            select(Module).where(Module.course_id == course.id).order_by(col(Module.position))
        ).all()
        module = modules[position % len(modules)]
        learning.mark_read(db, _fresh(db, user), course, module, current_version(db, module))


def answer_form(db: Session, user: User, slug: str, right: bool) -> dict[str, list[str]]:
    loaded = attempts.load_exercise(db, slug)
    state = attempts.exercise_state(db, user, loaded)
    kind, params = loaded.kind, loaded.params
    form = kind.to_form(params, state.variant, kind.solve(params, state.variant))
    if not right:
        form = {name: ["0"] if not name.startswith("q-") else value for name, value in form.items()}
    return form


def attempt(engine: Engine, user: User, slug: str, right: bool = True) -> None:
    """Submit one attempt at an exercise (raises Conflict or AnswerInvalid as the service does)."""
    with unit_of_work(engine) as db:
        learner = _fresh(db, user)
        loaded = attempts.load_exercise(db, slug)
        form = answer_form(db, learner, slug, right)
        attempts.submit(db, learner, loaded, loaded.version.id, uuid.uuid4().hex, form)  # type: ignore[arg-type]


def start_exam(engine: Engine, user: User) -> ExamSitting:
    with unit_of_work(engine) as db:
        course = db.exec(select(Course).where(Course.slug == COURSE)).one()
        exam = db.exec(select(Exam).where(Exam.course_id == course.id)).one()
        return exams.start(db, _fresh(db, user), exam)


def open_sitting(db: Session, user: User) -> ExamSitting | None:
    return db.exec(
        select(ExamSitting).where(
            ExamSitting.user_id == user.id, ExamSitting.status == "in_progress"
        )
    ).first()


def finish_exam(engine: Engine, user: User, right: bool = True, late: bool = False) -> bool:
    """Answer (every question rightly, or none) and submit the open sitting; late means
    after the deadline. False when there is no sitting open."""
    with unit_of_work(engine) as db:
        sitting = open_sitting(db, user)
        if sitting is None:
            return False
        if right:
            for index in range(len(sitting.plan["slots"])):
                item = exams.question(db, sitting, index)
                kind, params = item.loaded.kind, item.loaded.params
                raw = kind.to_form(params, item.variant, kind.solve(params, item.variant))
                exams.save_answer(db, sitting, index, raw)
        if late:
            sitting.deadline_at = utcnow() - exams.GRACE * 4
            db.add(sitting)
            db.flush()
        exams.submit(db, sitting)
        return True


def sit_exam(engine: Engine, user: User, right: bool = True) -> None:
    start_exam(engine, user)
    assert finish_exam(engine, user, right)


def award(engine: Engine, user: User) -> Certificate | None:
    with unit_of_work(engine) as db:
        course = db.exec(select(Course).where(Course.slug == COURSE)).one()
        return certification.award_if_earned(db, _fresh(db, user), course)


def earn_certificate(engine: Engine, user: User) -> Certificate:
    read(engine, user)
    sit_exam(engine, user)
    certificate = award(engine, user)
    assert certificate is not None
    return certificate


def revoke(engine: Engine, admin: User, certificate_id: uuid.UUID) -> None:
    with unit_of_work(engine) as db:
        certification.revoke(db, _fresh(db, admin), certificate_id, "Issued in error")


def set_active(engine: Engine, user: User, active: bool) -> None:
    with unit_of_work(engine) as db:
        accounts.set_active(db, _fresh(db, user), active)


def move(engine: Engine, user: User, unit: OrgUnit) -> None:
    """Place the person in another unit, as the organisation pages do."""
    with unit_of_work(engine) as db:
        person = _fresh(db, user)
        old = person.org_unit_id
        person.org_unit_id = unit.id
        db.add(person)
        db.flush()
        summaries.person_moved(db, person, old)


def add_person(
    engine: Engine,
    name: str,
    unit: OrgUnit | None,
    password_hash: str,
    role: Role = Role.learner,
    email: str | None = None,
) -> User:
    """A new person, joined as `accounts.create_user` joins them (without the slow hash)."""
    with unit_of_work(engine) as db:
        slug = "".join(c for c in name.lower() if c.isalnum()) or "person"
        user = User(
            email=email or f"{slug}-{uuid.uuid4().hex[:6]}@example.com",
            name=name,
            role=role,
            password_hash=password_hash,
            org_unit_id=unit.id if unit else None,
        )
        db.add(user)
        db.flush()
        summaries.person_added(db, user)
        return user


def assign_unit(
    engine: Engine, hr: User, unit: OrgUnit, due_on: date, today: date | None = None
) -> Assignment:
    """`today` earlier than the real one makes an assignment whose due date has passed."""
    with unit_of_work(engine) as db:
        course = db.exec(select(Course).where(Course.slug == COURSE)).one()
        return assignments.assign_to_unit(
            db, _fresh(db, hr), course, unit, due_on, today or min(due_on, utcnow().date())
        )


def assign_people(
    engine: Engine, hr: User, people: list[User], due_on: date, today: date | None = None
) -> list[Assignment]:
    with unit_of_work(engine) as db:
        course = db.exec(select(Course).where(Course.slug == COURSE)).one()
        chosen = [_fresh(db, p) for p in people]
        return assignments.assign_to_people(
            db, _fresh(db, hr), course, chosen, due_on, today or min(due_on, utcnow().date())
        )


def withdraw(engine: Engine, hr: User, assignment_id: int) -> None:
    with unit_of_work(engine) as db:
        assignment = db.get(Assignment, assignment_id)
        assert assignment is not None
        assignments.withdraw(db, _fresh(db, hr), assignment)


def set_certificate_dates(
    engine: Engine, user: User, issued_at: datetime, expires_at: datetime | None
) -> None:
    """Move a certificate back in time (time passing), then bring the summaries in line
    with `rebuild`, which is what the figures would be had it been issued then."""
    with unit_of_work(engine) as db:
        certificate = db.exec(select(Certificate).where(Certificate.user_id == user.id)).one()
        certificate.issued_at = issued_at
        certificate.expires_at = expires_at
        db.add(certificate)
        db.flush()
        rebuild(db, write=True)


def course_exercises(engine: Engine) -> list[str]:
    """The slugs of the exercises that count towards the Yellow Belt."""
    with Session(engine) as db:
        course = db.exec(select(Course).where(Course.slug == COURSE)).one()
        return list(
            db.exec(
                select(Exercise.slug)
                .where(Exercise.course_id == course.id, col(Exercise.is_published))
                .order_by(col(Exercise.slug))
            )
        )


def drift(engine: Engine) -> list[str]:
    """What `rebuild` would change: empty when the summaries equal a recomputation."""
    with Session(engine) as db:
        report = rebuild(db, write=False)
        db.rollback()
    return report.examples if report.drifted else []
