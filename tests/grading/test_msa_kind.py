"""The msa kind: variants, the key against app.lss.msa and the AIAG MSA example, named
mistakes, errors carried forward, parse errors, params, the drawing, and the data and chart
downloads (own data only)."""

import csv
import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.grading.kinds.msa import MsaKind, MsaParams, learner_chart, reference, reference_chart
from app.grading.results import AnswerErrors
from app.lss.msa import gauge_rr
from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import by_part, form_controls, parse_svg
from tests.lss.test_msa import AIAG

KIND = MsaKind()
SVG = "{http://www.w3.org/2000/svg}"
CALLS = MsaParams.model_validate(
    {
        "measure": "quality score",
        "value_unit": "points",
        "part_label": "Call",
        "operator_label": "Assessor",
        "operator_names": ["Amira", "Tomasz", "Grace"],
        "parts": 10,
        "operators": 3,
        "trials": 2,
        "method": "average_range",
        "part_mean": {"min": 64, "max": 74},
        "part_sd": {"min": 6, "max": 10},
        "repeatability_sd": {"min": 1.2, "max": 3},
        "operator_sd": {"min": 0.5, "max": 3},
        "scale": {"min": 0, "max": 100},
        "data_decimals": 0,
    }
)
ANOVA = MsaParams.model_validate(
    {
        **CALLS.model_dump(),
        "method": "anova",
        "parts": 12,
        "operators": 4,
        "operator_names": [],
        "components": "contribution",
        "interaction_sd": {"min": 0, "max": 2},
        "data_decimals": 1,
    }
)
ALL_PARAMS = [CALLS, ANOVA]


def variant(params=CALLS, seed=3):
    return KIND.generate(params, random.Random(seed))


def grade(params, v, **changes):
    answer = {**KIND.solve(params, v), **changes}
    return KIND.grade(params, v, answer, KIND.parts(params))


def aiag_variant():
    """The AIAG MSA 4th edition study (10 parts, 3 appraisers, 3 trials) as a variant."""
    v = variant(CALLS)
    v["parts"] = [{"part": n, "values": cells} for n, cells in enumerate(AIAG, start=1)]
    return v


class TestTheKey:
    @pytest.mark.parametrize("params", ALL_PARAMS, ids=["average_range", "anova"])
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=30, deadline=None)
    def test_the_reference_answer_scores_full_marks(self, params, seed):
        v = variant(params, seed)
        raw = KIND.to_form(params, v, KIND.solve(params, v))
        result = KIND.grade(params, v, KIND.parse(params, v, raw), KIND.parts(params))
        assert result.score == 1, [(p.name, p.feedback) for p in result.parts]

    @pytest.mark.parametrize("params", ALL_PARAMS, ids=["average_range", "anova"])
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=30, deadline=None)
    def test_the_data_fit_the_study_and_keep_clear_of_the_verdict_lines(self, params, seed):
        v = variant(params, seed)
        assert len(v["parts"]) == params.parts
        cells = [cell for row in v["parts"] for cell in row["values"]]
        assert all(len(cell) == params.trials for cell in cells)
        assert all(0 <= x <= 100 for cell in cells for x in cell)
        grr = KIND.solve(params, v)["grr"]
        assert abs(grr - 10) > 1.5 and abs(grr - 30) > 1.5

    def test_the_aiag_example_gives_the_published_figures(self):
        key = KIND.solve(CALLS, aiag_variant())
        assert key["grr"] == pytest.approx(26.68, abs=0.01)
        assert key["ndc"] == 5
        assert key["verdict"] == "conditional"
        assert key["repeatability"] == pytest.approx(100 * 0.20188 / 1.14610, abs=0.01)

    def test_the_key_is_app_lss_msa_by_the_method_asked(self):
        v = variant(ANOVA)
        study = gauge_rr([row["values"] for row in v["parts"]], "anova", 0.25)
        key = KIND.solve(ANOVA, v)
        assert key["repeatability"] == study.percent_contribution["repeatability"]
        assert key["grr"] == study.percent_study_variation["gauge_rr"]

    def test_the_same_seed_gives_the_same_data(self):
        assert variant(seed=9) == variant(seed=9)
        assert variant(seed=9)["parts"] != variant(seed=10)["parts"]


class TestNamedMistakes:
    def test_contribution_for_study_variation_is_named(self):
        v = aiag_variant()
        study = reference(CALLS, v)
        part = by_part(grade(CALLS, v, repeatability=study.percent_contribution["repeatability"]))
        assert "That is the % contribution" in part["repeatability"].feedback

    def test_av_without_its_correction_is_named(self):
        v = aiag_variant()
        details = reference(CALLS, v).average_range
        raw = 100 * details.x_diff * details.k2 / 1.14610
        part = by_part(grade(CALLS, v, reproducibility=raw))["reproducibility"]
        assert "You left out the correction for repeatability" in part.feedback

    def test_added_percentages_and_pv_for_tv_are_named(self):
        v = aiag_variant()
        study = reference(CALLS, v)
        sv = study.percent_study_variation
        added = by_part(grade(CALLS, v, grr=sv["repeatability"] + sv["reproducibility"]))
        assert "do not add up" in added["grr"].feedback
        over_pv = by_part(grade(CALLS, v, grr=100 * study.gauge_rr / study.part_to_part))
        assert "You divided by the part variation" in over_pv["grr"].feedback

    def test_grr_ndc_and_verdict_carry_forward(self):
        v = aiag_variant()
        parts = by_part(grade(CALLS, v, repeatability=30.0, reproducibility=40.0, grr=50.0,
                              ndc=2, verdict="unacceptable"))  # fmt: skip
        assert parts["repeatability"].score == parts["reproducibility"].score == 0
        assert "Consistent with your repeatability" in parts["grr"].feedback
        assert parts["grr"].score == parts["ndc"].score == parts["verdict"].score == 1

    def test_ndc_rounded_up_is_named(self):
        part = by_part(grade(CALLS, aiag_variant(), ndc=6))["ndc"]
        assert part.score == 0
        assert "rounded down" in part.feedback

    def test_a_fraction_for_a_percentage_is_a_scale_hint(self):
        v = aiag_variant()
        key = KIND.solve(CALLS, v)
        part = by_part(grade(CALLS, v, grr=key["grr"] / 100))["grr"]
        assert "factor of 100" in part.feedback


