"""The regression kind: variants, the key against app.lss.stats and NIST's Norris data,
named mistakes, errors carried forward, parse and params errors, the scatter plot, and the
data and chart downloads (own data only)."""

import csv
import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.grading.kinds.regression import (
    RegressionKind,
    RegressionParams,
    learner_chart,
    reference_chart,
)
from app.grading.results import AnswerErrors
from app.learning import attempts
from app.lss import stats
from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import by_part, form_controls, parse_svg

KIND = RegressionKind()
SVG = "{http://www.w3.org/2000/svg}"
MEANINGS = [
    {"text": "Each extra item goes with b1 more minutes.", "correct": True},
    {"text": "Each extra minute goes with b1 more items.", "feedback": "That reads it backwards."},
    {"text": "A claim with no items takes b1 minutes.", "feedback": "That is the intercept."},
]
SIMPLE = RegressionParams.model_validate(
    {
        "y_name": "call length",
        "y_unit": "minutes",
        "n": {"min": 12, "max": 20},
        "intercept": {"min": 4, "max": 7},
        "noise_sd": {"min": 1.5, "max": 3},
        "predictors": [
            {"name": "items claimed", "unit": "items", "values": {"min": 1, "max": 12},
             "slope": {"min": 0.5, "max": 1.5}, "predict_at": {"min": 3, "max": 9}}
        ],
        "meanings": MEANINGS,
    }
)  # fmt: skip
MULTIPLE = RegressionParams.model_validate(
    {
        **SIMPLE.model_dump(),
        "predictors": [
            *SIMPLE.model_dump()["predictors"],
            {"name": "years as customer", "unit": "years", "values": {"min": 0, "max": 20},
             "slope": {"min": -0.3, "max": -0.1}, "predict_at": {"min": 2, "max": 10}},
        ],
    }
)  # fmt: skip
ALL = {"simple": SIMPLE, "multiple": MULTIPLE}
# NIST StRD Norris, the first 8 observations: small enough to check by hand.
NORRIS_X = [0.2, 338.8, 118.2, 888.0, 9.2, 228.1, 668.5, 998.5]
NORRIS_Y = [0.1, 338.8, 118.1, 888.0, 9.2, 228.1, 668.5, 998.5]


def variant(params=SIMPLE, seed=3):
    return KIND.generate(params, random.Random(seed))


def grade(params, v, **changes):
    answer = {**KIND.solve(params, v), **changes}
    return KIND.grade(params, v, answer, KIND.parts(params))


class TestTheKey:
    @pytest.mark.parametrize("name", list(ALL))
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=30, deadline=None)
    def test_the_reference_answer_scores_full_marks(self, name, seed):
        params = ALL[name]
        v = variant(params, seed)
        raw = KIND.to_form(params, v, KIND.solve(params, v))
        answer = KIND.parse(params, v, raw)
        assert answer == KIND.solve(params, v)
        result = KIND.grade(params, v, answer, KIND.parts(params))
        assert result.score == 1, [(p.name, p.feedback) for p in result.parts]

    @pytest.mark.parametrize("name", list(ALL))
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=30, deadline=None)
    def test_the_data_keep_to_the_scenario(self, name, seed):
        params = ALL[name]
        v = variant(params, seed)
        assert params.n.min <= v["n"] == len(v["rows"]) <= params.n.max
        for j, predictor in enumerate(params.predictors):
            xs = [row["x"][j] for row in v["rows"]]
            assert all(predictor.values.min <= x <= predictor.values.max for x in xs)
            assert len(set(xs)) >= 3
            assert predictor.predict_at.min <= v["predict_at"][j] <= predictor.predict_at.max
        assert all(row["y"] >= 0 and round(row["y"], 1) == row["y"] for row in v["rows"])

    def test_the_key_is_app_lss_stats(self):
        v = variant()
        xs, ys = [row["x"][0] for row in v["rows"]], [row["y"] for row in v["rows"]]
        fit = stats.linear_regression(xs, ys, "items claimed")
        key = KIND.solve(SIMPLE, v)
        assert key["slope"] == fit.coefficients["items claimed"]
        assert key["intercept"] == fit.intercept
        assert key["r_squared"] == fit.r_squared
        assert key["slope_p"] == fit.p_values["items claimed"]
        assert key["prediction"] == pytest.approx(fit.predict(v["predict_at"][0]))

    def test_the_nist_norris_fit_is_graded_right(self):
        v = variant()
        v["rows"] = [{"case": i, "x": [x], "y": y} for i, (x, y) in
                     enumerate(zip(NORRIS_X, NORRIS_Y, strict=True), start=1)]  # fmt: skip
        key = KIND.solve(SIMPLE, v)
        assert key["slope"] == pytest.approx(1.0, abs=0.001)
        assert key["r_squared"] == pytest.approx(1.0, abs=1e-5)

    def test_the_multiple_key_has_both_slopes(self):
        v = variant(MULTIPLE)
        key = KIND.solve(MULTIPLE, v)
        fit = stats.multiple_regression(
            [row["x"] for row in v["rows"]], [row["y"] for row in v["rows"]],
            ["items claimed", "years as customer"],
        )  # fmt: skip
        assert key["slope2"] == fit.coefficients["years as customer"]
        assert set(KIND.parts(MULTIPLE)) >= {"slope", "slope2"}
        assert "slope2" not in KIND.parts(SIMPLE)

    def test_the_variant_does_not_say_which_meaning_is_right(self):
        v = variant()
        assert sorted(v["meanings"]) == sorted(m["text"] for m in MEANINGS)
        assert "correct" not in str(v)


