"""Group comparisons drawn as SVG: a dot plot of measured values per group (with each
group's mean, and an optional reference line such as a target or zero), and 100% stacked
bars of a contingency table (each group's split across the categories, with its counts).

Pure functions from plain numbers to SVG text; `dom_id` prefixes the ids inside, so two
drawings can share a page.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

from app.charts.svg import FILLS, LOOK, circle, frame, line, nice_range, text, tip, value_axis
from app.grading.numbers import format_number

WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 54, 58


@dataclass(frozen=True)
class Reference:
    """A horizontal line across the plot: a target, a hypothesised value, zero."""

    label: str
    value: float


def render_dot_plot(
    groups: Sequence[tuple[str, Sequence[float]]],
    dom_id: str,
    title: str,
    value_label: str,
    reference: Reference | None = None,
    note: str = "",
    decimals: int = 2,
) -> str:
    """One column of dots per group, spread sideways so equal values stay visible, with a
    bar at each group's mean. `note` is a line under the title (e.g. the test's result)."""
    known = [v for _, values in groups for v in values]
    if reference is not None:
        known.append(reference.value)
    low, high = nice_range(known)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(groups))

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    parts = frame(WIDTH, HEIGHT, dom_id, title, _describe_dots(groups, reference, decimals))
    parts.append(text(LEFT, 20, title, "title", "start"))
    if note:
        parts.append(text(LEFT, 38, note, "label", "start"))
    parts += value_axis(low, high, y, LEFT, WIDTH - RIGHT)
    parts.append(line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, LOOK["axis"]))
    parts.append(line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, LOOK["axis"]))
    jitter = random.Random(len(known))  # noqa: S311 (layout only: the same drawing for the same data)
    for index, (name, values) in enumerate(groups):
        middle = LEFT + slot * (index + 0.5)
        spread = min(slot * 0.3, 40)
        for position, value in enumerate(values, start=1):
            dx = (jitter.random() - 0.5) * 2 * spread
            about = f"{name}, value {position}: {format_number(value, decimals + 2)}"
            parts.append(circle(middle + dx, y(value), 3.5, "point", about))
        if values:
            mean = fmean(values)
            parts.append(
                line(middle - spread - 8, y(mean), middle + spread + 8, y(mean), LOOK["mean"])
            )
        parts.append(text(middle, HEIGHT - BOTTOM + 18, name, "label"))
        parts.append(text(middle, HEIGHT - BOTTOM + 34, f"n = {len(values)}", "small"))
    if reference is not None:
        ry = y(reference.value)
        parts.append(
            f'<polyline points="{LEFT},{ry:.1f} {WIDTH - RIGHT},{ry:.1f}" '
            f'fill="none" stroke="#b3261e" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        label = f"{reference.label} {format_number(reference.value, decimals)}"
        parts.append(text(WIDTH - RIGHT - 4, ry - 6, label, "alert", "end"))
    parts.append(
        text(LEFT, HEIGHT - 6, f"{value_label}; bars mark each group's mean", "small", "start")
    )
    parts.append("</svg>")
    return "".join(parts)


def _describe_dots(
    groups: Sequence[tuple[str, Sequence[float]]], reference: Reference | None, decimals: int
) -> str:
    pieces = [
        f"{name}: {len(values)} values, mean {format_number(fmean(values), decimals)}."
        for name, values in groups
        if values
    ]
    if reference is not None:
        pieces.append(f"{reference.label}: {format_number(reference.value, decimals)}.")
    return " ".join(pieces)


def render_share_bars(
    counts: Sequence[Sequence[int]],
    categories: Sequence[str],
    groups: Sequence[str],
    dom_id: str,
    title: str,
    note: str = "",
) -> str:
    """One 100% bar per group (a column of `counts`), split by category (a row), with each
    segment's count written on it when it is tall enough, and a legend."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(groups))
    totals = [sum(row[j] for row in counts) for j in range(len(groups))]

    def y(share: float) -> float:
        return TOP + plot_h * (1 - share)

    parts = frame(WIDTH, HEIGHT, dom_id, title, _describe_bars(counts, categories, groups))
    parts.append(text(LEFT, 20, title, "title", "start"))
    if note:
        parts.append(text(LEFT, 38, note, "label", "start"))
    parts += value_axis(0.0, 1.0, y, LEFT, WIDTH - RIGHT)
    parts.append(line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, LOOK["axis"]))
    for j, name in enumerate(groups):
        x0 = LEFT + slot * j + slot * 0.2
        width = slot * 0.6
        below = 0.0
        for i, category in enumerate(categories):
            share = counts[i][j] / totals[j] if totals[j] else 0.0
            top, bottom = y(below + share), y(below)
            fill = FILLS[i % len(FILLS)]
            about = f"{name}, {category}: {counts[i][j]} of {totals[j]}"
            parts.append(
                f'<rect x="{x0:.1f}" y="{top:.1f}" width="{width:.1f}" '
                f'height="{bottom - top:.1f}" fill="{fill}">{tip(about)}</rect>'
            )
            if bottom - top >= 16:
                parts.append(
                    text(x0 + width / 2, (top + bottom) / 2 + 4, str(counts[i][j]), "bar-label")
                )
            below += share
        parts.append(text(x0 + width / 2, HEIGHT - BOTTOM + 18, name, "label"))
        parts.append(text(x0 + width / 2, HEIGHT - BOTTOM + 34, f"n = {totals[j]}", "small"))
    x = LEFT
    for i, category in enumerate(categories):
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 16}" width="12" height="12" '
            f'fill="{FILLS[i % len(FILLS)]}"/>'
        )
        parts.append(text(x + 16, HEIGHT - 6, category, "small", "start"))
        x += 28 + 7 * len(category)
    parts.append("</svg>")
    return "".join(parts)


def _describe_bars(
    counts: Sequence[Sequence[int]], categories: Sequence[str], groups: Sequence[str]
) -> str:
    pieces = []
    for j, name in enumerate(groups):
        total = sum(row[j] for row in counts)
        split = ", ".join(
            f"{category} {counts[i][j]} ({format_number(100 * counts[i][j] / total, 1)}%)"
            for i, category in enumerate(categories)
        )
        pieces.append(f"{name} (n = {total}): {split}.")
    return " ".join(pieces)
