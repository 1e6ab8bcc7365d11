"""The toolkit's analyses: a learner's own data through the same code the graders use.

Each analysis takes its input model (the data as CSV text and its settings, from the form
or the JSON API) and returns an Analysis: the figures to show, the same figures as plain
data for the API, and the chart as SVG. Bad data raises InvalidInput naming the field.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.charts.effects import render_effect_bars
from app.charts.groups import render_dot_plot, render_share_bars
from app.charts.histogram import render_capability
from app.charts.pareto import render_pareto_analysis
from app.errors import InvalidInput
from app.grading.control_chart_data import reference
from app.grading.control_chart_svg import ChartDrawing, render_control_chart
from app.lss import stats
from app.lss.capability import capability as capability_of
from app.lss.doe import factorial_effects
from app.lss.pareto import pareto as pareto_of
from app.lss.spc import NELSON_RULES
from app.toolkit.table import Table, read_table

CHART_NAMES = {
    "imr": "Individuals and moving range (I-MR)",
    "xbar_r": "X̄ and R (subgroup means and ranges)",
    "xbar_s": "X̄ and S (subgroup means and standard deviations)",
    "p": "p (share defective, samples of any size)",
    "np": "np (number defective, samples of one size)",
    "c": "c (defects per sample, samples of one size)",
    "u": "u (defects per unit, samples of any size)",
}
Data = Field(min_length=1, max_length=4_000_000)  # about 100,000 rows of a few columns
Heading = Field(default="", max_length=100)


@dataclass(frozen=True)
class Figure:
    label: str
    value: Any


@dataclass(frozen=True)
class Analysis:
    title: str
    figures: list[Figure]  # what the page shows, in order
    result: dict[str, Any]  # the API's answer: plain numbers and text
    svg: str | None = None
    notes: list[str] = field(default_factory=list)  # what a reader should know
    table: list[list[Any]] = field(default_factory=list)  # a heading row, then rows


class ControlChartInput(BaseModel):
    """`column` holds the values (I-MR), the counts (p, np, c, u); X̄ charts read each row as
    one subgroup across `columns` (every numeric column when empty). `size_column` holds each
    sample's size (p, np) or units inspected (u)."""

    model_config = ConfigDict(extra="forbid")

    data: str = Data
    chart: Literal["imr", "xbar_r", "xbar_s", "p", "np", "c", "u"] = "imr"
    column: str = Heading
    columns: list[str] = Field(default_factory=list, max_length=25)
    size_column: str = Heading
    rules: list[int] = Field(default=[1, 2, 5, 6], min_length=1, max_length=8)
    run_length: int = Field(default=9, ge=7, le=9)

    @model_validator(mode="after")
    def _known_rules(self) -> "ControlChartInput":
        if not set(self.rules) <= set(NELSON_RULES):
            raise ValueError("rules must be Nelson rule numbers from 1 to 8")
        return self


def control_chart(given: ControlChartInput) -> Analysis:
    table = read_table(given.data)
    samples = _samples(table, given)
    variant = {
        "samples": samples,
        "rules": [{"number": n} for n in sorted(set(given.rules))],
        "run_length": given.run_length,
    }
    ref = _lss(lambda: reference(given.chart, variant))
    flags = {n - 1: ",".join(str(r) for r in sorted(rules)) for n, rules in ref.violations.items()}
    varying = len(set(ref.lcl)) > 1 or len(set(ref.ucl)) > 1
    signals = [{"sample": n, "rules": sorted(rules)} for n, rules in sorted(ref.violations.items())]
    drawing = ChartDrawing(
        title=f"{CHART_NAMES[given.chart]} chart",
        points=ref.points,
        center=ref.center,
        lcl=ref.lcl,
        ucl=ref.ucl,
        flags=flags,
        decimals=4 if given.chart in ("p", "u") else 2,
    )
    figures = [
        Figure("Chart", CHART_NAMES[given.chart]),
        Figure("Points", len(ref.points)),
        Figure("Centre line", ref.center),
        Figure("LCL", "varies by sample" if varying else ref.lcl[0]),
        Figure("UCL", "varies by sample" if varying else ref.ucl[0]),
        Figure("Signals", _signal_text(signals) or "none: no point breaks the rules asked"),
    ]
    result = {
        "chart": given.chart,
        "points": list(ref.points),
        "center": ref.center,
        "lcl": list(ref.lcl),
        "ucl": list(ref.ucl),
        "signals": signals,
    }
    return Analysis("Control chart", figures, result, render_control_chart(drawing, "toolkit"))


