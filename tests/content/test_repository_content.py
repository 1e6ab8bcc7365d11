"""The repository's own courses: they load cleanly, meet the house style, and the numbers
in the worked examples agree with the arithmetic."""

import re
from dataclasses import dataclass

import pytest

from app.config import REPO_ROOT
from app.content.loader import load_content
from app.content.markdown import count_words

LOADED = load_content(REPO_ROOT)
MODULES = {
    f"{course.slug}/{module.slug}": module for course in LOADED.courses for module in course.modules
}


def test_the_repository_content_loads_with_no_problems():
    assert [str(problem) for problem in LOADED.problems] == []
    assert LOADED.courses, "the repository has no courses"
    assert all(course.modules for course in LOADED.courses)


def test_every_exercise_is_used_by_a_module_and_there_are_at_least_25():
    used = {slug for module in MODULES.values() for slug in module.meta.exercises}
    assert set(LOADED.exercises) == used
    assert len(used) >= 25


def test_the_yellow_belt_certifies_all_modules_and_the_exam_at_80_percent():
    course = next(c for c in LOADED.courses if c.slug == "yellow-belt")
    rule = course.meta.certification
    assert rule is not None and rule.modules == "all" and rule.exam_pass_mark == 0.8
    assert course.exam is not None and course.exam.meta.pass_mark == 0.8


class TestEveryModule:
    @pytest.mark.parametrize("module", MODULES.values(), ids=MODULES.keys())
    def test_it_has_three_to_five_objectives(self, module):
        assert 3 <= len(module.meta.objectives) <= 5

    @pytest.mark.parametrize("module", MODULES.values(), ids=MODULES.keys())
    def test_it_has_1200_to_2500_words_of_teaching_text(self, module):
        assert 1200 <= count_words(module.body) <= 2500

    @pytest.mark.parametrize("module", MODULES.values(), ids=MODULES.keys())
    def test_it_opens_with_a_knowledge_check_with_feedback_on_every_option(self, module):
        check = LOADED.exercises[module.meta.exercises[0]]
        assert check.meta.kind == "quiz"
        assert len(check.params.questions) >= 5
        for question in check.params.questions:
            assert all(option.feedback.strip() for option in question.options), question.id

    @pytest.mark.parametrize("module", MODULES.values(), ids=MODULES.keys())
    def test_it_has_an_applied_exercise_beside_its_knowledge_check(self, module):
        assert len(module.meta.exercises) >= 2

    @pytest.mark.parametrize("module", MODULES.values(), ids=MODULES.keys())
    def test_it_ends_with_a_summary_and_key_terms(self, module):
        headings = re.findall(r"(?m)^## (.+?)\s*$", module.body)
        assert "Summary" in headings
        assert "Key terms" in headings
        assert headings.index("Summary") < headings.index("Key terms")


@dataclass(frozen=True)
class Step:
    number: int
    team: str
    wait_days: float
    touch_minutes: float


