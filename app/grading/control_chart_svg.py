"""Draw a control chart as SVG: one circle per point joined by a line, the centre line and
the control limits (stepped when they change from point to point), and the points that
break a rule marked in red with the rule's number.

Presentation attributes only (no CSS, no script), so the drawing looks the same inline
under a strict CSP and as a downloaded file. Text is escaped; the drawing carries a title
and a description for screen readers, and pages show the data in a table beside it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from app.grading.numbers import format_number

WIDTH, HEIGHT = 760, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 118, 34, 44
MAX_DOTS = 400  # beyond this a dot per point is finer than a pixel; only signals get one
FONT = 'font-family="system-ui, sans-serif"'
LOOK = {
    "axis": 'stroke="#5b6573" stroke-width="1"',
    "grid": 'stroke="#e3e7ec" stroke-width="1"',
    "series": 'fill="none" stroke="#0b5fa5" stroke-width="1.5"',
    "point": 'fill="#0b5fa5" stroke="#ffffff" stroke-width="1"',
    "signal": 'fill="#b3261e" stroke="#ffffff" stroke-width="1"',
    "center": 'fill="none" stroke="#1d2430" stroke-width="1.5"',
    "limit": 'fill="none" stroke="#b3261e" stroke-width="1.5" stroke-dasharray="6 4"',
    "label": f'{FONT} font-size="12" fill="#1d2430"',
    "limit-label": f'{FONT} font-size="12" font-weight="700" fill="#b3261e"',
    "flag": f'{FONT} font-size="11" font-weight="700" fill="#b3261e"',
    "title": f'{FONT} font-size="14" font-weight="700" fill="#1d2430"',
}


@dataclass(frozen=True)
class ChartDrawing:
    """What to draw. Limits have one entry per point (None where not known); `flags` maps a
    point's index to the label shown above it (its rule number)."""

    title: str
    points: Sequence[float]
    center: float | None = None
    lcl: Sequence[float | None] = ()
    ucl: Sequence[float | None] = ()
    flags: dict[int, str] = field(default_factory=dict)
    sample_label: str = "Sample"
    decimals: int = 2
    description: str = ""


def render_control_chart(drawing: ChartDrawing, dom_id: str) -> str:
    count = len(drawing.points)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, count)
    low, high = _range(drawing)

    def x(index: float) -> float:
        return LEFT + step * (index + 0.5)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{dom_id}-title {dom_id}-desc" width="100%">',
        f'<title id="{dom_id}-title">{escape(drawing.title)}</title>',
        f'<desc id="{dom_id}-desc">{escape(drawing.description or _describe(drawing))}</desc>',
        _text(LEFT, 20, drawing.title, "title", "start"),
        *_axes(drawing, low, high, x, y, count),
    ]
    if drawing.center is not None:
        parts.append(_line(x, y, [drawing.center] * count, step, "center"))
        parts.append(_end_label(drawing.center, "CL", drawing.decimals, y, "label"))
    for name, values in (("UCL", drawing.ucl), ("LCL", drawing.lcl)):
        if any(v is not None for v in values):
            parts.append(_line(x, y, values, step, "limit"))
            last = next(v for v in reversed(values) if v is not None)
            parts.append(_end_label(last, name, drawing.decimals, y, "limit-label"))
    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(drawing.points))
    parts.append(f'<polyline points="{path}" {LOOK["series"]}/>')
    for index, value in enumerate(drawing.points):
        flag = drawing.flags.get(index)
        if count > MAX_DOTS and not flag:
            continue  # thousands of dots would merge into the line: only signals are marked
        look = LOOK["signal" if flag else "point"]
        tip = f"{drawing.sample_label} {index + 1}: {format_number(value, drawing.decimals + 2)}"
        if flag:
            tip += f", breaks rule {flag}"
        parts.append(
            f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="{5 if flag else 3.5}" {look}>'
            f"<title>{escape(tip)}</title></circle>"
        )
        if flag:
            parts.append(_text(x(index), y(value) - 9, flag, "flag"))
    parts.append("</svg>")
    return "".join(parts)


def _range(drawing: ChartDrawing) -> tuple[float, float]:
    known = [*drawing.points, *(v for v in (*drawing.lcl, *drawing.ucl) if v is not None)]
    if drawing.center is not None:
        known.append(drawing.center)
    low, high = min(known), max(known)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    return low - pad, high + pad


def _axes(drawing, low, high, x, y, count) -> list[str]:  # type: ignore[no-untyped-def]
    plot_bottom, plot_right = HEIGHT - BOTTOM, WIDTH - RIGHT
    out = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{plot_bottom}" {LOOK["axis"]}/>',
        f'<line x1="{LEFT}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" '
        f"{LOOK['axis']}/>",
    ]
    for tick in range(5):
        value = low + (high - low) * tick / 4
        ty = y(value)
        out.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{plot_right}" y2="{ty:.1f}" {LOOK["grid"]}/>'
        )
        out.append(
            _text(LEFT - 6, ty + 4, format_number(value, drawing.decimals + 1), "label", "end")
        )
    every = max(1, round(count / 15))
    for index in range(0, count, every):
        out.append(_text(x(index), plot_bottom + 16, str(index + 1), "label"))
    out.append(_text((LEFT + plot_right) / 2, HEIGHT - 8, drawing.sample_label, "label"))
    return out


def _line(x, y, values: Sequence[float | None], step: float, look: str) -> str:  # type: ignore[no-untyped-def]
    """A horizontal line, stepped where the value changes; gaps where it is unknown.
    A run of equal values is one straight piece, however many samples it spans."""
    segments: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    previous: float | None = None
    for index, value in enumerate(values):
        if value is None:
            if current:
                segments.append(current)
            current, previous = [], None
            continue
        left, right = x(index) - step / 2, x(index) + step / 2
        if value == previous:
            current[-1] = (right, current[-1][1])
        else:
            current += [(left, y(value)), (right, y(value))]
        previous = value
    if current:
        segments.append(current)
    return "".join(
        f'<polyline points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in seg)}" {LOOK[look]}/>'
        for seg in segments
    )


def _end_label(value: float, name: str, decimals: int, y, look: str) -> str:  # type: ignore[no-untyped-def]
    return _text(
        WIDTH - RIGHT + 6, y(value) + 4, f"{name} {format_number(value, decimals)}", look, "start"
    )


def _text(x: float, y: float, content: str, look: str, anchor: str = "middle") -> str:
    position = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
    return f"<text {position} {LOOK[look]}>{escape(content)}</text>"


def _describe(drawing: ChartDrawing) -> str:
    pieces = [f"{len(drawing.points)} points, one per {drawing.sample_label.lower()}."]
    if drawing.center is not None:
        pieces.append(f"Centre line {format_number(drawing.center, drawing.decimals)}.")
    known_ucl = [v for v in drawing.ucl if v is not None]
    known_lcl = [v for v in drawing.lcl if v is not None]
    if known_ucl and known_lcl:
        if len(set(known_ucl)) == 1 and len(set(known_lcl)) == 1:
            pieces.append(
                f"Limits {format_number(known_lcl[0], drawing.decimals)} to "
                f"{format_number(known_ucl[0], drawing.decimals)}."
            )
        else:
            pieces.append("The limits change with each sample's size.")
    if drawing.flags:
        marked = ", ".join(
            f"{drawing.sample_label} {i + 1} (rule {flag})"
            for i, flag in sorted(drawing.flags.items())
        )
        pieces.append(f"Marked: {marked}.")
    else:
        pieces.append("No point is marked.")
    return " ".join(pieces)
