"""Rubrics an instructor scores when an exercise needs review: each criterion 0 to 3.

The A3 rubric follows the usual A3 review practice (Shook, Managing to Learn; Sobek and
Smalley, Understanding A3 Thinking): weights sum to 100; a plan passes at 60 or more with no
criterion at 0.
"""

from dataclasses import dataclass

LEVELS = (0, 1, 2, 3)


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    weight: int
    levels: tuple[str, str, str, str]  # what 0, 1, 2 and 3 look like


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]
    pass_mark: float = 0.6  # of the weighted total
    zero_fails: bool = True  # any criterion at 0 fails the work

    def score(self, levels: dict[str, int]) -> float:
        total = sum(c.weight for c in self.criteria)
        return sum(c.weight * levels[c.id] / 3 for c in self.criteria) / total

    def passes(self, levels: dict[str, int]) -> bool:
        if self.zero_fails and any(levels[c.id] == 0 for c in self.criteria):
            return False
        return self.score(levels) >= self.pass_mark - 1e-9


A3_RUBRIC = Rubric(
    (
        Criterion(
            "problem",
            "Problem framing",
            15,
            (
                "A solution dressed up as a problem",
                "The problem is vague",
                "Specific, but the gap is not measured",
                "A measured gap against a standard, with its scope and impact",
            ),
        ),
        Criterion(
            "current",
            "Current condition",
            15,
            (
                "Opinion only",
                "Some data",
                "Data and a picture of the process",
                "Seen at the work itself, data broken down, baseline period stated",
            ),
        ),
        Criterion(
            "goal",
            "Goal",
            10,
            (
                "Missing",
                "A direction only",
                "Measurable",
                "Measurable, dated, tied to the background and realistic",
            ),
        ),
        Criterion(
            "root_cause",
            "Root cause",
            20,
            (
                "Jumps to a cause",
                "Lists possible causes",
                "A logical chain of causes",
                "A chain checked with data, ending at a cause the team can control",
            ),
        ),
        Criterion(
            "countermeasures",
            "Countermeasures",
            15,
            (
                "Unrelated to the causes",
                "Partly linked to the causes",
                "Linked to the causes",
                "Linked, with expected effects and alternatives weighed",
            ),
        ),
        Criterion(
            "plan",
            "Plan",
            10,
            (
                "Missing",
                "Tasks only",
                "Tasks with owners and dates",
                "Realistic order of work, including who is told what",
            ),
        ),
        Criterion(
            "check",
            "Check",
            10,
            (
                "Missing",
                "Anecdotes",
                "The metric before and after",
                "Before and after with a test or a run chart; side effects noted",
            ),
        ),
        Criterion(
            "act",
            "Act and standardise",
            5,
            (
                "Missing",
                "'Keep an eye on it'",
                "The standard is updated",
                "Standardised, spread to others, lessons and the next problem named",
            ),
        ),
    )
)

OVERALL_RUBRIC = Rubric(
    (
        Criterion(
            "overall",
            "Overall quality",
            100,
            (
                "Does not address the task",
                "Partly addresses the task",
                "Addresses the task soundly",
                "Thorough, well reasoned and clearly argued",
            ),
        ),
    ),
    pass_mark=0.6,
    zero_fails=False,
)
