"""Project charters: for a service case with the learner's own figures, the learner writes the
problem statement, works out the baseline, sets a SMART goal, puts scope items in or out,
costs the problem and the benefit of the goal in money, and names the team's roles.

Grading is structural and deterministic (LSS reference §2.0). The problem statement is
checked for its elements (the metric, the baseline figure, a time window, no cause or
solution), the goal against the case's figures (same metric, a target that improves enough
but has evidence behind it, a date in the window), and the money against the learner's own
goal and baseline, so one slip costs one part (errors carried forward). How well the charter
is argued is for a reviewer: with `review: required` the attempt goes to an instructor, who
scores CHARTER_RUBRIC.
"""

import random
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.grading.keywords import mentions, says
from app.grading.kinds.base import Answer, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Line, Range, Slug
from app.grading.kinds.written import IsoDate, WrittenReader
from app.grading.numbers import NumberFormatError, Tolerance, format_number, judge, parse_number
from app.grading.results import GradeResult, PartResult
from app.grading.rubrics import Criterion, Rubric

TEXT_LIMIT = 600
CAUSE_WORDS = ("because", "due to", "caused by", "owing to", "as a result of", "result from")
SOLUTION_WORDS = (
    "implement",
    "install",
    "introduce",
    "hire",
    "recruit",
    "new system",
    "automate",
    "buy",
    "deploy",
    "we need",
)
_TIME = re.compile(
    r"\b(?:(?:19|20)\d\d|q[1-4]|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*"
    r"|oct\w*|nov\w*|dec\w*|quarter\w*|month\w*|week\w*|year\w*|fortnight\w*)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")

# Reading the form.
NO_SIDE = "choose in scope or out of scope."
NO_PERSON = "choose a person from the list."

# Grading: what is missing, without giving the answer away.
PROBLEM_METRIC = "The problem statement does not name the case's metric."
PROBLEM_FIGURE = "The problem statement does not give the baseline figure: say how big the gap is."
PROBLEM_TIME = "The problem statement has no time window: say over which period it was measured."
PROBLEM_CAUSE = (
    "The problem statement names a cause (“{word}”): causes are for Analyse, once the data "
    "have confirmed them."
)
PROBLEM_SOLUTION = (
    "The problem statement proposes a solution (“{word}”): describe the gap, not the fix."
)
PROBLEM_OK = "Complete: the metric, the baseline figure and the period, with no cause or solution."
BASELINE_NOTE = {
    "correct": "Correct.",
    "rounding": "Close, but not the case's figure: keep one decimal of the percentage.",
    "scale": "Off by a factor of 100: give the baseline as a percentage (31.5), not a fraction.",
    "wrong": "Not the case's figure: divide the late cases by all the cases in the period.",
}
GOAL_METRIC = "The goal is not in the problem's metric: a goal in another measure can be met "
GOAL_METRIC += "without fixing the problem."
GOAL_DIRECTION = "The target does not improve on the baseline: this metric has to come down."
GOAL_AMBITION = "The target does not go as far as the sponsor asks in the case."
GOAL_FLOOR = (
    "The target is below what any team achieves today, and the case gives no evidence that it "
    "can be reached."
)
GOAL_DATE_EARLY = "The date is not after the charter's date ({case_date})."
GOAL_DATE_LATE = "The date is later than the deadline the sponsor gives in the case."
GOAL_OK = "Complete: the problem's metric, a target with evidence behind it, and a date in range."
SCOPE_WRONG = (
    "{count} of the {total} items are on the wrong side. What the problem is about must be in; "
    "what the sponsor excludes, or the team cannot change, is out."
)
SCOPE_OK = "Correct: every item is on the right side."
MONEY_NOTE = {
    "correct": "Correct.",
    "carried": "Consistent with your own baseline and goal, so no further marks are lost here.",
    "rounding": "Close, but outside the tolerance: keep the unrounded baseline until the end.",
    "scale": "Off by a factor of 100: the baseline and target are percentages, so divide by 100.",
    "per_period": "This is the figure for one {period}: the business case is asked per year.",
    "all": "This is the cost of the whole problem: the goal removes only part of it, so claim "
    "only the difference between the baseline and the target.",
    "remaining": "This costs the late cases left at the goal, not the ones the goal removes.",
    "cost_wrong": "Cost the late cases in a year at the cost of each late case.",
    "benefit_wrong": "Cost the late cases the goal removes in a year: the volume × (baseline − "
    "target) × the cost of each late case.",
}
TEAM_WRONG = "{role}: {hint}"
TEAM_OK = "Correct: each role is held by the right person."

