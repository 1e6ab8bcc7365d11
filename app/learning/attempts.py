"""Doing exercises: a learner's variant, submitting an answer, and their attempt history.

A learner keeps one variant per exercise (seeded from who they are and which exercise it
is), so the feedback on a wrong part can be acted on in the next attempt. The seed and the
exercise version are stored on every attempt, so any attempt can be re-shown and re-graded.
Services flush; the route commits.
"""

import hashlib
import json
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.content.sync import current_exercise_version
from app.errors import AnswerInvalid, Conflict, NotFound
from app.grading.kinds import get_kind
from app.grading.kinds.base import Kind, PartOverride, PartSpec, RawAnswer, apply_overrides
from app.grading.prompts import render_filled
from app.grading.results import AnswerErrors, GradeResult
from app.grading.variants import make_variant
from app.models import Attempt, Exercise, ExerciseProgress, ExerciseVersion, User
from app.models.base import utcnow
from app.reporting import summaries

MAX_FIELDS = 200
MAX_VALUES_PER_FIELD = 20
MAX_VALUE_LENGTH = 1000


@dataclass(frozen=True)
class LoadedExercise:
    """An exercise version with its kind and validated parameters, ready to use."""

    exercise: Exercise
    version: ExerciseVersion
    kind: Kind
    params: BaseModel
    parts: dict[str, PartSpec]

    @property
    def attempts_allowed(self) -> int:
        return int(self.version.definition["attempts"])

    @property
    def pass_mark(self) -> float:
        return float(self.version.definition["pass_mark"])

    @property
    def needs_review(self) -> bool:
        return self.version.definition.get("review") == "required"

    def variant(self, seed: int) -> dict[str, Any]:
        return make_variant(self.kind, self.params, seed)

    def prompt_html(self, variant: dict[str, Any]) -> str:
        return render_filled(self.version.prompt_markdown, variant)

    def solution_html(self, variant: dict[str, Any]) -> str:
        return render_filled(self.version.solution_markdown, variant)


def _loaded(exercise: Exercise, version: ExerciseVersion) -> LoadedExercise:
    kind, params, parts = _prepared(version)
    return LoadedExercise(exercise, version, kind, params, parts)


# Each process validates a definition's parameters once, keyed by the definition itself
# (not the version's id: ids are reused when a database is restored or rebuilt).
_PREPARED: OrderedDict[str, tuple[Kind, BaseModel, dict[str, PartSpec]]] = OrderedDict()
_PREPARED_KEPT = 1024


def _prepared(version: ExerciseVersion) -> tuple[Kind, BaseModel, dict[str, PartSpec]]:
    key = json.dumps([version.kind, version.definition], sort_keys=True, default=str)
    if kept := _PREPARED.get(key):
        _PREPARED.move_to_end(key)
        return kept
    kind = get_kind(version.kind)
    params = kind.Params.model_validate(version.definition["params"])
    overrides = {
        name: PartOverride.model_validate(value)
        for name, value in version.definition.get("parts", {}).items()
    }
    prepared = (kind, params, apply_overrides(kind.parts(params), overrides))
    _PREPARED[key] = prepared
    if len(_PREPARED) > _PREPARED_KEPT:
        _PREPARED.popitem(last=False)
    return prepared


def load_exercise(db: Session, slug: str) -> LoadedExercise:
    exercise = db.exec(
        select(Exercise).where(Exercise.slug == slug, col(Exercise.is_published))
    ).first()
    version = current_exercise_version(db, exercise.id) if exercise else None
    if exercise is None or version is None:
        raise NotFound("There is no such exercise.")
    return _loaded(exercise, version)


def load_version(db: Session, exercise: Exercise, version_id: int) -> LoadedExercise:
    version = db.get(ExerciseVersion, version_id)
    if version is None or version.exercise_id != exercise.id:
        raise NotFound("That version of the exercise does not exist.")
    return _loaded(exercise, version)


