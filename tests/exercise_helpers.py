"""Answering the repository's mortgage yield exercise the way a learner would."""

import re

from sqlmodel import Session

from app.learning import attempts
from app.models import User

SLUG = "yb-yield-mortgage"
PAGE = f"/exercises/{SLUG}"


def reference_form(db: Session, user: User) -> dict[str, list[str]]:
    """The right answer for this user's own variant, as form fields."""
    loaded = attempts.load_exercise(db, SLUG)
    state = attempts.exercise_state(db, user, loaded)
    return loaded.kind.to_form(
        loaded.params, state.variant, loaded.kind.solve(loaded.params, state.variant)
    )


def wrong_form(db: Session, user: User) -> dict[str, list[str]]:
    form = reference_form(db, user)
    form["dpu"] = ["99"]
    form["sigma"] = ["0.5"]
    return form


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def form_controls(html: str) -> dict[str, str]:
    return {name: hidden(html, name) for name in ("csrf_token", "version_id", "submission_token")}
