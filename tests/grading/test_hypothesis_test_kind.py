"""The hypothesis_test kind: variants for every situation, the key against app.lss.stats and
the module's worked examples, named mistakes, errors carried forward, parse errors, the
drawing, and the data and chart downloads (own data only)."""

import csv
import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.grading.hypothesis_test_data import outcome
from app.grading.kinds.hypothesis_test import HypothesisTestKind, HypothesisTestParams, draw
from app.grading.results import AnswerErrors
from app.learning import attempts
from app.lss import stats
from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import by_part, form_controls, parse_svg

KIND = HypothesisTestKind()
SVG = "{http://www.w3.org/2000/svg}"
CONCLUSIONS = {
    "reject": "The evidence says the means differ.",
    "retain": "These data do not show that the means differ.",
    "wrong": [{"text": "The means are equal.", "feedback": "A test never shows equality."}],
}
SITUATIONS = {
    "one_sample": {
        "target": 30,
        "groups": [{"name": "Calls", "n": {"min": 10, "max": 20}, "mean": {"min": 28, "max": 34},
                    "sd": {"min": 3, "max": 6}}],
    },
    "two_sample_pooled": {
        "groups": [
            {"name": "A", "n": {"min": 8, "max": 12}, "mean": {"min": 10, "max": 13},
             "sd": {"min": 2, "max": 3}},
            {"name": "B", "n": {"min": 8, "max": 12}, "mean": {"min": 10, "max": 13},
             "sd": {"min": 2, "max": 3}},
        ],
    },
    "paired": {
        "unit_label": "Adviser",
        "groups": [{"name": "Before", "n": {"min": 8, "max": 12}, "mean": {"min": 9, "max": 12},
                    "sd": {"min": 1, "max": 3}}, {"name": "After"}],
        "change": {"min": 0, "max": 1},
        "sd_change": {"min": 0.3, "max": 0.8},
    },
    "anova": {
        "groups": [
            {"name": n, "n": {"min": 5, "max": 8}, "mean": {"min": 8, "max": 11},
             "sd": {"min": 1, "max": 2}}
            for n in ("North", "Central", "South")
        ],
    },
    "chi_square": {
        "categories": ["Resolved", "Not resolved"],
        "groups": [
            {"name": n, "n": {"min": 80, "max": 150}, "shares": [{"min": 0.5, "max": 0.7}]}
            for n in ("Phone", "Email", "Chat")
        ],
    },
}  # fmt: skip
SITUATIONS["two_sample_welch"] = SITUATIONS["two_sample_pooled"]


def params_for(test, **changes):
    situation = {
        "test": test,
        "context": "A service question.",
        "measure": "handling time",
        "value_unit": "minutes",
        "conclusions": CONCLUSIONS,
        **SITUATIONS[test],
    }
    return HypothesisTestParams.model_validate({"situations": [situation], **changes})


ALL = {test: params_for(test) for test in SITUATIONS}
WELCH = ALL["two_sample_welch"]
HARBOUR = {  # the module's worked example: Northgate against Riverside
    "Northgate": [44, 38, 51, 40, 47, 33, 55, 42, 36, 49],
    "Riverside": [36, 33, 41, 35, 31, 38, 34, 40, 32, 37, 35, 39, 34, 36],
}
TEAMS = {"A": [8, 10, 9, 11, 7, 9], "B": [12, 11, 14, 10, 13, 12], "C": [9, 11, 10, 8, 12, 10]}


def variant(params=WELCH, seed=3):
    return KIND.generate(params, random.Random(seed))


def with_groups(params, groups, seed=3):
    v = variant(params, seed)
    v["groups"] = [{"name": name, "values": values} for name, values in groups.items()]
    return v


def grade(params, v, **changes):
    answer = {**KIND.solve(params, v), **changes}
    return KIND.grade(params, v, answer, KIND.parts(params))


