"""A scatter plot with a fitted straight line and a marked prediction, as SVG.

Pure function from plain numbers to SVG text, shared by the regression exercises and the
toolkit; `dom_id` prefixes the ids inside, so two drawings can share a page.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.charts.svg import (
    LOOK,
    circle,
    frame,
    line,
    nice_range,
    text,
    tick_label,
    ticks,
    value_axis,
)
from app.grading.numbers import format_number

WIDTH, HEIGHT = 720, 380
LEFT, RIGHT, TOP, BOTTOM = 70, 24, 54, 56


@dataclass(frozen=True)
class FittedLine:
    """y = intercept + slope · x, drawn across the range of x."""

    intercept: float
    slope: float
    label: str = "Fitted line"


def render_scatter(
    x: Sequence[float],
    y: Sequence[float],
    dom_id: str,
    title: str,
    x_label: str,
    y_label: str,
    fit: FittedLine | None = None,
    prediction: tuple[float, float] | None = None,
    note: str = "",
    decimals: int = 2,
) -> str:
    """One dot per (x, y) pair; `fit` adds the line, `prediction` a marked point (x, ŷ)."""
    xs = [*x, *([prediction[0]] if prediction else [])]
    x_low, x_high = nice_range(xs)
    known_y = list(y)
    if fit is not None:
        known_y += [fit.intercept + fit.slope * v for v in (x_low, x_high)]
    if prediction is not None:
        known_y.append(prediction[1])
    y_low, y_high = nice_range(known_y)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(value: float) -> float:
        return LEFT + plot_w * (value - x_low) / (x_high - x_low)

    def sy(value: float) -> float:
        return TOP + plot_h * (y_high - value) / (y_high - y_low)

    description = _describe(x, y, fit, prediction, x_label, y_label, decimals)
    parts = frame(WIDTH, HEIGHT, dom_id, title, description)
    parts.append(text(LEFT, 20, title, "title", "start"))
    if note:
        parts.append(text(LEFT, 38, note, "label", "start"))
    parts += value_axis(y_low, y_high, sy, LEFT, WIDTH - RIGHT)
    marks = ticks(x_low, x_high)
    step = marks[1] - marks[0] if len(marks) > 1 else 1.0
    bottom = HEIGHT - BOTTOM
    for value in marks:
        parts.append(line(sx(value), bottom, sx(value), bottom + 5, LOOK["axis"]))
        parts.append(text(sx(value), bottom + 18, tick_label(value, step), "small"))
    parts.append(line(LEFT, TOP, LEFT, bottom, LOOK["axis"]))
    parts.append(line(LEFT, bottom, WIDTH - RIGHT, bottom, LOOK["axis"]))
    parts.append(text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 10, x_label, "label"))
    middle = (TOP + bottom) / 2
    turned = f'transform="rotate(-90 16 {middle:.1f})"'
    parts.append(text(16, middle, y_label, "label", "middle", turned))
    for index, (xv, yv) in enumerate(zip(x, y, strict=True), start=1):
        about = (
            f"Point {index}: {format_number(xv, decimals + 2)}, {format_number(yv, decimals + 2)}"
        )
        parts.append(circle(sx(xv), sy(yv), 4, "point", about))
    if fit is not None:
        y1, y2 = (fit.intercept + fit.slope * v for v in (x_low, x_high))
        parts.append(
            f'<polyline points="{sx(x_low):.1f},{sy(y1):.1f} {sx(x_high):.1f},{sy(y2):.1f}" '
            'fill="none" stroke="#b3261e" stroke-width="2"/>'
        )
        label_y = sy(y2) - 8 if fit.slope >= 0 else sy(y2) + 16
        parts.append(text(WIDTH - RIGHT - 4, label_y, fit.label, "alert", "end"))
    if prediction is not None:
        px, py = prediction
        about = (
            f"Prediction at {format_number(px, decimals + 2)}: {format_number(py, decimals + 2)}"
        )
        parts.append(circle(sx(px), sy(py), 6, "marker", about))
        parts.append(
            text(sx(px) + 10, sy(py) + 4, f"ŷ = {format_number(py, decimals)}", "alert", "start")
        )
    parts.append("</svg>")
    return "".join(parts)


def _describe(
    x: Sequence[float],
    y: Sequence[float],
    fit: FittedLine | None,
    prediction: tuple[float, float] | None,
    x_label: str,
    y_label: str,
    decimals: int,
) -> str:
    pieces = [
        f"{len(x)} points: {x_label} from {format_number(min(x), decimals)} to "
        f"{format_number(max(x), decimals)}, {y_label} from {format_number(min(y), decimals)} "
        f"to {format_number(max(y), decimals)}."
    ]
    if fit is not None:
        pieces.append(
            f"{fit.label}: y = {format_number(fit.intercept, decimals + 2)} + "
            f"{format_number(fit.slope, decimals + 2)} × x."
        )
    if prediction is not None:
        pieces.append(
            f"Prediction at x = {format_number(prediction[0], decimals)}: "
            f"{format_number(prediction[1], decimals)}."
        )
    return " ".join(pieces)
