"""Control charts: each learner gets their own service data set, picks the right chart,
computes its centre line and limits, and flags the points that break the run rules asked.

The reference is app.lss.spc, the same code that the formula tests check against published
examples. Feedback names the usual mistakes (the overall standard deviation instead of
MR̄/d2, n instead of √n, an LCL not floored at 0, A2 for the wrong subgroup size) without
giving the value away, and carries errors forward: limits that are right for the learner's
own centre line, and signals that are right for the learner's own lines, earn their marks.
"""

import math
import random
from dataclasses import dataclass
from statistics import fmean, stdev
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.grading.control_chart_data import (
    CHARTS,
    LAYOUT,
    VARIABLES,
    VARYING_LIMITS,
    Chart,
    Drawn,
    Reference,
    SpecialCause,
    data_csv,
    effects,
    reference,
    samples,
    violations_of,
)
from app.grading.control_chart_svg import ChartDrawing, render_control_chart
from app.grading.kinds.base import Answer, FieldReader, Kind, PartSpec, RawAnswer, Variant, single
from app.grading.kinds.params import Range
from app.grading.numbers import NumberFormatError, Tolerance, format_number, judge, parse_number
from app.grading.results import GradeResult, PartResult
from app.lss.spc import NELSON_RULES, chart_constants

Text = Field(min_length=1, max_length=60)

IntRange = Range[Annotated[int, Field(ge=1, le=100_000)]]
FloatRange = Range[Annotated[float, Field(ge=0, le=1_000_000)]]


class ControlChartParams(BaseModel):
    """One scenario. Variables charts (imr, xbar_r, xbar_s) need `mean` and `sd`; attribute
    charts need `rate` (p, np: the share defective; c: defects per sample; u: defects per
    unit). `sample_size` is the subgroup size (xbar), the units inspected per sample (p, u:
    drawn for each sample; np: drawn once) and is not used by imr and c."""

    model_config = ConfigDict(extra="forbid")

    chart: Chart
    measure: str = Text  # what is plotted, in words: "minutes to answer a complaint"
    sample_label: str = Field(default="Day", min_length=1, max_length=30)
    unit_name: str = Field(default="units", min_length=1, max_length=40)  # calls, invoices
    event_name: str = Field(default="defects", min_length=1, max_length=40)  # abandoned calls
    value_unit: str = Field(default="", max_length=20)  # minutes
    points: IntRange
    sample_size: IntRange | None = None
    mean: FloatRange | None = None
    sd: FloatRange | None = None
    rate: FloatRange | None = None
    data_decimals: int = Field(default=1, ge=0, le=4)
    decimals: int = Field(ge=0, le=6)  # the answers' decimals; sets the tolerance
    special_causes: list[SpecialCause] = Field(default_factory=list, max_length=3)
    special_cause_share: float = Field(default=0.7, ge=0, le=1)
    rules: list[int] = Field(default=[1, 5, 6, 2], min_length=1, max_length=8)
    run_length: int = Field(default=8, ge=7, le=9)  # rule 2: WE4 is 8, Nelson 9, AIAG 7

    @model_validator(mode="after")
    def _fits_the_chart(self) -> "ControlChartParams":
        if self.points.min < 10 or self.points.max > 60:
            raise ValueError("points must lie between 10 and 60")
        if len(set(self.rules)) != len(self.rules) or not set(self.rules) <= set(NELSON_RULES):
            raise ValueError("rules must be distinct Nelson rule numbers from 1 to 8")
        if self.chart in VARIABLES:
            if self.mean is None or self.sd is None:
                raise ValueError(f"a {self.chart} chart needs mean and sd")
            if self.sd.min < 10.0**-self.data_decimals:
                raise ValueError("sd.min must be at least one step of the data's last decimal")
        elif self.rate is None or self.rate.min <= 0:
            raise ValueError(f"a {self.chart} chart needs a rate above 0")
        elif self.chart in ("p", "np") and self.rate.max >= 0.5:
            raise ValueError("rate is the share defective: keep it below 0.5")
        needs_size = self.chart not in ("imr", "c")
        if needs_size and self.sample_size is None:
            raise ValueError(f"a {self.chart} chart needs sample_size")
        if self.chart in ("xbar_r", "xbar_s") and self.sample_size and self.sample_size.max > 25:
            raise ValueError("subgroups of 2 to 25 only (sample_size)")
        if self.chart in ("xbar_r", "xbar_s") and self.sample_size and self.sample_size.min < 2:
            raise ValueError("subgroups of 2 to 25 only (sample_size)")
        return self


