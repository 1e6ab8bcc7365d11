"""Building learners' results through the real submission service, for the gradebook and
item-analysis tests: right, partly right and wrong answers to the repository's exercises."""

import itertools
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from sqlmodel import Session, select

from app.grading.kinds.quiz import QuizParams
from app.learning import attempts, service
from app.models import Attempt, Course, Module, User

Quality = Literal["right", "partial", "wrong"]
_numbers = itertools.count(1)


def make_learner(db: Session, prefix: str = "learner", name: str | None = None) -> User:
    n = next(_numbers)
    user = User(
        email=f"{prefix}-{n}@example.org",
        name=name or f"{prefix.title()} {n:04d}",
        password_hash="not-a-real-hash",
    )
    db.add(user)
    db.commit()
    return user


def form_for(db: Session, user: User, slug: str, quality: Quality) -> dict[str, list[str]]:
    """The user's own variant answered right, with one part wrong, or all wrong."""
    loaded = attempts.load_exercise(db, slug)
    variant = attempts.exercise_state(db, user, loaded).variant
    form = loaded.kind.to_form(loaded.params, variant, loaded.kind.solve(loaded.params, variant))
    if quality == "right":
        return form
    if isinstance(loaded.params, QuizParams):
        questions = loaded.params.questions
        for question in questions[:1] if quality == "partial" else questions:
            name = f"q-{question.id}"
            if question.type == "numeric":
                form[name] = ["123456"]
            else:
                wrong = next(i for i, o in enumerate(question.options) if not o.correct)
                form[name] = [str(wrong)]
        return form
    # The yield exercise: a wrong DPU (and sigma) and, when all wrong, wrong yields too.
    form["dpu"] = ["99"]
    if quality == "wrong":
        form["sigma"] = ["0.5"]
        form["rty"] = ["1"]
        form = {k: (["1"] if k.startswith("fpy-") else v) for k, v in form.items()}
    return form


@contextmanager
def unit_of_work(db: Session) -> Iterator[Session]:
    """A transaction of its own, as one request makes it: the test's session autocommits,
    and the services' savepoints need a transaction around them."""
    bind = db.get_bind()
    with bind.connect() as connection:
        level = bind.dialect.default_isolation_level
        transactional = connection.execution_options(isolation_level=level)
        with Session(bind=transactional, expire_on_commit=False) as work:
            yield work
            work.commit()


def _fresh(db: Session, user: User) -> User:
    found = db.get(User, user.id)
    assert found is not None
    return found


def answer(db: Session, user: User, slug: str, form: dict[str, list[str]]) -> Attempt:
    """Submit through the learning service, as the exercise page does, and commit."""
    with unit_of_work(db) as work:
        loaded = attempts.load_exercise(work, slug)
        version_id: int = loaded.version.id  # type: ignore[assignment]
        learner = _fresh(work, user)
        return attempts.submit(work, learner, loaded, version_id, secrets.token_hex(8), form)


def answer_as(db: Session, user: User, slug: str, quality: Quality) -> Attempt:
    return answer(db, user, slug, form_for(db, user, slug, quality))


def read_module(db: Session, user: User, course_slug: str, module_slug: str) -> None:
    with unit_of_work(db) as work:
        course = work.exec(select(Course).where(Course.slug == course_slug)).one()
        module, version = service.get_module(work, course, module_slug)
        service.mark_read(work, _fresh(work, user), course, module, version)


def enrol(db: Session, user: User, course_slug: str) -> None:
    with unit_of_work(db) as work:
        course = work.exec(select(Course).where(Course.slug == course_slug)).one()
        service.enrol(work, _fresh(work, user), course)


def modules_of(db: Session, course_slug: str) -> list[Module]:
    course = db.exec(select(Course).where(Course.slug == course_slug)).one()
    return [line.module for line in service.course_outline(db, course, None)]
