"""The value stream map kind: building the map, reading it, and drawing it."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.grading.kinds.vsm import MESSAGES, VsmKind, VsmParams, bottlenecks, map_view
from app.grading.results import AnswerErrors

KIND = VsmKind()
PARAMS = VsmParams.model_validate(
    {
        "unit_name": "referrals",
        "demand": {"min": 20, "max": 40},
        "available_minutes": 420,
        "steps": [
            {
                "name": "Triage",
                "process_minutes": {"min": 4, "max": 8},
                "wait_hours": {"min": 2, "max": 6},
                "complete_accurate": {"min": 70, "max": 90},
            },
            {
                "name": "Book clinic",
                "process_minutes": {"min": 10, "max": 20},
                "wait_hours": {"min": 8, "max": 24},
                "complete_accurate": {"min": 80, "max": 95},
                "operators": 2,
            },
            {
                "name": "Send letter",
                "process_minutes": {"min": 3, "max": 6},
                "wait_hours": {"min": 1, "max": 4},
                "complete_accurate": {"min": 90, "max": 100},
            },
        ],
    }
)
PARTS = KIND.parts(PARAMS)


def solved(seed: int = 1):
    variant = KIND.generate(PARAMS, random.Random(seed))
    return variant, KIND.solve(PARAMS, variant)


def scores(result):
    return {part.name: part.score for part in result.parts}


def feedback(result):
    return {part.name: part.feedback for part in result.parts}


@given(st.integers(min_value=0, max_value=2**31 - 1))
@settings(max_examples=150)
def test_the_reference_map_and_readings_score_full_marks(seed):
    variant, key = solved(seed)
    raw = KIND.to_form(PARAMS, variant, key)
    assert KIND.grade(PARAMS, variant, KIND.parse(PARAMS, variant, raw), PARTS).score == 1


def test_readings_follow_the_formula_library():
    variant, key = solved()
    steps = variant["steps"]
    waits = sum(s["wait_hours"] for s in steps)
    touch = sum(s["process_minutes"] for s in steps)
    assert key["lead_time"] == pytest.approx(waits + touch / 60)
    assert key["pce"] == pytest.approx(100 * (touch / 60) / (waits + touch / 60))
    assert key["takt"] == pytest.approx(420 / variant["demand"])


def test_a_mis_copied_step_costs_marks_in_the_map_only():
    variant, key = solved()
    answer = {**key, "steps": [dict(s) for s in key["steps"]]}
    answer["steps"][0]["wait_hours"] += 5
    own = KIND.parse(PARAMS, variant, KIND.to_form(PARAMS, variant, answer))
    # The learner reads their own (wrong) map correctly.
    from app.grading.kinds.vsm import summarise

    summary = summarise(own["steps"], own["demand"], own["available_minutes"])
    own["lead_time"] = summary.lead_time / 60
    own["pce"] = 100 * summary.process_cycle_efficiency
    result = KIND.grade(PARAMS, variant, own, PARTS)
    assert scores(result)["steps"] == pytest.approx(11 / 12)
    assert "Step 1 (Triage): check the wait against the case." in feedback(result)["steps"]
    assert scores(result)["lead_time"] == 1
    assert feedback(result)["lead_time"] == MESSAGES["carried"]


def test_missing_steps_are_named():
    variant, key = solved()
    answer = {**key, "steps": key["steps"][:2]}
    result = KIND.grade(PARAMS, variant, answer, PARTS)
    assert feedback(result)["steps"].startswith("Your map has 2 steps; the case describes 3.")
    assert "Step 3 (Send letter) is missing." in feedback(result)["steps"]


def test_a_pce_given_as_a_fraction_is_called_out():
    variant, key = solved()
    result = KIND.grade(PARAMS, variant, {**key, "pce": key["pce"] / 100}, PARTS)
    assert feedback(result)["pce"] == MESSAGES["pce_fraction"]


def test_the_bottleneck_uses_cycle_time_not_process_time():
    steps = [
        {"name": "A", "process_minutes": 18, "operators": 2},
        {"name": "B", "process_minutes": 12, "operators": 1},
    ]
    assert bottlenecks(steps) == {2}


def test_steps_tied_for_the_longest_cycle_time_are_all_accepted():
    variant, key = solved()
    variant["steps"][0]["process_minutes"] = variant["steps"][2]["process_minutes"] = 50
    key = KIND.solve(PARAMS, variant)
    for choice in (1, 3):
        result = KIND.grade(PARAMS, variant, {**key, "bottleneck": choice}, PARTS)
        assert scores(result)["bottleneck"] == 1


class TestReadingTheForm:
    def form(self, **changes):
        variant, key = solved()
        form = KIND.to_form(PARAMS, variant, key)
        form.update({k: [v] for k, v in changes.items()})
        return variant, form

    def errors(self, **changes):
        variant, form = self.form(**changes)
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(PARAMS, variant, form)
        return raised.value.errors

    def test_a_gap_between_rows_is_refused(self):
        errors = self.errors(**{"step-5-name": "Late step", "step-5-pt": "3"})
        assert "without leaving an empty row" in errors["step-5-name"]

    def test_each_bad_cell_is_named(self):
        errors = self.errors(
            **{"step-2-pt": "quick", "step-1-ca": "120", "step-3-ops": "0", "step-1-name": ""}
        )
        assert set(errors) == {"step-2-pt", "step-1-ca", "step-3-ops", "step-1-name"}
        assert errors["step-2-pt"].startswith("Step 2 process time:")

    def test_an_empty_map_is_refused(self):
        variant, _ = solved()
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(PARAMS, variant, {"demand": ["30"]})
        assert "at least one step" in raised.value.errors["step-1-name"]


class TestDrawing:
    def test_the_map_has_a_box_and_a_queue_per_step_and_the_totals(self):
        variant, key = solved()
        view = map_view(KIND.to_form(PARAMS, variant, key), "t")
        assert view.svg.count("<polygon") == 3
        assert 'role="img" aria-labelledby="t-title t-desc"' in view.svg
        assert "Lead time" in view.svg and "bottleneck" in view.svg
        assert view.summary is not None

    def test_an_incomplete_map_is_drawn_without_totals(self):
        view = map_view({"step-1-name": ["Triage"], "step-1-pt": ["abc"]}, "t")
        assert "Complete the steps to see totals" in view.svg
        assert view.summary is None

    def test_step_names_cannot_inject_markup(self):
        view = map_view({"step-1-name": ["<script>alert(1)</script>"], "step-1-pt": ["5"]}, "t")
        assert "<script>" not in view.svg
        assert "&lt;script&gt;" in view.svg

    @given(
        st.dictionaries(
            st.sampled_from(
                [
                    "step-1-name",
                    "step-1-pt",
                    "step-1-wait",
                    "step-1-ca",
                    "step-1-ops",
                    "step-2-pt",
                    "demand",
                    "available",
                ]
            ),
            st.lists(st.text(max_size=12), min_size=1, max_size=1),
        )
    )
    def test_any_input_can_be_drawn(self, raw):
        view = map_view(raw, "t")
        assert view.svg.startswith("<svg") and view.svg.endswith("</svg>")