MESSAGES = {
    "rounding": "Close, but outside the tolerance: keep more decimals until the last step.",
    "scale": "Off by a factor of 100: give a proportion as a fraction (0.082) or with a % sign "
    "(8.2%).",
    "carried_limit": "Consistent with your centre line, so no further marks are lost here.",
    "carried_signals": "Consistent with your own centre line and limits, so no further marks "
    "are lost here.",
    "floor": "A {what} cannot be negative: when the centre minus 3σ falls below 0, the LCL is "
    "set to 0.",
    "signals_ok": "Correct: every signal found, each with a rule it breaks.",
    "no_signals_ok": "Correct: no point breaks the rules asked.",
}


class ControlChartKind(Kind):
    name = "control_chart"
    title = "Control chart"
    Params = ControlChartParams
    template = "exercises/kinds/control_chart.html"
    charted = True

    def parts(self, params: ControlChartParams) -> dict[str, PartSpec]:
        limit = Tolerance(atol=0.5 * 10.0**-params.decimals)
        unit = "fraction" if params.chart == "p" else "number"
        return {
            "chart": PartSpec("Which control chart", "count", 1),
            "center": PartSpec("Centre line", unit, 1, limit),
            "lcl": PartSpec("Lower control limit (LCL)", unit, 1, limit),
            "ucl": PartSpec("Upper control limit (UCL)", unit, 1, limit),
            "signals": PartSpec("Out-of-control signals", "count", 2),
        }

    def generate(self, params: ControlChartParams, rng: random.Random) -> Variant:
        count = rng.randint(params.points.min, params.points.max)
        drawn = _draw(params, count, rng)
        cause = None
        if params.special_causes and rng.random() < params.special_cause_share:
            cause = rng.choice(params.special_causes)
        rows = samples(drawn, effects(cause, count, rng), rng)
        ask = rng.randint(1, count) if params.chart in VARYING_LIMITS else None
        variant: Variant = {
            "measure": params.measure,
            "sample_label": params.sample_label,
            "unit_name": params.unit_name,
            "event_name": params.event_name,
            "value_unit": params.value_unit,
            "layout": LAYOUT[params.chart],
            "decimals": params.decimals,
            "count": count,
            "subgroup_size": drawn.subgroup_size or None,
            "samples": rows,
            "ask": ask or 0,
            "ask_inspected": rows[ask - 1]["inspected"] if ask else 0,
            "totals": _totals(rows),
            "rules": [
                {"number": n, "text": NELSON_RULES[n].format(run=params.run_length)}
                for n in sorted(params.rules)
            ],
            "run_length": params.run_length,
        }
        return variant

    def parse(self, params: ControlChartParams, variant: Variant, raw: RawAnswer) -> Answer:
        reader = FieldReader(raw)
        chart = single(raw, "chart").strip()
        if chart not in CHARTS:
            reader.error("chart", "Chart", "choose one of the charts in the list.")
        unit = self.parts(params)["center"].unit
        answer: Answer = {
            "chart": chart,
            "center": reader.number("center", "Centre line", unit),
            "lcl": reader.number("lcl", "LCL", unit),
            "ucl": reader.number("ucl", "UCL", unit),
            "signals": _read_signals(variant, raw, reader),
        }
        if None not in (answer["lcl"], answer["ucl"]) and answer["lcl"] > answer["ucl"]:
            reader.error("lcl", "LCL", "must not be above the UCL.")
        reader.done()
        return answer

    def solve(self, params: ControlChartParams, variant: Variant) -> Answer:
        ref = reference(params.chart, variant)
        index = _asked_index(variant)
        return {
            "chart": params.chart,
            "center": ref.center,
            "lcl": ref.lcl[index],
            "ucl": ref.ucl[index],
            "signals": [[n, min(rules)] for n, rules in sorted(ref.violations.items())],
        }

    def grade(
        self,
        params: ControlChartParams,
        variant: Variant,
        answer: Answer,
        parts: dict[str, PartSpec],
    ) -> GradeResult:
        grader = _Grader(params, variant, answer, parts)
        return GradeResult(
            [grader.chart(), grader.center(), grader.limit("lcl"), grader.limit("ucl"),
             grader.signals()]
        )  # fmt: skip

    def to_form(
        self, params: ControlChartParams, variant: Variant, answer: Answer
    ) -> dict[str, list[str]]:
        form = {name: [repr(answer[name])] for name in ("center", "lcl", "ucl")}
        form["chart"] = [answer["chart"]]
        form["signals"] = [str(n) for n, _ in answer["signals"]]
        form.update({f"rule-{n}": [str(rule)] for n, rule in answer["signals"]})
        return form

    def data_csv(self, params: ControlChartParams, variant: Variant) -> str:
        return data_csv(variant, headings(variant))

    def chart_svg(
        self, params: ControlChartParams, variant: Variant, entered: RawAnswer | None, dom_id: str
    ) -> str:
        if entered is None:
            return reference_chart(params, variant, dom_id)
        return learner_chart(params, variant, entered, dom_id)

    def view(
        self, params: ControlChartParams, variant: Variant, entered: RawAnswer
    ) -> dict[str, Any]:
        chart = None
        if any(single(entered, name).strip() for name in ("center", "lcl", "ucl")):
            chart = learner_chart(params, variant, entered, "control-chart-yours")
        return {
            "charts": CHARTS,
            "headings": headings(variant),
            "limits_label": _limits_label(variant),
            "chart_svg": chart,
        }


