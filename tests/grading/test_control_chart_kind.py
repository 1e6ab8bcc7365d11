"""The control_chart kind: variants, the key against app.lss.spc and a published example,
named mistakes, errors carried forward, parse errors, the drawing, and the data and chart
downloads (own data only)."""

import csv
import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.grading.kinds.control_chart import (
    ControlChartKind,
    ControlChartParams,
    learner_chart,
    reference_chart,
    set_score,
)
from app.grading.results import AnswerErrors
from app.lss import spc
from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import by_part, form_controls, parse_svg, reference_form

KIND = ControlChartKind()
SVG = "{http://www.w3.org/2000/svg}"
CAUSES = ["shift", "trend", "outlier"]
P_PARAMS = ControlChartParams.model_validate(
    {
        "chart": "p",
        "measure": "the share of calls abandoned",
        "unit_name": "calls",
        "event_name": "abandoned calls",
        "points": {"min": 20, "max": 30},
        "sample_size": {"min": 300, "max": 900},
        "rate": {"min": 0.04, "max": 0.09},
        "decimals": 4,
        "special_causes": CAUSES,
    }
)
IMR_PARAMS = ControlChartParams.model_validate(
    {
        "chart": "imr",
        "measure": "minutes to answer a complaint",
        "value_unit": "minutes",
        "points": {"min": 20, "max": 30},
        "mean": {"min": 40, "max": 55},
        "sd": {"min": 4, "max": 7},
        "decimals": 2,
        "special_causes": CAUSES,
    }
)
XBAR_PARAMS = ControlChartParams.model_validate(
    {
        "chart": "xbar_r",
        "measure": "minutes to open an account",
        "sample_size": {"min": 5, "max": 5},
        "points": {"min": 20, "max": 25},
        "mean": {"min": 30, "max": 40},
        "sd": {"min": 3, "max": 5},
        "decimals": 2,
        "special_causes": CAUSES,
    }
)
ALL_PARAMS = [
    P_PARAMS,
    IMR_PARAMS,
    XBAR_PARAMS,
    ControlChartParams.model_validate(
        {**XBAR_PARAMS.model_dump(), "chart": "xbar_s", "sample_size": {"min": 8, "max": 12}}
    ),
    ControlChartParams.model_validate(
        {**P_PARAMS.model_dump(), "chart": "np", "sample_size": {"min": 100, "max": 200}}
    ),
    ControlChartParams.model_validate(
        {**P_PARAMS.model_dump(), "chart": "c", "rate": {"min": 1, "max": 12}}
    ),
    ControlChartParams.model_validate(
        {**P_PARAMS.model_dump(), "chart": "u", "rate": {"min": 0.02, "max": 0.2}}
    ),
]
NIST_FLOW_RATE = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]


def variant(params=P_PARAMS, seed=3):
    return KIND.generate(params, random.Random(seed))


def grade(params, v, **changes):
    answer = {**KIND.solve(params, v), **changes}
    return KIND.grade(params, v, answer, KIND.parts(params))


def nist_variant():
    """The NIST e-Handbook §6.3.2.2 flow-rate batches as a learner's data set."""
    v = variant(IMR_PARAMS)
    v["samples"] = [{"sample": n, "value": x} for n, x in enumerate(NIST_FLOW_RATE, start=1)]
    v["count"] = len(NIST_FLOW_RATE)
    return v


