"""The yield kind: variants, the reference answer, named mistakes and errors carried forward."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.grading.kinds.process_yield import MISTAKE, YieldKind, YieldParams
from app.lss.sigma import sigma_level
from app.lss.yields import rolled_throughput_yield

KIND = YieldKind()
PARAMS = YieldParams.model_validate(
    {
        "unit_name": "claims",
        "process": ["Register", "Check cover", "Assess", "Pay"],
        "units_in": {"min": 300, "max": 1200},
        "defect_rate": {"min": 0.02, "max": 0.2},
        "opportunities_per_unit": {"min": 5, "max": 12},
    }
)
PARTS = KIND.parts(PARAMS)


def variant(seed: int = 3):
    return KIND.generate(PARAMS, random.Random(seed))


def feedback(result):
    return {part.name: part.feedback for part in result.parts}


def scores(result):
    return {part.name: part.score for part in result.parts}


class TestVariants:
    @given(st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=200)
    def test_every_variant_is_consistent(self, seed):
        v = variant(seed)
        assert PARAMS.units_in.min <= v["units"] <= PARAMS.units_in.max
        for before, after in zip(v["steps"], v["steps"][1:], strict=False):
            assert after["units_in"] == before["units_in"] - before["scrapped"]
        for step in v["steps"]:
            assert step["defects"] >= step["reworked"] + step["scrapped"] >= 1
        assert v["total_defects"] < v["units"] * v["opportunities"]

    @given(st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=200)
    def test_the_reference_answer_scores_full_marks(self, seed):
        v = variant(seed)
        raw = KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v))
        assert KIND.grade(PARAMS, v, KIND.parse(PARAMS, v, raw), PARTS).score == 1

    def test_the_key_agrees_with_the_formula_library(self):
        v = variant()
        key = KIND.solve(PARAMS, v)
        step = v["steps"][0]
        assert key["fpy"][0] == pytest.approx(
            100 * (step["units_in"] - step["reworked"] - step["scrapped"]) / step["units_in"]
        )
        assert key["rty"] == pytest.approx(
            100 * rolled_throughput_yield([f / 100 for f in key["fpy"]])
        )
        assert key["sigma"] == pytest.approx(sigma_level(key["dpmo"]))


class TestFeedback:
    def answer(self, **changes):
        v = variant()
        key = KIND.solve(PARAMS, v)
        return v, key, {**key, **changes}

    def test_averaging_the_step_yields_is_named(self):
        v, key, answer = self.answer()
        answer["rty"] = sum(key["fpy"]) / len(key["fpy"])
        result = KIND.grade(PARAMS, v, answer, PARTS)
        assert scores(result)["rty"] == 0
        assert feedback(result)["rty"].startswith(MISTAKE["rty_average"])

    def test_forgetting_the_shift_is_named(self):
        v, key, answer = self.answer()
        answer["sigma"] = key["sigma"] - 1.5
        assert feedback(KIND.grade(PARAMS, v, answer, PARTS))["sigma"].startswith(
            MISTAKE["sigma_no_shift"]
        )

    def test_dpmo_without_opportunities_is_named(self):
        v, key, answer = self.answer()
        answer["dpmo"] = key["dpu"] * 1_000_000
        result = KIND.grade(PARAMS, v, answer, PARTS)
        assert feedback(result)["dpmo"].startswith(MISTAKE["dpmo_no_opportunities"])

    def test_ignoring_rework_in_a_step_yield_is_named_for_that_step(self):
        v, key, answer = self.answer()
        step = v["steps"][1]
        wrong = 100 * (step["units_in"] - step["scrapped"]) / step["units_in"]
        answer["fpy"] = [key["fpy"][0], wrong, *key["fpy"][2:]]
        result = KIND.grade(PARAMS, v, answer, PARTS)
        assert scores(result)["fpy"] == pytest.approx(0.75)
        assert feedback(result)["fpy"] == f"Step 2 ({step['name']}): {MISTAKE['fpy_scrap_only']}"

    def test_a_wrong_step_yield_costs_once_when_the_rty_follows_from_it(self):
        v, key, answer = self.answer()
        answer["fpy"] = [f - 3 for f in key["fpy"]]
        product = 1.0
        for value in answer["fpy"]:
            product *= value / 100
        answer["rty"] = 100 * product
        result = KIND.grade(PARAMS, v, answer, PARTS)
        assert scores(result)["fpy"] == 0
        assert scores(result)["rty"] == 1
        assert "Consistent with your step yields" in feedback(result)["rty"]

    def test_a_sigma_level_that_follows_from_a_wrong_dpmo_keeps_its_marks(self):
        v, key, answer = self.answer()
        answer["dpmo"] = key["dpmo"] * 1.5
        answer["sigma"] = sigma_level(answer["dpmo"])
        assert scores(KIND.grade(PARAMS, v, answer, PARTS)) == {
            "fpy": 1,
            "rty": 1,
            "dpu": 1,
            "dpmo": 0,
            "sigma": 1,
        }

    def test_yields_entered_as_fractions_are_called_out(self):
        v, key, answer = self.answer()
        answer["rty"] = key["rty"] / 100
        assert "factor of 100" in feedback(KIND.grade(PARAMS, v, answer, PARTS))["rty"]

    def test_a_wrong_answer_never_scores_full_marks(self):
        for seed in range(30):
            v = variant(seed)
            key = KIND.solve(PARAMS, v)
            for part in ("rty", "dpu", "dpmo", "sigma"):
                answer = {**key, part: key[part] * 1.3 + 1}
                assert KIND.grade(PARAMS, v, answer, PARTS).score < 1


def test_params_need_at_least_as_many_opportunities_as_steps():
    with pytest.raises(ValueError, match="at least the number of steps"):
        YieldParams.model_validate(
            {**PARAMS.model_dump(), "opportunities_per_unit": {"min": 2, "max": 3}}
        )


def test_a_wrong_rty_is_worked_through_with_the_learners_own_step_yields():
    v = variant()
    key = KIND.solve(PARAMS, v)
    answer = {**key, "fpy": [90.0, 80.0, 95.0, 99.0], "rty": 50.0}
    text = feedback(KIND.grade(PARAMS, v, answer, PARTS))["rty"]
    assert "With your step yields: 90% × 80% × 95% × 99% = 67.72%." in text
