"""The pdca kind: the reference plan, each structure check on its own, parse errors field by
field, arbitrary text, and the form partial."""

import copy
import random
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.grading.kinds import pdca
from app.grading.kinds.pdca import PdcaKind, PdcaParams
from app.grading.results import AnswerErrors
from app.web.rendering import templates

KIND = PdcaKind()
CASE_DATE = date(2025, 3, 3)
DEADLINE = date(2025, 7, 31)
WHYS = [
    "Agreed claims wait about eight days for the customer's bank details.",
    "Bank details are requested by letter only after the claim is agreed.",
    "The call script and the online claim form never ask for bank details.",
    "The script dates from cheque payments and nobody owns it.",
]
REFERENCE = {
    "problem": "Claims took an average of 18.4 days from claim to payment in Q4, "
    "against a promise of 10 days.",
    "baseline_metric": "Average days from claim to payment",
    "baseline_value": 18.4,
    "baseline_unit": "days",
    "goal_metric": "Average days from claim to payment",
    "goal_target": 10,
    "goal_deadline": "2025-07-31",
    "whys": WHYS,
    "countermeasures": [
        {
            "action": "Ask for bank details on the first call",
            "cause": 3,
            "owner": "Tom Reid",
            "due": "2025-04-14",
        },
        {
            "action": "Name an owner for the call script",
            "cause": 4,
            "owner": "Priya Shah",
            "due": "2025-03-31",
        },
        {
            "action": "Send a secure link instead of the paper form",
            "cause": 2,
            "owner": "Dan Mensah",
            "due": "2025-05-16",
        },
    ],
    "check_metric": "Average days from claim to payment",
    "check_frequency": "Weekly, every Monday",
    "check_comparison": "Run chart of each week against the 18.4-day baseline",
    "act_choice": "standardise",
    "act_detail": "Update the standard work for first calls and train every handler.",
}
PARAMS_DATA = {
    "case_date": "2025-03-03",
    "metric": "days from claim to payment",
    "metric_synonyms": ["claim to payment", "time to pay"],
    "unit": "days",
    "direction": "decrease",
    "baseline": 18.4,
    "reference": REFERENCE,
}
PARAMS = PdcaParams.model_validate(PARAMS_DATA)
PARTS = KIND.parts(PARAMS)
VARIANT = KIND.generate(PARAMS, random.Random(0))
PART_NAMES = ["problem", "baseline", "goal", "root_cause", "countermeasures", "check", "act"]


def reference():
    return copy.deepcopy(KIND.solve(PARAMS, VARIANT))


def reference_form():
    return KIND.to_form(PARAMS, VARIANT, reference())


def graded(answer, params=PARAMS):
    result = KIND.grade(params, VARIANT, answer, KIND.parts(params))
    return {p.name: p.score for p in result.parts}, {p.name: p.feedback for p in result.parts}


def parse_errors(form, params=PARAMS):
    with pytest.raises(AnswerErrors) as raised:
        KIND.parse(params, VARIANT, form)
    return raised.value.errors


class TestTheReferencePlan:
    def test_it_scores_full_marks_through_the_form(self):
        answer = KIND.parse(PARAMS, VARIANT, reference_form())
        result = KIND.grade(PARAMS, VARIANT, answer, PARTS)
        assert result.score == 1
        assert [part.name for part in result.parts] == PART_NAMES

    def test_to_form_is_the_inverse_of_parse(self):
        assert KIND.parse(PARAMS, VARIANT, reference_form()) == reference()

    def test_every_learner_gets_the_same_case(self):
        assert KIND.generate(PARAMS, random.Random(1)) == KIND.generate(PARAMS, random.Random(2))
        assert VARIANT["case_date"] == "2025-03-03"
        assert VARIANT["case_date_text"] == "3 March 2025"
        assert VARIANT["baseline"] == 18.4

    def test_the_expected_answers_quote_the_reference(self):
        result = KIND.grade(PARAMS, VARIANT, reference(), PARTS)
        expected = {part.name: part.expected for part in result.parts}
        assert expected["baseline"] == "Average days from claim to payment: 18.4 days"
        assert expected["goal"] == "Average days from claim to payment: 10 days by 2025-07-31"


