"""Answering the repository's exercises the way a learner would (the mortgage yield exercise
unless a slug is given), and reading what the grader and the charts give back."""

import re
import xml.etree.ElementTree as ET
from typing import Any

from sqlmodel import Session

from app.learning import attempts
from app.models import User

SLUG = "yb-yield-mortgage"
PAGE = f"/exercises/{SLUG}"


def reference_form(db: Session, user: User, slug: str = SLUG) -> dict[str, list[str]]:
    """The right answer for this user's own variant, as form fields."""
    loaded = attempts.load_exercise(db, slug)
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


def submit(client: Any, slug: str, form: dict[str, Any]) -> Any:
    """Post an answer from the exercise's page, with the page's own hidden controls."""
    page = client.get(f"/exercises/{slug}").text
    return client.post(
        f"/exercises/{slug}/attempts",
        data={**form_controls(page), **form},
        follow_redirects=False,
    )


def parse_svg(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 (our own drawing, not untrusted input)


def by_part(result: Any) -> dict[str, Any]:
    return {part.name: part for part in result.parts}