def _samples(table: Table, given: ControlChartInput) -> list[dict[str, Any]]:
    if given.chart in ("xbar_r", "xbar_s"):
        columns = given.columns or table.numeric_headings()
        if len(columns) < 2:
            raise InvalidInput("Choose at least two columns: each row is one subgroup.", "columns")
        groups = list(zip(*(table.numbers(c, "columns") for c in columns), strict=True))
        return [{"values": list(group)} for group in groups]
    column = given.column or _last_numeric(table)
    if given.chart == "imr":
        return [{"value": v} for v in table.numbers(column, "column")]
    counts = table.numbers(column, "column", whole=given.chart != "u")
    if given.chart == "c":
        return [{"count": c} for c in counts]
    if not given.size_column:
        raise InvalidInput("Name the column with each sample's size.", "size_column")
    sizes = table.numbers(given.size_column, "size_column", whole=given.chart != "u")
    for row_number, (count, size) in enumerate(zip(counts, sizes, strict=True), start=2):
        if size <= 0 or (given.chart != "u" and count > size):
            raise InvalidInput(
                f"Row {row_number}: {count:g} found in a sample of {size:g}.", "size_column"
            )
    return [{"count": c, "inspected": s} for c, s in zip(counts, sizes, strict=True)]


def _signal_text(signals: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"sample {s['sample']} (rule {', '.join(map(str, s['rules']))})" for s in signals
    )


class CapabilityInput(BaseModel):
    """`column` holds the measurements in time order; give `lsl`, `usl` or both."""

    model_config = ConfigDict(extra="forbid")

    data: str = Data
    column: str = Heading
    lsl: float | None = Field(default=None, allow_inf_nan=False)
    usl: float | None = Field(default=None, allow_inf_nan=False)
    subgroup_size: int = Field(default=1, ge=1, le=25)

    @model_validator(mode="after")
    def _limits(self) -> "CapabilityInput":
        if self.lsl is None and self.usl is None:
            raise ValueError("give a specification limit: lsl, usl or both")
        if self.lsl is not None and self.usl is not None and self.lsl >= self.usl:
            raise ValueError(f"lsl ({self.lsl:g}) must be below usl ({self.usl:g})")
        return self


def capability(given: CapabilityInput) -> Analysis:
    table = read_table(given.data)
    column = given.column or _last_numeric(table)
    values = table.numbers(column, "column")
    result = _lss(lambda: capability_of(values, given.lsl, given.usl, given.subgroup_size))
    figures = [
        Figure("Measurements", len(values)),
        Figure("Mean", result.mean),
        Figure("σ within", result.sigma_within),
        Figure("σ overall", result.sigma_overall),
        Figure("Cp", result.cp),
        Figure("Cpk", result.cpk),
        Figure("Pp", result.pp),
        Figure("Ppk", result.ppk),
        Figure("Expected PPM out of specification (overall)", result.ppm_overall.total),
    ]
    data = {
        "count": len(values),
        "mean": result.mean,
        "sigma_within": result.sigma_within,
        "sigma_overall": result.sigma_overall,
        "cp": result.cp,
        "cpk": result.cpk,
        "pp": result.pp,
        "ppk": result.ppk,
        "ppm_within": result.ppm_within.total,
        "ppm_overall": result.ppm_overall.total,
    }
    notes = ["Capability means something only for a process in control: chart the data first."]
    svg = render_capability(
        result, values, "toolkit", f"Capability of {column}", value_label=column
    )
    return Analysis("Capability", [f for f in figures if f.value is not None], data, svg, notes)