def _set(**changes):
    def change(answer):
        answer.update(changes)

    return change


def _whys(whys, causes):
    """A chain of whys, with the countermeasures re-pointed to `causes` in order."""

    def change(answer):
        answer["whys"] = whys
        rows = answer["countermeasures"][: len(causes)]
        for row, cause in zip(rows, causes, strict=True):
            row["cause"] = cause
        answer["countermeasures"] = rows

    return change


def _deadline_on_the_case_date(answer):
    answer["goal_deadline"] = CASE_DATE
    for row in answer["countermeasures"]:
        row["due"] = CASE_DATE


def _row(n, **changes):
    def change(answer):
        answer["countermeasures"][n - 1].update(changes)

    return change


def _without_row(n):
    def change(answer):
        del answer["countermeasures"][n - 1]

    return change


# Each rule broken on its own: (part, how, a fragment of the feedback, the part's score).
RULES = {
    "problem without a figure": (
        "problem",
        _set(problem="Claims take too many days from claim to payment."),
        pdca.PROBLEM_NO_NUMBER,
        0.75,
    ),
    "problem without the unit": (
        "problem",
        _set(problem="Claims averaged 18.4 from claim to payment in Q4."),
        pdca.PROBLEM_NO_UNIT,
        0.75,
    ),
    "problem with a solution": (
        "problem",
        _set(problem="Install a new system: claims take 18.4 days from claim to payment."),
        "proposes a solution (“install”)",
        0.75,
    ),
    "problem with a solution word in another form": (
        "problem",
        _set(problem="Claims take 18.4 days from claim to payment, pending implementation."),
        "proposes a solution (“implement”)",
        0.75,
    ),
    "problem in another metric": (
        "problem",
        _set(problem="Customers wait 18.4 days for their money."),
        pdca.PROBLEM_NO_METRIC,
        0.75,
    ),
    "baseline in another metric": (
        "baseline",
        _set(baseline_metric="Complaints per week"),
        pdca.BASELINE_METRIC,
        2 / 3,
    ),
    "baseline value not the case's": (
        "baseline",
        _set(baseline_value=20.0),
        pdca.BASELINE_VALUE_NOTE["wrong"],
        2 / 3,
    ),
    "baseline value just outside 1%": (
        "baseline",
        _set(baseline_value=18.4 * 1.02),
        pdca.BASELINE_VALUE_NOTE["rounding"],
        (1 + 0.5 + 1) / 3,
    ),
    "baseline in another unit": (
        "baseline",
        _set(baseline_unit="claims"),
        pdca.BASELINE_UNIT,
        2 / 3,
    ),
    "goal in another metric": (
        "goal",
        _set(goal_metric="Customer satisfaction score"),
        "different metric from the problem",
        1 / 3,
    ),
    "goal that does not improve": (
        "goal",
        _set(goal_target=18.4),
        pdca.GOAL_DIRECTION["decrease"],
        2 / 3,
    ),
    "goal due on the A3 date": (
        "goal",
        _deadline_on_the_case_date,
        pdca.GOAL_DEADLINE.format(case_date="2025-03-03"),
        2 / 3,
    ),
    "only two whys": (
        "root_cause",
        _whys(WHYS[:2], [2]),
        "The chain has 2 whys: keep asking why at least 3 times.",
        2 / 3,
    ),
    "a gap in the chain": (
        "root_cause",
        _whys([WHYS[0], "", WHYS[2], WHYS[3]], [3, 4]),
        pdca.WHYS_GAP.format(n=2),
        3 / 4,
    ),
    "a why that repeats the one before": (
        "root_cause",
        _whys([*WHYS[:2], WHYS[1].upper() + "!", WHYS[3]], [3, 4]),
        pdca.WHYS_REPEAT.format(n=3, previous=2),
        3 / 4,
    ),
    "no countermeasures": (
        "countermeasures",
        _set(countermeasures=[]),
        pdca.CM_NONE,
        0,
    ),
    "a countermeasure due before the A3 date": (
        "countermeasures",
        _row(1, due=CASE_DATE - timedelta(days=1)),
        pdca.CM_EARLY.format(row=1, case_date="2025-03-03"),
        (2 / 3 + 1) / 2,
    ),
    "a countermeasure due after the goal deadline": (
        "countermeasures",
        _row(3, due=DEADLINE + timedelta(days=1)),
        pdca.CM_LATE.format(row=3),
        (2 / 3 + 1) / 2,
    ),
    "the deepest why left without a countermeasure": (
        "countermeasures",
        _without_row(2),
        pdca.CM_DEEPEST.format(n=4),
        0.5,
    ),
    "check in another metric": (
        "check",
        _set(check_metric="Number of complaints"),
        pdca.CHECK_METRIC,
        2 / 3,
    ),
    "check without a frequency": (
        "check",
        _set(check_frequency="When the team has time"),
        pdca.CHECK_FREQUENCY,
        2 / 3,
    ),
    "check without a comparison": (
        "check",
        _set(check_comparison="Plot it on a run chart."),
        pdca.CHECK_COMPARISON,
        2 / 3,
    ),
    "standardising without a standardisation item": (
        "act",
        _set(act_detail="Tell everyone how well it went."),
        pdca.ACT_NO_STANDARD,
        0.5,
    ),
    "adjusting without saying what": (
        "act",
        _set(act_choice="adjust", act_detail="Try harder."),
        pdca.ACT_VAGUE_ADJUST,
        0.5,
    ),
}