class TestParse:
    def test_every_unreadable_field_is_named(self):
        raw = {"repeatability": ["lots"], "reproducibility": [""], "grr": ["150"],
               "ndc": ["5.5"], "verdict": ["fine"]}  # fmt: skip
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(CALLS, variant(), raw)
        assert set(raised.value.errors) == {"repeatability", "reproducibility", "grr", "ndc",
                                            "verdict"}  # fmt: skip

    def test_a_percent_sign_is_accepted(self):
        raw = {"repeatability": ["20%"], "reproducibility": ["5"], "grr": ["20.6 %"],
               "ndc": ["6"], "verdict": ["conditional"]}  # fmt: skip
        assert KIND.parse(CALLS, variant(), raw)["grr"] == pytest.approx(20.6)


class TestParams:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"parts": 12}, "use method: anova"),
            ({"operator_names": ["Amira"]}, "one name per operator"),
            ({"repeatability_sd": {"min": 0, "max": 1}}, "repeatability_sd"),
            ({"part_mean": {"min": 90, "max": 120}}, "inside the scale"),
            ({"trials": 4}, "trials"),
            ({"method": "guess"}, "method"),
        ],
    )
    def test_inconsistent_params_are_refused_with_a_clear_message(self, change, message):
        with pytest.raises(ValueError, match=message):
            MsaParams.model_validate({**CALLS.model_dump(), **change})


class TestTheDrawing:
    @pytest.mark.parametrize("params", ALL_PARAMS, ids=["average_range", "anova"])
    def test_the_reference_chart_is_accessible_svg(self, params):
        v = variant(params, 5)
        root = parse_svg(reference_chart(params, v, "chart"))
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").text.startswith("Gauge R&R study")
        assert "Part-to-part" in root.find(f"{SVG}desc").text
        assert root.findall(f".//{SVG}script") == []
        labels = {t.text for t in root.iter(f"{SVG}text")}
        assert {"Gauge R&R", "Repeatability", "Reproducibility", "Part-to-part"} <= labels

    def test_the_learners_chart_shows_their_percentages_only(self):
        v = variant()
        svg = learner_chart(CALLS, v, {"grr": ["87.5"], "repeatability": ["x"]}, "mine")
        assert "87.5% study variation" in svg
        key = KIND.solve(CALLS, v)
        assert f"{key['grr']:.1f}%" not in svg
        parse_svg(svg)


SLUG = "gb-04-gauge-rr-assessors"
PAGE = f"/exercises/{SLUG}"
WRONG = {"repeatability": "20", "reproducibility": "5", "grr": "21", "ndc": "6",
         "verdict": "conditional"}  # fmt: skip


class TestThroughTheApp:
    def test_the_page_shows_the_data_the_form_and_the_csv_link(self, signed_in, content):
        page = signed_in("ada").get(PAGE).text
        assert f'href="/exercises/{SLUG}/data.csv"' in page
        assert 'colspan="2">Amira</th>' in page
        assert '<label for="gb-04-gauge-rr-assessors-grr">' in page

    def test_an_answer_through_the_form_gets_feedback(self, signed_in, content, db):
        ada = signed_in("ada")
        ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **WRONG})
        attempt = db.exec(select(Attempt)).one()
        assert 0 <= attempt.score < 1
        assert "Attempt 2 of 3" in ada.get(PAGE).text

    def test_a_malformed_answer_is_a_422_naming_the_field(self, signed_in, content, db):
        ada = signed_in("ada")
        form = {**WRONG, "grr": "about a quarter", "verdict": "maybe"}
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **form})
        assert response.status_code == 422
        assert "%GRR: “about a quarter” is not a number." in response.text
        assert "Verdict: choose one of the verdicts" in response.text
        assert db.exec(select(Attempt)).all() == []

    def test_the_csv_is_the_learners_own_data(self, signed_in, content, new_client):
        response = signed_in("ada").get(f"{PAGE}/data.csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["Part", "Operator", "Trial", "Quality score (points)"]
        assert len(rows) == 1 + 10 * 3 * 2
        ben = new_client()
        sign_in(ben, "ben")
        assert list(csv.reader(io.StringIO(ben.get(f"{PAGE}/data.csv").text))) != rows

    def test_the_attempt_chart_is_for_its_owner_only(self, signed_in, content, db, new_client):
        ada = signed_in("ada")
        ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **WRONG})
        attempt = db.exec(select(Attempt)).one()
        own = ada.get(f"/attempts/{attempt.id}/chart.svg")
        assert own.status_code == 200
        assert parse_svg(own.text).find(f"{SVG}title").text.startswith("Your answer")
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404
