"""The data behind a control-chart exercise: a seeded service data set (sometimes with a
special cause injected), and the reference chart computed from it by app.lss.spc.

A variant holds only what the learner is shown (the data, the scenario's words, the rules
asked); which chart is right and its limits are never in it, since a variant is also served
by the API.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.lss import spc

Chart = Literal["imr", "xbar_r", "xbar_s", "p", "np", "c", "u"]
CHARTS: dict[str, str] = {
    "imr": "Individuals and moving range (I-MR)",
    "xbar_r": "X̄ and R",
    "xbar_s": "X̄ and s",
    "p": "p chart (proportion defective)",
    "np": "np chart (number defective)",
    "c": "c chart (defects per sample)",
    "u": "u chart (defects per unit)",
}
VARIABLES = frozenset({"imr", "xbar_r", "xbar_s"})
VARYING_LIMITS = frozenset({"p", "u"})
# How the data are laid out, which the learner sees anyway: it never tells p from u.
LAYOUT = {
    "imr": "individuals",
    "xbar_r": "subgroups",
    "xbar_s": "subgroups",
    "p": "sized_counts",
    "np": "sized_counts",
    "u": "sized_counts",
    "c": "counts",
}
SpecialCause = Literal["shift", "trend", "outlier"]
SHIFT_SIGMAS, TREND_STEP_SIGMAS, OUTLIER_SIGMAS = 1.6, 0.7, 4.2


@dataclass(frozen=True)
class Drawn:
    """What a generator needs from the exercise parameters, already drawn for one variant."""

    chart: str
    count: int
    mean: float = 0.0
    sd: float = 1.0
    rate: float = 0.0
    sizes: tuple[int, ...] = ()
    subgroup_size: int = 0
    data_decimals: int = 1


def effects(cause: str | None, count: int, rng: random.Random) -> list[float]:
    """The special cause as a shift of each point, in σ of the plotted statistic."""
    shift = [0.0] * count
    if cause is None:
        return shift
    sign = rng.choice((-1, 1))
    if cause == "outlier":
        shift[rng.randrange(2, count)] = sign * OUTLIER_SIGMAS
    elif cause == "shift":
        start = rng.randint(count // 3, max(count // 3, count - 9))
        for index in range(start, count):
            shift[index] = sign * SHIFT_SIGMAS
    else:  # trend: seven points drifting the same way, then staying there
        start = rng.randint(count // 3, max(count // 3, count - 8))
        for index in range(start, count):
            shift[index] = sign * TREND_STEP_SIGMAS * min(7, index - start + 1)
    return shift


def samples(drawn: Drawn, shift: list[float], rng: random.Random) -> list[dict[str, Any]]:
    """One row per sample, numbered from 1, in the layout of the chart."""
    if drawn.chart == "imr":
        values = [rng.gauss(drawn.mean + s * drawn.sd, drawn.sd) for s in shift]
        rows = [{"value": _round(v, drawn.data_decimals)} for v in values]
        _spread_at_least_once([r["value"] for r in rows], rows, "value", drawn.data_decimals)
    elif drawn.chart in ("xbar_r", "xbar_s"):
        n, rows = drawn.subgroup_size, []
        for s in shift:
            centre = drawn.mean + s * drawn.sd / math.sqrt(n)
            values = [_round(rng.gauss(centre, drawn.sd), drawn.data_decimals) for _ in range(n)]
            if len(set(values)) == 1:  # a subgroup without spread would hide σ
                values[-1] = _round(values[-1] + 10.0**-drawn.data_decimals, drawn.data_decimals)
            rows.append({"values": values})
    elif drawn.chart in ("p", "np"):
        rows = []
        for size, s in zip(drawn.sizes, shift, strict=True):
            p = drawn.rate + s * math.sqrt(drawn.rate * (1 - drawn.rate) / size)
            p = min(0.95, max(0.0005, p))
            rows.append({"inspected": size, "count": _binomial(rng, size, p)})
        _some_but_not_all(rows)
    else:  # c and u: Poisson counts on a sample of `sizes` units (c: one unit each time)
        rows = []
        for size, s in zip(drawn.sizes, shift, strict=True):
            mean = drawn.rate * size
            rows.append(
                {"inspected": size, "count": _poisson(rng, max(0.05, mean + s * math.sqrt(mean)))}
            )
        _some_but_not_all(rows)
        if drawn.chart == "c":
            rows = [{"count": row["count"]} for row in rows]
    return [{"sample": n, **row} for n, row in enumerate(rows, start=1)]


def _round(value: float, decimals: int) -> float | int:
    rounded = round(value, decimals)
    return int(rounded) if decimals == 0 else rounded


def _spread_at_least_once(
    values: list[float], rows: list[dict[str, Any]], field: str, decimals: int
) -> None:
    if len(set(values)) == 1:
        rows[-1][field] = _round(values[-1] + 10.0**-decimals, decimals)


def _some_but_not_all(rows: list[dict[str, Any]]) -> None:
    """p̄ (or c̄) of exactly 0, or p̄ of 1, leaves no σ to draw limits with."""
    if all(row["count"] == 0 for row in rows):
        rows[0]["count"] = 1
    if all(row["count"] == row.get("inspected", -1) for row in rows):
        rows[0]["count"] -= 1


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


@dataclass(frozen=True)
class Reference:
    """The chart as app.lss.spc computes it: plotted points, centre, limits and σ per point,
    the rule violations, and what the named-mistake feedback needs (`stats`)."""

    chart: str
    points: tuple[float, ...]
    center: float
    lcl: tuple[float, ...]
    ucl: tuple[float, ...]
    sigma: tuple[float, ...]
    violations: dict[int, set[int]]  # sample number → the rules it breaks
    stats: dict[str, Any]


def reference(chart: str, variant: dict[str, Any]) -> Reference:
    rows = variant["samples"]
    count = len(rows)
    stats: dict[str, Any] = {}
    if chart == "imr":
        values = [row["value"] for row in rows]
        limits = spc.imr_limits(values)
        stats = {"mr_bar": limits.moving_range.center, "values": values}
        points, line = values, limits.individuals
        sigma: Sequence[float] = [limits.sigma] * count
        lcl, ucl = [line.lcl] * count, [line.ucl] * count
        center = line.center
    elif chart in ("xbar_r", "xbar_s"):
        groups = [row["values"] for row in rows]
        limits_xr = (spc.xbar_r_limits if chart == "xbar_r" else spc.xbar_s_limits)(groups)
        n = limits_xr.subgroup_size
        spread = limits_xr.r.center if chart == "xbar_r" else limits_xr.s.center  # type: ignore[union-attr]
        stats = {"n": n, "spread": spread, "values": [v for g in groups for v in g]}
        points, line = list(limits_xr.means), limits_xr.xbar
        sigma = [limits_xr.sigma_of_mean] * count
        lcl, ucl, center = [line.lcl] * count, [line.ucl] * count, line.center
    elif chart == "np":
        counts, n = [row["count"] for row in rows], rows[0]["inspected"]
        line = spc.np_chart_limits(counts, n)
        p_bar = line.center / n
        stats = {"n": n, "p_bar": p_bar}
        points, center = counts, line.center
        sigma = [math.sqrt(n * p_bar * (1 - p_bar))] * count
        lcl, ucl = [line.lcl] * count, [line.ucl] * count
    elif chart == "c":
        counts = [row["count"] for row in rows]
        line = spc.c_chart_limits(counts)
        points, center = counts, line.center
        sigma = [math.sqrt(line.center)] * count
        lcl, ucl = [line.lcl] * count, [line.ucl] * count
    else:  # p, u
        counts, sizes = [row["count"] for row in rows], [row["inspected"] for row in rows]
        per_point = (spc.p_chart_limits if chart == "p" else spc.u_chart_limits)(counts, sizes)
        stats = {"sizes": sizes, "rates": list(per_point.points)}
        points, center = list(per_point.points), per_point.center
        sigma, lcl, ucl = per_point.sigma, list(per_point.lcl), list(per_point.ucl)
    violations = violations_of(points, center, sigma, variant)
    return Reference(
        chart, tuple(points), center, tuple(lcl), tuple(ucl), tuple(sigma), violations, stats
    )


def violations_of(
    points: Sequence[float], center: float, sigma: Sequence[float], variant: dict[str, Any]
) -> dict[int, set[int]]:
    """Sample number → the asked rules it breaks (app.lss.spc.run_rule_violations)."""
    rules = [rule["number"] for rule in variant["rules"]]
    found: dict[int, set[int]] = {}
    for violation in spc.run_rule_violations(
        points, center, sigma, rules=rules, same_side_run=variant["run_length"]
    ):
        found.setdefault(violation.index + 1, set()).add(violation.rule)
    return found


def data_csv(variant: dict[str, Any], headings: list[str]) -> str:
    """The learner's data set as CSV, one row per sample, with the table's headings."""
    lines = [",".join(_csv_cell(h) for h in headings)]
    for row in variant["samples"]:
        cells: list[Any] = [row["sample"]]
        if "values" in row:
            cells += row["values"]
        elif "value" in row:
            cells.append(row["value"])
        else:
            cells += [row["inspected"], row["count"]] if "inspected" in row else [row["count"]]
        lines.append(",".join(_csv_cell(c) for c in cells))
    return "\r\n".join(lines) + "\r\n"


def _csv_cell(value: Any) -> str:
    text = str(value)
    # A heading written by an author must not start a spreadsheet formula.
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        text = "'" + text
    if any(ch in text for ch in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
