"""The capability kind: variants, the key against app.lss.capability and a hand-worked
example, named mistakes, errors carried forward, parse errors, params, the drawing, and the
page, data and chart downloads (own data only)."""

import csv
import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.grading.kinds.capability import (
    VERDICT_MARGIN,
    CapabilityKind,
    CapabilityParams,
    learner_chart,
    reference_chart,
)
from app.grading.numbers import format_number
from app.grading.results import AnswerErrors
from app.lss.capability import capability
from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import by_part, parse_svg, reference_form, submit

KIND = CapabilityKind()
SVG = "{http://www.w3.org/2000/svg}"
UPPER = CapabilityParams.model_validate(
    {
        "measure": "hours to a decision",
        "value_unit": "hours",
        "subgroup_size": 5,
        "subgroups": {"min": 20, "max": 25},
        "mean": {"min": 27, "max": 32},
        "sd": {"min": 2.4, "max": 3.4},
        "drift": {"min": 0, "max": 1.5},
        "usl": 40,
        "ppm": True,
    }
)
BOTH = CapabilityParams.model_validate(
    {
        "measure": "minutes a callback is late",
        "value_unit": "minutes",
        "subgroup_size": 4,
        "subgroups": {"min": 20, "max": 30},
        "mean": {"min": -1.5, "max": 1.5},
        "sd": {"min": 1.5, "max": 2.5},
        "drift": {"min": 0.5, "max": 1.5},
        "lsl": -10,
        "usl": 10,
        "target": 0,
        "ppm": True,
        "non_negative": False,
    }
)
LOWER = CapabilityParams.model_validate(
    {
        "measure": "minutes a nurse spends on an admission",
        "value_unit": "minutes",
        "subgroups": {"min": 30, "max": 40},
        "mean": {"min": 30, "max": 34},
        "sd": {"min": 1.5, "max": 2.5},
        "lsl": 25,
        "min_cpk": 1.0,
    }
)
ALL_PARAMS = [UPPER, BOTH, LOWER]
IDS = ["upper", "both", "lower"]


def variant(params=BOTH, seed=3):
    return KIND.generate(params, random.Random(seed))


def grade(params, v, **changes):
    answer = {**KIND.solve(params, v), **changes}
    return KIND.grade(params, v, answer, KIND.parts(params))


def values_of(v):
    return [x for row in v["samples"] for x in row["values"]]


def hand_variant():
    """Six individual values worked by hand: x̄ = 10, MR̄ = 1.6, s = √2."""
    v = variant(LOWER)
    v["samples"] = [{"sample": n, "values": [x]} for n, x in enumerate([8, 10, 9, 11, 10, 12], 1)]
    return v


HAND = CapabilityParams.model_validate({**LOWER.model_dump(), "lsl": 4, "usl": 15, "min_cpk": 1.33})


class TestTheKey:
    @pytest.mark.parametrize("params", ALL_PARAMS, ids=IDS)
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=60, deadline=None)
    def test_the_reference_answer_scores_full_marks(self, params, seed):
        v = variant(params, seed)
        raw = KIND.to_form(params, v, KIND.solve(params, v))
        result = KIND.grade(params, v, KIND.parse(params, v, raw), KIND.parts(params))
        assert result.score == 1, [(p.name, p.feedback) for p in result.parts]

    @pytest.mark.parametrize("params", ALL_PARAMS, ids=IDS)
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=40, deadline=None)
    def test_the_data_always_fit_the_scenario(self, params, seed):
        v = variant(params, seed)
        assert params.subgroups.min <= v["count"] <= params.subgroups.max
        assert all(len(row["values"]) == params.subgroup_size for row in v["samples"])
        values = values_of(v)
        assert all(round(x, params.data_decimals) == x for x in values)
        if params.non_negative:
            assert min(values) >= 0
        key = KIND.solve(params, v)
        assert abs(key["cpk"] - params.min_cpk) >= VERDICT_MARGIN
        assert KIND.parse(params, v, KIND.to_form(params, v, key)) == key

    def test_the_key_is_app_lss_capability(self):
        v = variant()
        study = capability(values_of(v), -10, 10, 4)
        key = KIND.solve(BOTH, v)
        assert (key["cp"], key["cpk"], key["pp"], key["ppk"]) == (
            study.cp,
            study.cpk,
            study.pp,
            study.ppk,
        )
        assert key["ppm"] == study.ppm_overall.total

    def test_a_hand_worked_example_gives_the_textbook_indices(self):
        key = KIND.solve(HAND, hand_variant())
        assert key["cp"] == pytest.approx(11 * 1.128 / 9.6, abs=1e-3)  # 11 ÷ (6 × 1.6/1.128)
        assert key["cpk"] == pytest.approx(5 * 1.128 / 4.8, abs=1e-3)  # (15 − 10) ÷ 3σ
        assert key["pp"] == pytest.approx(11 / (6 * 2**0.5))
        assert key["ppk"] == pytest.approx(5 / (3 * 2**0.5))
        assert key["verdict"] == "not_capable"

    def test_one_sided_requirements_ask_only_cpk_and_ppk(self):
        assert list(KIND.parts(UPPER)) == ["cpk", "ppk", "verdict", "ppm"]
        assert list(KIND.parts(BOTH)) == ["cp", "cpk", "pp", "ppk", "verdict", "ppm"]
        assert list(KIND.parts(LOWER)) == ["cpk", "ppk", "verdict"]

    def test_some_learners_get_a_capable_process_and_some_not(self):
        verdicts = {KIND.solve(UPPER, variant(UPPER, s))["verdict"] for s in range(30)}
        assert verdicts == {"capable", "not_capable"}

    def test_the_same_seed_gives_the_same_data(self):
        assert variant(UPPER, 8) == variant(UPPER, 8)
        assert variant(UPPER, 8) != variant(UPPER, 9)