class TestTheKey:
    @pytest.mark.parametrize("test", list(ALL))
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=25, deadline=None)
    def test_the_reference_answer_scores_full_marks(self, test, seed):
        params = ALL[test]
        v = variant(params, seed)
        raw = KIND.to_form(params, v, KIND.solve(params, v))
        result = KIND.grade(params, v, KIND.parse(params, v, raw), KIND.parts(params))
        assert result.score == 1, [(p.name, p.feedback) for p in result.parts]

    @pytest.mark.parametrize("test", list(ALL))
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=20, deadline=None)
    def test_the_data_keep_to_the_scenario(self, test, seed):
        params = ALL[test]
        v = variant(params, seed)
        situation = params.situations[0]
        if test == "chi_square":
            totals = [sum(row["counts"][j] for row in v["table"]) for j in range(3)]
            assert all(
                g.n.min <= t <= g.n.max for g, t in zip(situation.groups, totals, strict=True)
            )
        elif test == "paired":
            assert situation.groups[0].n.min <= len(v["pairs"]) <= situation.groups[0].n.max
            assert all(value >= 0 for row in v["pairs"] for value in row["values"])
        else:
            for group, drawn in zip(situation.groups, v["groups"], strict=True):
                assert group.n.min <= len(drawn["values"]) <= group.n.max
                assert all(value >= 0 and round(value, 1) == value for value in drawn["values"])
        key = KIND.solve(params, v)
        assert key["test"] == test
        assert abs(key["p_value"] - 0.05) >= 0.01 or key["p_value"] < 0.01

    def test_the_welch_key_is_the_modules_worked_example(self):
        v = with_groups(WELCH, HARBOUR)
        key = KIND.solve(WELCH, v)
        assert key["statistic"] == pytest.approx(3.28, abs=0.01)
        assert key["df"] == pytest.approx(11.32, abs=0.01)
        assert key["p_value"] == pytest.approx(0.0071, abs=0.0001)
        assert key["decision"] == "reject"
        answer = {**key, "statistic": -3.28, "df": 11.32, "p_value": 0.007}
        assert KIND.grade(WELCH, v, answer, KIND.parts(WELCH)).score == 1

    def test_the_pooled_and_anova_keys_are_the_modules_worked_examples(self):
        pooled = KIND.solve(
            ALL["two_sample_pooled"], with_groups(ALL["two_sample_pooled"], HARBOUR)
        )
        assert (round(pooled["statistic"], 2), pooled["df"]) == (3.70, 22)
        anova = KIND.solve(ALL["anova"], with_groups(ALL["anova"], TEAMS))
        assert anova["statistic"] == pytest.approx(7.0)
        assert (anova["df"], anova["df2"]) == (2, 15)
        assert anova["p_value"] == pytest.approx(0.0071, abs=0.0001)

    def test_the_key_is_app_lss_stats(self):
        v = variant(ALL["chi_square"])
        chi = stats.chi_square_independence([row["counts"] for row in v["table"]])
        key = KIND.solve(ALL["chi_square"], v)
        assert (key["statistic"], key["df"], key["p_value"]) == (chi.statistic, chi.df, chi.p_value)

    def test_the_variant_never_names_the_test(self):
        v = variant()
        assert "test" not in v and "welch" not in str(v).lower()

    def test_a_learner_draws_one_of_the_situations(self):
        params = HypothesisTestParams.model_validate(
            {"situations": [s for p in ALL.values() for s in p.model_dump()["situations"]][:6]}
        )
        drawn = {KIND.solve(params, variant(params, s))["test"] for s in range(60)}
        assert len(drawn) >= 5

    def test_both_decisions_occur(self):
        found = {KIND.solve(WELCH, variant(WELCH, s))["decision"] for s in range(40)}
        assert found == {"reject", "retain"}