def _draw(params: ControlChartParams, count: int, rng: random.Random) -> Drawn:
    def pick(span: FloatRange | None) -> float:
        assert span is not None
        return rng.uniform(span.min, span.max)

    def size() -> int:
        assert params.sample_size is not None
        return rng.randint(params.sample_size.min, params.sample_size.max)

    chart = params.chart
    if chart in VARIABLES:
        n = size() if chart != "imr" else 0
        return Drawn(chart, count, mean=pick(params.mean), sd=pick(params.sd), subgroup_size=n,
                     data_decimals=params.data_decimals)  # fmt: skip
    if chart == "c":
        return Drawn(chart, count, rate=pick(params.rate), sizes=(1,) * count)
    if chart == "np":
        n = size()
        return Drawn(chart, count, rate=pick(params.rate), sizes=(n,) * count)
    return Drawn(chart, count, rate=pick(params.rate), sizes=tuple(size() for _ in range(count)))


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Column sums, which the worked solution quotes."""
    if "inspected" in rows[0]:
        return {
            "inspected": sum(r["inspected"] for r in rows),
            "count": sum(r["count"] for r in rows),
        }
    if "count" in rows[0]:
        return {"count": sum(r["count"] for r in rows)}
    if "value" in rows[0]:
        return {"value": round(sum(r["value"] for r in rows), 6)}
    return {"value": round(sum(sum(r["values"]) for r in rows), 6)}


def _asked_index(variant: Variant) -> int:
    return variant["ask"] - 1 if variant["ask"] else 0


def headings(variant: Variant) -> list[str]:
    """The data table's column headings (also the CSV's)."""
    sample = variant["sample_label"]
    unit = f" ({variant['value_unit']})" if variant["value_unit"] else ""
    layout = variant["layout"]
    if layout == "individuals":
        return [sample, f"{variant['measure'][:1].upper()}{variant['measure'][1:]}{unit}"]
    if layout == "subgroups":
        return [sample, *(f"Value {i}{unit}" for i in range(1, variant["subgroup_size"] + 1))]
    event = variant["event_name"][:1].upper() + variant["event_name"][1:]
    if layout == "counts":
        return [sample, event]
    return [sample, variant["unit_name"][:1].upper() + variant["unit_name"][1:], event]


def _limits_label(variant: Variant) -> str:
    if variant["ask"]:
        return f" for {variant['sample_label'].lower()} {variant['ask']}"
    return ""


def _read_signals(variant: Variant, raw: RawAnswer, reader: FieldReader) -> list[list[int]]:
    count = variant["count"]
    asked = {rule["number"] for rule in variant["rules"]}
    ticked: list[int] = []
    for text in raw.get("signals") or []:
        text = text.strip()
        if not text:
            continue
        if not text.isdigit() or not 1 <= int(text) <= count:
            reader.error("signals", "Signals", f"tick samples numbered 1 to {count}.")
            return []
        if int(text) not in ticked:
            ticked.append(int(text))
    picked = []
    for n in sorted(ticked):
        rule = single(raw, f"rule-{n}").strip()
        label = f"Rule for {variant['sample_label'].lower()} {n}"
        if not rule:
            reader.error(f"rule-{n}", label, "pick the rule this point breaks.")
        elif not rule.isdigit() or int(rule) not in asked:
            reader.error(f"rule-{n}", label, "pick one of the rules listed.")
        else:
            picked.append([n, int(rule)])
    for n in range(1, count + 1):
        if n not in ticked and single(raw, f"rule-{n}").strip():
            label = f"{variant['sample_label']} {n}"
            reader.error(f"rule-{n}", label, "you picked a rule but did not tick the point.")
    return picked


def set_score(expected: dict[int, set[int]], given: dict[int, int]) -> float:
    """1 − (missed + flagged wrongly + ½ × flagged under another rule) ÷ signals expected.
    A missed signal and a point flagged that breaks nothing cost the same; a point flagged
    with any rule it breaks is right. No signals expected and none given is full marks."""
    missed = sum(1 for n in expected if n not in given)
    extra = sum(1 for n in given if n not in expected)
    other_rule = sum(1 for n, rule in given.items() if n in expected and rule not in expected[n])
    cost = missed + extra + 0.5 * other_rule
    return max(0.0, 1 - cost / max(1, len(expected)))


# Limit half-widths for a centre c, by chart: the reference and the named mistakes.
@dataclass(frozen=True)
class _Spread:
    ref: Reference
    variant: Variant
    index: int  # the sample whose limits are asked (0-based)

    @property
    def n_k(self) -> float:
        return float(self.ref.stats["sizes"][self.index])

    @property
    def n_bar(self) -> float:
        return fmean(self.ref.stats["sizes"])

    def limits(self, c: float, tabled: bool = False) -> tuple[float, float] | None:
        """The limits the chart's formula gives around the centre c (None if c is impossible)."""
        chart, stats = self.ref.chart, self.ref.stats
        if chart == "imr":
            e2 = 2.66 if tabled else 3 / chart_constants(2).d2
            return c - e2 * stats["mr_bar"], c + e2 * stats["mr_bar"]
        if chart in ("xbar_r", "xbar_s"):
            k = chart_constants(stats["n"])
            factor = k.A2 if chart == "xbar_r" else (round(k.A3, 3) if tabled else k.A3)
            return c - factor * stats["spread"], c + factor * stats["spread"]
        if chart == "p":
            if not 0 < c < 1:
                return None
            half = 3 * math.sqrt(c * (1 - c) / self.n_k)
            return max(0.0, c - half), min(1.0, c + half)
        if chart == "np":
            n = stats["n"]
            if not 0 < c < n:
                return None
            half = 3 * math.sqrt(c * (1 - c / n))
            return max(0.0, c - half), min(float(n), c + half)
        if c <= 0:
            return None
        half = 3 * math.sqrt(c) if chart == "c" else 3 * math.sqrt(c / self.n_k)
        return max(0.0, c - half), c + half

    def mistakes(self) -> dict[str, float]:
        """Named mistake → the half-width that mistake gives."""
        chart, stats = self.ref.chart, self.ref.stats
        c = self.ref.center
        if chart == "imr":
            return {
                "You used the overall standard deviation of the values; the individuals chart "
                "estimates σ from the moving ranges: σ = MR̄ ÷ d2 = MR̄ ÷ 1.128, so the limits "
                "are x̄ ± 2.66 × MR̄.": 3 * stdev(stats["values"]),
                "You multiplied MR̄ by 3: divide it by d2 = 1.128 first (σ = MR̄ ÷ 1.128), or "
                "use E2 = 2.66.": 3 * stats["mr_bar"],
            }
        if chart in ("xbar_r", "xbar_s"):
            n, spread = stats["n"], stats["spread"]
            k = chart_constants(n)
            sigma = spread / (k.d2 if chart == "xbar_r" else k.c4)
            found = {
                "You used the overall standard deviation of all the values; the X̄ chart "
                "estimates σ within subgroups (R̄ ÷ d2 or s̄ ÷ c4), then divides by √n.": 3
                * stdev(stats["values"])
                / math.sqrt(n),
                "Those are limits for single values: a subgroup mean varies less, so divide σ "
                "by √n (A2 and A3 already do).": 3 * sigma,
                f"You divided σ by n; the σ of a mean of n values is σ ÷ √n (√{n}, not {n}).": 3
                * sigma
                / n,
            }
            name = "A2" if chart == "xbar_r" else "A3"
            for m in (n - 1, n + 1):
                if 2 <= m <= 25:
                    km = chart_constants(m)
                    factor = km.A2 if chart == "xbar_r" else km.A3
                    found[
                        f"That uses {name} for subgroups of {m}; these subgroups have {n} values."
                    ] = factor * spread
            return found
        if chart in ("p", "u"):
            var = c * (1 - c) if chart == "p" else c
            found = {
                "You divided by n outside the square root: the σ of a sample is "
                f"√({'p̄(1 − p̄)' if chart == 'p' else 'ū'} ÷ n), so take the root of the whole "
                "fraction (√n, not n).": 3 * math.sqrt(var) / self.n_k,
            }
            if abs(self.n_bar - self.n_k) > 1e-9:
                found[
                    "You used the average sample size; with varying sample sizes each sample "
                    "has its own limits: use the n of the sample asked."
                ] = 3 * math.sqrt(var / self.n_bar)
            return found
        if chart == "np":
            return {
                "You left out (1 − p̄): the np chart's σ is √(n·p̄·(1 − p̄)).": 3 * math.sqrt(c),
            }
        return {
            "The c chart's σ is √c̄, the square root of the centre line, not c̄ itself.": 3 * c,
        }