class ParetoInput(BaseModel):
    """Categories in `column`, one row per occurrence, or with their counts in `count_column`."""

    model_config = ConfigDict(extra="forbid")

    data: str = Data
    column: str = Heading
    count_column: str = Heading
    threshold: float = Field(default=0.8, gt=0, le=1)


def pareto(given: ParetoInput) -> Analysis:
    table = read_table(given.data)
    column = given.column or table.headings[0]
    categories = table.column(column, "column")
    if given.count_column:
        counts: Counter[str] = Counter()
        for category, count in zip(
            categories, table.numbers(given.count_column, "count_column"), strict=True
        ):
            counts[category] += count
    else:
        counts = Counter(categories)
    result = _lss(lambda: pareto_of(dict(counts), given.threshold))
    figures = [
        Figure("Categories", len(result.rows)),
        Figure("Total", result.total),
        Figure(f"Vital few (up to {given.threshold:.0%})", ", ".join(result.vital_few)),
    ]
    rows = [
        {
            "category": r.category,
            "count": r.count,
            "percent": r.percent,
            "cumulative_percent": r.cumulative_percent,
        }
        for r in result.rows
    ]
    data = {"rows": rows, "total": result.total, "vital_few": list(result.vital_few)}
    unit_name = given.count_column or "Count"
    svg = render_pareto_analysis(result, "toolkit", f"Pareto chart of {column}", unit_name)
    table = [["Category", unit_name, "Share", "Cumulative share"]]
    table += [
        [r.category, r.count, f"{r.percent:.1f}%", f"{r.cumulative_percent:.1f}%"]
        for r in result.rows
    ]
    return Analysis("Pareto analysis", figures, data, svg, table=table)


class HypothesisTestInput(BaseModel):
    """One-sample: `columns` = [values] against `mu0`. Two-sample and paired: two columns.
    ANOVA: one column per group. Chi-square: the numeric columns form the table of counts,
    one row of the data per row of the table."""

    model_config = ConfigDict(extra="forbid")

    data: str = Data
    test: Literal["one_sample", "two_sample", "paired", "anova", "chi_square"]
    columns: list[str] = Field(default_factory=list, max_length=25)
    mu0: float = Field(default=0.0, allow_inf_nan=False)
    equal_var: bool = False
    alpha: float = Field(default=0.05, gt=0, lt=0.5)


TEST_NAMES = {
    "one_sample": "One-sample t-test",
    "two_sample": "Two-sample t-test",
    "paired": "Paired t-test",
    "anova": "One-way ANOVA",
    "chi_square": "Chi-square test of independence",
}
NEEDED_COLUMNS = {"one_sample": 1, "two_sample": 2, "paired": 2, "anova": 2, "chi_square": 2}


def hypothesis_test(given: HypothesisTestInput) -> Analysis:
    table = read_table(given.data)
    columns = given.columns or table.numeric_headings()
    needed = NEEDED_COLUMNS[given.test]
    exact = given.test in ("one_sample", "two_sample", "paired")
    if len(columns) < needed or (exact and len(columns) != needed):
        count = f"exactly {needed}" if exact else f"at least {needed}"
        raise InvalidInput(f"{TEST_NAMES[given.test]} needs {count} columns.", "columns")
    samples = [
        _without_blanks(table, c)
        if given.test in ("two_sample", "anova")
        else table.numbers(c, "columns", whole=given.test == "chi_square")
        for c in columns
    ]
    outcome = _lss(lambda: _run_test(given, dict(zip(columns, samples, strict=True))))
    statistic, p_value, df = _test_figures(outcome)
    reject = p_value < given.alpha
    decision = "Reject H0" if reject else "Do not reject H0"
    figures = [
        Figure("Test", TEST_NAMES[given.test]),
        Figure(_statistic_name(given.test), statistic),
        Figure("Degrees of freedom", df),
        Figure("p-value", p_value),
        Figure(f"Decision at α = {given.alpha:g}", decision),
    ]
    data = {
        "test": given.test,
        "statistic": statistic,
        "df": df,
        "p_value": p_value,
        "alpha": given.alpha,
        "reject_null": reject,
    }
    note = f"{TEST_NAMES[given.test]}: p = {p_value:.4g}"
    if given.test == "chi_square":
        labels = [f"Row {n}" for n in range(1, len(table.rows) + 1)]
        counts = [[int(v) for v in row] for row in zip(*samples, strict=True)]
        svg = render_share_bars(counts, labels, columns, "toolkit", "Counts by column", note)
    else:
        groups = list(zip(columns, samples, strict=True))
        svg = render_dot_plot(groups, "toolkit", "The data by column", "Value", note=note)
    return Analysis("Hypothesis test", figures, data, svg)


