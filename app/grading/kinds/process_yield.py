"""Yield exercises: a service process with units in, rework, scrap and defects per step.
The learner computes each step's FPY, the RTY, DPU, DPMO and the sigma level.

Feedback names the likely mistake (averaging instead of multiplying, forgetting rework or
the 1.5 shift…) without giving the value away, and carries errors forward: an RTY that is
right for the learner's own step yields earns its marks even if a step yield was wrong.
"""

import math
import random
from statistics import fmean
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant
from app.grading.kinds.params import Range
from app.grading.numbers import Judgement, Tolerance, format_number, judge
from app.grading.results import GradeResult, PartResult
from app.lss.sigma import dpmo as dpmo_of
from app.lss.sigma import dpu as dpu_of
from app.lss.sigma import sigma_level
from app.lss.yields import first_pass_yield, rolled_throughput_yield

StepName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]

IntRange = Range[Annotated[int, Field(ge=1, le=1_000_000)]]
RateRange = Range[Annotated[float, Field(ge=0, le=0.5)]]


class YieldParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_name: str = Field(default="units", min_length=1, max_length=40)
    process: list[StepName] = Field(min_length=2, max_length=8)
    units_in: IntRange
    defect_rate: RateRange
    scrap_share: RateRange = RateRange(min=0.1, max=0.4)
    opportunities_per_unit: IntRange

    @model_validator(mode="after")
    def _enough_opportunities(self) -> "YieldParams":
        if self.opportunities_per_unit.min < len(self.process):
            raise ValueError("opportunities_per_unit.min must be at least the number of steps")
        return self


FEEDBACK_ROUNDING = "Close, but outside the tolerance: keep more decimals until the last step."
FEEDBACK_SCALE = "Off by a factor of 100: enter yields as percentages (93.5 for 93.5%)."
HOW = {
    "fpy": "FPY = (units in − reworked − scrapped) ÷ units in.",
    "rty": "RTY = FPY₁ × FPY₂ × … × FPYₖ, multiplying the step yields as fractions.",
    "dpu": "DPU = total defects ÷ units that entered the process.",
    "dpmo": "DPMO = defects ÷ (units × opportunities per unit) × 1,000,000.",
    "sigma": "Sigma level = Φ⁻¹(1 − DPMO ÷ 1,000,000) + 1.5 (a spreadsheet's NORMSINV), "
    "or read it from a sigma table.",
}
MISTAKE = {
    "fpy_scrap_only": "You subtracted only the scrapped units; "
    "reworked units did not pass first time either.",
    "fpy_rework_only": "You subtracted only the reworked units; scrapped units failed too.",
    "fpy_defects": "Subtract defective units (reworked + scrapped), not defects: "
    "one unit can carry several defects.",
    "rty_average": "You averaged the step yields; RTY multiplies them.",
    "rty_final": "That is the final yield (units out ÷ units in), which hides rework; "
    "RTY multiplies the first-pass yields.",
    "rty_lowest": "That is the lowest step yield; RTY multiplies all the step yields.",
    "dpu_defective": "You counted defective units; DPU counts defects, "
    "and a unit can carry more than one.",
    "dpu_units_out": "Divide by the units that entered the process, not the units that came out.",
    "dpmo_no_opportunities": "DPMO divides by the opportunities too: "
    "defects ÷ (units × opportunities per unit) × 1,000,000.",
    "sigma_no_shift": "That is the long-term Z: this exercise reports the short-term sigma "
    "level, which adds the 1.5 shift.",
}
CARRIED = {
    "rty": "Consistent with your step yields, so no further marks are lost here.",
    "dpmo": "Consistent with your DPU, so no further marks are lost here.",
    "sigma": "Consistent with your DPMO, so no further marks are lost here.",
}