def drifting_seed():
    """A two-sided variant whose Pp is well apart from its Cp."""
    return next(
        s
        for s in range(50)
        if abs(KIND.solve(BOTH, variant(BOTH, s))["pp"] - KIND.solve(BOTH, variant(BOTH, s))["cp"])
        > 0.05
    )


def off_centre(v):
    key = KIND.solve(BOTH, v)
    return key["cp"] - key["cpk"] > 0.1


class TestFeedback:
    def test_the_overall_sigma_for_cp_is_named(self):
        v = variant(BOTH, drifting_seed())
        key = KIND.solve(BOTH, v)
        part = by_part(grade(BOTH, v, cp=key["pp"]))["cp"]
        assert part.score == 0
        assert "overall standard deviation" in part.feedback
        assert "belongs to Pp" in part.feedback

    def test_the_range_without_d2_is_named(self):
        v = variant(UPPER, 11)
        part = by_part(grade(UPPER, v, cpk=0.42))["cpk"]
        assert part.score == 0
        assert "as σ: divide it by d2" in part.feedback

    def test_the_better_side_is_named(self):
        seed = next(s for s in range(50) if off_centre(variant(BOTH, s)))
        v = variant(BOTH, seed)
        study = capability(values_of(v), -10, 10, 4)
        part = by_part(grade(BOTH, v, cpk=max(study.cpl, study.cpu)))["cpk"]
        assert part.score == 0
        assert "better side" in part.feedback

    def test_six_sigma_in_ppk_is_named(self):
        v = variant(UPPER, 11)
        key = KIND.solve(UPPER, v)
        part = by_part(grade(UPPER, v, ppk=key["ppk"] / 2))["ppk"]
        assert part.score == 0
        assert "not 6σ" in part.feedback

    def test_the_within_sigma_for_pp_is_named(self):
        v = variant(BOTH, drifting_seed())
        key = KIND.solve(BOTH, v)
        part = by_part(grade(BOTH, v, pp=key["cp"]))["pp"]
        assert part.score == 0
        assert "belongs to Cp" in part.feedback

    def test_a_near_miss_earns_half(self):
        v = variant(UPPER, 11)
        key = KIND.solve(UPPER, v)
        part = by_part(grade(UPPER, v, ppk=key["ppk"] + 0.012))["ppk"]
        assert part.score == 0.5
        assert "outside the tolerance" in part.feedback

    def test_cpk_consistent_with_the_learners_own_cp_carries_forward(self):
        v = variant()
        key = KIND.solve(BOTH, v)
        scale = 0.8  # a σ 25% too large shrinks every index by the same factor
        result = by_part(grade(BOTH, v, cp=key["cp"] * scale, cpk=key["cpk"] * scale))
        assert result["cp"].score == 0
        assert result["cpk"].score == 1
        assert "Consistent with your Cp" in result["cpk"].feedback

    def test_a_verdict_that_follows_from_the_learners_cpk_carries_forward(self):
        v = variant(UPPER, 11)  # not capable
        result = by_part(grade(UPPER, v, cpk=1.6, verdict="capable"))
        assert result["cpk"].score == 0
        assert result["verdict"].score == 1
        assert "Consistent with your Cpk" in result["verdict"].feedback

    def test_a_wrong_verdict_states_the_rule(self):
        part = by_part(grade(UPPER, variant(UPPER, 11), verdict="capable"))["verdict"]
        assert part.score == 0
        assert "at least 1.33" in part.feedback

    def test_ppm_as_a_percentage_is_named(self):
        v = variant(UPPER, 11)
        key = KIND.solve(UPPER, v)
        part = by_part(grade(UPPER, v, ppm=key["ppm"] / 10_000))["ppm"]
        assert "looks like a percentage" in part.feedback

    def test_ppm_from_one_side_only_is_named(self):
        wide = CapabilityParams.model_validate(
            {
                **BOTH.model_dump(),
                "mean": {"min": -0.5, "max": 0.5},
                "sd": {"min": 3, "max": 3.5},
                "drift": None,
                "min_cpk": 1.0,
            }
        )
        v = variant(wide, 4)
        study = capability(values_of(v), -10, 10, 4)
        assert min(study.ppm_overall.below, study.ppm_overall.above) > 0.1 * study.ppm_overall.total
        one = max(study.ppm_overall.below, study.ppm_overall.above)
        part = by_part(grade(wide, v, ppm=one))["ppm"]
        assert part.score == 0
        assert "one side only" in part.feedback

    def test_ppm_consistent_with_the_learners_own_ppk_carries_forward(self):
        v = variant(UPPER, 11)
        study = capability(values_of(v), None, 40, 5)
        own_ppk = 1.2
        from app.lss.capability import expected_ppm

        own = expected_ppm(study.mean, (40 - study.mean) / (3 * own_ppk), None, 40).total
        result = by_part(grade(UPPER, v, ppk=own_ppk, ppm=own))
        assert result["ppk"].score == 0
        assert result["ppm"].score == 1
        assert "Consistent with your own Pp and Ppk" in result["ppm"].feedback

    def test_feedback_never_gives_the_value_away(self):
        v = variant(UPPER, 11)
        key = KIND.solve(UPPER, v)
        result = grade(UPPER, v, cpk=0.1, ppk=0.1, ppm=5.0)
        for part in result.parts:
            if part.name in ("cpk", "ppk"):
                assert f"{key[part.name]:.2f}" not in part.feedback
                assert format_number(key[part.name], 3) in part.expected


