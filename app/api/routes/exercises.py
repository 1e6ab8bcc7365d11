"""Exercises as JSON: my variant, submitting an answer, my attempts."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.schemas import AttemptIn, AttemptOut, ErrorOut, PartOut, VariantOut
from app.deps import CurrentUser, SessionDep
from app.learning import attempts
from app.learning.attempts import AttemptView

router = APIRouter(
    tags=["exercises"], responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}}
)


def _attempt_out(view: AttemptView) -> AttemptOut:
    parts = [
        PartOut(
            name=p.name,
            label=p.label,
            score=p.score,
            weight=p.weight,
            feedback=p.feedback,
            expected=p.expected if view.show_expected else None,
        )
        for p in view.result.parts
    ]
    attempt = view.attempt
    return AttemptOut(
        id=attempt.id,
        exercise=view.exercise.slug,
        version=view.version.number,
        number=attempt.number,
        score=attempt.score,
        status=attempt.status,
        created_at=attempt.created_at,
        parts=parts,
    )


@router.get("/exercises/{slug}/variant", response_model=VariantOut)
def my_variant(slug: str, db: SessionDep, user: CurrentUser) -> VariantOut:
    """The caller's own numbers for an exercise, and where they stand on it."""
    state = attempts.exercise_state(db, user, attempts.load_exercise(db, slug))
    loaded = state.loaded
    return VariantOut(
        exercise=loaded.exercise.slug,
        title=loaded.version.title,
        kind=loaded.version.kind,
        version_id=loaded.version.id,  # type: ignore[arg-type]
        seed=state.seed,
        prompt_html=loaded.prompt_html(state.variant),
        data=state.variant,
        attempts_allowed=loaded.attempts_allowed,
        attempts_used=state.attempts_used,
        attempts_left=state.attempts_left,
        passed=state.passed,
        best_score=state.best_score,
    )


@router.post(
    "/exercises/{slug}/attempts",
    response_model=AttemptOut,
    status_code=201,
    responses={409: {"model": ErrorOut}},
)
def submit(slug: str, body: AttemptIn, db: SessionDep, user: CurrentUser) -> AttemptOut:
    """Grade an answer. Sending the same submission_token again returns the same attempt;
    an answer that cannot be read is refused (422, per field) and costs no attempt."""
    loaded = attempts.load_exercise(db, slug)
    raw = attempts.normalise_raw(body.answer)
    attempt = attempts.submit(db, user, loaded, body.version_id, body.submission_token, raw)
    # Read before the commit: a read after it would open a transaction (on SQLite, a write
    # lock) held through the answer's serialisation, which waits for a free thread.
    answer = _attempt_out(attempts.attempt_view(db, user, attempt))
    db.commit()
    return answer


@router.get("/me/attempts", response_model=list[AttemptOut])
def my_attempts(
    db: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AttemptOut]:
    rows = attempts.list_own_attempts(db, user, limit=limit, offset=offset)
    return [_attempt_out(attempts.attempt_view(db, user, attempt)) for attempt, _ in rows]


@router.get("/attempts/{attempt_id}", response_model=AttemptOut)
def get_attempt(attempt_id: uuid.UUID, db: SessionDep, user: CurrentUser) -> AttemptOut:
    """One of the caller's attempts with its feedback; anyone else's is a 404."""
    attempt = attempts.get_own_attempt(db, user, attempt_id)
    return _attempt_out(attempts.attempt_view(db, user, attempt))
