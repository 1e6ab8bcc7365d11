"""The frame, text, axes and ticks of the plotted charts (dot plots, scatter plots).

Presentation attributes only (no CSS, no script), so a drawing looks the same inline under
a strict CSP and as a downloaded file. All text is escaped.
"""

import math
from collections.abc import Callable
from html import escape

from app.grading.numbers import format_number

FONT = 'font-family="system-ui, sans-serif"'
LOOK = {
    "axis": 'stroke="#5b6573" stroke-width="1"',
    "grid": 'stroke="#e3e7ec" stroke-width="1"',
    "point": 'fill="#0b5fa5" fill-opacity="0.75" stroke="#ffffff" stroke-width="1"',
    "mean": 'stroke="#1d2430" stroke-width="3"',
    "reference": 'fill="none" stroke="#b3261e" stroke-width="1.5" stroke-dasharray="6 4"',
    "fit": 'fill="none" stroke="#b3261e" stroke-width="2"',
    "marker": 'fill="#b3261e" stroke="#ffffff" stroke-width="1.5"',
    "label": f'{FONT} font-size="12" fill="#1d2430"',
    "small": f'{FONT} font-size="11" fill="#1d2430"',
    "bar-label": f'{FONT} font-size="11" font-weight="700" fill="#ffffff"',
    "accent": f'{FONT} font-size="12" font-weight="700" fill="#b3261e"',
    "title": f'{FONT} font-size="14" font-weight="700" fill="#1d2430"',
}
# Colour-blind-safe fills (Okabe–Ito), dark enough for white labels.
FILLS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#7a5c00")

Scale = Callable[[float], float]


def open_svg(width: int, height: int, dom_id: str, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{dom_id}-title {dom_id}-desc" width="100%">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>',
    ]


def text(x: float, y: float, content: str, look: str = "label", anchor: str = "middle") -> str:
    position = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
    return f"<text {position} {LOOK[look]}>{escape(content)}</text>"


def line(x1: float, y1: float, x2: float, y2: float, look: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {LOOK[look]}/>'


def circle(x: float, y: float, r: float, look: str, tip: str) -> str:
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {LOOK[look]}>'
        f"<title>{escape(tip)}</title></circle>"
    )


def padded_range(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    return low - pad, high + pad


def ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 × a power of ten) inside [low, high]."""
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def tick_label(value: float, step: float) -> str:
    """A tick's value with as many decimals as the step needs (2.5 needs one)."""
    decimals = next((d for d in range(7) if abs(round(step, d) - step) < 1e-9 * step), 6)
    return format_number(value, decimals)


def value_axis(
    low: float, high: float, scale: Scale, left: float, right: float, label: str
) -> list[str]:
    """Horizontal grid lines with their values on the left, and the axis label above."""
    out = []
    marks = ticks(low, high)
    step = marks[1] - marks[0] if len(marks) > 1 else 1.0
    for value in marks:
        y = scale(value)
        out.append(line(left, y, right, y, "grid"))
        out.append(text(left - 6, y + 4, tick_label(value, step), "small", "end"))
    return out
