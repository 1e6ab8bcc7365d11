"""The charter kind: the reference over many seeds, each section's checks, the business case
carried forward from the learner's own baseline and goal with its usual slips named, parse
errors, params, and the HTTP flow into the review queue with the charter rubric."""

import copy
import random
from datetime import date

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlmodel import select

from app.config import REPO_ROOT
from app.grading.kinds.charter import CHARTER_RUBRIC, CharterKind, CharterParams
from app.grading.results import AnswerErrors
from app.learning import attempts
from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import form_controls

KIND = CharterKind()
SLUG = "gb-02-charter-claims-backlog"
PAGE = f"/exercises/{SLUG}"
PARAMS_DATA = yaml.safe_load((REPO_ROOT / "exercises" / SLUG / "exercise.yaml").read_text())[
    "params"
]
PARAMS = CharterParams.model_validate(PARAMS_DATA)


def variant(seed=7):
    return KIND.generate(PARAMS, random.Random(seed))


def grade(v, **changes):
    answer = {**KIND.solve(PARAMS, v), **changes}
    return {p.name: p for p in KIND.grade(PARAMS, v, answer, KIND.parts(PARAMS)).parts}


class TestTheKey:
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=60, deadline=None)
    def test_the_reference_scores_full_marks_for_any_seed(self, seed):
        v = variant(seed)
        raw = KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v))
        answer = KIND.parse(PARAMS, v, raw)
        assert answer == KIND.solve(PARAMS, v)
        assert KIND.grade(PARAMS, v, answer, KIND.parts(PARAMS)).score == 1

    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=60, deadline=None)
    def test_the_figures_stay_inside_the_case(self, seed):
        v = variant(seed)
        assert 5400 <= v["volume"] <= 6600 and 70 <= v["cost_per_defect"] <= 95
        assert 0.26 - 0.001 <= v["late"] / v["volume"] <= 0.34 + 0.001

    def test_the_money_is_the_case_arithmetic(self):
        v = variant()
        key = KIND.solve(PARAMS, v)
        assert key["cost"] == pytest.approx(v["late"] * 4 * v["cost_per_defect"])
        late_removed = v["volume"] * 4 * (key["baseline"] - 12) / 100
        assert key["benefit"] == pytest.approx(late_removed * v["cost_per_defect"])
        assert v["benefit_year"] == round(key["benefit"])

    def test_the_reference_problem_quotes_the_learners_own_figures(self):
        v = variant()
        assert f"{v['late']:,} of the {v['volume']:,}" in KIND.solve(PARAMS, v)["problem"]


class TestTheProblemStatement:
    @pytest.mark.parametrize(
        ("text", "note"),
        [
            ("In Q1 2025, 31.9% of claims were slow.", "does not name the case's metric"),
            ("Too many claims settled after 30 days in Q1 2025.", "does not give the baseline"),
            ("31.9% of claims settled after 30 days.", "no time window"),
            ("In Q1 2025, 31.9% of claims took over 30 days because handlers are overloaded.",
             "names a cause (“because”)"),
            ("In Q1 2025, 31.9% of claims took over 30 days; we need to implement triage.",
             "proposes a solution"),
        ],
    )  # fmt: skip
    def test_each_missing_element_is_named(self, text, note):
        v = variant()
        v["late"], v["volume"] = 1914, 6000  # a 31.9% baseline
        part = grade(v, problem=text)["problem"]
        assert note in part.feedback
        assert part.score == 0.75

    def test_the_late_count_is_as_good_as_the_percentage(self):
        v = variant()
        text = f"From January to March 2025, {v['late']:,} claims took more than 30 days to settle."
        assert grade(v, problem=text)["problem"].score == 1


class TestTheGoal:
    def test_a_goal_in_another_metric_is_named(self):
        part = grade(variant(), goal_metric="Customer satisfaction")["goal"]
        assert "not in the problem's metric" in part.feedback

    def test_a_target_that_does_not_halve_the_baseline_is_named(self):
        part = grade(variant(), target=25.0)["goal"]
        assert "does not go as far as the sponsor asks" in part.feedback

    def test_a_target_below_the_best_team_is_named(self):
        part = grade(variant(), target=5.0)["goal"]
        assert "below what any team achieves today" in part.feedback

    def test_a_target_above_the_baseline_is_named(self):
        assert "has to come down" in grade(variant(), target=60.0)["goal"].feedback

    @pytest.mark.parametrize(
        ("deadline", "note"),
        [(date(2025, 5, 1), "not after the charter's date"), (date(2026, 6, 30), "later than")],
    )
    def test_a_date_out_of_the_window_is_named(self, deadline, note):
        part = grade(variant(), deadline=deadline)["goal"]
        assert note in part.feedback and 0 < part.score < 1


