"""What an exercise block shows; shared by exercise pages and module pages."""

import secrets
from typing import Any

from app.learning.attempts import ExerciseState


def exercise_context(
    state: ExerciseState,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the exercise block needs; shared by module pages and the exercise page."""
    loaded = state.loaded
    last = state.last_attempt
    if values is None:
        values = last.answer if last and not state.finished else {}
    return {
        "state": state,
        "exercise": loaded.exercise,
        "version": loaded.version,
        "kind": loaded.kind,
        "params": loaded.params,
        "variant": state.variant,
        "prompt_html": loaded.prompt_html(state.variant),
        "solution_html": loaded.solution_html(state.variant) if state.finished else None,
        "entered": values,
        "view": loaded.kind.view(loaded.params, state.variant, values),
        "errors": errors or {},
        "submission_token": secrets.token_urlsafe(24),
    }