def seed_for(user_id: int, exercise_id: uuid.UUID) -> int:
    digest = hashlib.sha256(f"takt-variant:{user_id}:{exercise_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class ExerciseState:
    """Everything the exercise page shows one learner."""

    loaded: LoadedExercise
    seed: int
    variant: dict[str, Any]
    attempts: list[Attempt]  # newest first
    progress: ExerciseProgress | None

    @property
    def attempts_used(self) -> int:
        return self.progress.attempts_used if self.progress else 0

    @property
    def attempts_left(self) -> int:
        return max(0, self.loaded.attempts_allowed - self.attempts_used)

    @property
    def passed(self) -> bool:
        return bool(self.progress and self.progress.passed)

    @property
    def finished(self) -> bool:
        """No more attempts: passed, or all used. The worked solution is shown from then on."""
        return self.passed or self.attempts_left == 0

    @property
    def best_score(self) -> float:
        return self.progress.best_score if self.progress else 0.0

    @property
    def last_attempt(self) -> Attempt | None:
        return self.attempts[0] if self.attempts else None


def exercise_state(db: Session, user: User, loaded: LoadedExercise) -> ExerciseState:
    exercise_id = loaded.exercise.id
    attempts = list(
        db.exec(
            select(Attempt)
            .where(Attempt.user_id == user.id, Attempt.exercise_id == exercise_id)
            .order_by(col(Attempt.number).desc())
        )
    )
    progress = _progress(db, user, exercise_id)
    seed = seed_for(user.id, exercise_id)  # type: ignore[arg-type]
    return ExerciseState(loaded, seed, loaded.variant(seed), attempts, progress)


def _progress(db: Session, user: User, exercise_id: uuid.UUID) -> ExerciseProgress | None:
    return db.exec(
        select(ExerciseProgress).where(
            ExerciseProgress.user_id == user.id, ExerciseProgress.exercise_id == exercise_id
        )
    ).first()


def page_exercise_states(db: Session, user: User, slugs: list[str]) -> list[ExerciseState]:
    """The published exercises among `slugs`, in that order, each with the learner's
    standing and attempts, in one statement: what a module page shows."""
    rows = db.exec(_PAGE_EXERCISES, params={"slugs": slugs, "user_id": user.id}).all()
    found: dict[str, tuple[Exercise, ExerciseVersion, ExerciseProgress | None, list[Attempt]]] = {}
    for exercise, version, progress, attempt in rows:
        entry = found.setdefault(exercise.slug, (exercise, version, progress, []))
        if attempt is not None:
            entry[3].append(attempt)
    states = []
    for slug in slugs:
        if slug not in found:
            continue  # withdrawn: left out
        exercise, version, progress, made = found[slug]
        loaded = _loaded(exercise, version)
        seed = seed_for(user.id, exercise.id)  # type: ignore[arg-type]
        made.sort(key=lambda a: a.number, reverse=True)
        states.append(ExerciseState(loaded, seed, loaded.variant(seed), made, progress))
    return states


def _published_exercises_statement() -> Any:
    """Published exercises named in the `slugs` parameter, each at its current version."""
    latest = (
        select(ExerciseVersion.exercise_id, func.max(ExerciseVersion.number).label("number"))
        .group_by(col(ExerciseVersion.exercise_id))
        .subquery()
    )
    return (
        select(Exercise, ExerciseVersion)
        .join(latest, latest.c.exercise_id == Exercise.id)
        .join(
            ExerciseVersion,
            (col(ExerciseVersion.exercise_id) == Exercise.id)
            & (col(ExerciseVersion.number) == latest.c.number),
        )
        .where(
            col(Exercise.slug).in_(bindparam("slugs", expanding=True)), col(Exercise.is_published)
        )
    )


def _page_exercises_statement() -> Any:
    """The same, with the progress and attempts of the learner in the `user_id` parameter."""
    learner = bindparam("user_id")
    return (
        _published_exercises_statement()
        .add_columns(ExerciseProgress, Attempt)
        .outerjoin(
            ExerciseProgress,
            (col(ExerciseProgress.exercise_id) == Exercise.id)
            & (col(ExerciseProgress.user_id) == learner),
        )
        .outerjoin(
            Attempt, (col(Attempt.exercise_id) == Exercise.id) & (col(Attempt.user_id) == learner)
        )
    )


# Built once, like the module page's own statement (app.learning.service): the pages
# that use them are the most requested.
_PUBLISHED_EXERCISES = _published_exercises_statement()
_PAGE_EXERCISES = _page_exercises_statement()


def normalise_raw(raw: dict[str, Any]) -> dict[str, list[str]]:
    """Form posts and JSON bodies alike become {field: [text, …]}, within size limits."""
    if len(raw) > MAX_FIELDS:
        raise AnswerInvalid({"answer": f"An answer has at most {MAX_FIELDS} fields."})
    fields: dict[str, list[str]] = {}
    for name, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if len(values) > MAX_VALUES_PER_FIELD:
            raise AnswerInvalid({name: "Too many values."})
        texts = ["" if v is None else str(v) for v in values]
        if any(len(text) > MAX_VALUE_LENGTH for text in texts):
            raise AnswerInvalid({name: f"Keep each answer under {MAX_VALUE_LENGTH} characters."})
        if "\x00" in str(name) or any("\x00" in text for text in texts):
            # No database stores a NUL character in text (PostgreSQL refuses it outright).
            raise AnswerInvalid({str(name).replace("\x00", ""): "Remove the NUL character."})
        fields[str(name)] = texts
    return fields


def submit(
    db: Session, user: User, current: LoadedExercise, version_id: int, token: str, raw: RawAnswer
) -> Attempt:
    """Grade and record an attempt with its summary, once per submission token."""
    if (existing := _attempt_by_token(db, user, token)) is not None:
        return existing
    loaded = (
        current
        if version_id == current.version.id
        else load_version(db, current.exercise, version_id)
    )
    progress = _progress(db, user, loaded.exercise.id) or ExerciseProgress(
        user_id=user.id,  # type: ignore[arg-type]
        exercise_id=loaded.exercise.id,
    )
    if progress.passed or progress.attempts_used >= loaded.attempts_allowed:
        raise Conflict("You have no attempts left on this exercise.")
    seed = seed_for(user.id, loaded.exercise.id)  # type: ignore[arg-type]
    variant = loaded.variant(seed)
    try:
        answer = loaded.kind.parse(loaded.params, variant, raw)
    except AnswerErrors as errors:
        raise AnswerInvalid(errors.errors) from None
    result = loaded.kind.grade(loaded.params, variant, answer, loaded.parts)
    attempt = _record(db, user, loaded, progress, seed, token, raw, result)
    try:
        db.flush()
    except IntegrityError:
        # A double click or retry with the same token won the race: answer with its attempt.
        db.rollback()
        if (existing := _attempt_by_token(db, user, token)) is not None:
            return existing
        raise Conflict(
            "Another answer to this exercise was being saved. Reload the page."
        ) from None
    summaries.attempt_made(db, user, loaded.exercise.course_id, attempt.created_at)
    return attempt


def _record(
    db: Session,
    user: User,
    loaded: LoadedExercise,
    progress: ExerciseProgress,
    seed: int,
    token: str,
    raw: RawAnswer,
    result: GradeResult,
) -> Attempt:
    now = utcnow()
    progress.attempts_used += 1
    if not loaded.needs_review:  # a reviewed attempt counts once its review is in
        record_score(progress, result.score, result.score >= loaded.pass_mark - 1e-9)
    progress.last_attempt_at = now
    attempt = Attempt(
        user_id=user.id,  # type: ignore[arg-type]
        exercise_id=loaded.exercise.id,
        exercise_version_id=loaded.version.id,  # type: ignore[arg-type]
        number=progress.attempts_used,
        seed=seed,
        submission_token=token,
        answer=dict(raw),
        parts=result.to_json(),
        score=result.score,
        status="awaiting_review" if loaded.needs_review else "graded",
        created_at=now,
    )
    db.add(progress)
    db.add(attempt)
    return attempt


def record_score(progress: ExerciseProgress, score: float, passed: bool) -> None:
    progress.best_score = max(progress.best_score, score)
    progress.passed = progress.passed or passed


def _attempt_by_token(db: Session, user: User, token: str) -> Attempt | None:
    return db.exec(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.submission_token == token)
    ).first()


