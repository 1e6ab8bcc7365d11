"""Gauge R&R: each learner gets their own crossed study (every operator measures every part
several times, e.g. assessors scoring recorded calls) and works out %GRR, the repeatability
and reproducibility shares, the number of distinct categories and the AIAG verdict.

The reference is app.lss.msa.gauge_rr, by the method the exercise names. The data are
redrawn until %GRR sits clear of the 10% and 30% lines, so the verdict never hangs on
rounding. Feedback names the usual mistakes (%contribution for %study variation, adding
percentages of standard deviations, dividing by PV instead of TV, AV without its
repeatability correction, rounding ndc up) and carries errors forward: a %GRR that follows
from the learner's own components, and an ndc and a verdict that follow from their own
%GRR, earn their marks.
"""

import math
import random
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.charts.msa import Component, components_chart, measurements_by_part
from app.charts.svg import stacked
from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Range
from app.grading.numbers import NumberFormatError, Tolerance, format_number, judge, parse_number
from app.grading.results import GradeResult, PartResult
from app.lss.msa import (
    ACCEPTABLE_BELOW,
    DEFAULT_INTERACTION_ALPHA,
    K2_BY_OPERATORS,
    K3_BY_PARTS,
    NDC_FACTOR,
    UNACCEPTABLE_ABOVE,
    GaugeRRResult,
    aiag_verdict,
    gauge_rr,
)

MAX_TRIES = 400
VERDICT_MARGIN = 1.5  # %GRR is never generated within this many points of 10% or 30%
VERDICTS = {
    "acceptable": "Acceptable (below 10%)",
    "conditional": "Marginal (10% to 30%): may be acceptable, depending on the use",
    "unacceptable": "Unacceptable (above 30%)",
}
MEASURES = {"study_variation": "% of study variation", "contribution": "% contribution"}
Label = Field(min_length=1, max_length=30)

Span = Range[Annotated[float, Field(ge=0, le=1_000_000)]]


class MsaParams(BaseModel):
    """A crossed study: `parts` items, each measured `trials` times by each of `operators`
    people. The true spreads (standard deviations) are drawn for each learner."""

    model_config = ConfigDict(extra="forbid")

    measure: str = Field(min_length=1, max_length=60)  # "quality score"
    value_unit: str = Field(default="", max_length=20)  # "points"
    part_label: str = Label  # "Call"
    operator_label: str = Label  # "Assessor"
    operator_names: list[str] = Field(default_factory=list, max_length=4)
    parts: int = Field(ge=2, le=15)
    operators: int = Field(ge=2, le=4)
    trials: int = Field(ge=2, le=3)
    method: Literal["anova", "average_range"]
    interaction_alpha: float = Field(default=DEFAULT_INTERACTION_ALPHA, ge=0, le=1)
    components: Literal["study_variation", "contribution"] = "study_variation"
    part_mean: Span
    part_sd: Span  # the real differences between the items
    repeatability_sd: Span
    operator_sd: Span  # how far the operators' own averages drift apart
    interaction_sd: Span = Span(min=0, max=0)
    scale: Span | None = None  # the instrument's range (scores 0 to 100): readings are kept in it
    data_decimals: int = Field(default=1, ge=0, le=3)
    decimals: int = Field(default=1, ge=0, le=3)  # percentages asked to this many decimals

    @model_validator(mode="after")
    def _consistent(self) -> "MsaParams":
        if self.operator_names and len(self.operator_names) != self.operators:
            raise ValueError(f"operator_names needs one name per operator ({self.operators})")
        if any(not 1 <= len(name) <= 30 for name in self.operator_names):
            raise ValueError("operator_names must be 1 to 30 characters each")
        tabled = self.parts in K3_BY_PARTS and self.operators in K2_BY_OPERATORS
        if self.method == "average_range" and not tabled:
            raise ValueError(
                "the average and range method has AIAG constants for 2 to 10 parts and "
                "2 or 3 operators; use method: anova"
            )
        if self.scale and not self.scale.min < self.part_mean.min <= self.part_mean.max < (
            self.scale.max
        ):
            raise ValueError("part_mean must lie inside the scale")
        if self.repeatability_sd.min <= 0:
            raise ValueError("repeatability_sd must be above 0: repeated readings vary")
        if self.repeatability_sd.min < 10.0**-self.data_decimals:
            raise ValueError("repeatability_sd.min must be at least one step of the data's last "
                             "decimal")  # fmt: skip
        return self


