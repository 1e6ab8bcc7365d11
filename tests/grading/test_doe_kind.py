"""The doe kind: variants, the key against app.lss.doe and Montgomery's filtration example,
named mistakes, errors carried forward, parse errors, params, the drawing, and the data and
chart downloads (own data only)."""

import csv
import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.grading.kinds.doe import (
    DoeKind,
    DoeParams,
    analyse,
    learner_chart,
    reference_chart,
)
from app.grading.results import AnswerErrors
from app.lss.doe import factorial_effects, full_factorial
from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import by_part, form_controls, parse_svg

KIND = DoeKind()
SVG = "{http://www.w3.org/2000/svg}"


def factor(name, low, high, low_effect, high_effect):
    return {"name": name, "low": low, "high": high,
            "effect": {"min": low_effect, "max": high_effect}}  # fmt: skip


FACTORS = [
    factor("Triage script", "Free text", "Structured", -7, -4),
    factor("Queue rule", "FIFO", "Simple first", -0.6, 0.6),
    factor("Staffing", "Generalists", "Specialists", -5, -3),
    factor("Document check", "After", "Before", -0.6, 0.6),
]
FRACTION = DoeParams.model_validate(
    {
        "response": "minutes to triage a claim",
        "response_unit": "minutes",
        "goal": "minimise",
        "factors": FACTORS,
        "generators": {"D": "ABC"},
        "interactions": [{"term": "AC", "effect": {"min": 2.5, "max": 4}}],
        "ask_interactions": ["AC"],
        "ask_alias": "AC",
        "replicates": 2,
        "mean": {"min": 38, "max": 46},
        "noise_sd": {"min": 1.2, "max": 1.8},
        "significance": "p_value",
    }
)
FULL = DoeParams.model_validate(
    {
        "response": "share of calls resolved first time",
        "response_unit": "%",
        "goal": "maximise",
        "factors": FACTORS[:3],
        "interactions": [{"term": "AB", "effect": {"min": -3, "max": 3}}],
        "ask_interactions": ["AB"],
        "mean": {"min": 60, "max": 70},
        "noise_sd": {"min": 0.5, "max": 1},
        "significance": "threshold",
        "threshold": 2,
    }
)
ALL_PARAMS = [FRACTION, FULL]
# Montgomery, Design and Analysis of Experiments, Example 6.2 (filtration rate, 2⁴).
FILTRATION = [45, 71, 48, 65, 68, 60, 80, 65, 43, 100, 45, 104, 75, 86, 70, 96]


def variant(params=FRACTION, seed=3):
    return KIND.generate(params, random.Random(seed))


def grade(params, v, **changes):
    answer = {**KIND.solve(params, v), **changes}
    return KIND.grade(params, v, answer, KIND.parts(params))


class TestTheKey:
    @pytest.mark.parametrize("params", ALL_PARAMS, ids=["fraction", "full"])
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=25, deadline=None)
    def test_the_reference_answer_scores_full_marks(self, params, seed):
        v = variant(params, seed)
        raw = KIND.to_form(params, v, KIND.solve(params, v))
        result = KIND.grade(params, v, KIND.parse(params, v, raw), KIND.parts(params))
        assert result.score == 1, [(p.name, p.feedback) for p in result.parts]

    @pytest.mark.parametrize("params", ALL_PARAMS, ids=["fraction", "full"])
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=25, deadline=None)
    def test_no_term_sits_on_the_edge_of_significance(self, params, seed):
        v = variant(params, seed)
        analysis = analyse(v)
        for term in v["candidates"]:
            if params.significance == "p_value":
                p = analysis.p_values[term]
                assert not params.alpha / 3 <= p <= params.alpha * 3
            else:
                assert abs(abs(analysis.effects[term]) - params.threshold) > 0.15 * 2

    def test_the_key_is_app_lss_doe(self):
        v = variant()
        runs = [row["levels"] for row in v["runs"]]
        analysis = factorial_effects(runs, [row["values"] for row in v["runs"]])
        key = KIND.solve(FRACTION, v)
        assert key["effects"] == {t: analysis.effects[t] for t in ("A", "B", "C", "D", "AC")}
        assert key["significant"] == [
            t for t in ("A", "B", "C", "D", "AC") if analysis.p_values[t] < 0.05
        ]
        assert key["alias"] == ["BD"]

    def test_montgomerys_filtration_effects_grade_as_correct(self):
        params = DoeParams.model_validate(
            {**FULL.model_dump(), "factors": [*FACTORS, ], "ask_interactions": ["AC", "AD"],
             "interactions": [], "threshold": 5}
        )  # fmt: skip
        v = variant(params)
        for row, value in zip(v["runs"], FILTRATION, strict=True):
            assert row["levels"] == full_factorial(4)[row["run"] - 1]
            row["values"] = [value]
        key = KIND.solve(params, v)["effects"]
        assert key["A"] == pytest.approx(21.625)
        assert key["AC"] == pytest.approx(-18.125)
        assert key["AD"] == pytest.approx(16.625)
        answer = {**KIND.solve(params, v), "effects": {**key, "A": 21.63, "AC": -18.13}}
        assert by_part(KIND.grade(params, v, answer, KIND.parts(params)))["effect-A"].score == 1

    def test_the_same_seed_gives_the_same_data(self):
        assert variant(seed=9) == variant(seed=9)
        assert variant(seed=9)["runs"] != variant(seed=10)["runs"]

    def test_the_variant_never_holds_the_effects(self):
        v = variant()
        assert "effects" not in v and "significant" not in v and "best" not in v