class TestEachRuleOnItsOwn:
    @pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
    def test_breaking_a_rule_costs_only_its_part_and_is_named(self, rule):
        part, change, fragment, score = rule
        answer = reference()
        change(answer)
        scores, feedback = graded(answer)
        assert scores[part] == pytest.approx(score)
        assert fragment in feedback[part]
        assert {name: s for name, s in scores.items() if name != part} == {
            name: 1 for name in PART_NAMES if name != part
        }

    def test_the_rules_cover_every_part(self):
        assert {rule[0] for rule in RULES.values()} == set(PART_NAMES)

    def test_an_empty_chain_scores_nothing(self):
        answer = reference()
        answer.update(whys=[], countermeasures=[])
        scores, feedback = graded(answer)
        assert scores["root_cause"] == 0
        assert "The chain has 0 whys" in feedback["root_cause"]

    def test_adjusting_with_the_next_cycle_named_keeps_full_marks(self):
        answer = reference()
        answer.update(act_choice="adjust", act_detail="Revisit countermeasure 2 in a new cycle.")
        scores, feedback = graded(answer)
        assert scores["act"] == 1
        assert feedback["act"] == pdca.ACT_OK["adjust"]

    def test_the_check_may_compare_with_the_baseline_figure_alone(self):
        answer = reference()
        answer["check_comparison"] = "Each week's average next to the 18.4 days of Q4."
        assert graded(answer)[0]["check"] == 1

    def test_metrics_match_without_regard_to_case_plurals_or_hyphens(self):
        answer = reference()
        answer["goal_metric"] = "Mean DAYS from claim-to-payment"
        answer["baseline_metric"] = "Time to pay (calendar days)"
        assert graded(answer)[0] == {name: 1 for name in PART_NAMES}

    def test_a_word_that_merely_starts_like_a_solution_word_is_allowed(self):
        answer = reference()
        answer["problem"] = "Buyers wait 18.4 days from claim to payment, against 10 days."
        assert graded(answer)[0]["problem"] == 1


