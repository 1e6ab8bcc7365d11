"""PDCA improvement plans in A3 form (LSS reference §5): for a service case the learner writes
the problem, the baseline, a goal, a 5-whys chain, countermeasures with owners and due dates,
how the effect will be checked, and whether the change is standardised or adjusted.

Grading is structural and deterministic (§5.2): numbers, units, metrics, dates and the links
between sections are checked, never the quality of the prose, which the rubric (§5.3) leaves
to a reviewer. Parse refuses only what cannot be read: a missing field, a number or date that
is not one, text over the limit, or a countermeasure row that is incomplete or points to a
why that was left empty.
"""

import random
import re
from collections.abc import Iterable
from statistics import fmean
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    StringConstraints,
    model_validator,
)

from app.grading.kinds.base import Answer, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.written import IsoDate, WrittenReader
from app.grading.numbers import (
    NumberFormatError,
    Tolerance,
    Unit,
    format_number,
    judge,
    parse_number,
)
from app.grading.results import GradeResult, PartResult
from app.grading.rubrics import A3_RUBRIC, Rubric

TEXT_LIMIT = 500
WHY_SLOTS = 7
MAX_ROWS = 8
SOLUTION_WORDS = ("implement", "install", "buy", "new system", "introduce", "deploy")
STANDARD_ITEMS = (
    "standard work",
    "standard operating procedure",
    "sop",
    "standard",
    "checklist",
    "check list",
    "training",
    "train",
    "control plan",
    "procedure",
    "work instruction",
    "documentation",
    "document",
)
ADJUST_WORDS = ("countermeasure", "cause", "why", "cycle", "pdca", "replan", "re plan")
FREQUENCY_WORDS = (
    "hourly",
    "daily",
    "weekly",
    "fortnightly",
    "monthly",
    "quarterly",
    "every",
    "each",
    "per",
    "once",
    "twice",
    "day",
    "week",
    "fortnight",
    "month",
    "quarter",
)
COMPARISON_WORDS = ("baseline", "before")
ACT_CHOICES = {"standardise": "standardise", "standardize": "standardise", "adjust": "adjust"}

# Reading the form: each message follows the field's label.
MISSING_OWNER = "say who owns this action."
MISSING_CAUSE = "choose the why this action addresses."
NOT_A_CAUSE = "enter the number of the why it addresses, 1 to {slots}."
EMPTY_CAUSE = "why {n} is empty: point to a why you filled in."
NO_CHOICE = "choose standardise or adjust."
ROW_WITHOUT_ACTION = "describe the action, or clear the rest of this row."