class TestTheKey:
    @pytest.mark.parametrize("params", ALL_PARAMS, ids=lambda p: p.chart)
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=60, deadline=None)
    def test_the_reference_answer_scores_full_marks(self, params, seed):
        v = variant(params, seed)
        raw = KIND.to_form(params, v, KIND.solve(params, v))
        result = KIND.grade(params, v, KIND.parse(params, v, raw), KIND.parts(params))
        assert result.score == 1, [(p.name, p.feedback) for p in result.parts]

    @pytest.mark.parametrize("params", ALL_PARAMS, ids=lambda p: p.chart)
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=40, deadline=None)
    def test_to_form_and_parse_round_trip(self, params, seed):
        v = variant(params, seed)
        key = KIND.solve(params, v)
        assert KIND.parse(params, v, KIND.to_form(params, v, key)) == key

    def test_the_p_chart_key_is_app_lss_spc(self):
        v = variant()
        limits = spc.p_chart_limits(
            [row["count"] for row in v["samples"]], [row["inspected"] for row in v["samples"]]
        )
        key = KIND.solve(P_PARAMS, v)
        assert key["center"] == limits.center
        assert key["lcl"] == limits.lcl[v["ask"] - 1]
        assert key["ucl"] == limits.ucl[v["ask"] - 1]
        violations = spc.run_rule_violations(
            limits.points, limits.center, limits.sigma, rules=[1, 2, 5, 6], same_side_run=8
        )
        assert {n for n, _ in key["signals"]} == {x.index + 1 for x in violations}

    def test_the_nist_flow_rate_limits_are_the_published_ones(self):
        v = nist_variant()
        key = KIND.solve(IMR_PARAMS, v)
        assert key["center"] == pytest.approx(50.81)
        assert key["ucl"] == pytest.approx(55.8041, abs=1e-4)
        assert key["lcl"] == pytest.approx(45.8159, abs=1e-4)
        answer = {"chart": "imr", "center": 50.81, "lcl": 45.82, "ucl": 55.80, "signals": []}
        assert KIND.grade(IMR_PARAMS, v, answer, KIND.parts(IMR_PARAMS)).score == 1

    def test_the_tabled_e2_is_accepted_as_well_as_the_exact_one(self):
        v = nist_variant()
        mr_bar = spc.imr_limits(NIST_FLOW_RATE).moving_range.center
        result = grade(IMR_PARAMS, v, ucl=50.81 + 2.66 * mr_bar, lcl=50.81 - 2.66 * mr_bar)
        assert result.score == 1

    def test_the_variant_never_holds_the_chart_or_its_limits(self):
        v = variant()
        assert "chart" not in v and "center" not in v and "ucl" not in v
        assert v["layout"] == "sized_counts"

    def test_some_variants_have_signals_and_some_none(self):
        found = [bool(KIND.solve(P_PARAMS, variant(P_PARAMS, s))["signals"]) for s in range(40)]
        assert any(found) and not all(found)

    def test_the_same_seed_gives_the_same_data(self):
        assert variant(seed=9) == variant(seed=9)
        assert variant(seed=9)["samples"] != variant(seed=10)["samples"]


