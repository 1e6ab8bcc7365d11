"""The self-test catches each way an exercise can be broken, and passes a sound one."""

import copy

from app.authoring.self_test import as_raw, self_test
from app.grading.kinds import KINDS
from app.grading.kinds.base import apply_overrides
from app.grading.variants import make_variant


def parts(kind, params):
    return apply_overrides(kind.parts(params), {})


def loaded(repository_content, slug):
    exercise = repository_content.exercises[slug]
    kind = KINDS[exercise.meta.kind]
    return kind, exercise.params, exercise.cases.model_dump()


def test_a_sound_exercise_passes(repository_content):
    kind, params, cases = loaded(repository_content, "yb-01-check")
    report = self_test(kind, params, parts(kind, params), cases)
    assert report.passed and report.variants_checked == 100


def test_a_wrong_case_that_is_right_fails(repository_content):
    kind, params, cases = loaded(repository_content, "yb-05-sigma-conversions")
    variant = make_variant(kind, params, cases["seed"])
    right = kind.to_form(params, variant, kind.solve(params, variant))
    broken = copy.deepcopy(cases)
    broken["wrong"] = {"answer": right, "feedback": {}}
    report = self_test(kind, params, parts(kind, params), broken)
    assert "the wrong case scores full marks" in report.failures


def test_feedback_the_wrong_case_does_not_get_fails(repository_content):
    kind, params, cases = loaded(repository_content, "yb-05-sigma-conversions")
    broken = copy.deepcopy(cases)
    part = next(iter(broken["wrong"]["feedback"]), None) or next(iter(parts(kind, params)))
    broken["wrong"]["feedback"] = {part: "a sentence no grader writes"}
    report = self_test(kind, params, parts(kind, params), broken)
    assert any("a sentence no grader writes" in failure for failure in report.failures)


def test_an_invalid_case_that_is_accepted_fails(repository_content):
    kind, params, cases = loaded(repository_content, "yb-05-sigma-conversions")
    broken = copy.deepcopy(cases)
    broken["invalid"] = copy.deepcopy(broken["wrong"])
    broken["invalid"]["errors"] = ["x"]
    report = self_test(kind, params, parts(kind, params), broken)
    assert "the invalid case is accepted: it should be refused" in report.failures


class AnswersWrongly:
    """A kind whose reference answer is the wrong case's: the self-test must notice."""

    def __init__(self, kind, answer):
        self.kind, self.answer = kind, answer

    def __getattr__(self, name):
        return getattr(self.kind, name)

    def to_form(self, params, variant, answer):
        return as_raw(self.answer)


def test_a_reference_answer_that_loses_marks_fails(repository_content):
    kind, params, cases = loaded(repository_content, "yb-05-sigma-conversions")
    broken_kind = AnswersWrongly(kind, cases["wrong"]["answer"])
    report = self_test(broken_kind, params, parts(kind, params), cases)
    assert report.failures[0].startswith("variant 0: the reference answer scores")