class YieldKind(Kind):
    name = "yield"
    title = "Yield and sigma calculation"
    Params = YieldParams
    template = "exercises/kinds/yield.html"

    def parts(self, params: YieldParams) -> dict[str, PartSpec]:
        percent = Tolerance(rtol=0.005)
        return {
            "fpy": PartSpec("First-pass yield of each step", "percent", 2, percent),
            "rty": PartSpec("Rolled throughput yield", "percent", 2, percent),
            "dpu": PartSpec("Defects per unit (DPU)", "number", 1, Tolerance(rtol=0.005)),
            "dpmo": PartSpec(
                "Defects per million opportunities", "number", 1, Tolerance(rtol=0.01)
            ),
            "sigma": PartSpec("Sigma level", "number", 1, Tolerance(atol=0.01)),
        }

    def generate(self, params: YieldParams, rng: random.Random) -> Variant:
        units = rng.randint(params.units_in.min, params.units_in.max)
        entering, steps = units, []
        for name in params.process:
            problems = max(
                1, round(entering * rng.uniform(params.defect_rate.min, params.defect_rate.max))
            )
            scrapped = round(problems * rng.uniform(params.scrap_share.min, params.scrap_share.max))
            defects = problems + round(problems * rng.uniform(0, 0.25))
            steps.append(
                {
                    "name": name,
                    "units_in": entering,
                    "reworked": problems - scrapped,
                    "scrapped": scrapped,
                    "defects": defects,
                }
            )
            entering -= scrapped
        opportunities = rng.randint(
            params.opportunities_per_unit.min, params.opportunities_per_unit.max
        )
        return {
            "unit_name": params.unit_name,
            "units": units,
            "units_out": entering,
            "opportunities": opportunities,
            "total_defects": sum(step["defects"] for step in steps),
            "steps": steps,
        }

    def parse(self, params: YieldParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        answer = {
            "fpy": [
                reader.number(f"fpy-{n}", f"FPY of step {n}", "percent")
                for n in range(1, len(variant["steps"]) + 1)
            ],
            "rty": reader.number("rty", "RTY", "percent"),
            "dpu": reader.number("dpu", "DPU"),
            "dpmo": reader.number("dpmo", "DPMO"),
            "sigma": reader.number("sigma", "Sigma level"),
        }
        reader.done()
        return answer

    def solve(self, params: YieldParams, variant: Variant) -> Answer:
        fpy = [_step_fpy(step) for step in variant["steps"]]
        dpmo = dpmo_of(variant["total_defects"], variant["units"], variant["opportunities"])
        return {
            "fpy": [100 * value for value in fpy],
            "rty": 100 * rolled_throughput_yield(fpy),
            "dpu": dpu_of(variant["total_defects"], variant["units"]),
            "dpmo": dpmo,
            "sigma": sigma_level(dpmo),
        }

    def grade(
        self, params: YieldParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        key = self.solve(params, variant)
        grader = _YieldGrader(variant, answer, key, parts)
        return GradeResult(
            [grader.fpy(), grader.rty(), grader.dpu(), grader.dpmo(), grader.sigma()]
        )

    def to_form(
        self, params: YieldParams, variant: Variant, answer: Answer
    ) -> dict[str, list[str]]:
        form = {f"fpy-{n}": [repr(v)] for n, v in enumerate(answer["fpy"], start=1)}
        form.update({name: [repr(answer[name])] for name in ("rty", "dpu", "dpmo", "sigma")})
        return form


def _step_fpy(step: dict[str, Any]) -> float:
    passed = step["units_in"] - step["reworked"] - step["scrapped"]
    return first_pass_yield(step["units_in"], passed)


class _YieldGrader:
    """Grades one answer against the key, with mistake diagnosis and errors carried forward."""

    def __init__(
        self, variant: Variant, answer: Answer, key: Answer, parts: dict[str, PartSpec]
    ) -> None:
        self.variant, self.answer, self.key, self.parts = variant, answer, key, parts

    def _result(self, name: str, score: float, feedback: str, expected: float) -> PartResult:
        part = self.parts[name]
        return PartResult(name, part.label, score, part.weight, feedback, format_number(expected))

    def _numeric(
        self,
        name: str,
        mistakes: dict[str, float],
        carried: float | None = None,
        worked: str = "",
    ) -> PartResult:
        """Judge one number: correct, consistent with the learner's earlier answers, a named
        mistake, a rounding slip, or wrong. `worked` shows the formula applied to the
        learner's own earlier answers, added when the part is wrong."""
        tolerance = self.parts[name].tolerance
        given, expected = self.answer[name], self.key[name]
        judgement = judge(given, expected, tolerance)
        if judgement.verdict == "correct":
            return self._result(name, 1.0, "Correct.", expected)
        if carried is not None and tolerance.accepts(given, carried):
            return self._result(name, 1.0, CARRIED[name], expected)
        feedback = _explain(judgement, given, mistakes, tolerance, HOW[name])
        if worked:
            feedback += f" {worked}"
        return self._result(name, judgement.score, feedback, expected)

    def fpy(self) -> PartResult:
        part = self.parts["fpy"]
        scores, notes = [], []
        for n, (step, given, expected) in enumerate(
            zip(self.variant["steps"], self.answer["fpy"], self.key["fpy"], strict=True), start=1
        ):
            judgement = judge(given, expected, part.tolerance)
            scores.append(judgement.score)
            if judgement.verdict != "correct":
                units = step["units_in"]
                mistakes = {
                    MISTAKE["fpy_scrap_only"]: 100 * (units - step["scrapped"]) / units,
                    MISTAKE["fpy_rework_only"]: 100 * (units - step["reworked"]) / units,
                    MISTAKE["fpy_defects"]: 100 * max(0, units - step["defects"]) / units,
                }
                why = _explain(judgement, given, mistakes, part.tolerance, HOW["fpy"])
                notes.append(f"Step {n} ({step['name']}): {why}")
        feedback = " ".join(notes) if notes else "Correct for every step."
        expected = ", ".join(format_number(v, 2) + "%" for v in self.key["fpy"])
        return PartResult("fpy", part.label, fmean(scores), part.weight, feedback, expected)

    def rty(self) -> PartResult:
        fpy = [value / 100 for value in self.key["fpy"]]
        learner_fpy = [value / 100 for value in self.answer["fpy"]]
        mistakes = {
            MISTAKE["rty_average"]: 100 * fmean(fpy),
            MISTAKE["rty_final"]: 100 * self.variant["units_out"] / self.variant["units"],
            MISTAKE["rty_lowest"]: 100 * min(fpy),
        }
        product = 100 * math.prod(learner_fpy)
        factors = " × ".join(format_number(v, 2) + "%" for v in self.answer["fpy"])
        worked = f"With your step yields: {factors} = {format_number(product, 2)}%."
        return self._numeric("rty", mistakes, carried=product, worked=worked)

    def dpu(self) -> PartResult:
        units = self.variant["units"]
        defective = sum(s["reworked"] + s["scrapped"] for s in self.variant["steps"])
        mistakes = {
            MISTAKE["dpu_defective"]: defective / units,
            MISTAKE["dpu_units_out"]: self.variant["total_defects"] / self.variant["units_out"],
        }
        return self._numeric("dpu", mistakes)

    def dpmo(self) -> PartResult:
        mistakes = {MISTAKE["dpmo_no_opportunities"]: self.key["dpu"] * 1_000_000}
        carried = self.answer["dpu"] / self.variant["opportunities"] * 1_000_000
        opportunities = self.variant["opportunities"]
        worked = (
            f"With your DPU: {format_number(self.answer['dpu'])} ÷ {opportunities} × 1,000,000 "
            f"= {format_number(carried, 0)}."
        )
        return self._numeric("dpmo", mistakes, carried, worked)

    def sigma(self) -> PartResult:
        learner_dpmo = self.answer["dpmo"]
        carried = sigma_level(learner_dpmo) if 0 < learner_dpmo < 1_000_000 else None
        worked = (
            f"With your DPMO: Φ⁻¹(1 − {format_number(learner_dpmo, 0)} ÷ 1,000,000) + 1.5 "
            f"= {format_number(carried, 2)}."
            if carried is not None
            else ""
        )
        mistakes = {MISTAKE["sigma_no_shift"]: self.key["sigma"] - 1.5}
        return self._numeric("sigma", mistakes, carried, worked)


def _explain(
    judgement: Judgement,
    given: float,
    mistakes: dict[str, float],
    tolerance: Tolerance,
    explanation: str,
) -> str:
    if judgement.verdict == "rounding":
        return FEEDBACK_ROUNDING
    if judgement.verdict == "scale":
        return FEEDBACK_SCALE
    for message, value in mistakes.items():
        if judge(given, value, tolerance).verdict == "correct":
            return message
    return f"Not correct. {explanation}"