def section(text: str, heading: str) -> str:
    """The text from a `## heading` line up to the next `## ` heading."""
    match = re.search(rf"(?ms)^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", text)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def first_table(text: str) -> list[list[str]]:
    """The cells of the first markdown table in `text`, header and divider included."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def number(value: float) -> str:
    """A figure as the text writes it: thousands separated, no trailing zeros."""
    value = round(value, 4)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0")


class TestCraftMassLeanWorkedExample:
    """Courses/yellow-belt/01-craft-mass-lean: the motor insurance claim.

    The scenario's inputs are checked to be stated in the text; every figure the text
    derives from them is recomputed here and looked for in the text.
    """

    CLAIMS_PER_DAY = 40
    WORKING_DAY_MINUTES = 450
    REWORK_SHARE = 0.2  # one file in five fails the quality check at step 5 ...
    RETURNED_TO_STEP = 2  # ... and goes back through steps 2 to 5
    CHECK_STEP = 5
    LEAN_QUEUE_DAYS = 1
    LEAN_CORRECTIONS_PER_100 = 2

    @pytest.fixture
    def text(self) -> str:
        path = REPO_ROOT / "courses" / "yellow-belt" / "01-craft-mass-lean" / "index.md"
        return path.read_text(encoding="utf-8")

    @pytest.fixture
    def steps(self, text) -> list[Step]:
        table = first_table(section(text, "Worked example"))
        header = [cell.lower() for cell in table[0]]
        assert header[0] == "step"
        assert header[1] == "team"
        assert "wait" in header[2] and "days" in header[2]
        assert "touch" in header[3] and "minutes" in header[3]
        return [
            Step(int(row[0]), row[1], float(row[2]), float(row[3]))
            for row in table[2:]
            if row[0].isdigit()
        ]

    @pytest.fixture
    def figures(self, steps) -> dict[str, float]:
        """Every figure of the example, computed from the table and the stated inputs."""
        touch = sum(s.touch_minutes for s in steps)
        queue = sum(s.wait_days for s in steps)
        touch_days = touch / self.WORKING_DAY_MINUTES
        lead = queue + touch_days
        redone = [s for s in steps if self.RETURNED_TO_STEP <= s.number <= self.CHECK_STEP]
        rework_touch = sum(s.touch_minutes for s in redone)
        rework_queue = sum(s.wait_days for s in redone)
        rework_days = rework_touch / self.WORKING_DAY_MINUTES
        returned_lead = lead + rework_queue + rework_days
        average_lead = (1 - self.REWORK_SHARE) * lead + self.REWORK_SHARE * returned_lead
        first_pass = 100 * touch
        rework = 100 * self.REWORK_SHARE * rework_touch
        hidden_queue = sum(
            s.wait_days for s in steps if self.RETURNED_TO_STEP < s.number <= self.CHECK_STEP
        )
        lean_lead = self.LEAN_QUEUE_DAYS + touch_days
        lean_rework = self.LEAN_CORRECTIONS_PER_100 * rework_touch
        return {
            "touch": touch,
            "queue": queue,
            "touch_days": touch_days,
            "lead": lead,
            "share": touch_days / lead,
            "rework_touch": rework_touch,
            "rework_queue": rework_queue,
            "rework_days": rework_days,
            "returned_lead": returned_lead,
            "average_lead": average_lead,
            "first_pass": first_pass,
            "rework": rework,
            "workload": first_pass + rework,
            "hidden_queue": hidden_queue,
            "faulty_per_day": self.CLAIMS_PER_DAY * self.REWORK_SHARE,
            "lean_lead": lean_lead,
            "lean_share": touch_days / lean_lead,
            "lean_rework": lean_rework,
            "lean_workload": first_pass + lean_rework,
        }

    def test_the_table_lists_six_steps_and_its_total_row_matches_their_sum(self, text, steps):
        assert [s.number for s in steps] == [1, 2, 3, 4, 5, 6]
        total_row = next(
            row for row in first_table(section(text, "Worked example")) if "Total" in row[1]
        )
        assert total_row[2].strip("*") == number(sum(s.wait_days for s in steps))
        assert total_row[3].strip("*") == number(sum(s.touch_minutes for s in steps))

    def test_the_text_states_the_inputs_the_figures_are_computed_from(self, text):
        assert f"receives {self.CLAIMS_PER_DAY} new motor claims a day" in text
        assert f"A working day is 7.5 hours, or {self.WORKING_DAY_MINUTES} minutes" in text
        assert self.WORKING_DAY_MINUTES == 7.5 * 60
        assert f"At step {self.CHECK_STEP}, one file in five (20%)" in text
        assert f"is sent back to step {self.RETURNED_TO_STEP}" in text
        assert f"goes through steps {self.RETURNED_TO_STEP} to {self.CHECK_STEP} again" in text
        assert f"about {self.LEAN_QUEUE_DAYS} day in the team queue" in text
        assert f"{self.LEAN_CORRECTIONS_PER_100} claims in 100 still need a" in text

    def test_touch_time_is_the_sum_of_the_steps(self, text, steps, figures):
        terms = " + ".join(number(s.touch_minutes) for s in steps)
        assert f"{terms} = {number(figures['touch'])} minutes" in text
        assert figures["touch"] == 90

    def test_touch_time_in_working_days(self, text, figures):
        assert (
            f"{number(figures['touch'])} ÷ {self.WORKING_DAY_MINUTES} = "
            f"{number(figures['touch_days'])} working days"
        ) in text
        assert figures["touch_days"] == pytest.approx(0.2)

    def test_lead_time_is_queue_time_plus_touch_time(self, text, figures):
        assert (
            f"{number(figures['queue'])} + {number(figures['touch_days'])} = "
            f"{number(figures['lead'])} working days"
        ) in text
        assert figures["lead"] == pytest.approx(10.2)

    def test_about_2_percent_of_the_lead_time_is_worked_on(self, text, figures):
        share = figures["share"]
        assert (
            f"{number(figures['touch_days'])} ÷ {number(figures['lead'])} = "
            f"{number(round(share, 4))}, about {round(share * 100)}%"
        ) in text
        assert f"For {100 - round(share * 100)}% of its life the claim is waiting" in text
        assert round(share * 100) == 2

    def test_the_rework_loop_adds_45_minutes_and_8_days(self, text, steps, figures):
        redone = [s for s in steps if self.RETURNED_TO_STEP <= s.number <= self.CHECK_STEP]
        touch_terms = " + ".join(number(s.touch_minutes) for s in redone)
        queue_terms = " + ".join(number(s.wait_days) for s in redone)
        assert (
            f"{touch_terms} = {number(figures['rework_touch'])} minutes of touch time "
            f"({number(figures['rework_days'])} days)"
        ) in text
        assert f"{queue_terms} = {number(figures['rework_queue'])} days of queue time" in text
        assert (figures["rework_touch"], figures["rework_queue"]) == (45, 8)

    def test_the_workload_per_100_claims_is_9900_minutes(self, text, figures):
        first_pass, rework, workload = figures["first_pass"], figures["rework"], figures["workload"]
        assert f"100 × {number(figures['touch'])} = {number(first_pass)} minutes" in text
        rework_claims = number(100 * self.REWORK_SHARE)
        assert (
            f"{rework_claims} × {number(figures['rework_touch'])} = {number(rework)} minutes"
            in text
        )
        assert f"{number(first_pass)} + {number(rework)} = {number(workload)} minutes" in text
        assert f"{number(round(rework / first_pass * 100))}% more work" in text
        assert f"{number(workload / 100)} minutes per claim on average" in text
        assert f"each handle {number(100 + rework / figures['rework_touch'])} files" in text
        assert workload == 9900

    def test_the_average_lead_time_with_rework_is_11_82_days(self, text, figures):
        assert (
            f"{number(figures['lead'])} + {number(figures['rework_queue'])} + "
            f"{number(figures['rework_days'])} = {number(figures['returned_lead'])} days"
        ) in text
        lead, returned = figures["lead"], figures["returned_lead"]
        kept, sent_back = 1 - self.REWORK_SHARE, self.REWORK_SHARE
        assert (
            f"{number(kept)} × {number(lead)} + {number(sent_back)} × {number(returned)} = "
            f"{number(round(kept * lead, 4))} + {number(round(sent_back * returned, 4))} = "
            f"{number(round(figures['average_lead'], 4))} days"
        ) in text
        assert figures["average_lead"] == pytest.approx(11.82)

    def test_48_faulty_files_are_in_the_pipeline_before_the_first_comes_back(
        self, text, steps, figures
    ):
        hidden = [s for s in steps if self.RETURNED_TO_STEP < s.number <= self.CHECK_STEP]
        terms = " + ".join(number(s.wait_days) for s in hidden)
        assert f"{terms} = {number(figures['hidden_queue'])} days" in text
        faulty = figures["faulty_per_day"]
        pipeline = faulty * figures["hidden_queue"]
        assert f"{number(faulty)} faulty files are created daily" in text
        assert (
            f"{number(faulty)} × {number(figures['hidden_queue'])} = {number(pipeline)} "
            "faulty files"
        ) in text
        assert pipeline == 48

    def test_the_lean_redesign_takes_1_2_days_with_17_percent_worked_on(self, text, figures):
        assert (
            f"{self.LEAN_QUEUE_DAYS} + {number(figures['touch_days'])} = "
            f"{number(figures['lean_lead'])} days"
        ) in text
        share = figures["lean_share"]
        assert (
            f"{number(figures['touch_days'])} ÷ {number(figures['lean_lead'])} = "
            f"{number(round(share, 3))}, about {round(share * 100)}%"
        ) in text
        assert round(share * 100) == 17

    def test_the_lean_workload_is_9090_minutes_a_saving_of_810(self, text, figures):
        lean_rework, lean_workload = figures["lean_rework"], figures["lean_workload"]
        assert (
            f"{self.LEAN_CORRECTIONS_PER_100} × {number(figures['rework_touch'])} = "
            f"{number(lean_rework)} minutes"
        ) in text
        assert (
            f"{number(figures['first_pass'])} + {number(lean_rework)} = "
            f"{number(lean_workload)} minutes, or {number(lean_workload / 100)} minutes per claim"
        ) in text
        saving = figures["workload"] - lean_workload
        assert (
            f"falls from {number(figures['workload'])} to {number(lean_workload)} minutes, "
            f"a saving of {number(saving)} minutes ({number(saving / 60)} hours)"
        ) in text
        assert (
            f"Average lead time falls from {number(round(figures['average_lead'], 2))} days "
            f"to about {number(figures['lean_lead'])} days"
        ) in text
        assert (lean_workload, saving) == (9090, 810)