MESSAGES = {
    "rounding": "Close, but outside the tolerance: keep more decimals until the last step.",
    "scale": "Off by a factor of 100: give a percentage (26.7 or 26.7%).",
    "contribution": "That is the % contribution (a share of the variance); % study variation "
    "compares standard deviations: 100 × σ ÷ TV.",
    "study_variation": "That is the % of study variation (a ratio of standard deviations); "
    "% contribution compares variances: 100 × σ² ÷ TV².",
    "added": "Percentages of study variation do not add up: combine the standard deviations "
    "first, GRR = √(EV² + AV²).",
    "over_pv": "You divided by the part variation; divide by the total variation, "
    "TV = √(GRR² + PV²).",
    "sigma": "That is the standard deviation itself; give it as a percentage of the total.",
    "av_raw": "You left out the correction for repeatability: AV = √((X̄diff × K2)² − EV² ÷ "
    "(parts × trials)).",
    "operator_only": "Reproducibility includes the operator × part interaction: "
    "√(σ²operator + σ²interaction).",
    "carried_grr": "Consistent with your repeatability and reproducibility, so no further "
    "marks are lost here.",
    "carried": "Consistent with your %GRR, so no further marks are lost here.",
    "ndc_round": "ndc is rounded down (truncated), not to the nearest whole number.",
}
HOW = {
    "average_range": "EV = R̿ × K1, AV = √((X̄diff × K2)² − EV² ÷ (n·r)), GRR = √(EV² + AV²), "
    "PV = Rp × K3, TV = √(GRR² + PV²).",
    "anova": "From the two-way ANOVA: σ²repeatability = MS error, σ²operator = (MS operator − "
    "MS interaction) ÷ (parts × trials), σ²interaction = (MS interaction − MS error) ÷ trials "
    "(pooled into error when not significant), σ²part = (MS part − MS interaction) ÷ "
    "(operators × trials); GRR² = σ²repeatability + σ²operator + σ²interaction.",
}


