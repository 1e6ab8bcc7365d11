"""The sipoc kind: the reference, each column's recall and misplaced items, the process
checks, parse errors field by field, params that contradict themselves, and the HTTP flow."""

import random
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlmodel import select

from app.grading.kinds.sipoc import SipocKind, SipocParams
from app.grading.results import AnswerErrors
from app.models import Attempt
from app.web.rendering import templates
from tests.exercise_helpers import form_controls

KIND = SipocKind()
PARAMS_DATA = {
    "start": {"text": "Full application received", "keywords": ["receive application"]},
    "end": {"text": "Offer issued", "keywords": ["issue offer"]},
    "recall": 0.75,
    "suppliers": [
        {"name": "Broker", "keywords": ["intermediary"], "hint": "Who sends the application?"},
        {"name": "Credit reference agency", "keywords": ["credit bureau"],
         "hint": "Who holds the credit file?"},
        {"name": "Valuation firm", "keywords": ["valuer", "surveyor"],
         "hint": "Who values the property?"},
        {"name": "Employer", "keywords": ["accountant"], "hint": "Who confirms income?"},
    ],
    "inputs": [
        {"name": "Application", "keywords": ["application form"]},
        {"name": "Credit file", "keywords": ["credit report"]},
        {"name": "Valuation report", "keywords": ["valuation"]},
        {"name": "Income confirmation", "keywords": ["payslip", "proof of income"]},
    ],
    "process": [
        {"name": "Receive the application", "keywords": ["receive application"]},
        {"name": "Check documents", "keywords": ["check document"]},
        {"name": "Assess credit", "keywords": ["assess credit", "credit check"]},
        {"name": "Underwrite the case", "keywords": ["underwrite"]},
        {"name": "Issue the offer", "keywords": ["issue offer"]},
    ],
    "outputs": [
        {"name": "Offer", "keywords": ["mortgage offer"]},
        {"name": "Decline letter", "keywords": ["decline"]},
        {"name": "Request for information", "keywords": ["information request"]},
        {"name": "Case file", "keywords": ["file"], "required": False},
    ],
    "customers": [
        {"name": "Applicant", "keywords": ["borrower", "customer"]},
        {"name": "Broker", "keywords": ["intermediary"]},
        {"name": "Solicitor", "keywords": ["conveyancer"]},
        {"name": "Completions team", "keywords": ["completion"]},
    ],
    "distractors": [
        {"column": "customers", "keywords": ["underwriter"],
         "reason": "works inside the process; a customer receives what it produces."},
    ],
}  # fmt: skip
PARAMS = SipocParams.model_validate(PARAMS_DATA)
VARIANT = KIND.generate(PARAMS, random.Random(1))


def reference_form():
    return KIND.to_form(PARAMS, VARIANT, KIND.solve(PARAMS, VARIANT))


def grade_form(**changes):
    form = {**reference_form(), **{k.replace("_", "-"): [v] for k, v in changes.items()}}
    answer = KIND.parse(PARAMS, VARIANT, form)
    return {
        part.name: part for part in KIND.grade(PARAMS, VARIANT, answer, KIND.parts(PARAMS)).parts
    }


class TestTheReference:
    def test_it_scores_full_marks_through_the_form(self):
        parts = grade_form()
        assert all(part.score == 1 for part in parts.values()), parts

    def test_to_form_is_the_inverse_of_parse(self):
        key = KIND.solve(PARAMS, VARIANT)
        assert KIND.parse(PARAMS, VARIANT, reference_form()) == key

    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=30, deadline=None)
    def test_every_learner_gets_the_same_case(self, seed):
        assert KIND.generate(PARAMS, random.Random(seed)) == VARIANT

    def test_the_expected_answer_lists_the_key(self):
        parts = grade_form(suppliers="Broker")
        assert "Valuation firm" in parts["suppliers"].expected


