"""A capability histogram: the data in bins, the specification limits and the target as
vertical lines, and a fitted normal curve scaled to the counts.

`render_histogram` draws any HistogramDrawing; `render_capability` draws a study from
app.lss.capability with the normal curve of its grand mean and overall σ (the curve that
goes with Pp, Ppk and the expected ppm).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import norm

from app.charts.svg import BLUE, GREEN, LOOK, PALE_BLUE, RED, frame, line, nice_step, text, tip
from app.grading.numbers import format_number
from app.lss.capability import Capability

WIDTH, HEIGHT = 760, 360
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 52, 48
CURVE_POINTS = 120


@dataclass(frozen=True)
class Curve:
    """A normal curve to draw over the bars, with the words that explain it."""

    mean: float
    sigma: float
    label: str = "Normal curve"


@dataclass(frozen=True)
class HistogramDrawing:
    title: str
    values: Sequence[float]
    lsl: float | None = None
    usl: float | None = None
    target: float | None = None
    curve: Curve | None = None
    value_label: str = "Value"  # the x axis: "Hours to a decision"
    decimals: int = 2
    description: str = ""


def render_capability(
    study: Capability,
    values: Sequence[float],
    dom_id: str,
    title: str,
    *,
    target: float | None = None,
    value_label: str = "Value",
    decimals: int = 2,
) -> str:
    """The study's data against its specification, with the normal curve of x̿ and σ_overall."""
    curve = Curve(
        study.mean,
        study.sigma_overall,
        f"Normal curve: mean {format_number(study.mean, decimals + 1)}, "
        f"overall σ {format_number(study.sigma_overall, decimals + 1)}",
    )
    drawing = HistogramDrawing(
        title, values, study.lsl, study.usl, target, curve, value_label, decimals
    )
    return render_histogram(drawing, dom_id)


def render_histogram(drawing: HistogramDrawing, dom_id: str) -> str:
    values = list(drawing.values)
    edges = bin_edges(values)
    counts = _counts(values, edges)
    width = edges[1] - edges[0]
    curve = drawing.curve if drawing.curve and drawing.curve.sigma > 0 else None
    marks = [v for v in (drawing.lsl, drawing.usl, drawing.target) if v is not None]
    low = min([edges[0], *marks] + ([curve.mean - 3.5 * curve.sigma] if curve else []))
    high = max([edges[-1], *marks] + ([curve.mean + 3.5 * curve.sigma] if curve else []))
    pad = (high - low) * 0.03 or 1.0
    low, high = low - pad, high + pad

    def density(x: float) -> float:
        assert curve is not None
        return len(values) * width * float(norm.pdf(x, curve.mean, curve.sigma))

    peak = max(counts)
    if curve:
        peak = max(peak, density(curve.mean))
    top = _nice_ceiling(peak * 1.08)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(value: float) -> float:
        return LEFT + plot_w * (value - low) / (high - low)

    def y(count: float) -> float:
        return TOP + plot_h * (1 - count / top)

    out = frame(WIDTH, HEIGHT, dom_id, drawing.title, drawing.description or describe(drawing))
    out.append(text(LEFT, 20, drawing.title, "title", "start"))
    out += _axes(drawing, low, high, top, x, y)
    for index, count in enumerate(counts):
        left, right = edges[index], edges[index + 1]
        about = (
            f"{format_number(left, drawing.decimals + 1)} to under "
            f"{format_number(right, drawing.decimals + 1)}: {count}"
        )
        out.append(
            f'<rect x="{x(left):.1f}" y="{y(count):.1f}" width="{x(right) - x(left):.1f}" '
            f'height="{y(0) - y(count):.1f}" fill="{PALE_BLUE}" stroke="#ffffff" '
            f'stroke-width="1">{tip(about)}</rect>'
        )
    if curve:
        path = " ".join(
            f"{x(px):.1f},{y(density(px)):.1f}"
            for px in (low + (high - low) * i / CURVE_POINTS for i in range(CURVE_POINTS + 1))
        )
        out.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
        out.append(text(LEFT, 40, curve.label, "line-label", "start"))
    for name, value, colour, look in (
        ("LSL", drawing.lsl, RED, "alert"),
        ("USL", drawing.usl, RED, "alert"),
        ("Target", drawing.target, GREEN, "target-label"),
    ):
        if value is None:
            continue
        dash = "6 4" if name != "Target" else "2 3"
        out.append(
            line(
                x(value),
                TOP,
                x(value),
                y(0),
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"',
            )
        )
        # Inside the plot beside its line, on the side with room; the target one row lower.
        right_side = x(value) < WIDTH - RIGHT - 90
        label_x = x(value) + 5 if right_side else x(value) - 5
        label_y = TOP + (30 if name == "Target" else 14)
        label = f"{name} {format_number(value, drawing.decimals)}"
        out.append(text(label_x, label_y, label, look, "start" if right_side else "end"))
    out.append("</svg>")
    return "".join(out)


