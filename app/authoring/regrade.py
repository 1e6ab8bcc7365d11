"""Re-grading an exercise's stored attempts against its current (corrected) version.

The dry run re-grades each learner's stored answer with the current version's grader and
the attempt's own seed, and says whose score would change; nothing is written. Applying
does the same again and, in the caller's transaction, updates each attempt's score and
per-part results, re-points it at the current version, keeps what it was in an
`AttemptRegrade` row, and restates the learner's standing on the exercise.

Scores never drop unless the instructor allows it: by default an attempt the corrected
grader would score lower keeps its score (and its version). Attempts that wait for or had
an instructor's review keep the reviewed score. An answer the current version can no
longer read, or that was given to a task the current version no longer sets the learner
(other figures, other questions), cannot be re-graded and is listed with the reason.

Nothing else needs restating: a re-grade adds no attempt and moves no date, so the HR
summary tables stand as they are, and certificate rules read module reads, exam sittings
and prerequisites, not exercise scores. Services flush; the route commits.
"""

import json
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from sqlmodel import Session, col, select

from app.content.sync import current_exercise_version
from app.errors import Conflict, NotFound
from app.grading.results import AnswerErrors, GradeResult
from app.learning.attempts import LoadedExercise, load_version, record_score
from app.logs import get_logger, log_event
from app.models import (
    Attempt,
    AttemptRegrade,
    Course,
    Exercise,
    ExerciseProgress,
    ExerciseVersion,
    User,
)
from app.models.base import utcnow

logger = get_logger("regrade")
SAME = 1e-9  # scores closer than this are the same score


class Outcome(StrEnum):
    up = "up"  # the corrected grader scores it higher
    down = "down"  # lower, and lower scores are allowed
    kept = "kept"  # lower, but the learner keeps the old score
    unchanged = "unchanged"
    failed = "failed"  # cannot be re-graded; see the reason
    reviewed = "reviewed"  # an instructor's review decides the score


ORDER = [Outcome.up, Outcome.down, Outcome.kept, Outcome.failed, Outcome.reviewed]


@dataclass(frozen=True)
class Line:
    """One stored attempt and what re-grading does to it."""

    attempt: Attempt
    learner: User
    old_version: int  # the version number the attempt was made on
    outcome: Outcome
    graded: float | None = None  # what the current version's grader gives
    reason: str = ""
    result: GradeResult | None = None

    @property
    def old_score(self) -> float:
        return self.attempt.score

    @property
    def new_score(self) -> float:
        """The score the attempt has once applied."""
        if self.outcome in (Outcome.up, Outcome.down) and self.graded is not None:
            return self.graded
        return self.attempt.score

    @property
    def change(self) -> float:
        return self.new_score - self.old_score

    @property
    def applies(self) -> bool:
        """Applying rewrites the attempt (a changed score, or the same score re-pointed)."""
        return self.outcome in (Outcome.up, Outcome.down, Outcome.unchanged)


@dataclass
class RegradePlan:
    exercise: Exercise
    current: LoadedExercise
    allow_lower: bool
    include_current: bool
    lines: list[Line] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {outcome.value: 0 for outcome in Outcome}
        for line in self.lines:
            counts[line.outcome.value] += 1
        return counts

    @property
    def changed(self) -> int:
        return sum(line.outcome in (Outcome.up, Outcome.down) for line in self.lines)

    @property
    def listed(self) -> list[Line]:
        """Every attempt that does not simply keep its score, by outcome, then learner."""
        return sorted(
            (line for line in self.lines if line.outcome != Outcome.unchanged),
            key=lambda line: (ORDER.index(line.outcome), line.learner.name, line.attempt.number),
        )


def exercise_of_course(db: Session, course: Course, slug: str) -> Exercise:
    exercise = db.exec(
        select(Exercise).where(Exercise.slug == slug, Exercise.course_id == course.id)
    ).first()
    if exercise is None:
        raise NotFound("There is no such exercise in this course.")
    return exercise


def plan_regrade(
    db: Session, exercise: Exercise, *, allow_lower: bool = False, include_current: bool = False
) -> RegradePlan:
    """The dry run: what re-grading the stored attempts would do. Writes nothing."""
    version = current_exercise_version(db, exercise.id)
    if version is None:
        raise NotFound("This exercise has no published version to re-grade against.")
    current = load_version(db, exercise, version.id)  # type: ignore[arg-type]
    plan = RegradePlan(exercise, current, allow_lower, include_current)
    statement = (
        select(Attempt, User, ExerciseVersion.number)
        .join(User, col(User.id) == Attempt.user_id)
        .join(ExerciseVersion, col(ExerciseVersion.id) == Attempt.exercise_version_id)
        .where(Attempt.exercise_id == exercise.id)
        .order_by(col(User.name), col(Attempt.user_id), col(Attempt.number))
    )
    if not include_current:
        statement = statement.where(Attempt.exercise_version_id != version.id)
    loaded: dict[int, LoadedExercise] = {version.id: current}  # type: ignore[dict-item]
    variants: dict[tuple[int, int], str] = {}
    for attempt, learner, number in db.exec(statement):
        if attempt.status != "graded":
            reason = (
                "Waiting for an instructor's review, which will set its score."
                if attempt.status == "awaiting_review"
                else "Reviewed by an instructor: it keeps the reviewed score."
            )
            plan.lines.append(Line(attempt, learner, number, Outcome.reviewed, reason=reason))
            continue
        old = loaded.get(attempt.exercise_version_id)
        if old is None:
            old = loaded[attempt.exercise_version_id] = load_version(
                db, exercise, attempt.exercise_version_id
            )
        plan.lines.append(_regrade_one(attempt, learner, number, old, current, variants, plan))
    return plan