class TestNamedMistakes:
    def test_the_coefficient_the_sign_and_the_contrast_are_named(self):
        v = variant()
        key = KIND.solve(FRACTION, v)["effects"]
        effects = {**key, "A": key["A"] / 2, "B": -key["B"], "C": key["C"] * v["half"]}
        parts = by_part(grade(FRACTION, v, effects=effects))
        assert "That is the coefficient" in parts["effect-A"].feedback
        assert "The sign is reversed" in parts["effect-B"].feedback
        assert "That is the contrast" in parts["effect-C"].feedback
        assert parts["effect-D"].score == 1

    def test_a_near_miss_earns_half(self):
        v = variant()
        key = KIND.solve(FRACTION, v)["effects"]
        part = by_part(grade(FRACTION, v, effects={**key, "A": key["A"] + 0.015}))["effect-A"]
        assert part.score == 0.5

    def test_significance_from_the_learners_own_effects_carries_forward(self):
        v = variant(FULL)
        key = KIND.solve(FULL, v)
        effects = {t: (9.0 if t == "B" else value) for t, value in key["effects"].items()}
        own = [t for t in key["effects"] if abs(effects[t]) >= 2]
        parts = by_part(grade(FULL, v, effects=effects, significant=own))
        assert parts["effect-B"].score == 0
        assert parts["significant"].score == 1
        assert "Consistent with your own effects" in parts["significant"].feedback

    def test_a_missed_and_an_extra_term_cost_partial_credit_without_naming_them(self):
        v = variant()
        key = KIND.solve(FRACTION, v)
        extra = next(t for t in v["candidates"] if t not in key["significant"])
        given = [*key["significant"][1:], extra]
        part = by_part(grade(FRACTION, v, significant=given))["significant"]
        assert part.score == pytest.approx(3 / 5)
        assert "1 term(s) you ticked are not significant" in part.feedback
        assert "1 significant term(s) not ticked" in part.feedback

    def test_settings_that_maximise_instead_of_minimise_are_named(self):
        from app.grading.kinds.doe import best_settings

        v = variant()
        key = KIND.solve(FRACTION, v)
        worst = best_settings(analyse(v), key["significant"], "maximise")[0]
        part = by_part(grade(FRACTION, v, best=worst))["best"]
        assert part.score < 1
        assert "the aim is to minimise it" in part.feedback

    def test_the_defining_word_is_not_an_alias(self):
        part = by_part(grade(FRACTION, variant(), alias=["ABCD"]))["alias"]
        assert part.score == 0
        assert "aliased with the mean (I)" in part.feedback


class TestParse:
    def test_every_unreadable_field_is_named(self):
        v = variant()
        raw = {"effect-A": ["fast"], "effect-B": [""], "significant": ["Z"], "best-A": ["up"],
               "alias": ["XQ"]}  # fmt: skip
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(FRACTION, v, raw)
        assert {"effect-A", "effect-B", "significant", "best-A", "best-B", "alias"} <= set(
            raised.value.errors
        )

    def test_aliases_are_read_in_any_order_and_case(self):
        v = variant()
        form = KIND.to_form(FRACTION, v, KIND.solve(FRACTION, v))
        form["alias"] = ["ac = db"]
        assert KIND.parse(FRACTION, v, form)["alias"] == ["BD"]


