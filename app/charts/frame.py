"""The pieces every chart shares: a drawing's frame (title and description for screen
readers), text, and stacking several drawings into one SVG.

Presentation attributes only (no CSS, no script), so a drawing looks the same inline under a
strict CSP and as a downloaded file. Every piece of text is escaped.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = 'font-family="system-ui, sans-serif"'
INK, MUTED, GRID = "#1d2430", "#5b6573", "#e3e7ec"
BLUE, RED, GREY = "#0b5fa5", "#b3261e", "#8a94a1"
LOOK = {
    "axis": f'stroke="{MUTED}" stroke-width="1"',
    "grid": f'stroke="{GRID}" stroke-width="1"',
    "label": f'{FONT} font-size="12" fill="{INK}"',
    "small": f'{FONT} font-size="11" fill="{MUTED}"',
    "strong": f'{FONT} font-size="12" font-weight="700" fill="{INK}"',
    "alert": f'{FONT} font-size="12" font-weight="700" fill="{RED}"',
    "title": f'{FONT} font-size="14" font-weight="700" fill="{INK}"',
}


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
    return _frame(drawing.width, drawing.height, drawing.title, drawing.description,
                  drawing.body, dom_id)  # fmt: skip


def stacked(drawings: Sequence[Drawing], dom_id: str, title: str) -> str:
    """Several drawings one under the other in one SVG, described one after the other."""
    width = max(d.width for d in drawings)
    body, top = [], 0
    for drawing in drawings:
        body.append(f'<g transform="translate(0 {top})">{drawing.body}</g>')
        top += drawing.height
    description = " ".join(f"{d.title}: {d.description}" for d in drawings)
    return _frame(width, top, title, description, "".join(body), dom_id)


def _frame(width: int, height: int, title: str, description: str, body: str, dom_id: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{dom_id}-title {dom_id}-desc" width="100%">'
        f'<title id="{dom_id}-title">{escape(title)}</title>'
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
        f"{body}</svg>"
    )


def text(x: float, y: float, content: str, look: str = "label", anchor: str = "middle") -> str:
    position = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
    return f"<text {position} {LOOK[look]}>{escape(content)}</text>"


def line(x1: float, y1: float, x2: float, y2: float, look: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {look}/>'


def shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def nice_range(values: Sequence[float], include_zero: bool = False) -> tuple[float, float]:
    """The values' span with a little room either side (never empty)."""
    known = [*values, 0.0] if include_zero else list(values)
    low, high = min(known), max(known)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    return (low if include_zero and low == 0 else low - pad), high + pad
