"""Pareto analysis: categories ranked by count, their shares, the cumulative shares and the
vital few.

Sources: J. M. Juran's Pareto principle ("vital few and useful many"); Montgomery,
Introduction to Statistical Quality Control, §5.4; qcc's pareto.chart (Scrucca 2004),
whose example — contact num. 94, price code 80, supplier code 66, part num. 33, schedule
date 27 — reaches exactly 80% with the third category.
"""

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

from app.lss._checks import fraction

VITAL_FEW_SHARE = 0.80


@dataclass(frozen=True)
class ParetoRow:
    """One category: its `count`, its `percent` of the total and the `cumulative_percent`
    of it and every category ranked above it (percentages from 0 to 100)."""

    category: str
    count: float
    percent: float
    cumulative_percent: float


@dataclass(frozen=True)
class ParetoAnalysis:
    """`rows` in Pareto order (largest count first; ties in alphabetical order, ignoring case),
    the `total` count, and the `vital_few`: the names of the top rows up to and including
    the first whose cumulative share reaches `threshold` (a fraction, 0.80 by default)."""

    rows: tuple[ParetoRow, ...]
    total: float
    threshold: float
    vital_few: tuple[str, ...]


def pareto(counts: Mapping[str, float], threshold: float = VITAL_FEW_SHARE) -> ParetoAnalysis:
    """Rank categories by count and find the vital few.

    Convention: the vital few are the smallest set of top-ranked categories whose
    cumulative share is at least `threshold` (80% by default), so the category that carries
    the total across 80% belongs to them, and one that lands exactly on 80% ends them.
    Categories with a count of zero stay in the ranking with 0%.
    Example (qcc): contact num. 94, price code 80, supplier code 66, part num. 33, schedule
    date 27 → 31.33%, 58.00%, 80.00%, 91.00%, 100%; the vital few are the first three.
    """
    _check(counts)
    fraction("threshold", threshold)
    if threshold == 0:
        raise ValueError("threshold must be above 0, such as 0.80 for the 80/20 rule.")
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold(), item[0]))
    total = math.fsum(counts.values())
    rows, running = [], 0.0
    for category, count in ranked:
        running += count
        rows.append(ParetoRow(category, count, 100 * count / total, 100 * running / total))
    return ParetoAnalysis(
        rows=tuple(rows),
        total=total,
        threshold=threshold,
        vital_few=_vital_few(ranked, total, threshold),
    )


def _vital_few(ranked: list[tuple[str, float]], total: float, threshold: float) -> tuple[str, ...]:
    # Compare running counts, not rounded percentages: 240 of 300 is exactly 80%.
    needed = threshold * total * (1 - 1e-12)
    names, running = [], 0.0
    for category, count in ranked:
        names.append(category)
        running += count
        if running >= needed:
            break
    return tuple(names)


def _check(counts: Mapping[str, float]) -> None:
    if not counts:
        raise ValueError("counts needs at least one category.")
    for category, count in counts.items():
        if not isinstance(category, str) or not category.strip():
            raise ValueError(f"Every category in counts needs a name (got {category!r}).")
        if not _is_number(count) or not math.isfinite(count):
            raise ValueError(f"The count of '{category}' must be a finite number (got {count!r}).")
        if count < 0:
            raise ValueError(f"The count of '{category}' cannot be negative (got {count}).")
    if math.fsum(counts.values()) == 0:
        raise ValueError("counts are all zero, so there is nothing to rank.")


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
