"""The pieces every chart shares: the look, escaped text and lines, the accessible frame (a
title and a description for screen readers), stacking several drawings into one SVG, and
the ranges and round ticks of a value axis.

Presentation attributes only (no CSS, no script), so a drawing looks the same inline under a
strict CSP and as a downloaded file. Every piece of text is escaped.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from app.grading.numbers import format_number

FONT = 'font-family="system-ui, sans-serif"'
INK, MUTED, GRID = "#1d2430", "#5b6573", "#e3e7ec"
BLUE, PALE_BLUE, RED, GREEN, GREY = "#0b5fa5", "#9cc3e6", "#b3261e", "#1b7f3b", "#8a94a1"
LOOK = {
    # Strokes and fills, for lines and marks.
    "axis": f'stroke="{MUTED}" stroke-width="1"',
    "grid": f'stroke="{GRID}" stroke-width="1"',
    "point": f'fill="{BLUE}" fill-opacity="0.75" stroke="#ffffff" stroke-width="1"',
    "mean": f'stroke="{INK}" stroke-width="3"',
    "marker": f'fill="{RED}" stroke="#ffffff" stroke-width="1.5"',
    # Text.
    "label": f'{FONT} font-size="12" fill="{INK}"',
    "small": f'{FONT} font-size="11" fill="{INK}"',
    "muted": f'{FONT} font-size="11" fill="{MUTED}"',
    "strong": f'{FONT} font-size="12" font-weight="700" fill="{INK}"',
    "alert": f'{FONT} font-size="12" font-weight="700" fill="{RED}"',
    "target-label": f'{FONT} font-size="12" font-weight="700" fill="{GREEN}"',
    "line-label": f'{FONT} font-size="12" font-weight="700" fill="{BLUE}"',
    "bar-label": f'{FONT} font-size="11" font-weight="700" fill="#ffffff"',
    "bar-label-dark": f'{FONT} font-size="11" font-weight="700" fill="{INK}"',
    "title": f'{FONT} font-size="14" font-weight="700" fill="{INK}"',
}
# Colour-blind-safe fills (Okabe–Ito), dark enough for white labels.
FILLS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#7a5c00")

Scale = Callable[[float], float]


def frame(width: int, height: int, dom_id: str, title: str, description: str) -> list[str]:
    """The opening of an accessible drawing: <svg role="img"> named by its title and desc."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{dom_id}-title {dom_id}-desc" width="100%">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>',
    ]


@dataclass(frozen=True)
class Drawing:
    """A chart before it is framed: its size, what it shows in words, and its SVG body."""

    width: int
    height: int
    title: str
    description: str
    body: str


def document(drawing: Drawing, dom_id: str) -> str:
    """A standalone `<svg role="img">` whose ids all start with dom_id."""
    return _framed(drawing.width, drawing.height, drawing.title, drawing.description,
                   drawing.body, dom_id)  # fmt: skip


def stacked(drawings: Sequence[Drawing], dom_id: str, title: str) -> str:
    """Several drawings one under the other in one SVG, described one after the other."""
    width = max(d.width for d in drawings)
    body, top = [], 0
    for drawing in drawings:
        body.append(f'<g transform="translate(0 {top})">{drawing.body}</g>')
        top += drawing.height
    description = " ".join(f"{d.title}: {d.description}" for d in drawings)
    return _framed(width, top, title, description, "".join(body), dom_id)


def _framed(width: int, height: int, title: str, description: str, body: str, dom_id: str) -> str:
    background = f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
    return "".join([*frame(width, height, dom_id, title, description), background, body, "</svg>"])


def text(
    x: float,
    y: float,
    content: str,
    look: str = "label",
    anchor: str = "middle",
    extra: str = "",
) -> str:
    """Escaped text in one of the LOOKs; `extra` adds attributes (a rotation, say)."""
    position = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
    more = f" {extra}" if extra else ""
    return f"<text {position} {LOOK[look]}{more}>{escape(content)}</text>"


def line(x1: float, y1: float, x2: float, y2: float, attributes: str) -> str:
    """A line drawn with `attributes` (a LOOK entry, or a stroke of its own)."""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {attributes}/>'


def tip(content: str) -> str:
    """A tooltip for the shape it sits in."""
    return f"<title>{escape(content)}</title>"


def circle(x: float, y: float, r: float, look: str, about: str) -> str:
    """A dot in one of the LOOKs, with `about` as its tooltip."""
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {LOOK[look]}>{tip(about)}</circle>'


def shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def nice_range(values: Sequence[float], include_zero: bool = False) -> tuple[float, float]:
    """The values' span with a little room either side (never empty)."""
    known = [*values, 0.0] if include_zero else list(values)
    low, high = min(known), max(known)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    return (low if include_zero and low == 0 else low - pad), high + pad


def nice_step(raw: float) -> float:
    """The smallest round step (1, 2, 2.5 or 5 × a power of ten) of at least `raw` (> 0)."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw * (1 - 1e-9))


def ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 × a power of ten) inside [low, high]."""
    raw = (high - low) / max(1, count)
    step = nice_step(raw) if raw > 0 else 1.0
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def tick_label(value: float, step: float) -> str:
    """A tick's value with as many decimals as the step needs (2.5 needs one)."""
    decimals = next((d for d in range(7) if abs(round(step, d) - step) < 1e-9 * step), 6)
    return format_number(value, decimals)


def value_axis(low: float, high: float, scale: Scale, left: float, right: float) -> list[str]:
    """Horizontal grid lines across [left, right] with their values on the left."""
    out = []
    marks = ticks(low, high)
    step = marks[1] - marks[0] if len(marks) > 1 else 1.0
    for value in marks:
        y = scale(value)
        out.append(line(left, y, right, y, LOOK["grid"]))
        out.append(text(left - 6, y + 4, tick_label(value, step), "small", "end"))
    return out