def _without_blanks(table: Table, heading: str) -> list[float]:
    """Groups of different sizes leave blank cells below the shorter ones."""
    cells = table.column(heading, "columns")
    kept = Table((heading,), tuple((c,) for c in cells if c))
    return kept.numbers(heading, "columns")


def _run_test(given: HypothesisTestInput, samples: dict[str, list[float]]) -> Any:
    first, *others = samples.values()
    match given.test:
        case "one_sample":
            return stats.t_test_one_sample(first, given.mu0)
        case "two_sample":
            return stats.t_test_two_sample(first, others[0], equal_var=given.equal_var)
        case "paired":
            return stats.t_test_paired(first, others[0])
        case "anova":
            return stats.one_way_anova(samples)
    return stats.chi_square_independence([list(row) for row in zip(*samples.values(), strict=True)])


def _test_figures(outcome: Any) -> tuple[float, float, Any]:
    for name in ("t", "f", "statistic"):
        if hasattr(outcome, name):
            statistic = getattr(outcome, name)
            break
    df = getattr(outcome, "df", None)
    if df is None:
        df = [outcome.df_between, outcome.df_within]
    return float(statistic), float(outcome.p_value), df


def _statistic_name(test: str) -> str:
    return {"anova": "F", "chi_square": "χ²"}.get(test, "t")


class DoeInput(BaseModel):
    """Each row is one run: the factor columns hold the coded settings (−1 and +1, or any
    two values, the smaller taken as low) and `response` the result."""

    model_config = ConfigDict(extra="forbid")

    data: str = Data
    factors: list[str] = Field(default_factory=list, max_length=7)
    response: str = Heading


def doe(given: DoeInput) -> Analysis:
    table = read_table(given.data)
    response = given.response or table.headings[-1]
    factors = given.factors or [h for h in table.headings if h != response]
    if not 2 <= len(factors) <= 7:
        raise InvalidInput("Choose from 2 to 7 factor columns.", "factors")
    design = [dict.fromkeys(factors, 0) for _ in table.rows]
    for name in factors:
        for run, coded in zip(design, _coded(table, name), strict=True):
            run[name] = coded
    y = table.numbers(response, "response")
    result = _lss(lambda: factorial_effects(design, y))
    effects = dict(sorted(result.effects.items(), key=lambda item: -abs(item[1])))
    figures = [Figure("Runs", len(y)), Figure("Factors", ", ".join(factors))]
    figures += [Figure(f"Effect of {term}", value) for term, value in effects.items()]
    data = {
        "factors": list(factors),
        "effects": result.effects,
        "coefficients": result.coefficients,
    }
    svg = render_effect_bars(effects, "toolkit", f"Effects on {response}")
    return Analysis("Factorial design", figures, data, svg)


def _coded(table: Table, heading: str) -> list[int]:
    values = table.numbers(heading, "factors")
    levels = sorted(set(values))
    if len(levels) != 2:
        raise InvalidInput(
            f"Column '{heading}' must hold exactly two settings (it has {len(levels)}).", "factors"
        )
    return [-1 if v == levels[0] else 1 for v in values]


def _last_numeric(table: Table) -> str:
    """The default column: the last of numbers, as a day or sample number usually leads.
    With none, the last column, so that reading it names the first cell that is not a number."""
    numeric = table.numeric_headings()
    return numeric[-1] if numeric else table.headings[-1]


def _lss(run: Callable[[], Any]) -> Any:
    """app.lss names the argument in its ValueErrors; the learner gave the data."""
    try:
        return run()
    except ValueError as error:
        raise InvalidInput(str(error), "data") from None