class TestTheBusinessCase:
    def test_claiming_the_whole_problem_is_named(self):
        v = variant()
        parts = grade(v, benefit=KIND.solve(PARAMS, v)["cost"])
        assert "cost of the whole problem" in parts["benefit"].feedback
        assert parts["benefit"].score == 0

    def test_a_quarterly_figure_is_named(self):
        v = variant()
        key = KIND.solve(PARAMS, v)
        parts = grade(v, cost=key["cost"] / 4, benefit=key["benefit"] / 4)
        assert "for one quarter" in parts["cost"].feedback
        assert "for one quarter" in parts["benefit"].feedback

    def test_costing_the_claims_left_at_the_goal_is_named(self):
        v = variant()
        left = v["volume"] * 4 * 0.12 * v["cost_per_defect"]
        assert "left at the goal" in grade(v, benefit=left)["benefit"].feedback

    def test_the_benefit_follows_the_learners_own_target(self):
        v = variant()
        key = KIND.solve(PARAMS, v)
        own = v["volume"] * 4 * (key["baseline"] - 11) / 100 * v["cost_per_defect"]
        parts = grade(v, target=11.0, benefit=own)
        assert parts["benefit"].score == 1 and parts["goal"].score == 1

    def test_a_wrong_baseline_costs_its_part_only(self):
        v = variant()
        wrong = KIND.solve(PARAMS, v)["baseline"] + 3
        units = v["volume"] * 4 * v["cost_per_defect"]
        parts = grade(v, baseline=wrong, cost=units * wrong / 100,
                      benefit=units * (wrong - 12) / 100)  # fmt: skip
        assert parts["baseline"].score == 0
        assert "divide the late cases" in parts["baseline"].feedback
        assert parts["cost"].score == 1 and parts["benefit"].score == 1
        assert "Consistent with your own baseline" in parts["benefit"].feedback

    def test_a_rounding_slip_earns_half(self):
        v = variant()
        part = grade(v, benefit=KIND.solve(PARAMS, v)["benefit"] * 1.03)["benefit"]
        assert part.score == 0.5

    def test_the_expected_value_is_only_in_expected(self):
        part = grade(variant(), benefit=1.0)["benefit"]
        assert "volume × (baseline − target)" in part.feedback
        assert part.expected.startswith("£")


class TestScopeAndTeam:
    def test_each_wrong_scope_item_costs_its_share(self):
        v = variant()
        scope = {**KIND.solve(PARAMS, v)["scope"], "motor": "in", "span": "out"}
        part = grade(v, scope=scope)["scope"]
        assert part.score == pytest.approx(4 / 6)
        assert "2 of the 6 items are on the wrong side" in part.feedback

    def test_a_wrong_role_gives_the_roles_hint_not_the_name(self):
        v = variant()
        team = {**KIND.solve(PARAMS, v)["team"], "sponsor": "whitaker"}
        part = grade(v, team=team)["team"]
        assert part.score == pytest.approx(4 / 5)
        assert "Sponsor: the sponsor needs the authority" in part.feedback
        assert "Okafor" not in part.feedback and "Okafor" in part.expected


class TestParsing:
    def test_every_unreadable_field_is_named(self):
        v = variant()
        raw = {**KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v)), "problem": [""],
               "target": ["half"], "deadline": ["2026-02-30"], "cost": ["lots"],
               "scope-motor": ["maybe"], "role-lead": ["nobody"]}  # fmt: skip
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(PARAMS, v, raw)
        errors = raised.value.errors
        assert set(errors) == {"problem", "target", "deadline", "cost", "scope-motor", "role-lead"}
        assert errors["scope-motor"] == "Scope item 4: choose in scope or out of scope."

    def test_money_may_carry_a_currency_sign_and_separators(self):
        v = variant()
        raw = {**KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v)), "cost": ["£608,712"]}
        assert KIND.parse(PARAMS, v, raw)["cost"] == 608712

    def test_percent_signs_are_read(self):
        v = variant()
        raw = {**KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v)), "target": ["12%"]}
        assert KIND.parse(PARAMS, v, raw)["target"] == 12


class TestParams:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"reference": {**PARAMS_DATA["reference"], "target": 20}}, "reference target"),
            ({"reference": {**PARAMS_DATA["reference"], "deadline": "2027-01-01"}},
             "reference deadline"),
            ({"deadline_latest": "2025-01-01"}, "deadline_latest must fall after"),
            ({"case_date": "2025-06-31"}, "YYYY-MM-DD"),
            ({"defect_rate": {"min": 0.4, "max": 0.3}}, "min must not exceed max"),
            ({"roles": [{**PARAMS_DATA["roles"][0], "person": "ghost"}]}, "unknown person"),
        ],
    )  # fmt: skip
    def test_inconsistent_params_are_refused_with_a_clear_message(self, change, message):
        with pytest.raises(ValidationError, match=message):
            CharterParams.model_validate({**copy.deepcopy(PARAMS_DATA), **change})


class TestTheApp:
    def test_the_form_has_a_labelled_control_for_every_field(self, signed_in, content):
        page = signed_in("ada").get(PAGE).text
        for field in ("problem", "baseline", "goal_metric", "target", "deadline", "cost",
                      "benefit", "role-sponsor"):  # fmt: skip
            assert f'<label for="{SLUG}-{field}">' in page, field
        assert f'id="{SLUG}-scope-motor-out"' in page

    def test_a_submitted_charter_waits_for_review_with_the_charter_rubric(
        self,
        signed_in,
        teaching,
        cast,
        db,
        new_client,
    ):
        ada = signed_in("ada")
        loaded = attempts.load_exercise(db, SLUG)
        state = attempts.exercise_state(db, cast["ada"], loaded)
        form = loaded.kind.to_form(loaded.params, state.variant,
                                   loaded.kind.solve(loaded.params, state.variant))  # fmt: skip
        form["benefit"] = [form["cost"][0]]  # the whole problem claimed
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **form})
        assert response.status_code == 200
        attempt = db.exec(select(Attempt)).one()
        assert attempt.status == "awaiting_review"
        assert "waiting for an instructor" in response.text
        ivo = new_client()
        sign_in(ivo, "ivo")
        review = ivo.get(f"/review/{attempt.id}").text
        for criterion in CHARTER_RUBRIC.criteria:
            assert criterion.title in review
        assert ivo.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404

    def test_a_malformed_answer_gets_422_naming_the_field(self, signed_in, content, db):
        ada = signed_in("ada")
        page = ada.get(PAGE).text
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(page), "cost": "a lot"})
        assert response.status_code == 422
        assert f'href="#{SLUG}-cost"' in response.text
        assert "Cost of the problem per year: “a lot” is not a number." in response.text
        assert db.exec(select(Attempt)).all() == []
