"""Every exercise in exercises/ passes its self-test: the reference answer scores full marks
over many seeds, the wrong case in cases.yaml scores less with the feedback it names, and
the invalid case is refused field by field before any grading (app.authoring.self_test,
which tests/authoring/test_self_test.py checks against broken exercises)."""

import pytest

from app.authoring.self_test import self_test
from app.config import REPO_ROOT
from app.content.loader import load_content
from app.grading.kinds import KINDS
from app.grading.kinds.base import apply_overrides

LOADED = load_content(REPO_ROOT)
EXERCISES = sorted(LOADED.exercises.values(), key=lambda e: e.slug)


def test_the_repository_has_exercises_and_no_content_problems():
    assert LOADED.problems == []
    assert len(EXERCISES) >= 1


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.slug)
def test_every_exercise_passes_its_self_test(exercise):
    kind = KINDS[exercise.meta.kind]
    parts = apply_overrides(kind.parts(exercise.params), exercise.meta.parts)
    report = self_test(kind, exercise.params, parts, exercise.cases.model_dump())
    assert report.failures == []
    assert report.variants_checked == 100