class TestParse:
    def test_every_unreadable_field_is_named(self):
        v = variant()
        raw = {
            "cp": ["abc"],
            "cpk": [""],
            "pp": ["-1"],
            "ppk": ["1.1"],
            "verdict": ["maybe"],
            "ppm": ["2e6"],
        }
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(BOTH, v, raw)
        errors = raised.value.errors
        assert set(errors) == {"cp", "cpk", "pp", "verdict", "ppm"}
        assert "greater than 0" in errors["pp"]
        assert "capable or not capable" in errors["verdict"]

    def test_a_one_sided_answer_needs_no_cp(self):
        v = variant(UPPER)
        raw = {"cpk": ["1,05"], "ppk": ["1.02"], "verdict": ["not_capable"], "ppm": ["900"]}
        answer = KIND.parse(UPPER, v, raw)
        assert answer["cpk"] == pytest.approx(1.05)
        assert "cp" not in answer


class TestParams:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"usl": None}, "give a specification"),
            ({"lsl": 50}, "lsl must be below usl"),
            ({"lsl": 10, "target": 45}, "target must lie within"),
            ({"mean": {"min": 5, "max": 8}}, "values could fall below 0"),
            ({"subgroups": {"min": 2, "max": 3}}, "at least 20 values"),
            ({"sd": {"min": 0.1, "max": 1}}, "sd.min"),
            ({"mean": {"min": 30, "max": 20}}, "min must not exceed max"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_inconsistent_params_are_refused_with_a_clear_message(self, change, message):
        with pytest.raises(ValueError, match=message):
            CapabilityParams.model_validate({**UPPER.model_dump(), **change})


class TestTheDrawing:
    @pytest.mark.parametrize("params", ALL_PARAMS, ids=IDS)
    def test_the_reference_chart_is_well_formed(self, params):
        v = variant(params, 5)
        root = parse_svg(reference_chart(params, v, "chart"))
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").text.startswith("Capability")
        desc = root.find(f"{SVG}desc").text
        assert f"{v['n_values']} values" in desc and "Normal curve" in desc
        assert root.findall(f".//{SVG}script") == []
        assert root.findall(f".//{SVG}rect"), "the bars"
        assert root.findall(f".//{SVG}polyline"), "the normal curve"
        labels = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
        for limit in ("LSL", "USL"):
            assert (limit in labels) == (getattr(params, limit.lower()) is not None)
        assert all(e.get("id", "chart").startswith("chart") for e in root.iter())

    def test_the_bars_hold_every_value(self):
        v = variant(UPPER, 5)
        root = parse_svg(reference_chart(UPPER, v, "chart"))
        counts = [
            int(r.find(f"{SVG}title").text.rsplit(": ", 1)[1]) for r in root.iter(f"{SVG}rect")
        ]
        assert sum(counts) == v["n_values"]

    def test_the_learners_chart_draws_the_curve_their_answer_implies(self):
        v = variant(BOTH)
        svg = learner_chart(BOTH, v, {"pp": ["0.5"]}, "mine")
        root = parse_svg(svg)
        assert root.find(f"{SVG}title").text.startswith("Your answer")
        assert "your Pp implies" in svg
        study = capability(values_of(v), -10, 10, 4)
        assert f"{study.sigma_overall:.3f}" not in svg
        assert not parse_svg(learner_chart(BOTH, v, {"pp": ["x"]}, "mine")).findall(
            f".//{SVG}polyline"
        )

    def test_author_text_is_escaped(self):
        params = CapabilityParams.model_validate(
            {**UPPER.model_dump(), "measure": "<script>x</script> & hours"}
        )
        svg = reference_chart(params, variant(params), "chart")
        assert "<script>" not in svg
        parse_svg(svg)


SLUG = "gb-06-capability-claims-turnaround"
PAGE = f"/exercises/{SLUG}"


class TestThePage:
    def test_the_page_shows_the_data_the_fields_and_the_csv_link(self, signed_in, content):
        page = signed_in("ada").get(PAGE).text
        assert f'href="/exercises/{SLUG}/data.csv"' in page
        assert "Value 5 (hours)" in page
        for name in ("cpk", "ppk", "ppm"):
            assert f'name="{name}"' in page
        assert 'name="cp"' not in page, "a one-sided requirement has no Cp"
        assert 'type="radio"' in page and "Not capable" in page
        assert f'<label for="{SLUG}-cpk">' in page

    def test_a_learner_submits_and_gets_feedback_with_their_chart(
        self, signed_in, content, db, cast
    ):
        ada = signed_in("ada")
        form = reference_form(db, cast["ada"], SLUG)
        form["cpk"] = ["0.01"]
        assert submit(ada, SLUG, form).status_code == 303
        page = ada.get(PAGE).text
        assert "Cpk = Cpu" not in page
        assert "With only an upper limit" in page
        assert "Your last answer drawn over your data" in page
        attempt = db.exec(select(Attempt)).one()
        assert 0 < attempt.score < 1

    def test_the_reference_answer_passes(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        assert submit(ada, SLUG, reference_form(db, cast["ada"], SLUG)).status_code == 303
        assert db.exec(select(Attempt)).one().score == 1

    def test_a_malformed_answer_is_a_422_naming_the_field(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        form = reference_form(db, cast["ada"], SLUG)
        form["ppk"] = ["lots"]
        form["verdict"] = ["perhaps"]
        response = submit(ada, SLUG, form)
        assert response.status_code == 422
        assert "“lots” is not a number." in response.text
        assert "choose capable or not capable" in response.text
        assert db.exec(select(Attempt)).all() == []

    def test_the_csv_is_the_learners_own_data(self, signed_in, content, new_client):
        ada = signed_in("ada")
        response = ada.get(f"{PAGE}/data.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0][:2] == ["Day", "Value 1 (hours)"] and len(rows[0]) == 6
        page = ada.get(PAGE).text
        assert all(f">{value}<" in page for value in rows[1][1:])
        ben = new_client()
        sign_in(ben, "ben")
        assert list(csv.reader(io.StringIO(ben.get(f"{PAGE}/data.csv").text)))[1:] != rows[1:]

    def test_the_attempt_chart_is_for_its_owner_only(self, signed_in, content, db, new_client):
        ada = signed_in("ada")
        answer = {"cpk": "1.0", "ppk": "0.9", "verdict": "capable", "ppm": "1000"}
        submit(ada, SLUG, answer)
        attempt = db.exec(select(Attempt)).one()
        own = ada.get(f"/attempts/{attempt.id}/chart.svg")
        assert own.status_code == 200
        assert own.headers["content-type"] == "image/svg+xml"
        assert parse_svg(own.text).find(f"{SVG}title").text.startswith("Your answer")
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404