PERCENT_PARAMS = PdcaParams.model_validate(
    {
        **PARAMS_DATA,
        "metric": "summaries sent within 24 hours",
        "metric_synonyms": [],
        "unit": "%",
        "unit_synonyms": ["percentage"],
        "direction": "increase",
        "baseline": 61.5,
        "reference": {
            **REFERENCE,
            "problem": "Only 61.5% of summaries sent within 24 hours, against 95%.",
            "baseline_metric": "Summaries sent within 24 hours",
            "baseline_value": 61.5,
            "baseline_unit": "%",
            "goal_metric": "Summaries sent within 24 hours",
            "goal_target": 95,
            "check_metric": "Summaries sent within 24 hours",
            "check_comparison": "Against the January baseline",
        },
    }
)


class TestAMetricThatMustGoUp:
    def answer(self, **changes):
        answer = copy.deepcopy(KIND.solve(PERCENT_PARAMS, VARIANT))
        answer.update(changes)
        return answer

    def test_the_reference_plan_scores_full_marks(self):
        form = KIND.to_form(PERCENT_PARAMS, VARIANT, self.answer())
        answer = KIND.parse(PERCENT_PARAMS, VARIANT, form)
        assert KIND.grade(PERCENT_PARAMS, VARIANT, answer, PARTS).score == 1

    def test_a_target_below_the_baseline_is_named(self):
        scores, feedback = graded(self.answer(goal_target=38.5), PERCENT_PARAMS)
        assert scores["goal"] == pytest.approx(2 / 3)
        assert feedback["goal"] == pdca.GOAL_DIRECTION["increase"]

    def test_a_percent_sign_is_read_and_the_unit_may_be_spelt_out(self):
        form = KIND.to_form(PERCENT_PARAMS, VARIANT, self.answer())
        form.update(baseline_value=["61.5%"], baseline_unit=["per cent"])
        answer = KIND.parse(PERCENT_PARAMS, VARIANT, form)
        assert answer["baseline_value"] == 61.5
        assert graded(answer, PERCENT_PARAMS)[0]["baseline"] == 1

    def test_a_fraction_for_a_percentage_is_called_out(self):
        scores, feedback = graded(self.answer(baseline_value=0.615), PERCENT_PARAMS)
        assert scores["baseline"] == pytest.approx(2 / 3)
        assert feedback["baseline"] == pdca.BASELINE_VALUE_NOTE["scale"]


# Each malformed field: (field, value, a fragment of its message).
MALFORMED = {
    "problem left empty": ("problem", "  ", "Problem statement: fill this in."),
    "problem too long": ("problem", "x" * 501, "keep it to 500 characters (this has 501)"),
    "baseline metric left empty": ("baseline_metric", "", "Baseline metric: fill this in."),
    "baseline value in words": ("baseline_value", "eighteen", "“eighteen” is not a number"),
    "baseline value with a % sign": ("baseline_value", "18.4%", "not a percentage"),
    "baseline unit left empty": ("baseline_unit", "", "Baseline unit: fill this in."),
    "goal metric too long": ("goal_metric", "y" * 600, "Goal metric: keep it to 500"),
    "goal target left empty": ("goal_target", "", "Goal target: Enter a number."),
    "deadline in words": ("goal_deadline", "end of July", "“end of July” is not a date"),
    "deadline day first": ("goal_deadline", "31/07/2025", "use YYYY-MM-DD"),
    "deadline that does not exist": ("goal_deadline", "2025-02-30", "is not a date"),
    "deadline left empty": ("goal_deadline", "", "Goal deadline: enter a date"),
    "a why too long": ("why-2", "z" * 501, "Why 2: keep it to 500"),
    "owner missing": ("cm-1-owner", "", "Countermeasure 1 owner: say who owns this action."),
    "due date missing": ("cm-2-due", "", "Countermeasure 2 due date: enter a date"),
    "due date in words": ("cm-2-due", "soon", "“soon” is not a date"),
    "cause missing": ("cm-3-cause", "", "Countermeasure 3 cause: choose the why"),
    "cause not a why number": ("cm-3-cause", "9", "1 to 7"),
    "cause not a number": ("cm-3-cause", "the script", "1 to 7"),
    "cause pointing past the chain": ("cm-3-cause", "6", "why 6 is empty"),
    "row without an action": ("cm-4-owner", "Grace Lee", "Countermeasure 4 action: describe"),
    "check metric empty": ("check_metric", "", "Check metric: fill this in."),
    "check frequency empty": ("check_frequency", "", "Check frequency: fill this in."),
    "check comparison empty": ("check_comparison", "", "Check comparison: fill this in."),
    "act not chosen": ("act_choice", "", "Act: choose standardise or adjust."),
    "act not one of the choices": ("act_choice", "monitor", "Act: choose standardise or adjust."),
    "act detail empty": ("act_detail", "", "Act detail: fill this in."),
}
ERROR_FIELD = {"row without an action": "cm-4-action"}