HOW_CENTER = {
    "imr": "x̄ = the mean of all the individual values.",
    "xbar_r": "x̿ = the mean of the subgroup means.",
    "xbar_s": "x̿ = the mean of the subgroup means.",
    "p": "p̄ = total {event} ÷ total {unit} (Σd ÷ Σn).",
    "np": "n·p̄ = the average number of {event} per sample.",
    "c": "c̄ = the average count of {event} per sample.",
    "u": "ū = total {event} ÷ total {unit} (Σc ÷ Σn).",
}
HOW_LIMITS = {
    "imr": "Limits = x̄ ± E2 × MR̄, with E2 = 3 ÷ d2 = 2.66 for moving ranges of 2.",
    "xbar_r": "Limits = x̿ ± A2 × R̄, with A2 for the subgroup size.",
    "xbar_s": "Limits = x̿ ± A3 × s̄, with A3 for the subgroup size.",
    "p": "Limits = p̄ ± 3 × √(p̄(1 − p̄) ÷ n), with n the size of the sample asked; "
    "an LCL below 0 is set to 0.",
    "np": "Limits = n·p̄ ± 3 × √(n·p̄(1 − p̄)); an LCL below 0 is set to 0.",
    "c": "Limits = c̄ ± 3 × √c̄; an LCL below 0 is set to 0.",
    "u": "Limits = ū ± 3 × √(ū ÷ n), with n the size of the sample asked; "
    "an LCL below 0 is set to 0.",
}
SIGMA_OF_POINT = {
    "imr": "σ = MR̄ ÷ 1.128",
    "xbar_r": "σ of a mean = R̄ ÷ d2 ÷ √n",
    "xbar_s": "σ of a mean = s̄ ÷ c4 ÷ √n",
    "p": "σ = √(p̄(1 − p̄) ÷ n) for each sample",
    "np": "σ = √(n·p̄(1 − p̄))",
    "c": "σ = √c̄",
    "u": "σ = √(ū ÷ n) for each sample",
}
WHY_CHART = {
    "imr": "There is one measured value per {sample}: with subgroups of one, plot individuals "
    "and moving ranges (I-MR).",
    "xbar_r": "The data are measurements in subgroups of {n}: plot the subgroup means and "
    "ranges (X̄ and R, the usual choice up to about 10 per subgroup).",
    "xbar_s": "The data are measurements in subgroups of {n}: plot the subgroup means and "
    "standard deviations (X̄ and s, the better choice above about 10 per subgroup).",
    "p": "The {event} are defectives (each of the {unit} either is one or is not), and the "
    "number of {unit} changes from {sample} to {sample}: plot the proportion on a p chart.",
    "np": "The {event} are defectives (each of the {unit} either is one or is not), with the "
    "same number of {unit} every {sample}: plot the number defective on an np chart.",
    "c": "These are counts of {event} (defects, possibly several on one item) on the same "
    "amount of work each {sample}: plot the counts on a c chart.",
    "u": "These are counts of {event} (defects, possibly several on one item) on a number of "
    "{unit} that changes from {sample} to {sample}: plot defects per unit on a u chart.",
}
# Picks that work but are not the convention for these data earn half marks.
HALF_RIGHT = {("xbar_r", "xbar_s"), ("xbar_s", "xbar_r"), ("np", "p"), ("c", "u")}
WRONG_CHART = {
    ("p", "np"): "An np chart needs the same sample size every time; here the number of {unit} "
    "varies, so the counts are not comparable: plot proportions on a p chart.",
    ("u", "c"): "A c chart needs the same amount of work each time; here the number of {unit} "
    "varies, so plot defects per unit on a u chart.",
    ("p", "u"): "A u chart counts defects, several of which can sit on one item; here each of "
    "the {unit} either is or is not one of the {event}: a p chart.",
    ("p", "c"): "A c chart counts defects on a constant amount of work; here each of the {unit} "
    "either is or is not one of the {event}, in samples of varying size: a p chart.",
    ("u", "p"): "A p chart is for defectives (each item in or out); here one item can carry "
    "several {event}, so plot defects per unit on a u chart.",
    ("imr", "xbar_r"): "There is one value per {sample}, so there are no subgroups to average "
    "or take ranges of: plot the individual values and their moving ranges (I-MR).",
    ("imr", "xbar_s"): "There is one value per {sample}, so there are no subgroups to average "
    "or take standard deviations of: plot the individual values and their moving ranges (I-MR).",
    ("xbar_r", "imr"): "The data come in subgroups of {n}: plotting every value on its own "
    "throws away the subgroups; plot their means and ranges (X̄ and R).",
    ("xbar_s", "imr"): "The data come in subgroups of {n}: plotting every value on its own "
    "throws away the subgroups; plot their means and standard deviations (X̄ and s).",
    ("u", "np"): "An np chart is for defectives in equal samples; here one item can carry "
    "several {event} and the samples vary: a u chart.",
}