# Grading: what is missing, without giving the answer away.
PROBLEM_NO_NUMBER = "The problem statement has no figure: quantify the gap with the case's data."
PROBLEM_NO_UNIT = "The problem statement gives no unit: say what the figure is measured in."
PROBLEM_SOLUTION = (
    "The problem statement proposes a solution (“{word}”): describe the gap, and keep "
    "countermeasures for later."
)
PROBLEM_NO_METRIC = "The problem statement does not name the metric the case is about."
PROBLEM_OK = "Complete: a figure with its unit, in the case's metric, and no solution in it."
BASELINE_METRIC = "The baseline metric is not the one the case measures."
BASELINE_VALUE_NOTE = {
    "correct": None,
    "rounding": "The baseline value is close, but not the case's figure: copy it as given.",
    "scale": "The baseline value is off by a factor of 100: give it in the case's unit.",
    "wrong": "The baseline value does not match the case data: take it from the prompt.",
}
BASELINE_UNIT = "The baseline unit does not match the unit the case uses."
BASELINE_OK = "Complete: the case's metric, value and unit."
GOAL_METRIC = (
    "The goal is set in a different metric from the problem, so its target cannot improve on "
    "the baseline: target the metric of your baseline."
)
GOAL_DIRECTION = {
    "decrease": "The target does not improve on the baseline: this metric has to come down.",
    "increase": "The target does not improve on the baseline: this metric has to go up.",
}
GOAL_DEADLINE = "The deadline is not after the A3 date ({case_date}): set a date in the future."
GOAL_OK = "Complete: a target in the problem's metric that improves on the baseline, with a date."
WHYS_TOO_FEW = "The chain has {count} why{s}: keep asking why at least {needed} times."
WHYS_GAP = "Why {n} is empty: fill the chain from why 1, without gaps."
WHYS_REPEAT = "Why {n} repeats why {previous}: each answer should go one level further."
WHYS_OK = "Complete: a chain of {count} whys, each different from the one before."
CM_NONE = "There are no countermeasures: add at least one action tied to a why."
CM_EARLY = "Countermeasure {row} is due before the A3 date: schedule it on or after {case_date}."
CM_LATE = "Countermeasure {row} is due after the goal deadline: it must be in place by then."
CM_DEEPEST = (
    "No countermeasure addresses the deepest why (why {n}): act on the root cause, "
    "not only on its symptoms."
)
CM_OK = "Complete: every action is tied to a why, owned and scheduled; the root cause is tackled."
CHECK_METRIC = "The check does not name the goal's metric: measure what you set the target in."
CHECK_FREQUENCY = "The check does not say how often or when you will measure."
CHECK_COMPARISON = "The check does not compare the results with the baseline."
CHECK_OK = "Complete: the goal's metric, how often it is measured, and a baseline comparison."
ACT_NO_STANDARD = (
    "You chose to standardise but did not say how: name a standardisation item, such as "
    "standard work, a checklist, training, a control plan or a procedure."
)
ACT_VAGUE_ADJUST = (
    "You chose to adjust but did not say what: name the countermeasure or cause you will "
    "revisit, or the next PDCA cycle."
)
ACT_OK = {
    "standardise": "Complete: the change will be standardised, and you say how.",
    "adjust": "Complete: you say what the next cycle will adjust.",
}

_CAUSE = re.compile(r"(?:why\s*-?\s*)?([0-9]{1,2})", re.IGNORECASE)
_DIGIT = re.compile(r"[0-9]")
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
_WORD = re.compile(r"[^\W_]+")
_ENDINGS = ("", "e", "s", "es", "d", "ed", "ing", "ion", "tion", "ation", "ment")


def _has_a_word(value: str) -> str:
    if not _words(value):
        raise ValueError("needs at least one word or number")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_LIMIT)]
Phrase = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    AfterValidator(_has_a_word),
]


class ReferenceCountermeasure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Text
    cause: int = Field(ge=1, le=WHY_SLOTS)
    owner: Text
    due: IsoDate


class ReferencePlan(BaseModel):
    """A complete model plan for the case: what solve() returns."""

    model_config = ConfigDict(extra="forbid")

    problem: Text
    baseline_metric: Text
    baseline_value: FiniteFloat
    baseline_unit: Text
    goal_metric: Text
    goal_target: FiniteFloat
    goal_deadline: IsoDate
    whys: list[Text] = Field(min_length=1, max_length=WHY_SLOTS)
    countermeasures: list[ReferenceCountermeasure] = Field(min_length=1, max_length=MAX_ROWS)
    check_metric: Text
    check_frequency: Text
    check_comparison: Text
    act_choice: Literal["standardise", "adjust"]
    act_detail: Text


