"""Every exercise in exercises/ tests itself: the reference answer scores full marks over many
seeds, the wrong case in cases.yaml scores less with the feedback it names, and the invalid
case is refused field by field before any grading."""

import pytest

from app.config import REPO_ROOT
from app.content.loader import load_content
from app.grading.kinds import KINDS
from app.grading.kinds.base import apply_overrides
from app.grading.results import AnswerErrors
from app.grading.variants import make_variant

LOADED = load_content(REPO_ROOT)
EXERCISES = sorted(LOADED.exercises.values(), key=lambda e: e.slug)
SEEDS = range(100)


def as_raw(answer):
    return {k: v if isinstance(v, list) else [str(v)] for k, v in answer.items()}


def parts_of(exercise):
    return apply_overrides(KINDS[exercise.meta.kind].parts(exercise.params), exercise.meta.parts)


def test_the_repository_has_exercises_and_no_content_problems():
    assert LOADED.problems == []
    assert len(EXERCISES) >= 1


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.slug)
def test_the_reference_answer_scores_full_marks_for_every_seed(exercise):
    kind = KINDS[exercise.meta.kind]
    for seed in SEEDS:
        variant = make_variant(kind, exercise.params, seed)
        raw = kind.to_form(exercise.params, variant, kind.solve(exercise.params, variant))
        answer = kind.parse(exercise.params, variant, raw)
        result = kind.grade(exercise.params, variant, answer, parts_of(exercise))
        assert result.score == 1, (seed, [(p.name, p.feedback) for p in result.parts])


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.slug)
def test_the_wrong_case_scores_less_with_the_expected_feedback(exercise):
    kind = KINDS[exercise.meta.kind]
    variant = make_variant(kind, exercise.params, exercise.cases.seed)
    answer = kind.parse(exercise.params, variant, as_raw(exercise.cases.wrong.answer))
    result = kind.grade(exercise.params, variant, answer, parts_of(exercise))
    assert result.score < 1
    feedback = {part.name: part.feedback for part in result.parts}
    for part, text in exercise.cases.wrong.feedback.items():
        assert text in feedback[part], (part, feedback[part])


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.slug)
def test_the_invalid_case_is_refused_naming_its_fields(exercise):
    kind = KINDS[exercise.meta.kind]
    variant = make_variant(kind, exercise.params, exercise.cases.seed)
    with pytest.raises(AnswerErrors) as raised:
        kind.parse(exercise.params, variant, as_raw(exercise.cases.invalid.answer))
    assert set(exercise.cases.invalid.errors) <= set(raised.value.errors)