IntRange = Range[Annotated[int, Field(ge=1, le=10_000_000)]]
RateRange = Range[Annotated[float, Field(gt=0, lt=1)]]


class ScopeItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Slug
    text: Line
    side: Literal["in", "out"]


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Slug
    name: Line
    title: Line


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Slug
    label: Line
    person: Slug
    hint: Line  # what the role needs, shown when the wrong person holds it


class ReferenceCharter(BaseModel):
    """The model answer's prose and goal. `{baseline}`, `{late}` and `{volume}` in the problem
    are replaced with the learner's own figures."""

    model_config = ConfigDict(extra="forbid")
    problem: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_LIMIT)
    ]
    goal_metric: Line
    target: float = Field(ge=0, le=100)
    deadline: IsoDate


class CharterParams(BaseModel):
    """The case: its date and metric, the figures each learner's variant is drawn from, the
    sponsor's ambition and deadline, the scope items, the people and the roles."""

    model_config = ConfigDict(extra="forbid")

    case_date: IsoDate
    metric: Line
    metric_synonyms: list[Line] = Field(default_factory=list, max_length=20)
    unit_name: str = Field(default="cases", min_length=1, max_length=40)  # claims, invoices
    period: str = Field(default="quarter", min_length=1, max_length=20)
    periods_per_year: int = Field(default=4, ge=1, le=52)
    currency: str = Field(default="£", min_length=1, max_length=3)
    volume: IntRange  # units per period
    defect_rate: RateRange  # the share of units that are defective (late)
    cost_per_defect: IntRange  # whole currency units
    target_ratio: float = Field(default=0.5, gt=0, lt=1)  # target at most this × baseline
    target_floor: float = Field(default=0, ge=0, le=100)  # best performance seen, in percent
    deadline_latest: IsoDate
    cause_words: list[Line] = Field(default_factory=lambda: list(CAUSE_WORDS))
    solution_words: list[Line] = Field(default_factory=lambda: list(SOLUTION_WORDS))
    scope: list[ScopeItem] = Field(min_length=2, max_length=16)
    people: list[Person] = Field(min_length=2, max_length=12)
    roles: list[Role] = Field(min_length=1, max_length=8)
    reference: ReferenceCharter

    @model_validator(mode="after")
    def _consistent(self) -> "CharterParams":
        for name, items in (("scope", self.scope), ("people", self.people), ("roles", self.roles)):
            ids = [item.id for item in items]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{name} ids must be unique")
        people = {p.id for p in self.people}
        for role in self.roles:
            if role.person not in people:
                raise ValueError(f"role {role.id} names an unknown person: {role.person}")
        if self.deadline_latest <= self.case_date:
            raise ValueError("deadline_latest must fall after case_date")
        ref = self.reference
        if not self.case_date < ref.deadline <= self.deadline_latest:
            raise ValueError(
                "the reference deadline must fall after case_date and by deadline_latest"
            )
        lowest = self.defect_rate.min * 100
        if not self.target_floor <= ref.target <= self.target_ratio * lowest:
            raise ValueError(
                "the reference target must lie between target_floor and target_ratio × the "
                "lowest baseline the defect_rate range allows"
            )
        if mentions(ref.goal_metric, self.metrics) is None:
            raise ValueError("the reference goal_metric does not name the metric")
        return self

    @property
    def metrics(self) -> list[str]:
        return [self.metric, *self.metric_synonyms]


def default_parts() -> dict[str, PartSpec]:
    money = Tolerance(rtol=0.01)
    return {
        "problem": PartSpec("Problem statement", weight=15),
        "baseline": PartSpec("Baseline", "percent", 10, Tolerance(atol=0.05)),
        "goal": PartSpec("Goal statement (SMART)", weight=20),
        "scope": PartSpec("Scope", weight=10),
        "cost": PartSpec("Cost of the problem per year", weight=10, tolerance=money),
        "benefit": PartSpec("Benefit of the goal per year", weight=20, tolerance=money),
        "team": PartSpec("Team roles", weight=15),
    }


