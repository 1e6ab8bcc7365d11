"""A fishbone (Ishikawa) diagram as SVG: the problem at the head on the right, a spine, and
one bone per category, alternately above and below, with its causes listed along it. Causes
marked for testing carry a filled dot and bold text, and a legend says what the dot means.

Presentation attributes only (no CSS, no script), so the drawing looks the same inline under
a strict CSP and as a downloaded file. Text is escaped and long causes are shortened, with
the full text in the description, which lists every bone and cause for screen readers.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = 'font-family="system-ui, sans-serif"'
LOOK = {
    "spine": 'stroke="#1d2430" stroke-width="3"',
    "bone": 'stroke="#5b6573" stroke-width="2"',
    "twig": 'stroke="#aab2bd" stroke-width="1"',
    "head": 'fill="#eef4fb" stroke="#0b5fa5" stroke-width="2"',
    "bone-label": f'{FONT} font-size="13" font-weight="700" fill="#0b5fa5"',
    "cause": f'{FONT} font-size="11" fill="#1d2430"',
    "marked": f'{FONT} font-size="11" font-weight="700" fill="#1d2430"',
    "dot": 'fill="#b3261e"',
    "head-text": f'{FONT} font-size="12" fill="#1d2430"',
    "legend": f'{FONT} font-size="11" fill="#5b6573"',
}
HEAD_W, MARGIN, LINE, CAUSE_CHARS, HEAD_CHARS = 190, 16, 17, 38, 26


@dataclass(frozen=True)
class Cause:
    text: str
    marked: bool = False  # to be tested with data first


@dataclass(frozen=True)
class Bone:
    label: str
    causes: Sequence[Cause]


def render_fishbone(
    problem: str, bones: Sequence[Bone], dom_id: str, title: str, legend: str = ""
) -> str:
    """The diagram. `legend` explains the dot (it is left out when empty)."""
    top = list(bones[: (len(bones) + 1) // 2])
    bottom = list(bones[(len(bones) + 1) // 2 :])
    columns = max(1, len(top))
    column_w = 300
    width = MARGIN * 2 + columns * column_w + HEAD_W
    top_rows = max((len(b.causes) for b in top), default=0)
    bottom_rows = max((len(b.causes) for b in bottom), default=0)
    spine_y = 40 + LINE * (top_rows + 1) + 20
    height = spine_y + 20 + LINE * (bottom_rows + 1) + 40 + (18 if legend else 0)
    spine_end = width - MARGIN - HEAD_W
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{dom_id}-title {dom_id}-desc">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
        f'<desc id="{dom_id}-desc">{escape(describe(problem, bones))}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<line x1="{MARGIN}" y1="{spine_y}" x2="{spine_end}" y2="{spine_y}" {LOOK["spine"]}/>',
    ]
    parts += _head(problem, spine_end, spine_y)
    for index, bone in enumerate(top):
        parts += _bone(bone, MARGIN + index * column_w + column_w, spine_y, 40, above=True)
    for index, bone in enumerate(bottom):
        bottom_y = height - 24 - (18 if legend else 0)
        parts += _bone(bone, MARGIN + index * column_w + column_w, spine_y, bottom_y, above=False)
    if legend:
        parts.append(f'<circle cx="{MARGIN + 5}" cy="{height - 16}" r="4" {LOOK["dot"]}/>')
        parts.append(_text(MARGIN + 14, height - 12, legend, LOOK["legend"], "start"))
    parts.append("</svg>")
    return "\n".join(parts)


def describe(problem: str, bones: Sequence[Bone]) -> str:
    listed = []
    for bone in bones:
        causes = "; ".join(c.text + (" (to test first)" if c.marked else "") for c in bone.causes)
        listed.append(f"{bone.label}: {causes or 'no causes'}.")
    return f"Problem: {problem}. " + " ".join(listed)


def _head(problem: str, x: float, spine_y: float) -> list[str]:
    lines = _wrap(problem, HEAD_CHARS)[:5]
    box_h = LINE * len(lines) + 16
    top = spine_y - box_h / 2
    parts = [f'<rect x="{x}" y="{top:.1f}" width="{HEAD_W - 4}" height="{box_h}" rx="6" '
             f'{LOOK["head"]}/>']  # fmt: skip
    for n, line in enumerate(lines):
        parts.append(_text(x + 10, top + 20 + n * LINE, line, LOOK["head-text"], "start"))
    return parts


def _bone(bone: Bone, x_spine: float, spine_y: float, end_y: float, above: bool) -> list[str]:
    """A slanted bone from its label down (or up) to the spine; causes hang off it to the left."""
    slant = 50
    x_end = x_spine - slant
    label_y = end_y - 6 if above else end_y + 16
    parts = [
        f'<line x1="{x_end}" y1="{end_y}" x2="{x_spine}" y2="{spine_y}" {LOOK["bone"]}/>',
        _text(x_end, label_y, bone.label, LOOK["bone-label"]),
    ]
    for n, cause in enumerate(bone.causes, start=1):
        y = end_y + n * LINE if above else end_y - n * LINE
        share = (y - end_y) / (spine_y - end_y)
        x = x_end + slant * share
        parts.append(f'<line x1="{x - 14:.1f}" y1="{y - 4}" x2="{x:.1f}" y2="{y - 4}" '
                     f'{LOOK["twig"]}/>')  # fmt: skip
        look = LOOK["marked"] if cause.marked else LOOK["cause"]
        shown = _text(x - 18, y, _shorten(cause.text), look, "end")
        if len(cause.text) > CAUSE_CHARS:  # the full text as a tooltip
            shown = f"<g><title>{escape(cause.text)}</title>{shown}</g>"
        parts.append(shown)
        if cause.marked:
            parts.append(f'<circle cx="{x + 5:.1f}" cy="{y - 4}" r="4" {LOOK["dot"]}/>')
    return parts


def _text(x: float, y: float, content: str, look: str, anchor: str = "middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {look}>{escape(content)}</text>'


def _shorten(text: str) -> str:
    return text if len(text) <= CAUSE_CHARS else text[: CAUSE_CHARS - 1].rstrip() + "…"


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]
