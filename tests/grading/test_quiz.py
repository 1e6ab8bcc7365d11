"""The quiz kind: shuffling, reading choices, partial credit and per-option feedback."""

import random

import pytest

from app.grading.kinds.quiz import QuizKind, QuizParams
from app.grading.results import AnswerErrors

KIND = QuizKind()
PARAMS = QuizParams.model_validate(
    {
        "questions": [
            {
                "id": "one",
                "type": "single",
                "text": "Which system builds quality in at each step?",
                "options": [
                    {"text": "Craft", "feedback": "Craft relies on the craftsperson."},
                    {"text": "Mass", "feedback": "Mass production inspects at the end."},
                    {"text": "Lean", "correct": True, "feedback": "Yes: jidoka stops to fix."},
                ],
            },
            {
                "id": "many",
                "type": "multiple",
                "text": "Which are wastes?",
                "options": [
                    {"text": "Waiting", "correct": True},
                    {"text": "Rework", "correct": True},
                    {"text": "A value-added step", "feedback": "The customer pays for it."},
                    {"text": "Excess inventory", "correct": True},
                ],
            },
            {"id": "pce", "type": "numeric", "text": "PCE in %?", "answer": 2.5, "unit": "percent"},
        ]
    }
)


def grade(raw: dict[str, list[str]], seed: int = 1):
    variant = KIND.generate(PARAMS, random.Random(seed))
    return KIND.grade(PARAMS, variant, KIND.parse(PARAMS, variant, raw), KIND.parts(PARAMS))


def scores(result):
    return {part.name: part.score for part in result.parts}


def test_the_reference_answer_scores_full_marks_for_any_shuffle():
    for seed in range(50):
        variant = KIND.generate(PARAMS, random.Random(seed))
        raw = KIND.to_form(PARAMS, variant, KIND.solve(PARAMS, variant))
        assert grade(raw, seed).score == 1


def test_options_are_shuffled_per_seed_but_stable_for_one_seed():
    orders = {tuple(KIND.generate(PARAMS, random.Random(s))["options"]["many"]) for s in range(20)}
    assert len(orders) > 1
    assert KIND.generate(PARAMS, random.Random(4)) == KIND.generate(PARAMS, random.Random(4))


def test_a_wrong_choice_gets_that_options_feedback():
    result = grade({"q-one": ["1"], "q-many": ["0", "1", "3"], "q-pce": ["2.5"]})
    assert scores(result)["one"] == 0
    feedback = {p.name: p.feedback for p in result.parts}
    assert feedback["one"] == "Mass production inspects at the end."


def test_multiple_choice_gives_credit_for_hits_less_false_picks():
    result = grade({"q-one": ["2"], "q-many": ["0", "1", "2"], "q-pce": ["2.5"]})
    assert scores(result)["many"] == pytest.approx(1 / 3)
    feedback = {p.name: p.feedback for p in result.parts}["many"]
    assert "The customer pays for it." in feedback
    assert "You missed 1 correct option." in feedback


def test_a_numeric_answer_within_tolerance_passes():
    assert scores(grade({"q-one": ["2"], "q-many": ["0", "1", "3"], "q-pce": ["2.51"]}))["pce"] == 1


def test_unreadable_answers_are_reported_per_field():
    with pytest.raises(AnswerErrors) as raised:
        grade({"q-one": [""], "q-many": ["9"], "q-pce": ["lots"]})
    assert set(raised.value.errors) == {"q-one", "q-many", "q-pce"}
    assert raised.value.errors["q-one"].endswith(": choose an answer.")
    assert raised.value.errors["q-pce"].startswith("Question ")


def test_two_answers_to_a_single_choice_question_are_refused():
    with pytest.raises(AnswerErrors, match="choose only one answer"):
        grade({"q-one": ["0", "2"], "q-many": ["0"], "q-pce": ["1"]})


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            {"id": "a", "type": "single", "text": "?", "options": [{"text": "x"}, {"text": "y"}]},
            "exactly one correct",
        ),
        ({"id": "a", "type": "numeric", "text": "?"}, "needs an answer"),
        (
            {
                "id": "a",
                "type": "multiple",
                "text": "?",
                "options": [{"text": "x", "correct": True}],
            },
            "at least two options",
        ),
    ],
)
def test_inconsistent_questions_are_refused_when_loading(question, message):
    with pytest.raises(ValueError, match=message):
        QuizParams.model_validate({"questions": [question]})


def test_feedback_numbers_questions_in_the_order_the_learner_saw_them():
    for seed in range(10):
        variant = KIND.generate(PARAMS, random.Random(seed))
        raw = KIND.to_form(PARAMS, variant, KIND.solve(PARAMS, variant))
        result = grade(raw, seed)
        assert [p.name for p in result.parts] == variant["order"]
        assert [p.label for p in result.parts] == ["Question 1", "Question 2", "Question 3"]
