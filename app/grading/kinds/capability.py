"""Process capability: each learner gets their own sample of a service measure (in subgroups
or as individuals) and a customer requirement, works out Cp, Cpk, Pp and Ppk (only Cpk and
Ppk for a one-sided requirement), says whether the process meets the minimum Cpk asked and,
optionally, the expected parts per million outside the requirement.

The reference is app.lss.capability. Feedback names the usual mistakes (the overall σ where
the within σ belongs and the other way round, R̄ or MR̄ without d2, the better side instead
of the worse, 6σ in Cpk, a percentage for ppm) without giving the value away, and carries
errors forward: a Cpk that uses the same σ as the learner's own Cp, a verdict that follows
from their own Cpk, and a ppm that follows from their own Pp/Ppk earn their marks.
"""

import random
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.charts.histogram import Curve, HistogramDrawing, render_capability, render_histogram
from app.grading.data_csv import csv_rows
from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Range, Value
from app.grading.numbers import NumberFormatError, Tolerance, format_number, judge, parse_number
from app.grading.results import GradeResult, PartResult
from app.lss.capability import Capability, capability, capability_indices, expected_ppm
from app.lss.spc import imr_limits, xbar_r_limits, xbar_s_limits

Text = Field(min_length=1, max_length=80)
VERDICTS = {"capable": "Capable", "not_capable": "Not capable"}
VERDICT_MARGIN = 0.03  # a variant's Cpk stays this far from the minimum, so the verdict is clear
TRIES = 200

FloatRange = Range[Value]
IntRange = Range[Annotated[int, Field(ge=1, le=1000)]]


class CapabilityParams(BaseModel):
    """One scenario. The process has a mean and a within-subgroup sd, drawn per learner;
    `drift` (optional) adds a slowly wandering level between subgroups, so σ_overall exceeds
    σ_within. Give `lsl`, `usl` or both; `target` only draws a line."""

    model_config = ConfigDict(extra="forbid")

    measure: str = Text  # in words: "hours from a complete claim to a decision"
    value_unit: str = Field(default="", max_length=20)  # hours
    sample_label: str = Field(default="Day", min_length=1, max_length=30)
    subgroup_size: int = Field(default=1, ge=1, le=10)  # 1: individuals, σ_within = MR̄/1.128
    subgroups: IntRange  # how many subgroups (or individual values)
    mean: FloatRange
    sd: FloatRange  # within-subgroup σ of the process
    drift: FloatRange | None = None  # σ of the subgroup-to-subgroup level
    lsl: float | None = None
    usl: float | None = None
    target: float | None = None
    min_cpk: float = Field(default=1.33, ge=0.5, le=3)
    ppm: bool = False  # also ask the expected ppm outside the specification (overall σ)
    non_negative: bool = True  # times and amounts: no value may fall below 0
    data_decimals: int = Field(default=1, ge=0, le=3)
    decimals: int = Field(default=2, ge=1, le=4)  # decimals asked for the indices

    @model_validator(mode="after")
    def _consistent(self) -> "CapabilityParams":
        if self.lsl is None and self.usl is None:
            raise ValueError("give a specification: lsl, usl or both")
        if self.lsl is not None and self.usl is not None and self.lsl >= self.usl:
            raise ValueError("lsl must be below usl")
        if self.target is not None and not (
            (self.lsl is None or self.lsl <= self.target)
            and (self.usl is None or self.target <= self.usl)
        ):
            raise ValueError("target must lie within the specification limits")
        if self.subgroups.min * self.subgroup_size < 20 or self.subgroups.max > 100:
            raise ValueError("subgroups must give at least 20 values, with at most 100 subgroups")
        if self.sd.min < 2 * 10.0**-self.data_decimals:
            raise ValueError("sd.min must be at least two steps of the data's last decimal")
        if self.drift is not None and self.drift.min < 0:
            raise ValueError("drift must not be negative")
        spread = self.sd.max + (self.drift.max if self.drift else 0)
        if self.non_negative and self.mean.min - 4 * spread < 0:
            raise ValueError(
                "values could fall below 0: raise mean.min or lower sd.max and drift.max "
                "(or set non_negative: false)"
            )
        return self

    @property
    def sides(self) -> Literal["both", "upper", "lower"]:
        if self.lsl is not None and self.usl is not None:
            return "both"
        return "upper" if self.usl is not None else "lower"