class TestNamedMistakes:
    def test_regressing_x_on_y_is_named(self):
        v = variant()
        xs, ys = [row["x"][0] for row in v["rows"]], [row["y"] for row in v["rows"]]
        backwards = stats.linear_regression(ys, xs).coefficients["x"]
        part = by_part(grade(SIMPLE, v, slope=backwards))["slope"]
        assert part.score == 0
        assert "You regressed x on y" in part.feedback

    def test_r_for_r_squared_is_named(self):
        v = variant()
        r = KIND.solve(SIMPLE, v)["r_squared"] ** 0.5
        part = by_part(grade(SIMPLE, v, r_squared=r))["r_squared"]
        assert "That is r, the correlation" in part.feedback

    def test_the_mean_of_y_for_the_intercept_is_named(self):
        v = variant()
        y_bar = sum(row["y"] for row in v["rows"]) / v["n"]
        part = by_part(grade(SIMPLE, v, intercept=y_bar))["intercept"]
        assert "That is ȳ, the mean of y" in part.feedback

    def test_the_intercepts_t_is_named(self):
        v = variant()
        fit = stats.linear_regression(
            [row["x"][0] for row in v["rows"]], [row["y"] for row in v["rows"]]
        )
        part = by_part(grade(SIMPLE, v, slope_t=fit.t_values["intercept"]))["slope_t"]
        assert "That is the intercept's t" in part.feedback

    def test_a_wrong_meaning_gets_its_feedback(self):
        v = variant()
        pick = v["meanings"].index(MEANINGS[2]["text"]) + 1
        part = by_part(grade(SIMPLE, v, meaning=pick))["meaning"]
        assert (part.score, part.feedback) == (0, "That is the intercept.")

    def test_a_rounding_slip_earns_half(self):
        v = variant()
        key = KIND.solve(SIMPLE, v)["slope"]
        assert by_part(grade(SIMPLE, v, slope=key * 1.012))["slope"].score == 0.5


class TestCarriedForward:
    def test_an_intercept_and_prediction_from_the_learners_slope_earn_their_marks(self):
        v = variant()
        rows = v["rows"]
        x_bar = sum(r["x"][0] for r in rows) / len(rows)
        y_bar = sum(r["y"] for r in rows) / len(rows)
        slope = KIND.solve(SIMPLE, v)["slope"] + 0.3
        b0 = y_bar - slope * x_bar
        parts = by_part(grade(SIMPLE, v, slope=slope, intercept=b0,
                              prediction=b0 + slope * v["predict_at"][0]))  # fmt: skip
        assert parts["slope"].score == 0
        assert parts["intercept"].score == 1
        assert "Consistent with your slope" in parts["intercept"].feedback
        assert parts["prediction"].score == 1
        assert "Consistent with your coefficients" in parts["prediction"].feedback

    def test_a_p_from_the_learners_own_t_earns_its_marks(self):
        from scipy import stats as sps

        v = variant()
        df = v["n"] - 2
        parts = by_part(grade(SIMPLE, v, slope_t=1.2, slope_p=2 * sps.t.sf(1.2, df)))
        assert parts["slope_t"].score == 0
        assert parts["slope_p"].score == 1
        assert "Consistent with your t" in parts["slope_p"].feedback


class TestParse:
    def test_every_unreadable_field_is_named(self):
        raw = {"intercept": ["abc"], "slope": [""], "r_squared": ["1.4"], "slope_t": ["t"],
               "slope_p": ["-0.1"], "prediction": ["1e400"], "meaning": ["9"]}  # fmt: skip
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(SIMPLE, variant(), raw)
        assert set(raised.value.errors) == set(KIND.parts(SIMPLE))

    def test_a_percentage_r_squared_is_read_as_a_fraction(self):
        form = KIND.to_form(SIMPLE, variant(), KIND.solve(SIMPLE, variant()))
        form["r_squared"] = ["64%"]
        assert KIND.parse(SIMPLE, variant(), form)["r_squared"] == pytest.approx(0.64)