def _regrade_one(
    attempt: Attempt,
    learner: User,
    number: int,
    old: LoadedExercise,
    current: LoadedExercise,
    variants: dict[tuple[int, int], str],
    plan: RegradePlan,
) -> Line:
    def task(loaded: LoadedExercise) -> str:
        """The task this learner is set by a version, as comparable text."""
        key = (loaded.version.id or 0, attempt.seed)
        if key not in variants:
            variant = loaded.variant(attempt.seed)
            variants[key] = json.dumps(variant, sort_keys=True, default=str)
        return variants[key]

    if task(old) != task(current):
        reason = (
            "The current version sets this learner a different task (other figures or "
            "questions), so the stored answer does not answer it."
        )
        return Line(attempt, learner, number, Outcome.failed, reason=reason)
    variant = current.variant(attempt.seed)
    try:
        answer = current.kind.parse(current.params, variant, attempt.answer)
    except AnswerErrors as errors:
        reason = "The stored answer no longer reads: " + "; ".join(errors.errors.values())
        return Line(attempt, learner, number, Outcome.failed, reason=reason)
    result = current.kind.grade(current.params, variant, answer, current.parts)
    graded = result.score
    if abs(graded - attempt.score) <= SAME:
        outcome = Outcome.unchanged
    elif graded > attempt.score:
        outcome = Outcome.up
    else:
        outcome = Outcome.down if plan.allow_lower else Outcome.kept
    return Line(attempt, learner, number, outcome, graded=graded, result=result)


@dataclass(frozen=True)
class Applied:
    up: int
    down: int
    repointed: int  # same score, now on the current version


def apply_regrade(db: Session, plan: RegradePlan, instructor: User, version_id: int) -> Applied:
    """Apply a plan made in this transaction. `version_id` is the version the instructor
    saw in the dry run: if another has been published since, nothing is applied."""
    current = plan.current
    if current.version.id != version_id:
        raise Conflict(
            "A newer version of this exercise was published after the dry run; "
            "check the dry run again before applying it."
        )
    now = utcnow()
    learners: dict[int, User] = {}
    for line in plan.lines:
        if not line.applies:
            continue
        attempt, result = line.attempt, line.result
        assert result is not None and line.graded is not None
        db.add(
            AttemptRegrade(
                attempt_id=attempt.id,
                old_version_id=attempt.exercise_version_id,
                new_version_id=current.version.id,  # type: ignore[arg-type]
                old_score=attempt.score,
                new_score=line.graded,
                old_parts=attempt.parts,
                regraded_by_id=instructor.id,
                regraded_at=now,
            )
        )
        attempt.score = line.graded
        attempt.parts = result.to_json()
        attempt.exercise_version_id = current.version.id  # type: ignore[assignment]
        db.add(attempt)
        learners[line.learner.id] = line.learner  # type: ignore[index]
    db.flush()
    for user_id in learners:
        _restate_progress(db, plan, user_id)
    db.flush()
    applied = Applied(
        up=sum(line.outcome == Outcome.up for line in plan.lines),
        down=sum(line.outcome == Outcome.down for line in plan.lines),
        repointed=sum(line.outcome == Outcome.unchanged for line in plan.lines),
    )
    log_event(
        logger,
        "exercise regraded",
        exercise=plan.exercise.slug,
        version=current.version.number,
        by_user_id=instructor.id,
        changed=applied.up + applied.down,
        up=applied.up,
        down=applied.down,
        repointed=applied.repointed,
        allow_lower=plan.allow_lower,
    )
    return applied


def _restate_progress(db: Session, plan: RegradePlan, user_id: int) -> None:
    """The learner's best score and pass on the exercise, as submissions would leave them.

    Without lower scores allowed, scores only rise, so the new ones are recorded the way
    a submission records its score (never lowering the best, never un-passing). When
    lower scores are allowed, the standing is recorded afresh from every counted attempt.
    """
    progress = db.exec(
        select(ExerciseProgress).where(
            ExerciseProgress.user_id == user_id,
            ExerciseProgress.exercise_id == plan.exercise.id,
        )
    ).one()
    counted = db.exec(
        select(Attempt, ExerciseVersion)
        .join(ExerciseVersion, col(ExerciseVersion.id) == Attempt.exercise_version_id)
        .where(
            Attempt.user_id == user_id,
            Attempt.exercise_id == plan.exercise.id,
            col(Attempt.status).in_(["graded", "reviewed"]),
        )
    ).all()
    if plan.allow_lower:
        progress.best_score, progress.passed = 0.0, False
    for attempt, version in counted:
        record_score(progress, attempt.score, _passes(attempt, version))
    db.add(progress)


def _passes(attempt: Attempt, version: ExerciseVersion) -> bool:
    if attempt.status == "reviewed" and attempt.review is not None:
        return bool(attempt.review["passed"])
    return attempt.score >= float(version.definition["pass_mark"]) - SAME


def regrades_of(db: Session, attempt_id: uuid.UUID) -> list[AttemptRegrade]:
    statement = (
        select(AttemptRegrade)
        .where(AttemptRegrade.attempt_id == attempt_id)
        .order_by(col(AttemptRegrade.regraded_at))
    )
    return list(db.exec(statement))
