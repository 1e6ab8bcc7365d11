"""The review queue: attempts that need an instructor's judgement, oldest first.

An instructor sees and reviews only the attempts of the courses they are staff of (an
exercise's course is `Exercise.course_id`); anyone else's attempt is not found. Admins see all.

The instructor scores each rubric criterion (0 to 3) with a comment. The review sets the
attempt's final score and, in the same transaction, the learner's standing on the exercise.
Services flush; the route commits.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from app.authoring.staff import require_staff
from app.errors import Conflict, InvalidInput, NotFound
from app.grading.rubrics import LEVELS, Rubric
from app.learning.attempts import LoadedExercise, load_version, record_score
from app.logs import get_logger, log_event
from app.models import Attempt, Course, Exercise, ExerciseProgress, Role, User
from app.models.base import utcnow

MAX_COMMENT = 2000
logger = get_logger("reviews")


@dataclass(frozen=True)
class Pending:
    attempt: Attempt
    learner: User
    exercise: Exercise
    course: Course | None


def queue(
    db: Session, courses: list[Course] | None, limit: int = 50, offset: int = 0
) -> tuple[list[Pending], int]:
    """Attempts waiting for review in `courses` (every attempt when None, for an admin),
    oldest first, with the total count."""
    where = [col(Attempt.status) == "awaiting_review"]
    if courses is not None:
        where.append(col(Exercise.course_id).in_([course.id for course in courses]))
    total = db.exec(
        select(func.count())
        .select_from(Attempt)
        .join(Exercise, col(Exercise.id) == Attempt.exercise_id)
        .where(*where)
    ).one()
    rows = db.exec(
        select(Attempt, User, Exercise, Course)
        .join(User, col(User.id) == Attempt.user_id)
        .join(Exercise, col(Exercise.id) == Attempt.exercise_id)
        .outerjoin(Course, col(Course.id) == Exercise.course_id)
        .where(*where)
        .order_by(col(Attempt.created_at), col(Attempt.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return [Pending(*row) for row in rows], total


@dataclass(frozen=True)
class ReviewCase:
    """An attempt as its reviewer sees it: the learner's own variant and answer."""

    attempt: Attempt
    learner: User
    loaded: LoadedExercise
    variant: dict[str, Any]
    rubric: Rubric


def review_case(db: Session, reviewer: User, attempt_id: uuid.UUID) -> ReviewCase:
    """The attempt to review; NotFound unless it needs (or had) a review and the reviewer
    is staff of its course."""
    attempt = db.get(Attempt, attempt_id)
    if attempt is None or attempt.status not in ("awaiting_review", "reviewed"):
        raise NotFound("There is no such attempt to review.")
    exercise = db.get(Exercise, attempt.exercise_id)
    learner = db.get(User, attempt.user_id)
    assert exercise is not None and learner is not None  # foreign keys
    if reviewer.role != Role.admin:
        require_staff(db, reviewer, exercise.course_id)
    loaded = load_version(db, exercise, attempt.exercise_version_id)
    variant = loaded.variant(attempt.seed)
    return ReviewCase(attempt, learner, loaded, variant, loaded.kind.rubric(loaded.params))


def parse_review(rubric: Rubric, form: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """Levels and comments per criterion from the form; InvalidInput names a missing level."""
    levels, comments = {}, {}
    for criterion in rubric.criteria:
        value = form.get(f"level-{criterion.id}", "")
        if not value.isdigit() or int(value) not in LEVELS:
            raise InvalidInput(
                f"Choose a level for “{criterion.title}”.", field=f"level-{criterion.id}"
            )
        levels[criterion.id] = int(value)
        comments[criterion.id] = form.get(f"comment-{criterion.id}", "").strip()[:MAX_COMMENT]
    return levels, comments


def record_review(
    db: Session,
    reviewer: User,
    case: ReviewCase,
    levels: dict[str, int],
    comments: dict[str, str],
    overall: str,
) -> None:
    attempt = case.attempt
    if attempt.status != "awaiting_review":
        raise Conflict("This attempt has been reviewed already.")
    score = case.rubric.score(levels)
    passed = case.rubric.passes(levels)
    attempt.score = score
    attempt.status = "reviewed"
    attempt.reviewed_by_id = reviewer.id
    attempt.reviewed_at = utcnow()
    attempt.review = {
        "reviewer": reviewer.name,
        "criteria": [
            {
                "id": c.id,
                "title": c.title,
                "level": levels[c.id],
                "comment": comments[c.id],
                "weight": c.weight,
            }
            for c in case.rubric.criteria
        ],
        "comment": overall.strip()[:MAX_COMMENT],
        "score": score,
        "passed": passed,
    }
    progress = db.exec(
        select(ExerciseProgress).where(
            ExerciseProgress.user_id == attempt.user_id,
            ExerciseProgress.exercise_id == attempt.exercise_id,
        )
    ).one()
    record_score(progress, score, passed)
    db.add(attempt)
    db.add(progress)
    log_event(
        logger,
        "attempt reviewed",
        attempt_id=str(attempt.id),
        reviewer_id=reviewer.id,
        score=round(score, 3),
    )