class TestParams:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"meanings": [{**m, "correct": False} for m in MEANINGS]}, "exactly one"),
            ({"meanings": [MEANINGS[0], {"text": "No feedback"}]}, "needs feedback"),
            ({"noise_sd": {"min": 0, "max": 1}}, "noise_sd.min"),
            ({"n": {"min": 9, "max": 8}}, "min must not exceed max"),
            ({"predictors": [{**SIMPLE.model_dump()["predictors"][0],
                              "predict_at": {"min": 10, "max": 30}}]}, "no extrapolation"),
            ({"colour": "red"}, "Extra inputs"),
        ],
    )  # fmt: skip
    def test_inconsistent_params_are_refused_with_a_clear_message(self, change, message):
        with pytest.raises(ValueError, match=message):
            RegressionParams.model_validate({**SIMPLE.model_dump(), **change})


class TestTheDrawing:
    @pytest.mark.parametrize("name", list(ALL))
    def test_the_scatter_has_one_dot_per_case_a_line_and_the_prediction(self, name):
        params = ALL[name]
        v = variant(params, 5)
        root = parse_svg(reference_chart(v, "chart"))
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
        assert len(root.findall(f".//{SVG}circle")) == v["n"] + 1
        assert root.findall(f".//{SVG}polyline")
        assert root.findall(f".//{SVG}script") == []

    def test_the_learners_chart_draws_their_own_line_only(self):
        v = variant()
        raw = {"intercept": ["100"], "slope": ["-2"], "prediction": ["90"]}
        svg = learner_chart(v, raw, "mine")
        assert "Your line" in svg and "y = 100 + -2 × x" in svg
        key = KIND.solve(SIMPLE, v)
        assert f"{key['slope']:.3f}" not in svg
        parse_svg(svg)

    def test_author_text_is_escaped(self):
        params = RegressionParams.model_validate(
            {**SIMPLE.model_dump(), "y_name": "<script>x</script> & minutes"}
        )
        svg = reference_chart(variant(params), "chart")
        assert "<script>" not in svg
        parse_svg(svg)


SLUG = "gb-10-regression-call-length"
PAGE = f"/exercises/{SLUG}"


def reference_answer(db, user):
    loaded = attempts.load_exercise(db, SLUG)
    state = attempts.exercise_state(db, user, loaded)
    key = loaded.kind.solve(loaded.params, state.variant)
    return loaded.kind.to_form(loaded.params, state.variant, key)


class TestTheWebFlow:
    def test_the_page_shows_the_data_the_form_and_the_csv_link(self, signed_in, content):
        page = signed_in("ada").get(PAGE).text
        assert f'href="/exercises/{SLUG}/data.csv"' in page
        assert f'<label for="{SLUG}-slope">Slope of items claimed</label>' in page
        assert 'name="meaning"' in page

    def test_a_wrong_answer_through_the_form_gets_feedback(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        answer = {**reference_answer(db, cast["ada"]), "r_squared": ["0.999"]}
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text),
                                                      **answer}, follow_redirects=True)  # fmt: skip
        assert response.status_code == 200
        attempt = db.exec(select(Attempt)).one()
        assert 0 < attempt.score < 1
        assert "R² = SS_regression ÷ SS_total" in response.text

    def test_a_malformed_answer_is_a_422_naming_the_field(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        answer = {**reference_answer(db, cast["ada"]), "slope": ["steep"]}
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text),
                                                      **answer})  # fmt: skip
        assert response.status_code == 422
        assert "Slope of items claimed: “steep” is not a number." in response.text
        assert db.exec(select(Attempt)).first() is None

    def test_the_csv_is_the_learners_own_data(self, signed_in, content, new_client):
        ada = signed_in("ada")
        response = ada.get(f"{PAGE}/data.csv")
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["Call", "Items claimed (items)", "Call length (minutes)"]
        ben = new_client()
        sign_in(ben, "ben")
        assert list(csv.reader(io.StringIO(ben.get(f"{PAGE}/data.csv").text)))[1:] != rows[1:]

    def test_the_attempt_chart_is_for_its_owner_only(self, signed_in, content, db, new_client):
        ada = signed_in("ada")
        answer = {"intercept": "5", "slope": "1", "r_squared": "0.5", "slope_t": "3",
                  "slope_p": "0.01", "prediction": "11", "meaning": "1"}  # fmt: skip
        ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **answer})
        attempt = db.exec(select(Attempt)).one()
        own = ada.get(f"/attempts/{attempt.id}/chart.svg")
        assert own.status_code == 200
        assert own.headers["content-type"] == "image/svg+xml"
        assert parse_svg(own.text).find(f"{SVG}title").text.startswith("Your answer")
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404