def get_own_attempt(db: Session, user: User, attempt_id: uuid.UUID) -> Attempt:
    """The caller's attempt; anyone else's answers 404, exactly as a missing one does."""
    attempt = db.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("There is no such attempt.")
    return attempt


def list_own_attempts(
    db: Session, user: User, limit: int = 50, offset: int = 0
) -> list[tuple[Attempt, Exercise]]:
    statement = (
        select(Attempt, Exercise)
        .join(Exercise, col(Exercise.id) == Attempt.exercise_id)
        .where(Attempt.user_id == user.id)
        .order_by(col(Attempt.created_at).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.exec(statement).all())


@dataclass(frozen=True)
class AttemptView:
    """One attempt as its owner sees it; expected values only once the exercise is finished."""

    attempt: Attempt
    exercise: Exercise
    version: ExerciseVersion
    result: GradeResult
    show_expected: bool


def attempt_view(db: Session, user: User, attempt: Attempt) -> AttemptView:
    exercise = db.get(Exercise, attempt.exercise_id)
    version = db.get(ExerciseVersion, attempt.exercise_version_id)
    assert exercise is not None and version is not None  # guaranteed by foreign keys
    progress = _progress(db, user, exercise.id)
    finished = progress is not None and (
        progress.passed or progress.attempts_used >= int(version.definition["attempts"])
    )
    return AttemptView(attempt, exercise, version, GradeResult.from_json(attempt.parts), finished)


def published_exercises(db: Session, slugs: list[str]) -> dict[str, LoadedExercise]:
    """The published exercises among `slugs`, each at its current version, by slug, in one
    statement; withdrawn ones are left out."""
    rows = db.exec(_PUBLISHED_EXERCISES, params={"slugs": sorted(set(slugs))}).all()
    return {exercise.slug: _loaded(exercise, version) for exercise, version in rows}


def load_versions(db: Session, version_ids: list[int]) -> dict[int, LoadedExercise]:
    """Exercise versions by id, each with its exercise, in one statement."""
    rows = db.exec(
        select(Exercise, ExerciseVersion)
        .join(ExerciseVersion, col(ExerciseVersion.exercise_id) == Exercise.id)
        .where(col(ExerciseVersion.id).in_(sorted(set(version_ids))))
    ).all()
    return {version.id: _loaded(exercise, version) for exercise, version in rows}  # type: ignore[misc]