class TestNamedMistakes:
    def test_an_np_chart_for_varying_sample_sizes_is_explained(self):
        part = by_part(grade(P_PARAMS, variant(), chart="np"))["chart"]
        assert part.score == 0
        assert "An np chart needs the same sample size every time" in part.feedback

    def test_x_bar_s_for_x_bar_r_data_earns_half(self):
        part = by_part(grade(XBAR_PARAMS, variant(XBAR_PARAMS), chart="xbar_s"))["chart"]
        assert part.score == 0.5

    def test_averaging_the_daily_rates_is_named_and_the_limits_carry_forward(self):
        v = variant()
        rates = [row["count"] / row["inspected"] for row in v["samples"]]
        own = sum(rates) / len(rates)
        n = v["ask_inspected"]
        half = 3 * (own * (1 - own) / n) ** 0.5
        parts = by_part(grade(P_PARAMS, v, center=own, lcl=own - half, ucl=own + half))
        assert parts["center"].score == 0
        assert "You averaged the samples' own rates" in parts["center"].feedback
        assert parts["lcl"].score == parts["ucl"].score == 1
        assert "Consistent with your centre line" in parts["ucl"].feedback

    def test_n_instead_of_root_n_is_named(self):
        v = variant()
        key = KIND.solve(P_PARAMS, v)
        c = key["center"]
        ucl = c + 3 * (c * (1 - c)) ** 0.5 / v["ask_inspected"]
        part = by_part(grade(P_PARAMS, v, ucl=ucl))["ucl"]
        assert part.score == 0
        assert "You divided by n outside the square root" in part.feedback

    def test_the_overall_standard_deviation_is_named(self):
        v = nist_variant()
        s = spc.np.std(NIST_FLOW_RATE, ddof=1)
        part = by_part(grade(IMR_PARAMS, v, ucl=50.81 + 3 * s))["ucl"]
        assert "You used the overall standard deviation" in part.feedback

    def test_a_negative_lcl_not_floored_is_named(self):
        params = ControlChartParams.model_validate(
            {**P_PARAMS.model_dump(), "chart": "c", "rate": {"min": 2, "max": 3}}
        )
        v = variant(params)
        key = KIND.solve(params, v)
        assert key["lcl"] == 0
        raw_lcl = key["center"] - 3 * key["center"] ** 0.5
        part = by_part(grade(params, v, lcl=raw_lcl))["lcl"]
        assert part.score == 0
        assert "the LCL is set to 0" in part.feedback

    def test_a2_for_the_wrong_subgroup_size_is_named(self):
        v = variant(XBAR_PARAMS)
        key = KIND.solve(XBAR_PARAMS, v)
        r_bar = spc.xbar_r_limits([row["values"] for row in v["samples"]]).r.center
        ucl = key["center"] + spc.chart_constants(4).A2 * r_bar
        part = by_part(grade(XBAR_PARAMS, v, ucl=ucl))["ucl"]
        assert "That uses A2 for subgroups of 4" in part.feedback

    def test_a_percentage_for_a_proportion_is_a_scale_hint(self):
        v = variant()
        key = KIND.solve(P_PARAMS, v)
        part = by_part(grade(P_PARAMS, v, center=100 * key["center"]))["center"]
        assert "factor of 100" in part.feedback


class TestSignals:
    def seed_with_signals(self, params=P_PARAMS):
        return next(s for s in range(100) if KIND.solve(params, variant(params, s))["signals"])

    def test_a_missed_signal_and_an_extra_one_cost_the_same(self):
        v = variant(seed=self.seed_with_signals())
        key = KIND.solve(P_PARAMS, v)["signals"]
        flagged = {n for n, _ in key}
        extra = next(n for n in range(1, v["count"] + 1) if n not in flagged)
        missing = by_part(grade(P_PARAMS, v, signals=key[1:]))["signals"].score
        added = by_part(grade(P_PARAMS, v, signals=[*key, [extra, 1]]))["signals"].score
        assert missing == added < 1

    def test_the_wrong_rule_earns_half_for_that_point(self):
        v = variant(seed=self.seed_with_signals())
        key = KIND.solve(P_PARAMS, v)["signals"]
        wrong_rule = next(r for r in (1, 2, 5, 6) if r != key[0][1])
        # The point may break that rule too, which is full credit.
        part = by_part(grade(P_PARAMS, v, signals=[[key[0][0], wrong_rule], *key[1:]]))
        assert part["signals"].score in (1.0, 1 - 0.5 / len(key))

    @given(
        st.dictionaries(
            st.integers(1, 30), st.sets(st.sampled_from([1, 2, 5, 6]), min_size=1), min_size=1
        ),
        st.integers(31, 40),
        st.data(),
    )
    def test_a_missed_signal_costs_what_a_false_alarm_costs(self, expected, extra, data):
        perfect = {n: min(rules) for n, rules in expected.items()}
        dropped = data.draw(st.sampled_from(sorted(perfect)))
        missing = {n: r for n, r in perfect.items() if n != dropped}
        assert set_score(expected, perfect) == 1
        assert set_score(expected, missing) == set_score(expected, {**perfect, extra: 1}) < 1

    @given(
        st.dictionaries(st.integers(1, 30), st.sets(st.sampled_from([1, 2, 5, 6]), min_size=1)),
        st.dictionaries(st.integers(1, 30), st.sampled_from([1, 2, 5, 6])),
    )
    def test_the_set_score_stays_between_0_and_1(self, expected, picks):
        assert 0 <= set_score(expected, picks) <= 1
        assert (set_score(expected, picks) == 1) == (
            set(picks) == set(expected) and all(r in expected[n] for n, r in picks.items())
        )

    def test_signals_consistent_with_the_learners_own_lines_carry_forward(self):
        v = nist_variant()
        # Limits drawn far too narrow (centre 50.81, σ 0.3) make many points signals.
        own = {"center": 50.81, "lcl": 49.91, "ucl": 51.71}
        from app.grading.control_chart_data import violations_of

        flagged = violations_of([row["value"] for row in v["samples"]], 50.81, [0.3] * 10, v)
        signals = [[n, min(rules)] for n, rules in sorted(flagged.items())]
        part = by_part(grade(IMR_PARAMS, v, **own, signals=signals))["signals"]
        assert part.score == 1
        assert "Consistent with your own centre line and limits" in part.feedback

    def test_feedback_never_names_the_missed_samples(self):
        v = variant(seed=self.seed_with_signals())
        part = by_part(grade(P_PARAMS, v, signals=[]))["signals"]
        assert part.score == 0
        assert "signal(s) not flagged" in part.feedback
        assert "Day" not in part.feedback
        assert part.expected and "Day" in part.expected