class TestColumns:
    def test_enough_key_items_in_other_words_earn_full_marks(self):
        parts = grade_form(suppliers="Intermediary\nCredit bureau\nSurveyor")
        assert parts["suppliers"].score == 1  # 3 of 4 is the 75% asked

    def test_a_missing_item_is_counted_and_its_hint_asked_without_naming_it(self):
        part = grade_form(suppliers="Broker\nCredit bureau")["suppliers"]
        assert part.score == pytest.approx(2 / 3)
        assert "You name 2 of the 4 key suppliers" in part.feedback
        assert "Who values the property?" in part.feedback
        assert "Valuation firm" not in part.feedback

    def test_an_input_listed_as_a_customer_is_named_misplaced(self):
        part = grade_form(customers="Applicant\nBroker\nSolicitor\nCredit file")["customers"]
        assert "“Credit file” is an input, not a customer." in part.feedback
        assert part.score == pytest.approx(2 / 3)

    def test_a_distractor_costs_a_mark_with_its_reason(self):
        part = grade_form(customers="Applicant\nBroker\nSolicitor\nUnderwriter")["customers"]
        assert "“Underwriter”: works inside the process" in part.feedback
        assert part.score < 1

    def test_an_item_in_two_columns_is_not_misplaced(self):
        assert grade_form(customers="Broker\nApplicant\nSolicitor")["customers"].score == 1

    def test_lines_that_match_nothing_cost_nothing(self):
        part = grade_form(outputs="Offer\nDecline letter\nRequest for information\nA happy glow")
        assert part["outputs"].score == 1

    def test_bullets_and_numbers_are_read_as_plain_lines(self):
        key = KIND.parse(PARAMS, VARIANT, {**reference_form(), "outputs": ["- Offer\n2. Decline"]})
        assert key["outputs"] == ["Offer", "Decline"]


class TestProcess:
    def test_too_few_steps_are_named(self):
        form = {**reference_form(), "step-4": [""], "step-5": [""]}
        answer = KIND.parse(PARAMS, VARIANT, form)
        part = KIND.grade(PARAMS, VARIANT, answer, KIND.parts(PARAMS)).parts[3]
        assert "has 3 step(s): keep a SIPOC to 4 to 7" in part.feedback
        assert "last step is not where the process ends" in part.feedback
        assert 0 < part.score < 1

    def test_a_step_without_a_verb_is_named(self):
        part = grade_form(step_3="Affordability assessment")["process"]
        assert "Step 3 does not start with a verb" in part.feedback

    def test_verb_forms_are_accepted(self):
        assert grade_form(step_2="Checking the documents")["process"].score == 1

    def test_the_first_step_must_be_at_the_start_trigger(self):
        part = grade_form(step_1="Assess affordability")["process"]
        assert "Step 1 is not where the process starts" in part.feedback

    def test_wrong_triggers_are_named_each(self):
        part = grade_form(start="Broker meeting", end="Mortgage completes")["triggers"]
        assert part.score == 0
        assert "start trigger" in part.feedback and "end trigger" in part.feedback


class TestParsing:
    def test_every_problem_is_named_at_once(self):
        form = {**reference_form(), "end": [""], "suppliers": ["  \n "], "step-2": [""],
                "outputs": ["x" * 121]}  # fmt: skip
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(PARAMS, VARIANT, form)
        assert set(raised.value.errors) == {"end", "suppliers", "step-2", "outputs"}
        assert "fill the steps in order" in raised.value.errors["step-2"]

    def test_too_many_lines_are_refused(self):
        form = {**reference_form(), "inputs": ["\n".join(f"Item {n}" for n in range(16))]}
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(PARAMS, VARIANT, form)
        assert "keep it to 15 lines" in raised.value.errors["inputs"]

    def test_no_steps_at_all_is_refused_on_step_1(self):
        form = {k: v for k, v in reference_form().items() if not k.startswith("step-")}
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(PARAMS, VARIANT, form)
        assert set(raised.value.errors) == {"step-1"}

    @given(st.dictionaries(st.sampled_from(["start", "end", "suppliers", "inputs", "outputs",
                                            "customers", "step-1", "step-2", "step-6"]),
                           st.lists(st.text(max_size=200), max_size=2)))  # fmt: skip
    @settings(max_examples=200, deadline=None)
    def test_any_form_is_read_and_graded_or_refused_but_never_crashes(self, form):
        try:
            answer = KIND.parse(PARAMS, VARIANT, form)
        except AnswerErrors as errors:
            assert errors.errors
            return
        result = KIND.grade(PARAMS, VARIANT, answer, KIND.parts(PARAMS))
        assert 0 <= result.score <= 1