class TestParsing:
    @pytest.mark.parametrize("case", MALFORMED.items(), ids=MALFORMED.keys())
    def test_a_malformed_field_is_refused_by_name(self, case):
        name, (field, value, fragment) = case
        form = reference_form()
        form[field] = [value]
        errors = parse_errors(form)
        reported = ERROR_FIELD.get(name, field)
        assert list(errors) == [reported]
        assert fragment in errors[reported]

    def test_a_cause_pointing_at_an_empty_why_is_refused(self):
        form = reference_form()
        form["why-2"] = [""]
        assert parse_errors(form) == {
            "cm-3-cause": "Countermeasure 3 cause: why 2 is empty: point to a why you filled in."
        }

    def test_every_problem_is_reported_at_once(self):
        form = reference_form()
        form.update(baseline_value=["lots"], goal_deadline=["July"], **{"cm-1-owner": [""]})
        assert set(parse_errors(form)) == {"baseline_value", "goal_deadline", "cm-1-owner"}

    def test_empty_rows_and_missing_optional_whys_are_not_errors(self):
        form = reference_form()
        form.update({"cm-5-action": [""], "cm-5-cause": [""], "why-7": ["  "]})
        assert KIND.parse(PARAMS, VARIANT, form) == reference()

    def test_rows_keep_their_numbers_when_one_is_skipped(self):
        form = reference_form()
        for part in ("action", "cause", "owner", "due"):
            form[f"cm-5-{part}"] = form.pop(f"cm-2-{part}")
        rows = KIND.parse(PARAMS, VARIANT, form)["countermeasures"]
        assert [row["row"] for row in rows] == [1, 3, 5]

    def test_lenient_spellings_are_read(self):
        form = reference_form()
        form.update(act_choice=["Standardize"], **{"cm-1-cause": ["Why 3"]})
        answer = KIND.parse(PARAMS, VARIANT, form)
        assert answer["act_choice"] == "standardise"
        assert answer["countermeasures"][0]["cause"] == 3

    def test_text_is_trimmed(self):
        form = reference_form()
        form["problem"] = [f"  {REFERENCE['problem']}\n"]
        assert KIND.parse(PARAMS, VARIANT, form)["problem"] == REFERENCE["problem"]


FREE_TEXT = [
    "problem",
    "baseline_metric",
    "baseline_unit",
    "goal_metric",
    "check_metric",
    "check_frequency",
    "check_comparison",
    "act_detail",
    *(f"why-{n}" for n in range(1, 8)),
    *(f"cm-{n}-{part}" for n in range(1, 6) for part in ("action", "owner")),
]
EVERY_FIELD = [
    *FREE_TEXT,
    "baseline_value",
    "goal_target",
    "goal_deadline",
    "act_choice",
    *(f"cm-{n}-{part}" for n in range(1, 6) for part in ("cause", "due")),
]


def _parse_and_grade(form):
    try:
        answer = KIND.parse(PARAMS, VARIANT, form)
    except AnswerErrors as errors:
        assert errors.errors
        assert set(errors.errors) <= set(EVERY_FIELD)
        return
    result = KIND.grade(PARAMS, VARIANT, answer, PARTS)
    assert all(0 <= part.score <= 1 for part in result.parts)
    assert 0 <= result.score <= 1