class TestParse:
    def test_every_unreadable_field_is_named(self):
        v = variant()
        raw = {
            "chart": ["pie"],
            "center": ["abc"],
            "lcl": [""],
            "ucl": ["0.1"],
            "signals": ["2", "5"],
            "rule-2": ["9"],
            "rule-7": ["1"],
        }
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(P_PARAMS, v, raw)
        errors = raised.value.errors
        assert set(errors) == {"chart", "center", "lcl", "rule-2", "rule-5", "rule-7"}
        assert "pick one of the rules listed" in errors["rule-2"]
        assert "pick the rule this point breaks" in errors["rule-5"]
        assert "did not tick the point" in errors["rule-7"]

    def test_a_sample_that_does_not_exist_is_refused(self):
        v = variant()
        raw = {"chart": ["p"], "center": ["0.1"], "lcl": ["0"], "ucl": ["0.2"], "signals": ["0"]}
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(P_PARAMS, v, raw)
        assert set(raised.value.errors) == {"signals"}

    def test_a_percentage_is_read_as_a_proportion_on_a_p_chart(self):
        v = variant()
        raw = {"chart": ["p"], "center": ["7.5%"], "lcl": ["4%"], "ucl": ["11%"]}
        assert KIND.parse(P_PARAMS, v, raw)["center"] == pytest.approx(0.075)

    def test_an_lcl_above_the_ucl_is_refused(self):
        raw = {"chart": ["imr"], "center": ["50"], "lcl": ["60"], "ucl": ["40"]}
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(IMR_PARAMS, variant(IMR_PARAMS), raw)
        assert set(raised.value.errors) == {"lcl"}


class TestParams:
    @pytest.mark.parametrize(
        "change",
        [
            {"chart": "imr", "mean": None},
            {"chart": "p", "rate": {"min": 0.2, "max": 0.7}},
            {"rules": [1, 1]},
            {"rules": [9]},
            {"points": {"min": 5, "max": 8}},
            {"chart": "xbar_r", "sample_size": {"min": 1, "max": 4}, "mean": {"min": 1, "max": 2},
             "sd": {"min": 1, "max": 2}},
            {"colour": "red"},
        ],
    )  # fmt: skip
    def test_inconsistent_params_are_refused(self, change):
        with pytest.raises(ValueError):
            ControlChartParams.model_validate({**P_PARAMS.model_dump(), **change})


