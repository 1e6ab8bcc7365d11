"""Value stream maps: the learner builds the current-state map of a case, step by step,
and reads from it the lead time, process cycle efficiency, takt time and bottleneck.

Times are working time: process (touch) time in minutes per unit, waits in working hours.
The computed answers are checked against the case and against the learner's own map, so
a mis-copied step costs marks once, in the map, not again in every total.
"""

import random
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Range
from app.grading.numbers import (
    NumberFormatError,
    Tolerance,
    Unit,
    format_number,
    judge,
    parse_number,
)
from app.grading.results import GradeResult, PartResult
from app.grading.vsm_svg import render_value_stream
from app.lss.flow import FlowStep, ValueStreamSummary, value_stream_metrics

MAX_ROWS = 8
StepName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]

Span = Range[Annotated[float, Field(ge=0)]]


class CaseStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: StepName
    process_minutes: Span
    wait_hours: Span
    complete_accurate: Span  # percent
    operators: int = Field(default=1, ge=1, le=20)

    @model_validator(mode="after")
    def _sensible(self) -> "CaseStep":
        if self.process_minutes.min <= 0:
            raise ValueError("process_minutes.min must be above 0")
        if self.complete_accurate.max > 100:
            raise ValueError("complete_accurate is a percentage: at most 100")
        return self


class VsmParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_name: str = Field(default="units", min_length=1, max_length=40)
    steps: list[CaseStep] = Field(min_length=2, max_length=MAX_ROWS)
    demand: Span  # units per day
    available_minutes: float = Field(gt=0, le=24 * 60)

    @model_validator(mode="after")
    def _demand(self) -> "VsmParams":
        if self.demand.min < 1:
            raise ValueError("demand.min must be at least 1 unit per day")
        return self


MESSAGES = {
    "row_gap": "fill the steps in order, without leaving an empty row in between.",
    "row_name": "give the step a name.",
    "steps_count": "Your map has {given} steps; the case describes {expected}.",
    "steps_ok": "Every step matches the case.",
    "lead_time": "Lead time = the sum of all waits plus all process times, in working hours "
    "(process minutes ÷ 60).",
    "pce": "PCE = total process time ÷ lead time, both in the same unit, as a percentage.",
    "takt": "Takt time = available working minutes per day ÷ customer demand per day.",
    "bottleneck": "The bottleneck is the step with the longest cycle time: its process time "
    "divided by the people doing it.",
    "customer": "Take the customer demand and the available working time from the case.",
    "carried": "Consistent with your own map, so no further marks are lost here.",
    "pce_fraction": "That looks like a fraction: give PCE as a percentage (2.5 for 2.5%).",
}
CELL_TOLERANCE = Tolerance(rtol=0.01, atol=0.01)