class TestNamedMistakes:
    def test_pooled_for_welch_earns_half_and_its_numbers_carry_forward(self):
        v = with_groups(WELCH, HARBOUR)
        pooled = outcome("two_sample_pooled", v)
        result = by_part(grade(WELCH, v, test="two_sample_pooled", statistic=pooled.statistic,
                               df=pooled.df, p_value=pooled.p_value))  # fmt: skip
        assert result["test"].score == 0.5
        assert "Pooling assumes" in result["test"].feedback
        for name in ("statistic", "df", "p_value"):
            assert result[name].score == 1
            assert "Consistent with the test you chose" in result[name].feedback

    def test_a_two_sample_test_on_pairs_is_named(self):
        params = ALL["paired"]
        part = by_part(grade(params, variant(params), test="two_sample_welch"))["test"]
        assert part.score == 0
        assert "the values are pairs" in part.feedback

    def test_a_one_sided_p_is_named(self):
        v = with_groups(WELCH, {"A": [10, 11, 12, 13, 14], "B": [10, 10.5, 11.5, 12, 11]})
        key = KIND.solve(WELCH, v)["p_value"]
        assert key > 0.1
        part = by_part(grade(WELCH, v, p_value=key / 2, statistic=9.0))["p_value"]
        assert part.score == 0
        assert "one-sided p-value" in part.feedback

    def test_the_standard_deviation_for_the_standard_error_is_named(self):
        params = ALL["one_sample"]
        v = variant(params)
        key = KIND.solve(params, v)
        part = by_part(grade(params, v, statistic=key["statistic"] / (key["df"] + 1) ** 0.5))
        assert "divide by the standard error" in part["statistic"].feedback

    def test_n_for_n_minus_1_is_named(self):
        params = ALL["one_sample"]
        v = variant(params)
        part = by_part(grade(params, v, df=KIND.solve(params, v)["df"] + 1))["df"]
        assert part.score == 0
        assert "each mean estimated costs one degree of freedom" in part.feedback

    def test_yates_correction_is_named(self):
        params = params_for("chi_square")
        data = params.model_dump()
        data["situations"][0]["groups"] = data["situations"][0]["groups"][:2]
        params = HypothesisTestParams.model_validate(data)
        v = variant(params)
        yates = stats.chi_square_independence(
            [row["counts"] for row in v["table"]], correction=True
        ).statistic
        part = by_part(grade(params, v, statistic=yates))["statistic"]
        assert "Yates" in part.feedback

    def test_an_f_ratio_with_one_df_earns_half(self):
        params = ALL["anova"]
        v = with_groups(params, TEAMS)
        part = by_part(grade(params, v, df=2, df2=None))["df"]
        assert part.score == 0.5
        assert "two degrees of freedom" in part.feedback
        assert by_part(grade(params, v, df=2, df2=17))["df"].score == 0.5

    def test_accepting_h0_is_named_and_earns_half_when_not_rejecting(self):
        v = with_groups(WELCH, {"A": [10, 11, 12, 13], "B": [10.5, 11.5, 12.5, 12]})
        assert KIND.solve(WELCH, v)["decision"] == "retain"
        part = by_part(grade(WELCH, v, decision="accept"))["decision"]
        assert part.score == 0.5
        assert "A test never proves H0" in part.feedback

    def test_a_wrong_conclusion_gets_the_authors_feedback(self):
        v = variant()
        wrong = v["conclusions"].index("The means are equal.") + 1
        part = by_part(grade(WELCH, v, conclusion=wrong))["conclusion"]
        assert (part.score, part.feedback) == (0, "A test never shows equality.")


class TestCarriedForward:
    def test_a_decision_consistent_with_the_learners_p_earns_its_marks(self):
        v = with_groups(WELCH, HARBOUR)
        parts = by_part(grade(WELCH, v, p_value=0.2, decision="retain"))
        assert parts["p_value"].score == 0
        assert parts["decision"].score == 1
        assert "Consistent with your p-value" in parts["decision"].feedback

    def test_a_conclusion_consistent_with_the_learners_decision_earns_its_marks(self):
        v = with_groups(WELCH, HARBOUR)
        retain = v["conclusions"].index(CONCLUSIONS["retain"]) + 1
        parts = by_part(grade(WELCH, v, p_value=0.2, decision="retain", conclusion=retain))
        assert parts["conclusion"].score == 1
        assert "Consistent with your decision" in parts["conclusion"].feedback

    def test_a_p_from_the_learners_own_t_earns_its_marks(self):
        v = with_groups(WELCH, HARBOUR)
        from scipy import stats as sps

        own_p = 2 * sps.t.sf(2.5, 11.32)
        parts = by_part(grade(WELCH, v, statistic=2.5, p_value=own_p))
        assert parts["statistic"].score == 0
        assert parts["p_value"].score == 1
        assert "Consistent with your statistic" in parts["p_value"].feedback

    def test_a_rounding_slip_earns_half(self):
        v = with_groups(WELCH, HARBOUR)
        key = KIND.solve(WELCH, v)["statistic"]
        part = by_part(grade(WELCH, v, statistic=key * 1.03))["statistic"]
        assert part.score == 0.5


class TestParse:
    def test_every_unreadable_field_is_named(self):
        raw = {"test": ["z"], "statistic": ["abc"], "df": ["0"], "df2": ["x"],
               "p_value": ["1.5"], "decision": ["maybe"], "conclusion": ["9"]}  # fmt: skip
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(WELCH, variant(), raw)
        assert set(raised.value.errors) == {
            "test",
            "statistic",
            "df",
            "df2",
            "p_value",
            "decision",
            "conclusion",
        }

    def test_a_percentage_p_is_read_as_a_fraction_and_df2_may_be_empty(self):
        raw = {"test": ["paired"], "statistic": ["2.1"], "df": ["9"], "df2": [""],
               "p_value": ["4%"], "decision": ["reject"], "conclusion": ["1"]}  # fmt: skip
        answer = KIND.parse(WELCH, variant(), raw)
        assert answer["p_value"] == pytest.approx(0.04)
        assert answer["df2"] is None


