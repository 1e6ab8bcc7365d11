"""Sitting a course exam: start, answer questions (leave and come back), submit once.

The server keeps time: answers are refused after the deadline, and a sitting submitted
late is recorded as late and does not count. A sitting freezes its plan when it starts,
so editing the exam or its exercises never changes a sitting in progress. Services flush;
the route commits.
"""

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import AnswerInvalid, Conflict, NotFound
from app.grading.results import AnswerErrors, GradeResult
from app.learning.attempts import LoadedExercise, load_versions, published_exercises
from app.models import Course, Exam, ExamSitting, User
from app.models.base import utcnow
from app.reporting import summaries

# Time for a submission that left the browser just before the deadline to arrive.
GRACE = timedelta(seconds=30)


def get_exam(db: Session, exam_id: uuid.UUID) -> Exam:
    exam = db.get(Exam, exam_id)
    if exam is None or not exam.is_published:
        raise NotFound("There is no such exam.")
    return exam


def course_exam(db: Session, course: Course) -> Exam | None:
    statement = select(Exam).where(Exam.course_id == course.id, col(Exam.is_published))
    return db.exec(statement).first()


def is_open(sitting: ExamSitting, now: datetime | None = None) -> bool:
    return sitting.status == "in_progress" and (now or utcnow()) <= sitting.deadline_at + GRACE


@dataclass(frozen=True)
class Standing:
    """Where a learner stands on an exam, and whether they may start a sitting now."""

    exam: Exam
    sittings: list[ExamSitting]  # newest first
    open_sitting: ExamSitting | None
    passed: bool
    sittings_left: int
    next_start_at: datetime | None  # when the retake wait ends

    @property
    def can_start(self) -> bool:
        if self.open_sitting or self.passed or self.sittings_left == 0:
            return False
        return self.next_start_at is None or self.next_start_at <= utcnow()


def standing(db: Session, user: User, exam: Exam) -> Standing:
    sittings = list(
        db.exec(
            select(ExamSitting)
            .where(ExamSitting.user_id == user.id, ExamSitting.exam_id == exam.id)
            .order_by(col(ExamSitting.number).desc())
        )
    )
    rules = exam.definition
    open_sitting = next((s for s in sittings if is_open(s)), None)
    last = sittings[0] if sittings else None
    next_start = None
    if last is not None and not open_sitting:
        ended = last.submitted_at or last.deadline_at
        next_start = ended + timedelta(hours=float(rules["retake_wait_hours"]))
    return Standing(
        exam=exam,
        sittings=sittings,
        open_sitting=open_sitting,
        passed=any(s.passed for s in sittings),
        sittings_left=max(0, 1 + int(rules["retakes"]) - len(sittings)),
        next_start_at=next_start,
    )


def start(db: Session, user: User, exam: Exam) -> ExamSitting:
    """Start a sitting, or return the one already open (a double click or a second tab)."""
    current = standing(db, user, exam)
    if current.open_sitting:
        return current.open_sitting
    if not current.can_start:
        raise Conflict(_why_not(current))
    number = len(current.sittings) + 1
    now = utcnow()
    sitting = ExamSitting(
        user_id=user.id,  # type: ignore[arg-type]
        exam_id=exam.id,
        number=number,
        started_at=now,
        deadline_at=now + timedelta(minutes=int(exam.definition["time_limit_minutes"])),
        plan=_plan(db, user, exam, number),
    )
    db.add(sitting)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        opened = standing(db, user, exam).open_sitting
        if opened is None:
            raise Conflict("Another sitting was being started. Reload the page.") from None
        return opened
    summaries.exam_started(db, user, exam.course_id, sitting.started_at)
    return sitting


def _why_not(current: Standing) -> str:
    if current.passed:
        return "You have already passed this exam."
    if current.sittings_left == 0:
        return "You have used every sitting of this exam."
    when = current.next_start_at.strftime("%d %b %Y %H:%M UTC") if current.next_start_at else ""
    return f"You can sit the exam again from {when}."