class VsmKind(Kind):
    name = "vsm"
    title = "Value stream map"
    Params = VsmParams
    template = "exercises/kinds/vsm.html"

    def parts(self, params: VsmParams) -> dict[str, PartSpec]:
        return {
            "steps": PartSpec("Process steps on your map", "number", 3, CELL_TOLERANCE),
            "customer": PartSpec("Customer demand and available time", "number", 1, CELL_TOLERANCE),
            "lead_time": PartSpec("Lead time (working hours)", "number", 2, Tolerance(rtol=0.005)),
            "pce": PartSpec("Process cycle efficiency (%)", "percent", 2, Tolerance(rtol=0.01)),
            "takt": PartSpec("Takt time (minutes)", "number", 1, Tolerance(rtol=0.005)),
            "bottleneck": PartSpec("Bottleneck step", "count", 1),
        }

    def generate(self, params: VsmParams, rng: random.Random) -> Variant:
        steps = [
            {
                "name": step.name,
                "process_minutes": _draw(rng, step.process_minutes, 1),
                "wait_hours": _draw(rng, step.wait_hours, 0.5),
                "complete_accurate": _draw(rng, step.complete_accurate, 1),
                "operators": step.operators,
            }
            for step in params.steps
        ]
        return {
            "unit_name": params.unit_name,
            "steps": steps,
            "demand": _draw(rng, params.demand, 1),
            "available_minutes": params.available_minutes,
        }

    def parse(self, params: VsmParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        rows = _filled_rows(raw)
        after_gap = next((n for i, n in enumerate(rows, start=1) if n != i), None)
        if after_gap is not None:
            reader.error(f"step-{after_gap}-name", f"Step {after_gap}", MESSAGES["row_gap"])
            rows = rows[: rows.index(after_gap)]
        steps = []
        for n in rows:
            label = f"Step {n}"
            name = single(raw, f"step-{n}-name").strip()[:60]
            if not name:
                reader.error(f"step-{n}-name", label, MESSAGES["row_name"])
            steps.append(
                {
                    "name": name,
                    "process_minutes": reader.number(f"step-{n}-pt", f"{label} process time"),
                    "wait_hours": reader.number(f"step-{n}-wait", f"{label} wait"),
                    "complete_accurate": reader.number(f"step-{n}-ca", f"{label} %C&A", "percent"),
                    "operators": reader.number(f"step-{n}-ops", f"{label} people", "count"),
                }
            )
        if not rows:
            reader.error("step-1-name", "Step 1", "your map needs at least one step.")
        answer = {
            "steps": steps,
            "demand": reader.number("demand", "Customer demand"),
            "available_minutes": reader.number("available", "Available time"),
            "lead_time": reader.number("lead_time", "Lead time"),
            "pce": reader.number("pce", "PCE", "percent"),
            "takt": reader.number("takt", "Takt time"),
            "bottleneck": reader.number("bottleneck", "Bottleneck step", "count"),
        }
        _check_ranges(answer, reader)
        reader.done()
        return answer

    def solve(self, params: VsmParams, variant: Variant) -> Answer:
        summary = summarise(variant["steps"], variant["demand"], variant["available_minutes"])
        return {
            "steps": [dict(step) for step in variant["steps"]],
            "demand": variant["demand"],
            "available_minutes": variant["available_minutes"],
            **_readings(summary, variant["steps"]),
        }

    def grade(
        self, params: VsmParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        key = self.solve(params, variant)
        own = summarise(answer["steps"], answer["demand"], answer["available_minutes"])
        own_readings = _readings(own, answer["steps"]) if own else None
        results = [
            _grade_steps(variant, answer, parts["steps"]),
            _grade_customer(variant, answer, parts["customer"]),
        ]
        for name in ("lead_time", "pce", "takt", "bottleneck"):
            expected, carried = key[name], own_readings[name] if own_readings else None
            if name == "bottleneck":
                # Steps tied for the longest cycle time are all bottlenecks.
                expected = _closest(answer[name], bottlenecks(variant["steps"]))
                if own:
                    carried = _closest(answer[name], bottlenecks(answer["steps"]))
            results.append(_grade_reading(name, answer[name], expected, carried, parts[name]))
        return GradeResult(results)

    def to_form(self, params: VsmParams, variant: Variant, answer: Answer) -> dict[str, list[str]]:
        form: dict[str, list[str]] = {}
        for n, step in enumerate(answer["steps"], start=1):
            form[f"step-{n}-name"] = [step["name"]]
            form[f"step-{n}-pt"] = [repr(step["process_minutes"])]
            form[f"step-{n}-wait"] = [repr(step["wait_hours"])]
            form[f"step-{n}-ca"] = [repr(step["complete_accurate"])]
            form[f"step-{n}-ops"] = [str(int(step["operators"]))]
        form["demand"] = [repr(answer["demand"])]
        form["available"] = [repr(answer["available_minutes"])]
        for name in ("lead_time", "pce", "takt"):
            form[name] = [repr(answer[name])]
        form["bottleneck"] = [str(int(answer["bottleneck"]))]
        return form

    def view(self, params: VsmParams, variant: Variant, entered: RawAnswer) -> dict[str, Any]:
        return {"rows": MAX_ROWS, "map": map_view(entered, "vsm")}


@dataclass(frozen=True)
class MapView:
    svg: str
    summary: ValueStreamSummary | None
    query: str  # the entered map as a query string, for the download link


def map_view(raw: RawAnswer, dom_id: str) -> MapView:
    """The map drawn from whatever has been entered so far, however incomplete."""
    steps = [
        {
            "name": single(raw, f"step-{n}-name").strip()[:60],
            "process_minutes": _lenient(raw, f"step-{n}-pt"),
            "wait_hours": _lenient(raw, f"step-{n}-wait"),
            "complete_accurate": _lenient(raw, f"step-{n}-ca", "percent"),
            "operators": _lenient(raw, f"step-{n}-ops", "count"),
        }
        for n in _filled_rows(raw)
    ]
    demand = _lenient(raw, "demand")
    summary = summarise(steps, demand, _lenient(raw, "available")) if steps else None
    fields = [(k, v) for k, values in raw.items() if k.startswith(MAP_FIELDS) for v in values]
    return MapView(render_value_stream(steps, summary, demand, dom_id), summary, urlencode(fields))


MAP_FIELDS = ("step-", "demand", "available")


def _lenient(raw: RawAnswer, field: str, unit: Unit = "number") -> float | None:
    try:
        return parse_number(single(raw, field), unit)
    except NumberFormatError:
        return None


def _draw(rng: random.Random, span: Span, step: float) -> float:
    """A value in the span on a grid of `step`, so the numbers shown are the numbers graded."""
    slots = int((span.max - span.min) / step + 1e-9)
    value = span.min + step * rng.randint(0, slots)
    return int(value) if float(value).is_integer() else round(value, 2)


def _filled_rows(raw: RawAnswer) -> list[int]:
    fields = ("name", "pt", "wait", "ca", "ops")
    return [
        n
        for n in range(1, MAX_ROWS + 1)
        if any(single(raw, f"step-{n}-{field}").strip() for field in fields)
    ]


def _check_ranges(answer: Answer, reader: FieldReader) -> None:
    """Numbers that were read but cannot be right, reported with the format errors."""

    def check(value: float | None, field: str, label: str, ok: bool, message: str) -> None:
        if value is not None and not ok:
            reader.error(field, label, message)

    for n, step in enumerate(answer["steps"], start=1):
        pt, wait = step["process_minutes"], step["wait_hours"]
        ca, people = step["complete_accurate"], step["operators"]
        check(
            pt,
            f"step-{n}-pt",
            f"Step {n} process time",
            pt is not None and pt > 0,
            "must be above 0 minutes.",
        )
        check(
            wait,
            f"step-{n}-wait",
            f"Step {n} wait",
            wait is not None and wait >= 0,
            "cannot be negative.",
        )
        check(
            ca,
            f"step-{n}-ca",
            f"Step {n} %C&A",
            ca is not None and 0 <= ca <= 100,
            "must be between 0 and 100.",
        )
        check(
            people,
            f"step-{n}-ops",
            f"Step {n} people",
            people is not None and people >= 1,
            "must be at least 1.",
        )
    for field, key, label in (
        ("demand", "demand", "Customer demand"),
        ("available", "available_minutes", "Available time"),
    ):
        value = answer[key]
        check(value, field, label, value is not None and value > 0, "must be above 0.")


def summarise(
    steps: list[dict[str, Any]], demand: float, available: float
) -> ValueStreamSummary | None:
    """The map's totals in minutes, or None when the map cannot be summarised yet."""
    try:
        flow = [
            FlowStep(
                name=str(step["name"]),
                process_time=float(step["process_minutes"]),
                wait_time=float(step["wait_hours"]) * 60,
                complete_accurate=float(step["complete_accurate"]) / 100,
                operators=int(step["operators"]),
            )
            for step in steps
        ]
        return value_stream_metrics(flow, demand=float(demand), available_time=float(available))
    except (ValueError, TypeError, KeyError):
        return None


def _readings(summary: ValueStreamSummary | None, steps: list[dict[str, Any]]) -> dict[str, float]:
    assert summary is not None
    names = [str(step["name"]) for step in steps]
    return {
        "lead_time": summary.lead_time / 60,
        "pce": 100 * summary.process_cycle_efficiency,
        "takt": summary.takt_time,
        "bottleneck": names.index(summary.bottleneck) + 1,
    }


def bottlenecks(steps: list[dict[str, Any]]) -> set[int]:
    """The step numbers tied for the longest cycle time (process time per person)."""
    cycle = [float(s["process_minutes"]) / max(1, int(s["operators"])) for s in steps]
    longest = max(cycle)
    return {n for n, value in enumerate(cycle, start=1) if abs(value - longest) < 1e-9}


def _closest(given: float, candidates: set[int]) -> int:
    return min(candidates, key=lambda n: (abs(n - given), n))


def _grade_steps(variant: Variant, answer: Answer, part: PartSpec) -> PartResult:
    case, given = variant["steps"], answer["steps"]
    fields = ("process_minutes", "wait_hours", "complete_accurate", "operators")
    right, notes = 0, []
    for n, expected in enumerate(case, start=1):
        if n > len(given):
            notes.append(f"Step {n} ({expected['name']}) is missing.")
            continue
        wrong = [f for f in fields if not CELL_TOLERANCE.accepts(given[n - 1][f], expected[f])]
        right += len(fields) - len(wrong)
        if wrong:
            labels = ", ".join(_FIELD_LABELS[f] for f in wrong)
            notes.append(f"Step {n} ({expected['name']}): check the {labels} against the case.")
    if len(given) != len(case):
        notes.insert(0, MESSAGES["steps_count"].format(given=len(given), expected=len(case)))
    score = right / (len(case) * len(fields))
    if len(given) > len(case):
        score *= len(case) / len(given)
    feedback = " ".join(notes) or MESSAGES["steps_ok"]
    expected = "; ".join(_describe_step(step) for step in case)
    return PartResult("steps", part.label, score, part.weight, feedback, expected)


def _describe_step(step: dict[str, Any]) -> str:
    return (
        f"{step['name']}: {format_number(step['process_minutes'])} min, "
        f"{format_number(step['wait_hours'])} h wait, "
        f"{format_number(step['complete_accurate'])}% C&A, {step['operators']} people"
    )


_FIELD_LABELS = {
    "process_minutes": "process time",
    "wait_hours": "wait",
    "complete_accurate": "%C&A",
    "operators": "number of people",
}


def _grade_customer(variant: Variant, answer: Answer, part: PartSpec) -> PartResult:
    checks = [
        CELL_TOLERANCE.accepts(answer["demand"], variant["demand"]),
        CELL_TOLERANCE.accepts(answer["available_minutes"], variant["available_minutes"]),
    ]
    score = sum(checks) / len(checks)
    feedback = "Correct." if all(checks) else MESSAGES["customer"]
    demand, available = variant["demand"], variant["available_minutes"]
    expected = f"{format_number(demand)} per day, {format_number(available)} min"
    return PartResult("customer", part.label, score, part.weight, feedback, expected)


def _grade_reading(
    name: str, given: float, expected: float, carried: float | None, part: PartSpec
) -> PartResult:
    judgement = judge(given, expected, part.tolerance)
    shown = format_number(expected, 2)
    if judgement.verdict == "correct":
        return PartResult(name, part.label, 1.0, part.weight, "Correct.", shown)
    if carried is not None and part.tolerance.accepts(given, carried):
        return PartResult(name, part.label, 1.0, part.weight, MESSAGES["carried"], shown)
    if name == "pce" and part.tolerance.accepts(given * 100, expected):
        return PartResult(name, part.label, 0.0, part.weight, MESSAGES["pce_fraction"], shown)
    feedback = MESSAGES[name]
    if judgement.verdict == "rounding":
        feedback = "Close, but outside the tolerance: keep more decimals. " + feedback
    return PartResult(name, part.label, judgement.score, part.weight, feedback, shown)