class PdcaParams(BaseModel):
    """What the case fixes: its date, the metric and its unit, the baseline, and a model plan."""

    model_config = ConfigDict(extra="forbid")

    case_date: IsoDate
    metric: Phrase
    metric_synonyms: list[Phrase] = Field(default_factory=list, max_length=20)
    unit: Phrase
    unit_synonyms: list[Phrase] = Field(default_factory=list, max_length=10)
    direction: Literal["decrease", "increase"]
    baseline: FiniteFloat
    min_whys: int = Field(default=3, ge=1, le=WHY_SLOTS)
    max_countermeasures: int = Field(default=5, ge=1, le=MAX_ROWS)
    solution_words: list[Phrase] = Field(default_factory=lambda: list(SOLUTION_WORDS))
    reference: ReferencePlan

    @model_validator(mode="after")
    def _reference_passes_its_own_checks(self) -> "PdcaParams":
        plan = self.reference
        if len(plan.countermeasures) > self.max_countermeasures:
            raise ValueError("reference has more countermeasures than max_countermeasures")
        for n, countermeasure in enumerate(plan.countermeasures, start=1):
            if countermeasure.cause > len(plan.whys):
                raise ValueError(f"reference countermeasure {n} points past the last why")
        failing = [
            part
            for part in grade_plan(self, reference_answer(self), default_parts()).parts
            if part.score < 1
        ]
        if failing:
            notes = " ".join(f"[{part.name}] {part.feedback}" for part in failing)
            raise ValueError(f"the reference plan fails its own checks: {notes}")
        return self

    @property
    def metrics(self) -> list[str]:
        return [self.metric, *self.metric_synonyms]

    @property
    def units(self) -> list[str]:
        return [self.unit, *self.unit_synonyms]

    @property
    def number_unit(self) -> Unit:
        """Percent cases accept a typed % sign on the baseline and the target."""
        return "percent" if _words(self.unit) == ["percent"] else "number"


def default_parts() -> dict[str, PartSpec]:
    """Weights follow the rubric (§5.3), with the plan's rows counted with countermeasures."""
    return {
        "problem": PartSpec("Problem statement", weight=15),
        "baseline": PartSpec("Baseline", weight=15, tolerance=Tolerance(rtol=0.01)),
        "goal": PartSpec("Goal", weight=10),
        "root_cause": PartSpec("Root cause (5 whys)", weight=20),
        "countermeasures": PartSpec("Countermeasures and plan", weight=25),
        "check": PartSpec("Check", weight=10),
        "act": PartSpec("Act", weight=5),
    }