CHARTER_RUBRIC = Rubric(
    (
        Criterion("problem", "Problem statement", 20, (
            "A cause or a solution dressed up as a problem",
            "Vague: no figure or no period",
            "Measured, with its period",
            "Measured against a standard, with where, when and why it matters to customers",
        )),
        Criterion("goal", "Goal", 15, (
            "Missing or in another measure",
            "A direction only",
            "Baseline, target and date in the problem's measure",
            "SMART, with the evidence that the target can be reached",
        )),
        Criterion("business_case", "Business case", 20, (
            "No money",
            "The cost of the whole problem claimed as the benefit",
            "The benefit of the goal, worked out from the case's figures",
            "The benefit of the goal, its assumptions stated and agreed with finance",
        )),
        Criterion("scope", "Scope", 15, (
            "Missing",
            "In scope only",
            "In and out, consistent with the problem",
            "In and out, with the first and last process step and the reasons for exclusions",
        )),
        Criterion("team", "Team", 10, (
            "Missing",
            "Names without roles",
            "Sponsor, process owner and lead named",
            "Roles named, with the time each will give",
        )),
        Criterion("consistency", "Sections agree", 20, (
            "The sections contradict each other",
            "Several sections disagree",
            "One minor disagreement",
            "Problem, goal, business case and scope read as one story",
        )),
    )
)  # fmt: skip