class TestParams:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"min_steps": 6}, "key steps"),
            ({"min_steps": 5, "max_steps": 4}, "min_steps must not exceed"),
            ({"process": [{"name": "Application arrives"}, *PARAMS_DATA["process"][1:]]},
             "Step 1 does not start with a verb"),
            ({"distractors": [{"column": "customers", "keywords": ["broker"], "reason": "no"}]},
             "reference SIPOC fails its own checks"),
            ({"colour": "red"}, "Extra inputs"),
        ],
    )  # fmt: skip
    def test_inconsistent_params_are_refused_with_a_clear_message(self, change, message):
        with pytest.raises(ValidationError, match=message):
            SipocParams.model_validate({**PARAMS_DATA, **change})

    def test_extra_verbs_extend_the_list(self):
        process = [{"name": "Onshore the case"}, *PARAMS_DATA["process"][1:]]
        start = {"text": "Full application received", "keywords": ["onshore case"]}
        data = {**PARAMS_DATA, "process": process, "extra_verbs": ["onshore"], "start": start}
        assert SipocParams.model_validate(data)


def render(entered=None, errors=None):
    ex = SimpleNamespace(params=PARAMS, variant=VARIANT, entered=entered or {},
                         errors=errors or {}, exercise=SimpleNamespace(slug="demo"), kind=KIND,
                         view=KIND.view(PARAMS, VARIANT, entered or {}))  # fmt: skip
    return templates.env.get_template(KIND.template).render(ex=ex)


class TestTheForm:
    def test_every_field_has_a_labelled_control(self):
        html = render()
        for field in ["start", "end", "suppliers", "inputs", "outputs", "customers",
                      *(f"step-{n}" for n in range(1, 8))]:  # fmt: skip
            assert f'<label for="demo-{field}">' in html, field
            assert f'id="demo-{field}" name="{field}"' in html, field

    def test_answers_and_errors_are_put_back(self):
        html = render(entered=reference_form(), errors={"suppliers": "Suppliers: list one"})
        assert ">Broker\nCredit reference agency" in html
        assert 'aria-describedby="demo-suppliers-hint demo-suppliers-error"' in html
        assert "style=" not in html and "<script" not in html


SLUG = "gb-02-sipoc-repeat-prescriptions"
PAGE = f"/exercises/{SLUG}"


class TestTheApp:
    def test_a_learner_submits_the_form_and_gets_feedback(self, signed_in, content, db):
        ada = signed_in("ada")
        page = ada.get(PAGE).text
        assert 'name="step-7"' in page and 'name="suppliers"' in page
        answer = {"start": "Request received", "end": "Prescription received by the pharmacy",
                  "suppliers": "Patient\nGP", "inputs": "Repeat request", "outputs": "Prescription",
                  "customers": "Patient\nPharmacy", "step-1": "Receive the request",
                  "step-2": "Sign the prescription", "step-3": "Send the prescription"}  # fmt: skip
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(page), **answer})
        assert response.status_code == 200  # after the redirect
        assert "works inside the process" in response.text
        assert "keep a SIPOC to 4 to 7" in response.text
        attempt = db.exec(select(Attempt)).one()
        assert 0 < attempt.score < 1

    def test_a_malformed_answer_gets_422_naming_the_field(self, signed_in, content, db):
        ada = signed_in("ada")
        page = ada.get(PAGE).text
        answer = {"start": "Request received", "end": "", "suppliers": "Patient",
                  "inputs": "Request", "outputs": "Prescription", "customers": "Patient",
                  "step-1": "Receive the request"}  # fmt: skip
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(page), **answer})
        assert response.status_code == 422
        assert f'href="#{SLUG}-end"' in response.text
        assert "End trigger: describe the event" in response.text
        assert db.exec(select(Attempt)).all() == []

    def test_there_is_no_data_set_or_chart(self, signed_in, content):
        assert signed_in("ada").get(f"{PAGE}/data.csv").status_code == 404