class PdcaKind(Kind):
    name = "pdca"
    title = "PDCA improvement plan"
    Params = PdcaParams
    template = "exercises/kinds/pdca.html"

    def parts(self, params: PdcaParams) -> dict[str, PartSpec]:
        return default_parts()

    def generate(self, params: PdcaParams, rng: random.Random) -> Variant:
        # Every learner gets the same case: the plan, not the numbers, is the exercise.
        day = params.case_date
        return {
            "case_date": day.isoformat(),
            "case_date_text": f"{day.day} {day:%B %Y}",
            "metric": params.metric,
            "unit": params.unit,
            "direction": params.direction,
            "baseline": params.baseline,
            "min_whys": params.min_whys,
            "why_slots": WHY_SLOTS,
            "max_countermeasures": params.max_countermeasures,
        }

    def parse(self, params: PdcaParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = _PlanReader(raw, TEXT_LIMIT)
        unit = params.number_unit
        answer: Answer = {
            "problem": reader.text("problem", "Problem statement"),
            "baseline_metric": reader.text("baseline_metric", "Baseline metric"),
            "baseline_value": reader.number("baseline_value", "Baseline value", unit),
            "baseline_unit": reader.text("baseline_unit", "Baseline unit"),
            "goal_metric": reader.text("goal_metric", "Goal metric"),
            "goal_target": reader.number("goal_target", "Goal target", unit),
            "goal_deadline": reader.date("goal_deadline", "Goal deadline"),
            "whys": reader.whys(),
        }
        answer["countermeasures"] = [
            row
            for n in range(1, params.max_countermeasures + 1)
            if (row := reader.countermeasure(n, answer["whys"])) is not None
        ]
        answer.update(
            check_metric=reader.text("check_metric", "Check metric"),
            check_frequency=reader.text("check_frequency", "Check frequency"),
            check_comparison=reader.text("check_comparison", "Check comparison"),
            act_choice=reader.choice("act_choice", "Act"),
            act_detail=reader.text("act_detail", "Act detail"),
        )
        reader.done()
        return answer

    def solve(self, params: PdcaParams, variant: Variant) -> Answer:
        return reference_answer(params)

    def grade(
        self, params: PdcaParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        return grade_plan(params, answer, parts)

    def rubric(self, params: PdcaParams) -> Rubric:
        return A3_RUBRIC

    def to_form(self, params: PdcaParams, variant: Variant, answer: Answer) -> dict[str, list[str]]:
        form = {
            name: [str(answer[name])]
            for name in (
                "problem",
                "baseline_metric",
                "baseline_unit",
                "goal_metric",
                "check_metric",
                "check_frequency",
                "check_comparison",
                "act_choice",
                "act_detail",
            )
        }
        form.update(
            baseline_value=[repr(answer["baseline_value"])],
            goal_target=[repr(answer["goal_target"])],
            goal_deadline=[answer["goal_deadline"].isoformat()],
        )
        form.update({f"why-{n}": [why] for n, why in enumerate(answer["whys"], start=1)})
        for row in answer["countermeasures"]:
            prefix = f"cm-{row['row']}"
            form[f"{prefix}-action"] = [row["action"]]
            form[f"{prefix}-cause"] = [str(row["cause"])]
            form[f"{prefix}-owner"] = [row["owner"]]
            form[f"{prefix}-due"] = [row["due"].isoformat()]
        return form


def reference_answer(params: PdcaParams) -> Answer:
    plan = params.reference
    answer = plan.model_dump(exclude={"countermeasures"})
    answer["countermeasures"] = [
        {"row": n, **countermeasure.model_dump()}
        for n, countermeasure in enumerate(plan.countermeasures, start=1)
    ]
    return answer


class _PlanReader(WrittenReader):
    """Reads the plan's fields, collecting every problem with its field's label."""

    def choice(self, field: str, label: str) -> str:
        value = ACT_CHOICES.get(single(self.raw, field).strip().casefold(), "")
        if not value:
            self.error(field, label, NO_CHOICE)
        return value

    def whys(self) -> list[str]:
        """The chain up to its last filled why; blanks inside it stay, for grading."""
        whys = [self.text(f"why-{n}", f"Why {n}", None) for n in range(1, WHY_SLOTS + 1)]
        while whys and not whys[-1]:
            whys.pop()
        return whys

    def countermeasure(self, n: int, whys: list[str]) -> dict[str, Any] | None:
        """Row n when its action is filled; an incomplete row is an error, an empty one None."""
        prefix, label = f"cm-{n}", f"Countermeasure {n}"
        action = self.text(f"{prefix}-action", f"{label} action", None)
        if not action:
            if any(single(self.raw, f"{prefix}-{f}").strip() for f in ("cause", "owner", "due")):
                self.error(f"{prefix}-action", f"{label} action", ROW_WITHOUT_ACTION)
            return None
        return {
            "row": n,
            "action": action,
            "cause": self.cause(f"{prefix}-cause", f"{label} cause", whys),
            "owner": self.text(f"{prefix}-owner", f"{label} owner", MISSING_OWNER),
            "due": self.date(f"{prefix}-due", f"{label} due date"),
        }

    def cause(self, field: str, label: str, whys: list[str]) -> int | None:
        value = single(self.raw, field).strip()
        match = _CAUSE.fullmatch(value)
        if not value:
            self.error(field, label, MISSING_CAUSE)
        elif match is None or not 1 <= int(match.group(1)) <= WHY_SLOTS:
            self.error(field, label, NOT_A_CAUSE.format(slots=WHY_SLOTS))
        elif int(match.group(1)) > len(whys) or not whys[int(match.group(1)) - 1]:
            self.error(field, label, EMPTY_CAUSE.format(n=match.group(1)))
        else:
            return int(match.group(1))
        return None


# Matching words: case-insensitive, whole words with their usual endings, so "claims paid"
# matches "claim" and "implementing" matches "implement", but "buyer" does not match "buy".


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> list[str]:
    text = text.casefold().replace("%", " percent ").replace("per cent", "percent")
    return [_singular(word) for word in _WORD.findall(text)]


def _is_form_of(token: str, word: str) -> bool:
    stem = word[:-1] if len(word) > 3 and word.endswith("e") else word
    return token.startswith(stem) and token[len(stem) :] in _ENDINGS


def _mentions(text: str, phrases: Iterable[str]) -> str | None:
    """The first of `phrases` that `text` mentions, or None."""
    words = _words(text)
    for phrase in phrases:
        *head, last = _words(phrase) or [""]
        size = len(head) + 1
        for start in range(len(words) - size + 1):
            if words[start : start + size - 1] == head and _is_form_of(
                words[start + size - 1], last
            ):
                return phrase
    return None


def _with_unit(value: float, unit: str) -> str:
    return f"{format_number(value)}{'' if unit == '%' else ' '}{unit}"


def _numbers(text: str) -> list[float]:
    found = []
    for token in _NUMBER.findall(text):
        try:
            found.append(parse_number(token))
        except NumberFormatError:
            continue
    return found


Check = tuple[float, str | None]  # a score from 0 to 1, and the note when it falls short


def _rule(ok: bool, note: str) -> Check:
    return (1.0, None) if ok else (0.0, note)


def grade_plan(params: PdcaParams, answer: Answer, parts: dict[str, PartSpec]) -> GradeResult:
    grader = _PlanGrader(params, answer, parts)
    return GradeResult(
        [
            grader.problem(),
            grader.baseline(),
            grader.goal(),
            grader.root_cause(),
            grader.countermeasures(),
            grader.check(),
            grader.act(),
        ]
    )


class _PlanGrader:
    """Scores each part as the mean of its checks, and lists what each failed check misses."""

    def __init__(self, params: PdcaParams, answer: Answer, parts: dict[str, PartSpec]) -> None:
        self.params, self.answer, self.parts = params, answer, parts
        self.reference = reference_answer(params)

    def _result(self, name: str, checks: list[Check], done: str, expected: str) -> PartResult:
        part = self.parts[name]
        notes = [note for _, note in checks if note]
        score = fmean(score for score, _ in checks)
        return PartResult(name, part.label, score, part.weight, " ".join(notes) or done, expected)

    def _names_metric(self, text: str) -> bool:
        return _mentions(text, self.params.metrics) is not None

    def _names_unit(self, text: str) -> bool:
        return _mentions(text, self.params.units) is not None

    def problem(self) -> PartResult:
        text = self.answer["problem"]
        solution = _mentions(text, self.params.solution_words)
        checks = [
            _rule(bool(_DIGIT.search(text)), PROBLEM_NO_NUMBER),
            _rule(self._names_unit(text), PROBLEM_NO_UNIT),
            (1.0, None) if solution is None else (0.0, PROBLEM_SOLUTION.format(word=solution)),
            _rule(self._names_metric(text), PROBLEM_NO_METRIC),
        ]
        return self._result("problem", checks, PROBLEM_OK, self.reference["problem"])

    def baseline(self) -> PartResult:
        a, ref = self.answer, self.reference
        tolerance = self.parts["baseline"].tolerance
        judgement = judge(a["baseline_value"], self.params.baseline, tolerance)
        checks = [
            _rule(self._names_metric(a["baseline_metric"]), BASELINE_METRIC),
            (judgement.score, BASELINE_VALUE_NOTE[judgement.verdict]),
            _rule(self._names_unit(a["baseline_unit"]), BASELINE_UNIT),
        ]
        value = _with_unit(ref["baseline_value"], ref["baseline_unit"])
        expected = f"{ref['baseline_metric']}: {value}"
        return self._result("baseline", checks, BASELINE_OK, expected)

    def goal(self) -> PartResult:
        a, ref, params = self.answer, self.reference, self.params
        gain = a["goal_target"] - params.baseline
        improves = gain < 0 if params.direction == "decrease" else gain > 0
        case_date = params.case_date.isoformat()
        same_metric = self._names_metric(a["goal_metric"])
        checks = [
            _rule(same_metric, GOAL_METRIC),
            # A target in another metric cannot be compared: the metric note says why.
            _rule(improves, GOAL_DIRECTION[params.direction]) if same_metric else (0.0, None),
            _rule(a["goal_deadline"] > params.case_date, GOAL_DEADLINE.format(case_date=case_date)),
        ]
        target = _with_unit(ref["goal_target"], ref["baseline_unit"])
        expected = f"{ref['goal_metric']}: {target} by {ref['goal_deadline'].isoformat()}"
        return self._result("goal", checks, GOAL_OK, expected)

    def root_cause(self) -> PartResult:
        """A why earns its mark when it is filled and differs from the one before it; full
        marks need at least min_whys such whys and no gaps or repeats in the chain."""
        whys, needed = self.answer["whys"], self.params.min_whys
        gaps = [n for n, why in enumerate(whys, start=1) if not why]
        repeats = [
            n
            for n in range(2, len(whys) + 1)
            if whys[n - 1] and _words(whys[n - 1]) == _words(whys[n - 2])
        ]
        filled = len(whys) - len(gaps)
        notes = [WHYS_GAP.format(n=n) for n in gaps]
        notes += [WHYS_REPEAT.format(n=n, previous=n - 1) for n in repeats]
        if filled < needed:
            plural = "" if filled == 1 else "s"
            notes.insert(0, WHYS_TOO_FEW.format(count=filled, s=plural, needed=needed))
        good = filled - len(repeats)
        part = self.parts["root_cause"]
        feedback = " ".join(notes) or WHYS_OK.format(count=good)
        expected = " → ".join(f"Why {n}: {why}" for n, why in enumerate(self.reference["whys"], 1))
        score = good / max(needed, len(whys))
        return PartResult("root_cause", part.label, score, part.weight, feedback, expected)

    def countermeasures(self) -> PartResult:
        rows, whys = self.answer["countermeasures"], self.answer["whys"]
        expected = "; ".join(
            f"{row['action']} (why {row['cause']}, {row['owner']}, due {row['due'].isoformat()})"
            for row in self.reference["countermeasures"]
        )
        if not rows:
            return self._result("countermeasures", [(0.0, CM_NONE)], CM_OK, expected)
        timing = [note for row in rows if (note := self._timing(row))]
        deepest = len(whys)  # the last filled why
        checks = [
            (1 - len(timing) / len(rows), " ".join(timing) or None),
            _rule(any(row["cause"] == deepest for row in rows), CM_DEEPEST.format(n=deepest)),
        ]
        return self._result("countermeasures", checks, CM_OK, expected)

    def _timing(self, row: dict[str, Any]) -> str | None:
        """What is wrong with a countermeasure's due date, if anything."""
        case_date = self.params.case_date
        if row["due"] < case_date:
            return CM_EARLY.format(row=row["row"], case_date=case_date.isoformat())
        if row["due"] > self.answer["goal_deadline"]:
            return CM_LATE.format(row=row["row"])
        return None

    def check(self) -> PartResult:
        a, ref = self.answer, self.reference
        tolerance = self.parts["baseline"].tolerance
        comparison, frequency = a["check_comparison"], a["check_frequency"]
        compares = _mentions(comparison, COMPARISON_WORDS) is not None or any(
            tolerance.accepts(number, baseline)
            for number in _numbers(comparison)
            for baseline in (self.params.baseline, a["baseline_value"])
        )
        has_frequency = _DIGIT.search(frequency) or _mentions(frequency, FREQUENCY_WORDS)
        checks = [
            _rule(self._names_metric(a["check_metric"]), CHECK_METRIC),
            _rule(bool(has_frequency), CHECK_FREQUENCY),
            _rule(compares, CHECK_COMPARISON),
        ]
        expected = f"{ref['check_metric']}, {ref['check_frequency']}; {ref['check_comparison']}"
        return self._result("check", checks, CHECK_OK, expected)

    def act(self) -> PartResult:
        """Choosing is half the step; saying how is the other half."""
        choice, detail = self.answer["act_choice"], self.answer["act_detail"]
        if choice == "standardise":
            says_how = _rule(_mentions(detail, STANDARD_ITEMS) is not None, ACT_NO_STANDARD)
        else:
            says_how = _rule(_mentions(detail, ADJUST_WORDS) is not None, ACT_VAGUE_ADJUST)
        ref = self.reference
        expected = f"{ref['act_choice'].capitalize()}: {ref['act_detail']}"
        return self._result("act", [(1.0, None), says_how], ACT_OK[choice], expected)