class TestParams:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"significance": "p_value", "replicates": 1}, "needs replicates"),
            ({"threshold": None}, "needs a threshold"),
            ({"ask_interactions": ["AE"]}, "factor letters"),
            ({"ask_alias": "A"}, "fractional designs"),
            ({"generators": {"C": "AB"}, "ask_interactions": ["AB"]}, "aliased with main effect"),
            ({"generators": {"C": "A"}}, "generators"),
            ({"noise_sd": {"min": 0, "max": 1}}, "noise_sd"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_inconsistent_params_are_refused_with_a_clear_message(self, change, message):
        with pytest.raises(ValueError, match=message):
            DoeParams.model_validate({**FULL.model_dump(), **change})

    def test_an_interaction_aliased_with_another_is_refused_naming_the_one_to_ask(self):
        with pytest.raises(ValueError, match="ask for AC instead"):
            DoeParams.model_validate({**FRACTION.model_dump(), "ask_interactions": ["BD"],
                                      "ask_alias": None})  # fmt: skip


class TestTheDrawing:
    @pytest.mark.parametrize("params", ALL_PARAMS, ids=["fraction", "full"])
    def test_the_reference_chart_is_accessible_svg(self, params):
        v = variant(params, 5)
        root = parse_svg(reference_chart(params, v, "chart"))
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").get("id") == "chart-title"
        assert "Half-normal plot" in root.find(f"{SVG}desc").text
        assert root.findall(f".//{SVG}script") == []
        labels = {t.text for t in root.iter(f"{SVG}text")}
        assert {"A", "B", "C"} <= labels

    def test_the_learners_chart_draws_their_own_effects_only(self):
        v = variant()
        raw = {"effect-A": ["-123.45"], "effect-B": ["oops"], "significant": ["A"]}
        svg = learner_chart(FRACTION, v, raw, "mine")
        assert "-123.45" in svg and "no answer" in svg
        key = KIND.solve(FRACTION, v)["effects"]
        assert f"{key['C']:.2f}" not in svg
        parse_svg(svg)


SLUG = "gb-11-doe-claims-triage"
PAGE = f"/exercises/{SLUG}"


def own_form(db, user):
    from app.learning import attempts

    loaded = attempts.load_exercise(db, SLUG)
    state = attempts.exercise_state(db, user, loaded)
    return loaded.kind.to_form(
        loaded.params, state.variant, loaded.kind.solve(loaded.params, state.variant)
    )


class TestThroughTheApp:
    def test_the_page_shows_the_data_the_form_and_the_csv_link(self, signed_in, content):
        page = signed_in("ada").get(PAGE).text
        assert f'href="/exercises/{SLUG}/data.csv"' in page
        assert 'name="effect-AC"' in page and 'name="best-D"' in page and 'name="alias"' in page
        assert '<label for="gb-11-doe-claims-triage-effect-A">' in page

    def test_a_right_answer_through_the_form_scores_full_marks(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text),
                                                       **own_form(db, cast["ada"])})  # fmt: skip
        assert response.status_code == 200
        assert db.exec(select(Attempt)).one().score == 1

    def test_a_malformed_answer_is_a_422_naming_the_field(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        form = {**own_form(db, cast["ada"]), "effect-A": ["lots"], "best-B": ["sideways"]}
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **form})
        assert response.status_code == 422
        assert "Effect of A: “lots” is not a number." in response.text
        assert "Best setting of B" in response.text
        assert db.exec(select(Attempt)).all() == []

    def test_the_csv_is_the_learners_own_data(self, signed_in, content, new_client):
        response = signed_in("ada").get(f"{PAGE}/data.csv")
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0][:2] == ["Run", "A: Triage script"]
        assert len(rows) == 9
        ben = new_client()
        sign_in(ben, "ben")
        assert list(csv.reader(io.StringIO(ben.get(f"{PAGE}/data.csv").text))) != rows

    def test_the_attempt_chart_is_for_its_owner_only(self, signed_in, content, db, new_client):
        ada = signed_in("ada")
        answer = {"effect-A": "-5", "effect-B": "0", "effect-C": "-3", "effect-D": "0",
                  "effect-AC": "3", "significant": ["A"], "best-A": "high", "best-B": "low",
                  "best-C": "high", "best-D": "low", "alias": "BD"}  # fmt: skip
        ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **answer})
        attempt = db.exec(select(Attempt)).one()
        own = ada.get(f"/attempts/{attempt.id}/chart.svg")
        assert own.status_code == 200
        assert own.headers["content-type"] == "image/svg+xml"
        assert parse_svg(own.text).find(f"{SVG}title").text.startswith("Your answer")
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404