MESSAGES = {
    "rounding": "Close, but outside the tolerance: keep more decimals until the last step.",
    "carried_cpk": "Consistent with your Cp (the same σ), so no further marks are lost here.",
    "carried_ppk": "Consistent with your Pp (the same σ), so no further marks are lost here.",
    "carried_verdict": "Consistent with your Cpk, so no further marks are lost here.",
    "carried_ppm": "Consistent with your own Pp and Ppk, so no further marks are lost here.",
    "ppm_percent": "That looks like a percentage: ppm counts per million, so multiply the "
    "fraction outside by 1,000,000 (1% is 10,000 ppm).",
    "ppm_fraction": "That looks like a fraction: ppm counts per million, so multiply it by "
    "1,000,000.",
}


class CapabilityKind(Kind):
    name = "capability"
    title = "Process capability"
    Params = CapabilityParams
    template = "exercises/kinds/capability.html"
    charted = True

    def parts(self, params: CapabilityParams) -> dict[str, PartSpec]:
        index = Tolerance(atol=0.5 * 10.0**-params.decimals)
        parts = {}
        if params.sides == "both":
            parts["cp"] = PartSpec("Cp (within-subgroup σ)", "number", 1, index)
        parts["cpk"] = PartSpec("Cpk (within-subgroup σ)", "number", 1, index)
        if params.sides == "both":
            parts["pp"] = PartSpec("Pp (overall σ)", "number", 1, index)
        parts["ppk"] = PartSpec("Ppk (overall σ)", "number", 1, index)
        parts["verdict"] = PartSpec(f"Capable at Cpk ≥ {params.min_cpk:g}?", "count", 1)
        if params.ppm:
            parts["ppm"] = PartSpec(
                "Expected ppm outside the specification",
                "number",
                1,
                Tolerance(rtol=0.02, atol=0.5),
            )
        return parts

    def generate(self, params: CapabilityParams, rng: random.Random) -> Variant:
        count = rng.randint(params.subgroups.min, params.subgroups.max)
        for _ in range(TRIES):
            rows = _draw(params, count, rng)
            study = _study(params, rows)
            if abs(study.cpk - params.min_cpk) >= VERDICT_MARGIN:
                break
        values = [v for row in rows for v in row]
        return {
            "measure": params.measure,
            "value_unit": params.value_unit,
            "sample_label": params.sample_label,
            "subgroup_size": params.subgroup_size,
            "count": count,
            "n_values": len(values),
            "samples": [{"sample": i, "values": row} for i, row in enumerate(rows, start=1)],
            "lsl": params.lsl,
            "usl": params.usl,
            "target": params.target,
            "spec": spec_text(params),
            "min_cpk": params.min_cpk,
            "decimals": params.decimals,
            "totals": {"values": len(values), "sum": round(sum(values), 6)},
        }

    def parse(self, params: CapabilityParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        answer: Answer = {}
        for name, part in self.parts(params).items():
            if name == "verdict":
                verdict = single(raw, "verdict").strip()
                if verdict not in VERDICTS:
                    reader.error("verdict", "Verdict", "choose capable or not capable.")
                answer["verdict"] = verdict
                continue
            value = reader.number(name, part.label.split(" (")[0])
            if value is not None and name in ("cp", "pp") and value <= 0:
                reader.error(name, part.label.split(" (")[0], "must be greater than 0.")
            if value is not None and name == "ppm" and not 0 <= value <= 1_000_000:
                reader.error(name, "Expected ppm", "must lie between 0 and 1,000,000.")
            answer[name] = value
        reader.done()
        return answer

    def solve(self, params: CapabilityParams, variant: Variant) -> Answer:
        study = _study(params, _rows(variant))
        key: Answer = {}
        if params.sides == "both":
            key["cp"] = study.cp
        key["cpk"] = study.cpk
        if params.sides == "both":
            key["pp"] = study.pp
        key["ppk"] = study.ppk
        key["verdict"] = "capable" if study.cpk >= params.min_cpk else "not_capable"
        if params.ppm:
            key["ppm"] = study.ppm_overall.total
        return key

    def grade(
        self, params: CapabilityParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        grader = _Grader(params, variant, answer, parts)
        return GradeResult([grader.grade(name) for name in parts])

    def to_form(
        self, params: CapabilityParams, variant: Variant, answer: Answer
    ) -> dict[str, list[str]]:
        return {
            name: [value if name == "verdict" else repr(value)] for name, value in answer.items()
        }

    def data_csv(self, params: CapabilityParams, variant: Variant) -> str:
        rows = [[row["sample"], *row["values"]] for row in variant["samples"]]
        return csv_rows([headings(variant), *rows])

    def chart_svg(
        self, params: CapabilityParams, variant: Variant, entered: RawAnswer | None, dom_id: str
    ) -> str:
        if entered is None:
            return reference_chart(params, variant, dom_id)
        return learner_chart(params, variant, entered, dom_id)

    def view(
        self, params: CapabilityParams, variant: Variant, entered: RawAnswer
    ) -> dict[str, Any]:
        chart = None
        if single(entered, "pp" if params.sides == "both" else "ppk").strip():
            chart = learner_chart(params, variant, entered, "capability-yours")
        return {
            "headings": headings(variant),
            "fields": {name: part.label for name, part in self.parts(params).items()},
            "verdicts": VERDICTS,
            "chart_svg": chart,
        }


def spec_text(params: CapabilityParams) -> str:
    unit = f" {params.value_unit}" if params.value_unit else ""
    d = params.data_decimals + 1
    if params.sides == "both":
        assert params.lsl is not None and params.usl is not None
        return f"from {format_number(params.lsl, d)} to {format_number(params.usl, d)}{unit}"
    if params.sides == "upper":
        assert params.usl is not None
        return f"at most {format_number(params.usl, d)}{unit}"
    assert params.lsl is not None
    return f"at least {format_number(params.lsl, d)}{unit}"


def headings(variant: Variant) -> list[str]:
    """The data table's column headings (also the CSV's)."""
    unit = f" ({variant['value_unit']})" if variant["value_unit"] else ""
    if variant["subgroup_size"] == 1:
        measure = variant["measure"]
        return [variant["sample_label"], f"{measure[:1].upper()}{measure[1:]}{unit}"]
    size = variant["subgroup_size"]
    return [variant["sample_label"], *(f"Value {i}{unit}" for i in range(1, size + 1))]


def _draw(params: CapabilityParams, count: int, rng: random.Random) -> list[list[float]]:
    mean = rng.uniform(params.mean.min, params.mean.max)
    sd = rng.uniform(params.sd.min, params.sd.max)
    drift = rng.uniform(params.drift.min, params.drift.max) if params.drift else 0.0
    level, rows = 0.0, []
    for _ in range(count):
        # A slowly wandering level (autoregressive, σ = drift), then the within-subgroup noise.
        level = 0.7 * level + rng.gauss(0, drift * 0.714)
        row = [
            round(rng.gauss(mean + level, sd), params.data_decimals)
            for _ in range(params.subgroup_size)
        ]
        if params.non_negative:
            row = [max(0.0, v) for v in row]
        rows.append(row)
    return rows


def _rows(variant: Variant) -> list[list[float]]:
    return [row["values"] for row in variant["samples"]]


def _study(params: CapabilityParams, rows: list[list[float]]) -> Capability:
    values = [v for row in rows for v in row]
    return capability(values, params.lsl, params.usl, params.subgroup_size)


@dataclass(frozen=True)
class _Sigmas:
    """The right σ estimates and the wrong ones learners reach for."""

    within: float
    overall: float
    raw_spread: float  # R̄ or MR̄ without d2
    from_s_bar: float | None  # s̄/c4, for subgroups
    population: float  # overall σ with the n divisor

    @classmethod
    def of(cls, study: Capability, rows: list[list[float]]) -> "_Sigmas":
        values = np.array([v for row in rows for v in row])
        if study.subgroup_size == 1:
            raw, s_bar = imr_limits(values).moving_range.center, None
        else:
            raw = xbar_r_limits(rows).r.center
            s_bar = xbar_s_limits(rows).sigma_within
        return cls(study.sigma_within, study.sigma_overall, raw, s_bar, float(values.std(ddof=0)))


class _Grader:
    def __init__(
        self, params: CapabilityParams, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> None:
        self.params, self.variant, self.answer, self.parts = params, variant, answer, parts
        rows = _rows(variant)
        self.study = _study(params, rows)
        self.sigmas = _Sigmas.of(self.study, rows)
        self.key = CapabilityKind().solve(params, variant)

    def grade(self, name: str) -> PartResult:
        return getattr(self, name)()

    def _result(self, name: str, score: float, feedback: str, expected: str) -> PartResult:
        part = self.parts[name]
        return PartResult(name, part.label, score, part.weight, feedback, expected)

    def _indices(self, sigma: float) -> Any:
        return capability_indices(self.study.mean, sigma, self.params.lsl, self.params.usl)

    def _is_right(self, name: str) -> bool:
        given = self.answer.get(name)
        return given is not None and self.parts[name].tolerance.accepts(given, self.key[name])

    def _numeric(
        self,
        name: str,
        mistakes: dict[str, float | None],
        how: str,
        carried: tuple[float | None, str] = (None, ""),
    ) -> PartResult:
        tolerance, key, given = self.parts[name].tolerance, self.key[name], self.answer[name]
        decimals = self.params.decimals + 1 if name != "ppm" else 1
        shown = format_number(key, decimals)
        judgement = judge(given, key, tolerance)
        if judgement.verdict == "correct":
            return self._result(name, 1.0, "Correct.", shown)
        value, message = carried
        if value is not None and tolerance.accepts(given, value):
            return self._result(name, 1.0, message, shown)
        for text, wrong in mistakes.items():
            # A named slip beats a rounding slip only when the answer is nearer to it.
            if (
                wrong is not None
                and tolerance.accepts(given, wrong)
                and abs(given - wrong) < abs(given - key)
            ):
                return self._result(name, 0.0, f"{text} {how}", shown)
        if judgement.verdict == "rounding":
            return self._result(name, judgement.score, MESSAGES["rounding"], shown)
        return self._result(name, 0.0, f"Not correct. {how}", shown)

    def _within_mistakes(self, index: str) -> dict[str, float | None]:
        s = self.sigmas
        estimator = "R̄ ÷ d2" if self.study.subgroup_size > 1 else "MR̄ ÷ 1.128"
        found: dict[str, float | None] = {
            f"That uses the overall standard deviation of all the values, which belongs to "
            f"{'Pp' if index == 'cp' else 'Ppk'}; {index.capitalize()} uses the within-subgroup "
            f"σ ({estimator}).": getattr(self._indices(s.overall), index),
            f"You used {estimator.split(' ')[0]} itself as σ: divide it by "
            f"{'d2 for the subgroup size' if self.study.subgroup_size > 1 else 'd2 = 1.128'} "
            "first.": getattr(self._indices(s.raw_spread), index),
        }
        if s.from_s_bar is not None:
            found[
                "You estimated σ within from the subgroups' standard deviations (s̄ ÷ c4); this "
                "study uses the ranges: σ = R̄ ÷ d2."
            ] = getattr(self._indices(s.from_s_bar), index)
        return found

    def _side_mistakes(self, index: str, sigma: float) -> dict[str, float | None]:
        own = self._indices(sigma)
        found: dict[str, float | None] = {}
        if self.params.sides == "both":
            found[
                "That is the better side: the index is the smaller of the two, the room to the "
                "nearer limit."
            ] = max(own.cpl, own.cpu)
        found["The distance to the limit is divided by 3σ, not 6σ."] = own.cpk / 2
        return found

    def cp(self) -> PartResult:
        mistakes = self._within_mistakes("cp")
        mistakes["The spread of the process is 6σ, not 3σ: divide the width by 6σ."] = (
            2 * self.key["cp"]
        )
        return self._numeric("cp", mistakes, HOW["cp"][self._within()])

    def cpk(self) -> PartResult:
        mistakes = {
            **self._within_mistakes("cpk"),
            **self._side_mistakes("cpk", self.sigmas.within),
        }
        how = HOW["cpk"][self.params.sides].format(sigma=HOW["sigma_within"][self._within()])
        return self._numeric("cpk", mistakes, how, self._carried_from("cp", "cpk"))

    def pp(self) -> PartResult:
        mistakes = {
            "That uses the within-subgroup σ, which belongs to Cp; Pp uses the overall "
            "standard deviation of all the values.": self.key["cp"],
            "You used the population formula (÷ n); the sample standard deviation divides by "
            "n − 1.": self._indices(self.sigmas.population).cp,
        }
        return self._numeric("pp", mistakes, HOW["pp"])

    def ppk(self) -> PartResult:
        mistakes = {
            "That uses the within-subgroup σ, which belongs to Cpk; Ppk uses the overall "
            "standard deviation of all the values.": self.key["cpk"],
            "You used the population formula (÷ n); the sample standard deviation divides by "
            "n − 1.": self._indices(self.sigmas.population).cpk,
            **self._side_mistakes("cpk", self.sigmas.overall),
        }
        how = HOW["cpk"][self.params.sides].format(sigma="σ = the overall s (n − 1 divisor)")
        return self._numeric("ppk", mistakes, how, self._carried_from("pp", "ppk"))

    def _carried_from(self, width_part: str, index: str) -> tuple[float | None, str]:
        """Cpk (Ppk) with the σ the learner's own Cp (Pp) implies, when that was wrong."""
        given = self.answer.get(width_part)
        if width_part not in self.parts or given is None or given <= 0:
            return None, ""
        if self._is_right(width_part):
            return None, ""
        assert self.params.lsl is not None and self.params.usl is not None
        sigma = (self.params.usl - self.params.lsl) / (6 * given)
        return self._indices(sigma).cpk, MESSAGES[f"carried_{index}"]

    def verdict(self) -> PartResult:
        given, key, minimum = self.answer["verdict"], self.key["verdict"], self.params.min_cpk
        shown = f"{VERDICTS[key]} (Cpk {format_number(self.key['cpk'], self.params.decimals)})"
        rule = (
            f"The process is capable when Cpk is at least {minimum:g}: its nearer limit is "
            f"{3 * minimum:g}σ or more from the mean."
        )
        if given == key:
            return self._result("verdict", 1.0, f"Correct. {rule}", shown)
        own = self.answer.get("cpk")
        if own is not None and not self._is_right("cpk"):
            follows = "capable" if own >= minimum else "not_capable"
            if given == follows:
                return self._result("verdict", 1.0, MESSAGES["carried_verdict"], shown)
        return self._result("verdict", 0.0, f"Not correct. {rule}", shown)

    def ppm(self) -> PartResult:
        ppm_key, given = self.key["ppm"], self.answer["ppm"]
        tolerance = self.parts["ppm"].tolerance
        if ppm_key > 0 and not tolerance.accepts(given, ppm_key):
            if tolerance.accepts(given * 10_000, ppm_key):
                return self._result(
                    "ppm", 0.0, f"{MESSAGES['ppm_percent']} {HOW['ppm']}", format_number(ppm_key, 1)
                )
            if tolerance.accepts(given * 1_000_000, ppm_key):
                return self._result(
                    "ppm",
                    0.0,
                    f"{MESSAGES['ppm_fraction']} {HOW['ppm']}",
                    format_number(ppm_key, 1),
                )
        study = self.study
        mistakes: dict[str, float | None] = {
            "That uses the within-subgroup σ (the potential, with Cpk); the expected "
            "performance goes with Ppk and uses the overall s.": study.ppm_within.total,
        }
        if self.params.sides == "both":
            mistakes[
                "That counts one side only: add the expected ppm below the LSL and above the USL."
            ] = max(study.ppm_overall.below, study.ppm_overall.above)
        return self._numeric(
            "ppm", mistakes, HOW["ppm"], (self._own_ppm(), MESSAGES["carried_ppm"])
        )

    def _own_ppm(self) -> float | None:
        """The ppm the learner's own Pp (two-sided) or Ppk (one-sided) gives, if that is wrong."""
        lsl, usl, mean = self.params.lsl, self.params.usl, self.study.mean
        if self.params.sides == "both":
            pp = self.answer.get("pp")
            if pp is None or pp <= 0 or self._is_right("pp"):
                return None
            assert lsl is not None and usl is not None
            sigma = (usl - lsl) / (6 * pp)
        else:
            ppk = self.answer.get("ppk")
            if ppk is None or ppk <= 0 or self._is_right("ppk"):
                return None
            limit = usl if usl is not None else lsl
            assert limit is not None
            sigma = abs(limit - mean) / (3 * ppk)
        return expected_ppm(mean, sigma, lsl, usl).total

    def _within(self) -> str:
        return "subgroups" if self.study.subgroup_size > 1 else "individuals"


HOW = {
    "cp": {
        "subgroups": "Cp = (USL − LSL) ÷ 6σ_within, with σ_within = R̄ ÷ d2 (d2 for the "
        "subgroup size).",
        "individuals": "Cp = (USL − LSL) ÷ 6σ_within, with σ_within = MR̄ ÷ 1.128.",
    },
    "cpk": {
        "both": "Take the smaller of (USL − x̿) ÷ 3σ and (x̿ − LSL) ÷ 3σ, with {sigma}.",
        "upper": "With only an upper limit, the index is (USL − x̿) ÷ 3σ, with {sigma}.",
        "lower": "With only a lower limit, the index is (x̿ − LSL) ÷ 3σ, with {sigma}.",
    },
    "sigma_within": {
        "subgroups": "σ_within = R̄ ÷ d2 (d2 for the subgroup size)",
        "individuals": "σ_within = MR̄ ÷ 1.128",
    },
    "pp": "Pp = (USL − LSL) ÷ 6s, with s the sample standard deviation of all the values "
    "(n − 1 divisor).",
    "ppm": "Expected ppm = 1,000,000 × [Φ((LSL − x̿) ÷ s) + 1 − Φ((USL − x̿) ÷ s)], with the "
    "overall s, keeping only the terms for the limits given.",
}


def reference_chart(params: CapabilityParams, variant: Variant, dom_id: str) -> str:
    """The data against the specification, with the normal curve of x̿ and the overall s."""
    rows = _rows(variant)
    values = [v for row in rows for v in row]
    return render_capability(
        _study(params, rows),
        values,
        dom_id,
        f"Capability: {variant['measure']}",
        target=params.target,
        value_label=_value_label(variant),
        decimals=params.data_decimals,
    )


def learner_chart(params: CapabilityParams, variant: Variant, raw: RawAnswer, dom_id: str) -> str:
    """The data with the normal curve the learner's own Pp (or, one-sided, Ppk) implies: it
    shows what they answered, never the expected values. No readable answer, no curve."""
    values = [v for row in _rows(variant) for v in row]
    mean = float(np.mean(values))
    curve = None
    if params.sides == "both":
        pp = _lenient(raw, "pp")
        if pp and pp > 0:
            assert params.lsl is not None and params.usl is not None
            curve = Curve(
                mean, (params.usl - params.lsl) / (6 * pp), "The normal curve your Pp implies"
            )
    else:
        ppk = _lenient(raw, "ppk")
        limit = params.usl if params.usl is not None else params.lsl
        assert limit is not None
        if ppk and ppk > 0 and (limit - mean) * (1 if params.usl is not None else -1) > 0:
            curve = Curve(mean, abs(limit - mean) / (3 * ppk), "The normal curve your Ppk implies")
    drawing = HistogramDrawing(
        title=f"Your answer: {variant['measure']}",
        values=values,
        lsl=params.lsl,
        usl=params.usl,
        target=params.target,
        curve=curve,
        value_label=_value_label(variant),
        decimals=params.data_decimals,
    )
    return render_histogram(drawing, dom_id)


def _value_label(variant: Variant) -> str:
    measure = variant["measure"]
    unit = f" ({variant['value_unit']})" if variant["value_unit"] else ""
    return f"{measure[:1].upper()}{measure[1:]}{unit}"


def _lenient(raw: RawAnswer, field: str) -> float | None:
    try:
        return parse_number(single(raw, field))
    except NumberFormatError:
        return None
