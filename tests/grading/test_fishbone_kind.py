"""The fishbone kind: the reference, bones graded as sets with alternatives, the causes to
verify first, parse errors, params, the drawing, and the HTTP flow with the owner-only SVG."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlmodel import select

from app.charts.fishbone import Bone, Cause, render_fishbone
from app.grading.kinds.fishbone import FishboneKind, FishboneParams
from app.grading.results import AnswerErrors
from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import form_controls, parse_svg

KIND = FishboneKind()
SVG = "{http://www.w3.org/2000/svg}"
PARAMS_DATA = {
    "problem": "22% of outpatient letters reach GPs after 7 days",
    "categories": [
        {"id": "people", "label": "People", "hint": "who does the work."},
        {"id": "process", "label": "Process", "hint": "how the work flows."},
        {"id": "systems", "label": "Systems", "hint": "the software."},
    ],
    "causes": [
        {"id": "locums", "text": "Locum doctors dictate in batches", "bone": "people",
         "testable": True},
        {"id": "morale", "text": "Secretaries are unhappy", "bone": "people"},
        {"id": "queue", "text": "Dictations wait for typing in one queue", "bone": "process",
         "also": ["systems"], "testable": True},
        {"id": "sign", "text": "Letters wait for the consultant's signature", "bone": "process",
         "testable": True},
        {"id": "crash", "text": "The dictation software loses files", "bone": "systems",
         "testable": True},
        {"id": "old", "text": "The system is old", "bone": "systems"},
    ],
}  # fmt: skip
PARAMS = FishboneParams.model_validate(PARAMS_DATA)


def variant(seed=1):
    return KIND.generate(PARAMS, random.Random(seed))


def grade(v, placed=None, verify=None):
    key = KIND.solve(PARAMS, v)
    answer = {"placed": {**key["placed"], **(placed or {})},
              "verify": key["verify"] if verify is None else verify}  # fmt: skip
    return {p.name: p for p in KIND.grade(PARAMS, v, answer, KIND.parts(PARAMS)).parts}


class TestTheKey:
    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=50, deadline=None)
    def test_the_reference_scores_full_marks_for_any_seed(self, seed):
        v = variant(seed)
        raw = KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v))
        answer = KIND.parse(PARAMS, v, raw)
        assert answer == KIND.solve(PARAMS, v)
        assert KIND.grade(PARAMS, v, answer, KIND.parts(PARAMS)).score == 1

    @given(seed=st.integers(min_value=0, max_value=2**31 - 1))
    @settings(max_examples=50, deadline=None)
    def test_every_cause_is_shown_once_and_the_bones_are_not_given_away(self, seed):
        v = variant(seed)
        assert sorted(c["id"] for c in v["causes"]) == sorted(c.id for c in PARAMS.causes)
        assert all(set(c) == {"id", "text"} for c in v["causes"])

    def test_the_order_is_shuffled_per_seed(self):
        orders = {tuple(c["id"] for c in variant(seed)["causes"]) for seed in range(10)}
        assert len(orders) > 1

    def test_there_is_one_part_per_bone_and_one_for_verifying(self):
        assert list(KIND.parts(PARAMS)) == ["people", "process", "systems", "verify"]


class TestGrading:
    def test_a_misplaced_cause_costs_both_bones_and_names_no_cause(self):
        parts = grade(variant(), placed={"sign": "people"})
        assert parts["people"].score == 0.5
        assert "1 cause(s) you put here belong on another bone" in parts["people"].feedback
        assert parts["process"].score == 0.5
        assert "1 cause(s) that belong here are on other bones" in parts["process"].feedback
        assert "Process: how the work flows." in parts["process"].feedback
        assert "signature" not in parts["process"].feedback
        assert "signature" in parts["process"].expected

    def test_an_accepted_second_bone_earns_full_marks(self):
        parts = grade(variant(), placed={"queue": "systems"})
        assert all(part.score == 1 for part in parts.values())

    def test_an_opinion_ticked_and_a_testable_cause_missed_are_named(self):
        part = grade(variant(), verify=["locums", "queue", "sign", "morale"])["verify"]
        assert part.score == pytest.approx(1 - 2 / 4)
        assert "1 cause(s) that the team could test with data are not ticked" in part.feedback
        assert "1 of your ticks cannot be settled with data" in part.feedback

    def test_ticking_everything_is_not_full_marks(self):
        part = grade(variant(), verify=[c.id for c in PARAMS.causes])["verify"]
        assert part.score == pytest.approx(0.5)

    @given(placed=st.fixed_dictionaries({c.id: st.sampled_from(["people", "process", "systems"])
                                         for c in PARAMS.causes}),
           verify=st.sets(st.sampled_from([c.id for c in PARAMS.causes])))  # fmt: skip
    @settings(max_examples=100, deadline=None)
    def test_scores_stay_between_0_and_1(self, placed, verify):
        parts = grade(variant(), placed=placed, verify=sorted(verify))
        assert all(0 <= part.score <= 1 for part in parts.values())


class TestParsing:
    def test_every_unreadable_field_is_named(self):
        v = variant()
        raw = {**KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v)), "bone-old": [""],
               "bone-crash": ["kitchen"], "verify": ["locums", "nope"]}  # fmt: skip
        with pytest.raises(AnswerErrors) as raised:
            KIND.parse(PARAMS, v, raw)
        assert set(raised.value.errors) == {"bone-old", "bone-crash", "verify"}
        assert "choose the bone" in raised.value.errors["bone-old"]

    def test_no_ticks_is_an_answer(self):
        v = variant()
        raw = {**KIND.to_form(PARAMS, v, KIND.solve(PARAMS, v)), "verify": []}
        assert KIND.parse(PARAMS, v, raw)["verify"] == []


class TestParams:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"categories": PARAMS_DATA["categories"][:2]}, "at least 3"),
            ({"causes": [{**PARAMS_DATA["causes"][0], "bone": "place"},
                         *PARAMS_DATA["causes"][1:]]}, "unknown bone"),
            ({"causes": [{**c, "testable": False} for c in PARAMS_DATA["causes"]]},
             "at least one cause testable"),
            ({"causes": [c for c in PARAMS_DATA["causes"] if c["bone"] != "systems"]},
             "systems has none"),
            ({"causes": [*PARAMS_DATA["causes"], PARAMS_DATA["causes"][0]]}, "unique"),
        ],
    )  # fmt: skip
    def test_inconsistent_params_are_refused_with_a_clear_message(self, change, message):
        with pytest.raises(ValidationError, match=message):
            FishboneParams.model_validate({**PARAMS_DATA, **change})


class TestTheDrawing:
    def test_the_expected_diagram_has_every_cause_and_marks_the_testable_ones(self):
        v = variant()
        root = parse_svg(KIND.chart_svg(PARAMS, v, None, "fb"))
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").get("id") == "fb-title"
        desc = root.find(f"{SVG}desc").text
        assert "Problem: 22% of outpatient letters" in desc
        assert "Dictations wait for typing in one queue (to test first)" in desc
        labels = [t.text for t in root.iter(f"{SVG}text")]
        assert {"People", "Process", "Systems"} <= set(labels)
        assert len(root.findall(f".//{SVG}circle")) == 4 + 1  # four marked, one in the legend
        assert root.findall(f".//{SVG}script") == []

    def test_the_learners_diagram_shows_their_placement_only(self):
        v = variant()
        entered = {"bone-old": ["people"], "verify": ["old"]}
        desc = parse_svg(KIND.chart_svg(PARAMS, v, entered, "fb")).find(f"{SVG}desc").text
        assert "People: The system is old (to test first)." in desc
        assert "Process: no causes." in desc

    def test_text_is_escaped_and_long_causes_shortened(self):
        svg = render_fishbone("<b>late</b> & slow", [Bone("P", [Cause("x" * 80, True)])], "d", "T")
        root = parse_svg(svg)
        assert "<b>" not in svg
        assert any((t.text or "").endswith("…") for t in root.iter(f"{SVG}text"))


SLUG = "gb-08-fishbone-late-payments"
PAGE = f"/exercises/{SLUG}"
CAUSE_IDS = ["people-training", "people-cover", "people-care", "process-po", "process-inbox",
             "process-disputes", "policy-second", "policy-friday", "policy-old", "place-post",
             "place-depots", "place-noise", "systems-partial", "systems-reminder", "systems-old",
             "measure-clock", "measure-definition"]  # fmt: skip


class TestTheApp:
    def test_a_learner_submits_and_sees_feedback_and_their_diagram(self, signed_in, content, db):
        ada = signed_in("ada")
        page = ada.get(PAGE).text
        assert 'name="bone-process-po"' in page and 'name="verify"' in page
        answer = {f"bone-{cause}": "people" for cause in CAUSE_IDS}
        response = ada.post(f"{PAGE}/attempts", data={**form_controls(page), **answer})
        assert response.status_code == 200
        assert "belong on another bone" in response.text
        assert "Your last answer drawn as a fishbone" in response.text
        assert db.exec(select(Attempt)).one().score < 0.5

    def test_a_malformed_answer_gets_422_naming_the_field(self, signed_in, content, db):
        ada = signed_in("ada")
        page = ada.get(PAGE).text
        data = {**form_controls(page), "bone-people-care": "kitchen"}
        response = ada.post(f"{PAGE}/attempts", data=data)
        assert response.status_code == 422
        assert "choose one of the bones listed" in response.text
        assert f'href="#{SLUG}-bone-people-care"' in response.text
        assert db.exec(select(Attempt)).all() == []

    def test_the_attempt_diagram_is_for_its_owner_only(self, signed_in, content, db, new_client):
        ada = signed_in("ada")
        page = ada.get(PAGE).text
        answer = {f"bone-{cause}": "process" for cause in CAUSE_IDS}
        ada.post(f"{PAGE}/attempts", data={**form_controls(page), **answer})
        attempt = db.exec(select(Attempt)).one()
        own = ada.get(f"/attempts/{attempt.id}/chart.svg")
        assert own.status_code == 200
        assert own.headers["content-type"] == "image/svg+xml"
        assert parse_svg(own.text).find(f"{SVG}title").text == "Your fishbone"
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"/attempts/{attempt.id}/chart.svg").status_code == 404