class TestParams:
    @pytest.mark.parametrize(
        ("test", "change", "message"),
        [
            ("one_sample", {"target": None}, "needs target"),
            ("anova", {"groups": SITUATIONS["two_sample_pooled"]["groups"]}, "3 to 6 groups"),
            ("paired", {"change": None}, "needs change and sd_change"),
            ("chi_square", {"categories": ["Only one"]}, "2 to 5 categories"),
            ("two_sample_welch", {"groups": [{"name": "A"}, {"name": "B"}]}, "needs n"),
        ],
    )
    def test_inconsistent_situations_are_refused_with_a_clear_message(self, test, change, message):
        data = params_for(test).model_dump()
        data["situations"][0].update(change)
        with pytest.raises(ValueError, match=message):
            HypothesisTestParams.model_validate(data)

    def test_shares_that_leave_nothing_for_the_last_category_are_refused(self):
        data = params_for("chi_square").model_dump()
        data["situations"][0]["groups"][0]["shares"] = [{"min": 0.9, "max": 1.0}]
        with pytest.raises(ValueError, match="add up to less than 1"):
            HypothesisTestParams.model_validate(data)

    def test_unknown_fields_and_tests_are_refused(self):
        with pytest.raises(ValueError):
            HypothesisTestParams.model_validate({"situations": [], "colour": "red"})
        data = params_for("anova").model_dump()
        data["situations"][0]["test"] = "z_test"
        with pytest.raises(ValueError):
            HypothesisTestParams.model_validate(data)


class TestTheDrawing:
    @pytest.mark.parametrize("test", list(ALL))
    def test_the_chart_is_accessible_and_has_no_script(self, test):
        v = variant(ALL[test], 5)
        root = parse_svg(KIND.chart_svg(ALL[test], v, None, "chart"))
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
        assert root.findall(f".//{SVG}script") == []
        assert all(e.get("id", "chart").startswith("chart") for e in root.iter())

    def test_the_dot_plot_has_one_dot_per_value(self):
        v = with_groups(WELCH, HARBOUR)
        root = parse_svg(draw(v, "d", "Title", ""))
        assert len(root.findall(f".//{SVG}circle")) == 24

    def test_the_learners_chart_shows_their_answer_and_never_the_key(self):
        v = with_groups(WELCH, HARBOUR)
        svg = KIND.chart_svg(WELCH, v, {"test": ["paired"], "statistic": ["1.5"]}, "mine")
        assert "Your answer: Paired t-test, statistic = 1.5" in svg
        assert "3.28" not in svg and "0.0071" not in svg
        assert "t = 3.276, df = 11.32, p = 0.0071" in KIND.chart_svg(WELCH, v, None, "ref")

    def test_author_text_is_escaped(self):
        data = params_for("one_sample").model_dump()
        data["situations"][0]["measure"] = "<script>x</script> & minutes"
        params = HypothesisTestParams.model_validate(data)
        svg = KIND.chart_svg(params, variant(params), None, "chart")
        assert "<script>" not in svg
        parse_svg(svg)


SLUG = "gb-09-test-choice-and-decision"
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
        assert '<label for="gb-09-test-choice-and-decision-statistic">' in page
        assert 'name="decision"' in page and 'name="conclusion"' in page

    def test_a_right_answer_through_the_form_is_graded_full_marks(self, signed_in, content, db,
                                                                  cast):  # fmt: skip
        ada = signed_in("ada")
        answer = reference_answer(db, cast["ada"])
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text),
                                                      **answer}, follow_redirects=True)  # fmt: skip
        assert response.status_code == 200
        attempt = db.exec(select(Attempt)).one()
        assert attempt.score == 1

    def test_a_malformed_answer_is_a_422_naming_the_field(self, signed_in, content, db, cast):
        ada = signed_in("ada")
        answer = {**reference_answer(db, cast["ada"]), "p_value": ["ninety"]}
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text),
                                                      **answer})  # fmt: skip
        assert response.status_code == 422
        assert "p-value: “ninety” is not a number." in response.text
        assert db.exec(select(Attempt)).first() is None

    def test_the_csv_is_the_learners_own_data(self, signed_in, content, new_client):
        ada = signed_in("ada")
        response = ada.get(f"{PAGE}/data.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert len(rows) > 5
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"{PAGE}/data.csv").text != response.text

    def test_the_attempt_chart_is_for_its_owner_only(self, signed_in, content, db, new_client):
        ada = signed_in("ada")
        answer = {"test": "anova", "statistic": "1.2", "df": "2", "df2": "20",
                  "p_value": "0.3", "decision": "retain", "conclusion": "1"}  # fmt: skip
        ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **answer})
        attempt = db.exec(select(Attempt)).one()
        own = ada.get(f"/attempts/{attempt.id}/chart.svg")
        assert own.status_code == 200
        assert own.headers["content-type"] == "image/svg+xml"
        assert "Your answer: One-way ANOVA" in own.text
        parse_svg(own.text)
        assert "Your data, with your last answer" in ada.get(PAGE).text
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404