class MsaKind(Kind):
    name = "msa"
    title = "Gauge R&R study"
    Params = MsaParams
    template = "exercises/kinds/msa.html"
    charted = True

    def parts(self, params: MsaParams) -> dict[str, PartSpec]:
        percent = Tolerance(atol=0.5 * 10.0**-params.decimals, rtol=0.005)
        measure = MEASURES[params.components]
        return {
            "repeatability": PartSpec(f"Repeatability (EV), {measure}", "percent", 1, percent),
            "reproducibility": PartSpec(f"Reproducibility (AV), {measure}", "percent", 1, percent),
            "grr": PartSpec("%GRR (of study variation)", "percent", 1, percent),
            "ndc": PartSpec("Number of distinct categories (ndc)", "count", 1),
            "verdict": PartSpec("Verdict", "count", 1),
        }

    def generate(self, params: MsaParams, rng: random.Random) -> Variant:
        names = params.operator_names or [
            f"{params.operator_label} {chr(65 + j)}" for j in range(params.operators)
        ]
        variant: Variant = {
            "measure": params.measure,
            "value_unit": params.value_unit,
            "part_label": params.part_label,
            "operator_label": params.operator_label,
            "operators": names,
            "trials": params.trials,
            "count": params.parts,
            "method": params.method,
            "decimals": params.decimals,
        }
        for _ in range(MAX_TRIES):
            variant["parts"] = _study(params, rng)
            result = analyse(params, variant)
            if result is not None and _clear_cut(result):
                break
        return variant

    def parse(self, params: MsaParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        answer: Answer = {
            "repeatability": reader.number("repeatability", "Repeatability", "percent"),
            "reproducibility": reader.number("reproducibility", "Reproducibility", "percent"),
            "grr": reader.number("grr", "%GRR", "percent"),
            "ndc": reader.number("ndc", "ndc", "count"),
            "verdict": single(raw, "verdict").strip(),
        }
        for name in ("repeatability", "reproducibility", "grr"):
            value = answer[name]
            if value is not None and not 0 <= value <= 100:
                reader.error(name, self.parts(params)[name].label, "a percentage from 0 to 100.")
        if answer["ndc"] is not None:
            answer["ndc"] = int(answer["ndc"])
            if answer["ndc"] < 0:
                reader.error("ndc", "ndc", "a whole number from 0 up.")
        if answer["verdict"] not in VERDICTS:
            reader.error("verdict", "Verdict", "choose one of the verdicts in the list.")
        reader.done()
        return answer

    def solve(self, params: MsaParams, variant: Variant) -> Answer:
        result = reference(params, variant)
        shares = _shares(params, result)
        return {
            "repeatability": shares["repeatability"],
            "reproducibility": shares["reproducibility"],
            "grr": result.percent_study_variation["gauge_rr"],
            "ndc": result.ndc,
            "verdict": result.verdict,
        }

    def grade(
        self, params: MsaParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        grader = _Grader(params, variant, answer, parts)
        return GradeResult(
            [grader.component("repeatability"), grader.component("reproducibility"),
             grader.grr(), grader.ndc(), grader.verdict()]
        )  # fmt: skip

    def to_form(self, params: MsaParams, variant: Variant, answer: Answer) -> dict[str, list[str]]:
        form = {name: [repr(answer[name])] for name in ("repeatability", "reproducibility", "grr")}
        form["ndc"] = [str(answer["ndc"])]
        form["verdict"] = [answer["verdict"]]
        return form

    def data_csv(self, params: MsaParams, variant: Variant) -> str:
        lines = [",".join(_csv(h) for h in ["Part", "Operator", "Trial", _value_heading(variant)])]
        for row in variant["parts"]:
            for name, cell in zip(variant["operators"], row["values"], strict=True):
                for trial, value in enumerate(cell, start=1):
                    lines.append(",".join(_csv(c) for c in (row["part"], name, trial, value)))
        return "\r\n".join(lines) + "\r\n"

    def chart_svg(
        self, params: MsaParams, variant: Variant, entered: RawAnswer | None, dom_id: str
    ) -> str:
        if entered is None:
            return reference_chart(params, variant, dom_id)
        return learner_chart(params, variant, entered, dom_id)

    def view(self, params: MsaParams, variant: Variant, entered: RawAnswer) -> dict[str, Any]:
        chart = None
        if any(single(entered, n).strip() for n in ("repeatability", "reproducibility", "grr")):
            chart = learner_chart(params, variant, entered, "msa-yours")
        return {
            "verdicts": VERDICTS,
            "measure_label": MEASURES[params.components],
            "value_heading": _value_heading(variant),
            "chart_svg": chart,
        }


def _study(params: MsaParams, rng: random.Random) -> list[dict[str, Any]]:
    def pick(span: Span) -> float:
        return rng.uniform(span.min, span.max)

    centre, part_sd = pick(params.part_mean), pick(params.part_sd)
    repeat_sd, operator_sd = pick(params.repeatability_sd), pick(params.operator_sd)
    interaction_sd = pick(params.interaction_sd)
    biases = [rng.gauss(0, operator_sd) for _ in range(params.operators)]
    rows = []
    for number in range(1, params.parts + 1):
        true = rng.gauss(centre, part_sd)
        cells = []
        for bias in biases:
            shift = rng.gauss(0, interaction_sd) if interaction_sd else 0.0
            cells.append([_round(true + bias + shift + rng.gauss(0, repeat_sd), params)
                          for _ in range(params.trials)])  # fmt: skip
        rows.append({"part": number, "values": cells})
    return rows


def _round(value: float, params: MsaParams) -> float | int:
    if params.scale is not None:
        value = min(params.scale.max, max(params.scale.min, value))
    rounded = round(value, params.data_decimals)
    return int(rounded) if params.data_decimals == 0 else rounded


def measurements(variant: Variant) -> list[list[list[float]]]:
    return [row["values"] for row in variant["parts"]]


def analyse(params: MsaParams, variant: Variant) -> GaugeRRResult | None:
    try:
        return reference(params, variant)
    except ValueError:  # every reading repeated exactly: no repeatability to estimate
        return None


def reference(params: MsaParams, variant: Variant) -> GaugeRRResult:
    return gauge_rr(measurements(variant), params.method, params.interaction_alpha)


def _clear_cut(result: GaugeRRResult) -> bool:
    grr = result.percent_study_variation["gauge_rr"]
    return all(abs(grr - line) > VERDICT_MARGIN for line in (ACCEPTABLE_BELOW, UNACCEPTABLE_ABOVE))


def _shares(params: MsaParams, result: GaugeRRResult) -> dict[str, float]:
    if params.components == "contribution":
        return result.percent_contribution
    return result.percent_study_variation


def _value_heading(variant: Variant) -> str:
    unit = f" ({variant['value_unit']})" if variant["value_unit"] else ""
    return f"{variant['measure'][:1].upper()}{variant['measure'][1:]}{unit}"


def _csv(value: Any) -> str:
    text = str(value)
    if text[:1] in ("=", "+", "-", "@"):
        try:
            float(text)
        except ValueError:
            text = "'" + text
    if any(ch in text for ch in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def ndc_from_percent(percent_grr: float) -> int | None:
    """The ndc a %GRR implies: PV ÷ GRR = √(1 − g²) ÷ g with g = %GRR ÷ 100."""
    g = percent_grr / 100
    if not 0 < g <= 1:
        return None
    return math.floor(NDC_FACTOR * math.sqrt(1 - g * g) / g + 1e-9)


class _Grader:
    def __init__(
        self, params: MsaParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> None:
        self.params, self.variant, self.answer, self.parts = params, variant, answer, parts
        self.result = reference(params, variant)
        self.how = HOW[params.method]

    def _result(self, name: str, score: float, feedback: str, expected: str) -> PartResult:
        part = self.parts[name]
        return PartResult(name, part.label, score, part.weight, feedback, expected)

    def _shown(self, value: float) -> str:
        return f"{format_number(value, self.params.decimals + 1)}%"

    def _numeric(self, name: str, key: float, mistakes: dict[str, float]) -> PartResult:
        given, tolerance = self.answer[name], self.parts[name].tolerance
        judgement = judge(given, key, tolerance)
        if judgement.verdict == "correct":
            return self._result(name, 1.0, "Correct.", self._shown(key))
        if judgement.verdict == "scale":
            return self._result(name, 0.0, MESSAGES["scale"], self._shown(key))
        for message, value in mistakes.items():  # a named mistake says more than "close"
            if tolerance.accepts(given, value):
                return self._result(name, 0.0, f"{message} {self.how}", self._shown(key))
        if judgement.verdict == "rounding":
            return self._result(name, judgement.score, MESSAGES["rounding"], self._shown(key))
        return self._result(name, 0.0, f"Not correct. {self.how}", self._shown(key))

    def component(self, name: str) -> PartResult:
        result, total = self.result, self.result.total_variation
        key = _shares(self.params, result)[name]
        other = "study_variation" if self.params.components == "contribution" else "contribution"
        other_shares = (
            result.percent_study_variation if other == "study_variation"
            else result.percent_contribution
        )  # fmt: skip
        mistakes = {MESSAGES[other]: other_shares[name], MESSAGES["sigma"]: getattr(result, name)}
        if name == "reproducibility":
            if result.average_range is not None:
                details = result.average_range
                raw = 100 * details.x_diff * details.k2 / total
                if self.params.components == "contribution":
                    raw = raw**2 / 100
                mistakes[MESSAGES["av_raw"]] = raw
            elif result.interaction:
                mistakes[MESSAGES["operator_only"]] = _shares(self.params, result)["operator"]
        return self._numeric(name, key, mistakes)

    def _own_grr(self) -> float | None:
        ev, av = self.answer["repeatability"], self.answer["reproducibility"]
        if self.params.components == "contribution":
            return math.sqrt(ev + av) * 10
        return math.hypot(ev, av)

    def grr(self) -> PartResult:
        result = self.result
        key = result.percent_study_variation["gauge_rr"]
        given, tolerance = self.answer["grr"], self.parts["grr"].tolerance
        if judge(given, key, tolerance).verdict != "correct":
            own = self._own_grr()
            own_is_wrong = own is not None and not tolerance.accepts(own, key)
            if own_is_wrong and tolerance.accepts(given, own):
                return self._result("grr", 1.0, MESSAGES["carried_grr"], self._shown(key))
        sv = result.percent_study_variation
        mistakes = {
            MESSAGES["contribution"]: result.percent_contribution["gauge_rr"],
            MESSAGES["added"]: sv["repeatability"] + sv["reproducibility"],
            MESSAGES["sigma"]: result.gauge_rr,
        }
        if result.part_to_part > 0:
            mistakes[MESSAGES["over_pv"]] = 100 * result.gauge_rr / result.part_to_part
        return self._numeric("grr", key, mistakes)

    def ndc(self) -> PartResult:
        key, given = self.result.ndc, self.answer["ndc"]
        shown = str(key)
        how = "ndc = 1.41 × PV ÷ GRR, rounded down; AIAG asks for 5 or more."
        if given == key:
            return self._result("ndc", 1.0, "Correct.", shown)
        own = ndc_from_percent(self.answer["grr"])
        if own is not None and own == given and own != key:
            return self._result("ndc", 1.0, MESSAGES["carried"], shown)
        exact = NDC_FACTOR * self.result.part_to_part / self.result.gauge_rr
        if given == round(exact) or given == math.ceil(exact):
            return self._result("ndc", 0.0, f"{MESSAGES['ndc_round']} {how}", shown)
        return self._result("ndc", 0.0, f"Not correct. {how}", shown)

    def verdict(self) -> PartResult:
        key, given = self.result.verdict, self.answer["verdict"]
        shown = VERDICTS[key]
        how = (
            "AIAG judges %GRR of study variation: below 10% acceptable, 10% to 30% may be "
            "acceptable depending on the use, above 30% unacceptable."
        )
        if given == key:
            return self._result("verdict", 1.0, f"Correct. {how}", shown)
        own = self.answer["grr"]
        if 0 <= own <= 100 and aiag_verdict(own) == given:
            return self._result("verdict", 1.0, MESSAGES["carried"], shown)
        return self._result("verdict", 0.0, f"Not this one. {how}", shown)


def _components(result: GaugeRRResult) -> list[Component]:
    pc, sv = result.percent_contribution, result.percent_study_variation
    return [
        Component(label, pc[name], sv[name])
        for label, name in (
            ("Gauge R&R", "gauge_rr"),
            ("Repeatability", "repeatability"),
            ("Reproducibility", "reproducibility"),
            ("Part-to-part", "part_to_part"),
        )
    ]


def _by_part(params: MsaParams, variant: Variant):  # type: ignore[no-untyped-def]
    return measurements_by_part(
        measurements(variant),
        variant["operators"],
        f"{params.measure[:1].upper()}{params.measure[1:]} by {params.part_label.lower()}",
        params.part_label,
        params.data_decimals,
    )


def reference_chart(params: MsaParams, variant: Variant, dom_id: str) -> str:
    """The components of variation and the readings by part."""
    result = reference(params, variant)
    drawings = [
        components_chart(_components(result), "Components of variation"),
        _by_part(params, variant),
    ]
    return stacked(drawings, dom_id, f"Gauge R&R study: {params.measure}")


def learner_chart(params: MsaParams, variant: Variant, raw: RawAnswer, dom_id: str) -> str:
    """The percentages the learner gave, beside the readings: never the key."""

    def lenient(name: str) -> float | None:
        try:
            return parse_number(single(raw, name), "percent")
        except NumberFormatError:
            return None

    contribution = params.components == "contribution"
    bars = [Component("Gauge R&R", None, lenient("grr"))]
    for label, name in (("Repeatability", "repeatability"), ("Reproducibility", "reproducibility")):
        value = lenient(name)
        bars.append(Component(label, value if contribution else None,
                              None if contribution else value))  # fmt: skip
    drawings = [components_chart(bars, "Your answer: components of variation"),
                _by_part(params, variant)]  # fmt: skip
    return stacked(drawings, dom_id, f"Your answer: gauge R&R study of {params.measure}")