class _Grader:
    def __init__(
        self,
        params: ControlChartParams,
        variant: Variant,
        answer: Answer,
        parts: dict[str, PartSpec],
    ) -> None:
        self.params, self.variant, self.answer, self.parts = params, variant, answer, parts
        self.ref = reference(params.chart, variant)
        self.index = _asked_index(variant)
        self.spread = _Spread(self.ref, variant, self.index)
        self.words = {
            "sample": variant["sample_label"].lower(),
            "unit": variant["unit_name"],
            "event": variant["event_name"],
            "n": variant["subgroup_size"],
        }

    def _result(self, name: str, score: float, feedback: str, expected: str) -> PartResult:
        part = self.parts[name]
        return PartResult(name, part.label, score, part.weight, feedback, expected)

    def _shown(self, value: float) -> str:
        return format_number(value, self.params.decimals + 1)

    def chart(self) -> PartResult:
        expected, given = self.params.chart, self.answer["chart"]
        why = WHY_CHART[expected].format(**self.words)
        shown = CHARTS[expected]
        if given == expected:
            return self._result("chart", 1.0, f"Correct. {why}", shown)
        if (expected, given) in HALF_RIGHT:
            note = f"{CHARTS[given]} works with these data, but it is not the usual choice. {why}"
            return self._result("chart", 0.5, note, shown)
        if given in VARIABLES and expected not in VARIABLES:
            note = (
                f"These are counts of {self.words['event']}, attribute data, not measurements: "
                f"a variables chart does not fit. {why}"
            )
        elif expected in VARIABLES and given not in VARIABLES:
            note = (
                "These are measurements on a continuous scale, not counts: attribute charts "
                f"(p, np, c, u) do not fit. {why}"
            )
        elif (expected, given) in WRONG_CHART:
            note = WRONG_CHART[(expected, given)].format(**self.words)
        else:
            note = f"Not this one. {why}"
        return self._result("chart", 0.0, note, shown)

    def center(self) -> PartResult:
        chart, key = self.params.chart, self.ref.center
        mistakes: dict[str, float] = {}
        if chart in ("p", "u"):
            mistakes[
                "You averaged the samples' own rates; with varying sample sizes the centre "
                "line weights each by its size: total counted ÷ total inspected."
            ] = fmean(self.ref.stats["rates"])
        if chart == "np":
            mistakes["That is p̄, a proportion; the np chart's centre is n × p̄."] = self.ref.stats[
                "p_bar"
            ]
        how = HOW_CENTER[chart].format(**self.words)
        return self._numeric("center", key, mistakes, how)

    def limit(self, name: str) -> PartResult:
        key = (self.ref.lcl if name == "lcl" else self.ref.ucl)[self.index]
        side = 0 if name == "lcl" else 1
        given, tolerance = self.answer[name], self.parts[name].tolerance
        tabled = self.spread.limits(self.ref.center, tabled=True)
        if judge(given, key, tolerance).verdict == "correct" or (
            tabled and tolerance.accepts(given, tabled[side])
        ):
            return self._result(name, 1.0, "Correct.", self._shown(key))
        own = self.answer["center"]
        for carried in (self.spread.limits(own), self.spread.limits(own, tabled=True)):
            if carried and tolerance.accepts(given, carried[side]):
                return self._result(name, 1.0, MESSAGES["carried_limit"], self._shown(key))
        mistakes: dict[str, float] = {}
        for center in {self.ref.center, own}:
            for message, half in self.spread.mistakes().items():
                value = center - half if side == 0 else center + half
                if self.params.chart not in VARIABLES and side == 0:
                    value = max(0.0, value)
                mistakes.setdefault(message, value)
                if judge(given, value, tolerance).verdict == "correct":
                    mistakes[message] = value
        unfloored = self._unfloored_lcl()
        if side == 0 and unfloored is not None:
            what = "proportion" if self.params.chart == "p" else "count"
            mistakes = {MESSAGES["floor"].format(what=what): unfloored, **mistakes}
        return self._numeric(name, key, mistakes, HOW_LIMITS[self.params.chart])

    def _unfloored_lcl(self) -> float | None:
        if self.params.chart in VARIABLES:
            return None
        chart, c, stats = self.params.chart, self.ref.center, self.ref.stats
        if chart == "p":
            raw = c - 3 * math.sqrt(c * (1 - c) / self.spread.n_k)
        elif chart == "np":
            raw = c - 3 * math.sqrt(c * (1 - c / stats["n"]))
        elif chart == "c":
            raw = c - 3 * math.sqrt(c)
        else:
            raw = c - 3 * math.sqrt(c / self.spread.n_k)
        return raw if raw < 0 else None

    def _numeric(self, name: str, key: float, mistakes: dict[str, float], how: str) -> PartResult:
        tolerance = self.parts[name].tolerance
        given = self.answer[name]
        judgement = judge(given, key, tolerance)
        if judgement.verdict == "correct":
            return self._result(name, 1.0, "Correct.", self._shown(key))
        if judgement.verdict == "rounding":
            return self._result(name, judgement.score, MESSAGES["rounding"], self._shown(key))
        if judgement.verdict == "scale" and self.params.chart == "p":
            return self._result(name, 0.0, MESSAGES["scale"], self._shown(key))
        for message, value in mistakes.items():
            if judge(given, value, tolerance).verdict == "correct":
                return self._result(name, 0.0, f"{message} {how}", self._shown(key))
        return self._result(name, 0.0, f"Not correct. {how}", self._shown(key))

    def signals(self) -> PartResult:
        expected = self.ref.violations
        given = {n: rule for n, rule in self.answer["signals"]}
        score = set_score(expected, given)
        shown = _describe_signals(expected, self.variant)
        if score == 1:
            ok = MESSAGES["signals_ok"] if expected else MESSAGES["no_signals_ok"]
            return self._result("signals", 1.0, ok, shown)
        own = self._own_violations()
        if own is not None and own != expected and set_score(own, given) == 1:
            return self._result("signals", 1.0, MESSAGES["carried_signals"], shown)
        right = sum(1 for n, r in given.items() if r in expected.get(n, ()))
        other_rule = sum(1 for n, r in given.items() if n in expected and r not in expected[n])
        extra = sum(1 for n in given if n not in expected)
        missed = sum(1 for n in expected if n not in given)
        notes = [f"{right} of your {len(given)} flagged points are right."] if given else []
        if other_rule:
            notes.append(f"{other_rule} flagged point(s) break a different rule than the one "
                         "you picked (give the lowest-numbered rule a point breaks).")  # fmt: skip
        if extra:
            notes.append(f"{extra} flagged point(s) break none of the rules asked.")
        if missed:
            notes.append(f"{missed} signal(s) not flagged.")
        sigma = SIGMA_OF_POINT[self.params.chart]
        notes.append(
            f"Draw zones at 1σ, 2σ and 3σ from the centre line ({sigma}) and check each rule; "
            f"flag the point that completes a pattern (for a run, every point from the "
            f"{self.variant['run_length']}th on)."
        )
        return self._result("signals", score, " ".join(notes), shown)

    def _own_violations(self) -> dict[int, set[int]] | None:
        """The signals the learner's own centre line and limits give, when they are usable."""
        c, lcl, ucl = self.answer["center"], self.answer["lcl"], self.answer["ucl"]
        chart = self.params.chart
        if chart in VARIABLES:
            width = (ucl - lcl) / 6
            sigma = [width] * len(self.ref.points)
        elif chart in VARYING_LIMITS:
            sizes = self.ref.stats["sizes"]
            if not 0 < c < (1 if chart == "p" else math.inf):
                return None
            sigma = [math.sqrt((c * (1 - c) if chart == "p" else c) / n) for n in sizes]
        else:
            sigma = [(ucl - c) / 3] * len(self.ref.points)
        if not all(math.isfinite(s) and s > 0 for s in sigma):
            return None
        return violations_of(self.ref.points, c, sigma, self.variant)