def _plan(db: Session, user: User, exam: Exam, number: int) -> dict[str, Any]:
    """Draw one exercise per slot and freeze the versions, seeds and rules used."""
    digest = hashlib.sha256(f"takt-exam:{user.id}:{exam.id}:{number}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 - drawing questions, not secrets
    rules = exam.definition
    drawn = [(rng.choice(slot["pool"]), rng.randrange(2**31), slot) for slot in rules["slots"]]
    found = published_exercises(db, [slug for slug, _, _ in drawn])
    if any(slug not in found for slug, _, _ in drawn):
        raise NotFound("There is no such exercise.")
    slots = [
        {
            "exercise_id": str(found[slug].exercise.id),
            "version_id": found[slug].version.id,
            "seed": seed,
            "weight": slot["weight"],
        }
        for slug, seed, slot in drawn
    ]
    keep = ("time_limit_minutes", "pass_mark", "feedback")
    return {**{k: rules[k] for k in keep}, "slots": slots}


def get_own_sitting(db: Session, user: User, sitting_id: uuid.UUID) -> ExamSitting:
    sitting = db.get(ExamSitting, sitting_id)
    if sitting is None or sitting.user_id != user.id:
        raise NotFound("There is no such exam sitting.")
    return sitting


@dataclass(frozen=True)
class Question:
    index: int
    loaded: LoadedExercise
    variant: dict[str, Any]
    weight: float


def question(db: Session, sitting: ExamSitting, index: int) -> Question:
    slots = sitting.plan["slots"]
    if not 0 <= index < len(slots):
        raise NotFound("There is no such question in this exam.")
    return _question(index, slots[index], load_versions(db, [int(slots[index]["version_id"])]))


def questions(db: Session, sitting: ExamSitting) -> list[Question]:
    """Every question of the sitting, in one statement."""
    slots = sitting.plan["slots"]
    versions = load_versions(db, [int(slot["version_id"]) for slot in slots])
    return [_question(index, slot, versions) for index, slot in enumerate(slots)]


def _question(index: int, slot: dict[str, Any], versions: dict[int, LoadedExercise]) -> Question:
    loaded = versions.get(int(slot["version_id"]))
    if loaded is None or str(loaded.exercise.id) != slot["exercise_id"]:
        raise NotFound("That version of the exercise does not exist.")
    return Question(index, loaded, loaded.variant(int(slot["seed"])), float(slot["weight"]))


def save_answer(db: Session, sitting: ExamSitting, index: int, raw: dict[str, list[str]]) -> None:
    """Keep an answer (it can be changed until submission), or with per-question feedback,
    grade it at once; an unreadable answer is refused and nothing is kept."""
    if not is_open(sitting):
        raise Conflict("Time is up for this exam: no more answers can be saved.")
    key = str(index)
    per_question = sitting.plan["feedback"] == "per_question"
    if per_question and key in sitting.results:
        raise Conflict("This question has been answered and marked already.")
    item = question(db, sitting, index)
    try:
        answer = item.loaded.kind.parse(item.loaded.params, item.variant, raw)
    except AnswerErrors as errors:
        raise AnswerInvalid(errors.errors) from None
    sitting.answers = {**sitting.answers, key: raw}
    if per_question:
        result = item.loaded.kind.grade(item.loaded.params, item.variant, answer, item.loaded.parts)
        sitting.results = {**sitting.results, key: _result(result)}
    db.add(sitting)


def _result(result: GradeResult) -> dict[str, Any]:
    return {"score": result.score, "parts": result.to_json()}


def submit(db: Session, sitting: ExamSitting) -> ExamSitting:
    """Mark every question and close the sitting, once, however often it is sent."""
    # Re-read under a row lock (PostgreSQL; SQLite's write lock is already held), so of two
    # simultaneous submissions the second sees the first's result.
    statement = (
        select(ExamSitting)
        .where(ExamSitting.id == sitting.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    locked = db.exec(statement).one()
    if locked.status != "in_progress":
        return locked
    now = utcnow()
    results = dict(locked.results)
    if len(results) < len(locked.plan["slots"]):
        for item in questions(db, locked):
            if str(item.index) not in results:
                results[str(item.index)] = _mark(locked, item)
    weights = [float(slot["weight"]) for slot in locked.plan["slots"]]
    score = sum(w * results[str(i)]["score"] for i, w in enumerate(weights)) / sum(weights)
    late = now > locked.deadline_at + GRACE
    locked.results = results
    locked.score = score
    locked.passed = not late and score >= float(locked.plan["pass_mark"]) - 1e-9
    locked.status = "late" if late else "submitted"
    locked.submitted_at = now
    db.add(locked)
    db.flush()
    learner = db.get(User, locked.user_id)
    assert learner is not None  # the sitting's foreign key guarantees it
    course_id = get_exam(db, locked.exam_id).course_id
    counted_score = None if late else score
    summaries.exam_finished(db, learner, course_id, now, counted_score, bool(locked.passed))
    return locked


def _mark(sitting: ExamSitting, item: Question) -> dict[str, Any]:
    raw = sitting.answers.get(str(item.index))
    if raw is None:
        return {"score": 0.0, "parts": [], "unanswered": True}
    answer = item.loaded.kind.parse(item.loaded.params, item.variant, raw)
    return _result(
        item.loaded.kind.grade(item.loaded.params, item.variant, answer, item.loaded.parts)
    )