def bin_edges(values: Sequence[float]) -> list[float]:
    """Equal bins of a round width (1, 2, 2.5 or 5 times a power of ten), about Sturges'
    number of them (⌈log₂ n⌉ + 1), starting at a multiple of the width."""
    low, high = min(values), max(values)
    wanted = max(5, min(20, math.ceil(math.log2(max(2, len(values)))) + 1))
    width = nice_step((high - low) / wanted) if high > low else 1.0
    start = math.floor(low / width) * width
    edges = [start]
    while edges[-1] <= high:
        edges.append(start + width * len(edges))
    return edges


def _counts(values: Sequence[float], edges: list[float]) -> list[int]:
    width = edges[1] - edges[0]
    counts = [0] * (len(edges) - 1)
    for value in values:
        index = min(len(counts) - 1, max(0, math.floor((value - edges[0]) / width + 1e-9)))
        counts[index] += 1
    return counts


def _nice_ceiling(value: float) -> float:
    step = nice_step(max(value, 1.0) / 5)
    return math.ceil(value / step) * step


def _axes(drawing, low, high, top, x, y) -> list[str]:  # type: ignore[no-untyped-def]
    bottom = HEIGHT - BOTTOM
    out = [
        line(LEFT, TOP, LEFT, bottom, LOOK["axis"]),
        line(LEFT, bottom, WIDTH - RIGHT, bottom, LOOK["axis"]),
    ]
    step = nice_step(top / 4)
    tick = 0.0
    while tick <= top + 1e-9:
        out.append(line(LEFT, y(tick), WIDTH - RIGHT, y(tick), LOOK["grid"]))
        out.append(text(LEFT - 6, y(tick) + 4, format_number(tick, 1), "label", "end"))
        tick += step
    x_step = nice_step((high - low) / 8)
    value = math.ceil(low / x_step) * x_step
    while value <= high:
        out.append(line(x(value), bottom, x(value), bottom + 4, LOOK["axis"]))
        out.append(text(x(value), bottom + 17, format_number(value, 3), "label"))
        value += x_step
    out.append(text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 8, drawing.value_label, "label"))
    out.append(
        text(
            14,
            (TOP + bottom) / 2,
            "Count",
            "label",
            "middle",
            f'transform="rotate(-90 14 {(TOP + bottom) / 2:.1f})"',
        )
    )
    return out


def describe(drawing: HistogramDrawing) -> str:
    values = list(drawing.values)
    shown = drawing.decimals + 1
    pieces = [
        f"Histogram of {len(values)} values of {drawing.value_label.lower()}, from "
        f"{format_number(min(values), shown)} to {format_number(max(values), shown)}."
    ]
    if drawing.lsl is not None:
        below = sum(1 for v in values if v < drawing.lsl)
        pieces.append(f"LSL {format_number(drawing.lsl, drawing.decimals)}: {below} below it.")
    if drawing.usl is not None:
        above = sum(1 for v in values if v > drawing.usl)
        pieces.append(f"USL {format_number(drawing.usl, drawing.decimals)}: {above} above it.")
    if drawing.target is not None:
        pieces.append(f"Target {format_number(drawing.target, drawing.decimals)}.")
    if drawing.curve:
        pieces.append(f"{drawing.curve.label}.")
    return " ".join(pieces)
