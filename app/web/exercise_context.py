"""What an exercise's form and prompt need in a template; shared by exercise pages, module
pages and exam questions."""

import secrets
from typing import Any

from app.learning.attempts import ExerciseState, LoadedExercise


def kind_context(
    loaded: LoadedExercise,
    variant: dict[str, Any],
    entered: dict[str, list[str]],
    errors: dict[str, str],
    data_url: str | None = None,
) -> dict[str, Any]:
    """The prompt and everything a kind's form partial reads (as `ex`). `data_url` is where
    the learner downloads their data set, for kinds that hand one out."""
    return {
        "data_url": data_url,
        "exercise": loaded.exercise,
        "version": loaded.version,
        "kind": loaded.kind,
        "params": loaded.params,
        "variant": variant,
        "prompt_html": loaded.prompt_html(variant),
        "entered": entered,
        "errors": errors,
        "view": loaded.kind.view(loaded.params, variant, entered),
    }


def exercise_context(
    state: ExerciseState,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An exercise block: the kind's form plus the learner's standing, feedback and solution.
    Until the exercise is finished, the form shows the last attempt's answers to correct."""
    loaded, last = state.loaded, state.last_attempt
    if values is None:
        values = last.answer if last and not state.finished else {}
    data_url = f"/exercises/{loaded.exercise.slug}/data.csv"
    return {
        **kind_context(loaded, state.variant, values, errors or {}, data_url),
        "state": state,
        "solution_html": loaded.solution_html(state.variant) if state.finished else None,
        "submission_token": secrets.token_urlsafe(24),
    }
