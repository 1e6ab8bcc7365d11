"""Prompts and solutions are rendered once per text and filled afterwards
(app.grading.prompts.render_filled); for every exercise in the repository that gives the
page byte for byte what filling the Markdown first and rendering it gives."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content.markdown import render_markdown
from app.grading.kinds import KINDS
from app.grading.prompts import PlaceholderError, fill, render_filled
from app.grading.variants import make_variant
from tests.grading.test_every_exercise import EXERCISES

SEEDS = range(0, 4000, 400)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.slug)
def test_rendering_once_then_filling_matches_filling_then_rendering(exercise):
    kind = KINDS[exercise.meta.kind]
    for seed in SEEDS:
        variant = make_variant(kind, exercise.params, seed)
        for text in (exercise.prompt, exercise.solution):
            assert render_filled(text, variant) == render_markdown(fill(text, variant))


@settings(max_examples=300, deadline=None)
@given(
    value=st.text(max_size=30)
    | st.text(alphabet="ab1 .,-%", max_size=12)
    | st.floats(allow_nan=False)
    | st.integers()
)
def test_any_value_gives_what_filling_first_gives(value):
    text = "The team counts {{ x }} and *{{ x }}* of them.\n\n| a | b |\n|---|---|\n| {{ x }} | 1 |"
    assert render_filled(text, {"x": value}) == render_markdown(fill(text, {"x": value}))


SURROUNDINGS = [
    "{}",
    "*{}*",
    "**{}**",
    "_{}_",
    "`{}`",
    "a*{}*b",
    "[{}](https://example.com/{})",
    "[link {}](https://example.com)",
    "({})",
    '"{}"',
    "{}.",
    "{}...",
    "# {}",
    "| {} | 2 |",
    "1. {}",
    "- {}",
    "> {}",
    "{}\n===",
    "<{}>",
    "&{};",
]


@settings(max_examples=300, deadline=None)
@given(
    layout=st.lists(st.sampled_from(SURROUNDINGS), min_size=1, max_size=4),
    value=st.text(alphabet="aZ09 .,;:%/-_*'()", max_size=8) | st.integers(-5000, 5000),
)
def test_any_surrounding_gives_what_filling_first_gives(layout, value):
    text = "\n\n".join(part.replace("{}", "{{ x }}") for part in layout)
    assert render_filled(text, {"x": value}) == render_markdown(fill(text, {"x": value}))


def test_a_placeholder_the_renderer_changes_is_filled_before_rendering():
    # A placeholder inside a link target is percent-encoded by the renderer.
    text = "[the data](https://example.com/{{ name }}) for {{ name }}"
    variant = {"name": "claims"}
    assert render_filled(text, variant) == render_markdown(fill(text, variant))
    assert "https://example.com/claims" in render_filled(text, variant)


def test_an_unknown_placeholder_is_reported_with_its_markdown_line():
    with pytest.raises(PlaceholderError) as raised:
        render_filled("First line\n\nSecond: {{ missing }}", {"x": 1})
    assert raised.value.line == 3