class TestArbitraryText:
    @given(st.dictionaries(st.sampled_from(EVERY_FIELD), st.lists(st.text(), max_size=2)))
    @settings(max_examples=300)
    def test_any_form_is_read_or_refused_but_never_crashes(self, form):
        _parse_and_grade(form)

    @given(st.dictionaries(st.sampled_from(FREE_TEXT), st.text(max_size=600)))
    @settings(max_examples=300)
    def test_any_text_in_the_free_text_fields_is_graded_or_refused(self, texts):
        form = reference_form()
        form.update({field: [text] for field, text in texts.items()})
        _parse_and_grade(form)


class TestParams:
    def test_a_reference_plan_that_fails_its_own_checks_is_refused(self):
        data = copy.deepcopy(PARAMS_DATA)
        data["reference"]["problem"] = (
            "Buy a new system to pay 18.4 days faster from claim to payment."
        )
        with pytest.raises(ValidationError, match=r"\[problem\] The problem statement proposes"):
            PdcaParams.model_validate(data)

    def test_a_reference_countermeasure_past_the_last_why_is_refused(self):
        data = copy.deepcopy(PARAMS_DATA)
        data["reference"]["countermeasures"][0]["cause"] = 5
        with pytest.raises(ValidationError, match="points past the last why"):
            PdcaParams.model_validate(data)

    def test_dates_must_be_quoted_so_the_definition_stays_json(self):
        data = {**PARAMS_DATA, "case_date": date(2025, 3, 3)}
        with pytest.raises(ValidationError, match="write the date in quotes"):
            PdcaParams.model_validate(data)

    def test_at_most_seven_whys_may_be_required(self):
        with pytest.raises(ValidationError, match="min_whys"):
            PdcaParams.model_validate({**PARAMS_DATA, "min_whys": 8})


def render(entered=None, errors=None):
    ex = SimpleNamespace(
        params=PARAMS,
        variant=VARIANT,
        entered=entered if entered is not None else {},
        errors=errors or {},
        exercise=SimpleNamespace(slug="demo"),
        kind=KIND,
    )
    return templates.env.get_template(KIND.template).render(ex=ex)


class TestTheForm:
    def test_every_field_parse_reads_has_a_labelled_control(self):
        html = render()
        for field in EVERY_FIELD:
            if field == "act_choice":
                assert 'name="act_choice" value="standardise"' in html
                continue
            assert f'id="demo-{field}" name="{field}"' in html, field
        for field in FREE_TEXT[:8]:
            assert f'<label for="demo-{field}">' in html, field

    def test_it_is_in_plan_do_check_act_sections(self):
        html = render()
        legends = ["Plan", "Do: countermeasures and plan", "Check", "Act"]
        positions = [html.index(f"<legend>{legend}</legend>") for legend in legends]
        assert positions == sorted(positions)
        assert html.count('<textarea id="demo-') == 3
        assert html.count('type="date"') == 1 + VARIANT["max_countermeasures"]
        assert 'id="demo-baseline_value" name="baseline_value" inputmode="decimal"' in html
        assert '<div class="table-wrap">' in html

    def test_the_learners_answers_are_put_back(self):
        html = render(entered=reference_form())
        assert f">{REFERENCE['problem']}</textarea>" in html
        assert 'value="2025-04-14"' in html
        assert '<option value="3" selected>Why 3</option>' in html
        assert 'value="standardise" checked' in html

    def test_errors_are_shown_next_to_their_fields(self):
        html = render(
            entered=reference_form(),
            errors={"goal_deadline": "Goal deadline: bad", "cm-1-owner": "Owner: missing"},
        )
        assert 'aria-invalid="true" aria-describedby="demo-goal_deadline-hint' in html
        assert '<p class="field-error" id="demo-goal_deadline-error">Goal deadline: bad</p>' in html
        assert 'aria-describedby="demo-cm-1-owner-error"' in html
        assert html.count('aria-invalid="true"') == 2

    def test_it_has_no_inline_style_or_script(self):
        html = render(entered=reference_form()).lower()
        assert "style=" not in html and "<script" not in html and " on" + "click" not in html