def _describe_signals(found: dict[int, set[int]], variant: Variant) -> str:
    if not found:
        return "No point breaks the rules asked."
    sample = variant["sample_label"]
    return "; ".join(f"{sample} {n}: rule {min(rules)}" for n, rules in sorted(found.items()))


def reference_chart(params: ControlChartParams, variant: Variant, dom_id: str) -> str:
    """The chart with the expected centre line, limits and signals (once they may be shown)."""
    ref = reference(params.chart, variant)
    drawing = ChartDrawing(
        title=f"{CHARTS[params.chart]}: {variant['measure']}",
        points=ref.points,
        center=ref.center,
        lcl=ref.lcl,
        ucl=ref.ucl,
        flags={n - 1: str(min(rules)) for n, rules in ref.violations.items()},
        sample_label=variant["sample_label"],
        decimals=params.decimals,
    )
    return render_control_chart(drawing, dom_id)


def learner_chart(params: ControlChartParams, variant: Variant, raw: RawAnswer, dom_id: str) -> str:
    """The data drawn with the learner's own lines and flags: it shows what they answered,
    never the expected values. For varying limits their LCL and UCL sit at the sample asked.
    The points are plotted as the chart that is being graded plots them."""
    ref = reference(params.chart, variant)
    unit = "fraction" if params.chart == "p" else "number"
    center, lcl, ucl = (_lenient(raw, name, unit) for name in ("center", "lcl", "ucl"))
    count = len(ref.points)
    if variant["ask"]:
        at = _asked_index(variant)
        lcls = [lcl if i == at else None for i in range(count)]
        ucls = [ucl if i == at else None for i in range(count)]
    else:
        lcls, ucls = [lcl] * count, [ucl] * count
    flags = {}
    for text in raw.get("signals") or []:
        if text.strip().isdigit() and 1 <= int(text) <= count:
            rule = single(raw, f"rule-{int(text)}").strip()
            flags[int(text) - 1] = rule if rule.isdigit() else "?"
    drawing = ChartDrawing(
        title=f"Your answer: {variant['measure']}",
        points=ref.points,
        center=center,
        lcl=lcls,
        ucl=ucls,
        flags=flags,
        sample_label=variant["sample_label"],
        decimals=params.decimals,
    )
    return render_control_chart(drawing, dom_id)


def _lenient(raw: RawAnswer, field: str, unit: Literal["fraction", "number"]) -> float | None:
    try:
        return parse_number(single(raw, field), unit)
    except NumberFormatError:
        return None