class TestTheDrawing:
    @pytest.mark.parametrize("params", ALL_PARAMS, ids=lambda p: p.chart)
    def test_the_reference_chart_is_well_formed_with_one_circle_per_point(self, params):
        v = variant(params, 5)
        root = parse_svg(reference_chart(params, v, "chart"))
        assert root.find(f"{SVG}title").text
        assert root.find(f"{SVG}desc").text
        assert len(root.findall(f".//{SVG}circle")) == v["count"]
        assert root.findall(f".//{SVG}script") == []
        labels = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
        assert "UCL" in labels and "LCL" in labels and "CL" in labels

    def test_violating_points_are_marked_and_described(self):
        seed = next(s for s in range(100) if KIND.solve(P_PARAMS, variant(seed=s))["signals"])
        v = variant(seed=seed)
        root = parse_svg(reference_chart(P_PARAMS, v, "chart"))
        red = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == "#b3261e"]
        assert len(red) == len(KIND.solve(P_PARAMS, v)["signals"])
        assert "Marked: Day" in root.find(f"{SVG}desc").text

    def test_the_learners_chart_draws_their_own_lines_only(self):
        v = variant(IMR_PARAMS)
        raw = {
            "center": ["1000"],
            "lcl": ["990"],
            "ucl": ["1010"],
            "signals": ["2"],
            "rule-2": ["1"],
        }
        svg = learner_chart(IMR_PARAMS, v, raw, "mine")
        assert "CL 1,000" in svg
        key = KIND.solve(IMR_PARAMS, v)
        assert f"UCL {key['ucl']:.2f}" not in svg
        parse_svg(svg)

    def test_author_text_is_escaped(self):
        params = ControlChartParams.model_validate(
            {**IMR_PARAMS.model_dump(), "measure": "<script>x</script> & minutes"}
        )
        svg = reference_chart(params, variant(params), "chart")
        assert "<script>" not in svg
        parse_svg(svg)


SLUG = "gb-spc-abandoned-calls"
PAGE = f"/exercises/{SLUG}"


def csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


class TestTheDownloads:
    def test_the_page_shows_the_data_table_and_the_csv_link(self, signed_in, content):
        page = signed_in("ada").get(PAGE).text
        assert f'href="/exercises/{SLUG}/data.csv"' in page
        assert (
            '<th scope="col">Calls</th>' in page or 'scope="col" class="align-right">Calls' in page
        )
        assert 'name="rule-1"' in page

    def test_the_csv_is_the_learners_own_data(self, signed_in, content, new_client):
        ada = signed_in("ada")
        response = ada.get(f"{PAGE}/data.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"].startswith("attachment;")
        rows = csv_rows(response.text)
        assert rows[0] == ["Day", "Calls", "Abandoned calls"]
        page = ada.get(PAGE).text
        assert all(f">{int(row[1]):,}<" in page for row in rows[1:])
        ben = new_client()
        sign_in(ben, "ben")
        assert csv_rows(ben.get(f"{PAGE}/data.csv").text)[1:] != rows[1:]

    def test_an_exercise_without_data_has_no_csv(self, signed_in, content):
        assert signed_in("ada").get("/exercises/yb-yield-mortgage/data.csv").status_code == 404

    def test_the_attempt_chart_is_for_its_owner_only(self, signed_in, content, db, new_client):
        ada = signed_in("ada")
        answer = {"chart": "p", "center": "0.07", "lcl": "0.04", "ucl": "0.1"}
        ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **answer})
        attempt = db.exec(select(Attempt)).one()
        own = ada.get(f"/attempts/{attempt.id}/chart.svg")
        assert own.status_code == 200
        assert own.headers["content-type"] == "image/svg+xml"
        assert "sandbox" in own.headers["content-security-policy"]
        root = parse_svg(own.text)
        assert root.find(f"{SVG}title").text.startswith("Your answer")
        assert "Your last answer drawn over your data" in ada.get(PAGE).text
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404

    def test_the_individuals_page_shows_one_value_per_day(self, signed_in, content):
        page = signed_in("ada").get("/exercises/gb-spc-complaint-times").text
        assert "Minutes to answer the day&#39;s first complaint (minutes)" in page
        assert 'name="rule-20"' in page

    def test_an_attempt_at_another_kind_has_no_chart(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        page = "/exercises/yb-yield-mortgage"
        answer = reference_form(db, cast["ada"])
        ada.post(f"{page}/attempts", data={**form_controls(ada.get(page).text), **answer})
        attempt = db.exec(select(Attempt)).one()
        assert ada.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404