class CharterKind(Kind):
    name = "charter"
    title = "Project charter"
    Params = CharterParams
    template = "exercises/kinds/charter.html"

    def parts(self, params: CharterParams) -> dict[str, PartSpec]:
        return default_parts()

    def rubric(self, params: CharterParams) -> Rubric:
        return CHARTER_RUBRIC

    def generate(self, params: CharterParams, rng: random.Random) -> Variant:
        volume = rng.randint(params.volume.min, params.volume.max)
        rate = rng.uniform(params.defect_rate.min, params.defect_rate.max)
        late = max(1, min(volume - 1, round(volume * rate)))
        cost = rng.randint(params.cost_per_defect.min, params.cost_per_defect.max)
        baseline = late / volume * 100
        per_year = params.periods_per_year
        target = params.reference.target
        day = params.case_date
        return {
            "case_date": day.isoformat(),
            "case_date_text": f"{day.day} {day:%B %Y}",
            "deadline_latest": params.deadline_latest.isoformat(),
            "period": params.period,
            "currency": params.currency,
            "volume": volume,
            "late": late,
            "cost_per_defect": cost,
            # What the worked solution quotes:
            "baseline": round(baseline, 1),
            "volume_year": volume * per_year,
            "late_year": late * per_year,
            "cost_year": late * per_year * cost,
            "target": target,
            "late_at_goal_year": round(volume * per_year * target / 100),
            "benefit_year": round(volume * per_year * (baseline - target) / 100 * cost),
            "scope": [{"id": s.id, "text": s.text} for s in params.scope],
            "people": [{"id": p.id, "name": p.name, "title": p.title} for p in params.people],
            "roles": [{"id": r.id, "label": r.label} for r in params.roles],
        }

    def parse(self, params: CharterParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = _CharterReader(raw, TEXT_LIMIT)
        answer: Answer = {
            "problem": reader.text("problem", "Problem statement"),
            "baseline": reader.number("baseline", "Baseline", "percent"),
            "goal_metric": reader.text("goal_metric", "Goal metric", limit=160),
            "target": reader.number("target", "Target", "percent"),
            "deadline": reader.date("deadline", "Reached by"),
            "cost": reader.money("cost", "Cost of the problem per year", params.currency),
            "benefit": reader.money("benefit", "Benefit of the goal per year", params.currency),
            "scope": {},
            "team": {},
        }
        for n, item in enumerate(params.scope, start=1):
            side = single(raw, f"scope-{item.id}").strip()
            if side not in ("in", "out"):
                reader.error(f"scope-{item.id}", f"Scope item {n}", NO_SIDE)
            answer["scope"][item.id] = side
        people = {p.id for p in params.people}
        for role in params.roles:
            person = single(raw, f"role-{role.id}").strip()
            if person not in people:
                reader.error(f"role-{role.id}", role.label, NO_PERSON)
            answer["team"][role.id] = person
        reader.done()
        return answer

    def solve(self, params: CharterParams, variant: Variant) -> Answer:
        ref = params.reference
        figures = _figures(params, variant)
        problem = (
            ref.problem.replace("{baseline}", f"{variant['baseline']:.1f}")
            .replace("{late}", f"{variant['late']:,}")
            .replace("{volume}", f"{variant['volume']:,}")
        )
        return {
            "problem": problem,
            "baseline": figures.baseline,
            "goal_metric": ref.goal_metric,
            "target": ref.target,
            "deadline": ref.deadline,
            "cost": figures.cost(figures.baseline),
            "benefit": figures.benefit(figures.baseline, ref.target),
            "scope": {item.id: item.side for item in params.scope},
            "team": {role.id: role.person for role in params.roles},
        }

    def grade(
        self, params: CharterParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        grader = _Grader(params, variant, answer, parts, self.solve(params, variant))
        return GradeResult(
            [grader.problem(), grader.baseline(), grader.goal(), grader.scope(), grader.cost(),
             grader.benefit(), grader.team()]
        )  # fmt: skip

    def to_form(
        self, params: CharterParams, variant: Variant, answer: Answer
    ) -> dict[str, list[str]]:
        form = {
            "problem": [answer["problem"]],
            "goal_metric": [answer["goal_metric"]],
            "baseline": [repr(answer["baseline"])],
            "target": [repr(answer["target"])],
            "deadline": [answer["deadline"].isoformat()],
            "cost": [repr(answer["cost"])],
            "benefit": [repr(answer["benefit"])],
        }
        form.update({f"scope-{k}": [side] for k, side in answer["scope"].items()})
        form.update({f"role-{k}": [person] for k, person in answer["team"].items()})
        return form


class _Figures:
    """The case's money, from any baseline (in percent) and target."""

    def __init__(self, params: CharterParams, variant: Variant) -> None:
        self.units_year = variant["volume"] * params.periods_per_year
        self.each = variant["cost_per_defect"]
        self.baseline = variant["late"] / variant["volume"] * 100

    def cost(self, baseline: float) -> float:
        return self.units_year * baseline / 100 * self.each

    def benefit(self, baseline: float, target: float) -> float:
        return self.units_year * (baseline - target) / 100 * self.each


def _figures(params: CharterParams, variant: Variant) -> _Figures:
    return _Figures(params, variant)


class _CharterReader(WrittenReader):
    def money(self, field: str, label: str, currency: str) -> float | None:
        text = single(self.raw, field).strip()
        for symbol in (currency, "£", "$", "€"):
            text = text.removeprefix(symbol).strip()
        try:
            return parse_number(text)
        except NumberFormatError as error:
            self.error(field, label, str(error))
            return None


class _Grader:
    def __init__(
        self,
        params: CharterParams,
        variant: Variant,
        answer: Answer,
        parts: dict[str, PartSpec],
        key: Answer,
    ) -> None:
        self.params, self.variant, self.answer, self.parts, self.key = (
            params, variant, answer, parts, key
        )  # fmt: skip
        self.figures = _figures(params, variant)

    def _result(self, name: str, checks: list[tuple[bool, str]], done: str, expected: str):  # type: ignore[no-untyped-def]
        part = self.parts[name]
        notes = [note for ok, note in checks if not ok]
        score = sum(ok for ok, _ in checks) / len(checks)
        return PartResult(name, part.label, score, part.weight, " ".join(notes) or done, expected)

    def _baselines(self) -> list[float]:
        """The true baseline, and the learner's own when it is a different, plausible one."""
        own = self.answer["baseline"]
        return [self.figures.baseline] + ([own] if 0 < own < 100 else [])

    def problem(self) -> PartResult:
        text = self.answer["problem"]
        figures = {self.variant["late"], self.variant["late_year"]}
        numbers = [_number(token) for token in _NUMBER.findall(text)]
        quotes = any(
            n is not None and (n in figures or any(abs(n - b) <= 0.051 for b in self._baselines()))
            for n in numbers
        )
        cause = next((w for w in self.params.cause_words if says(text, w)), None)
        solution = next((w for w in self.params.solution_words if says(text, w)), None)
        checks = [
            (mentions(text, self.params.metrics) is not None, PROBLEM_METRIC),
            (quotes, PROBLEM_FIGURE),
            (bool(_TIME.search(text)), PROBLEM_TIME),
            (cause is None and solution is None,
             PROBLEM_CAUSE.format(word=cause) if cause else PROBLEM_SOLUTION.format(word=solution)),
        ]  # fmt: skip
        return self._result("problem", checks, PROBLEM_OK, self.key["problem"])

    def baseline(self) -> PartResult:
        part = self.parts["baseline"]
        judgement = judge(self.answer["baseline"], self.figures.baseline, part.tolerance)
        expected = f"{format_number(self.figures.baseline, 1)}%"
        return PartResult("baseline", part.label, judgement.score, part.weight,
                          BASELINE_NOTE[judgement.verdict], expected)  # fmt: skip

    def goal(self) -> PartResult:
        a, params = self.answer, self.params
        baseline = self.figures.baseline
        target = a["target"]
        improves = target < baseline
        checks = [
            (mentions(a["goal_metric"], params.metrics) is not None, GOAL_METRIC),
            (improves, GOAL_DIRECTION),
            (not improves or target <= params.target_ratio * baseline + 0.05, GOAL_AMBITION),
            (target >= params.target_floor - 1e-9, GOAL_FLOOR),
            (a["deadline"] > params.case_date,
             GOAL_DATE_EARLY.format(case_date=params.case_date.isoformat())),
            (a["deadline"] <= params.deadline_latest, GOAL_DATE_LATE),
        ]  # fmt: skip
        ref = params.reference
        expected = (
            f"{ref.goal_metric}: from {format_number(baseline, 1)}% to "
            f"{format_number(ref.target)}% by {ref.deadline.isoformat()}"
        )
        return self._result("goal", checks, GOAL_OK, expected)

    def scope(self) -> PartResult:
        part = self.parts["scope"]
        items = self.params.scope
        wrong = sum(self.answer["scope"][item.id] != item.side for item in items)
        feedback = SCOPE_WRONG.format(count=wrong, total=len(items)) if wrong else SCOPE_OK
        expected = "In: " + "; ".join(i.text for i in items if i.side == "in")
        expected += ". Out: " + "; ".join(i.text for i in items if i.side == "out") + "."
        return PartResult("scope", part.label, 1 - wrong / len(items), part.weight,
                          feedback, expected)  # fmt: skip

    def _money(
        self, name: str, key: float, right: list[float], mistakes: dict[str, list[float]]
    ) -> PartResult:
        """Full marks for any of `right`, worked from the true baseline first and then from
        the learner's own (carried forward); a named mistake otherwise."""
        part = self.parts[name]
        given = self.answer[name]
        tolerance = part.tolerance
        expected = f"{self.params.currency}{format_number(key, 0)}"
        for n, value in enumerate(right):
            if tolerance.accepts(given, value):
                note = MONEY_NOTE["correct" if n == 0 else "carried"]
                return PartResult(name, part.label, 1.0, part.weight, note, expected)
        for mistake, values in mistakes.items():
            if any(tolerance.accepts(given, value) for value in values):
                note = MONEY_NOTE[mistake].format(period=self.params.period)
                return PartResult(name, part.label, 0.0, part.weight, note, expected)
        best = min(right or [key], key=lambda value: abs(given - value))
        judgement = judge(given, best, tolerance)
        note = MONEY_NOTE[judgement.verdict] if judgement.verdict != "wrong" else None
        note = note or MONEY_NOTE[f"{name}_wrong"]
        return PartResult(name, part.label, judgement.score, part.weight, note, expected)

    def cost(self) -> PartResult:
        right = [self.figures.cost(b) for b in self._baselines()]
        per_period = [value / self.params.periods_per_year for value in right]
        return self._money("cost", self.key["cost"], right, {"per_period": per_period})

    def benefit(self) -> PartResult:
        f, target = self.figures, self.answer["target"]
        baselines = self._baselines()
        right = [f.benefit(b, target) for b in baselines if b > target]
        whole = [f.cost(b) for b in baselines]
        mistakes = {
            "all": whole,
            "per_period": [value / self.params.periods_per_year for value in right],
            "remaining": [f.cost(target)],
        }
        return self._money("benefit", self.key["benefit"], right, mistakes)

    def team(self) -> PartResult:
        part = self.parts["team"]
        roles = self.params.roles
        wrong = [r for r in roles if self.answer["team"][r.id] != r.person]
        names = {p.id: p.name for p in self.params.people}
        feedback = " ".join(TEAM_WRONG.format(role=r.label, hint=r.hint) for r in wrong) or TEAM_OK
        expected = "; ".join(f"{r.label}: {names[r.person]}" for r in roles)
        return PartResult("team", part.label, 1 - len(wrong) / len(roles), part.weight,
                          feedback, expected)  # fmt: skip


def _number(token: str) -> float | None:
    try:
        return parse_number(token.rstrip(".,"))
    except NumberFormatError:
        return None
