"""Pieces every chart shares: the look (presentation attributes only, no CSS or script, so a
drawing looks the same inline under a strict CSP and as a downloaded file), escaped text,
and the accessible frame with a title and a description."""

from html import escape

FONT = 'font-family="system-ui, sans-serif"'
INK = "#1d2430"
BLUE = "#0b5fa5"
PALE_BLUE = "#9cc3e6"
RED = "#b3261e"
GREEN = "#1b7f3b"
LOOK = {
    "axis": 'stroke="#5b6573" stroke-width="1"',
    "grid": 'stroke="#e3e7ec" stroke-width="1"',
    "label": f'{FONT} font-size="12" fill="{INK}"',
    "small": f'{FONT} font-size="11" fill="{INK}"',
    "bar-label": f'{FONT} font-size="11" font-weight="700" fill="#ffffff"',
    "bar-label-dark": f'{FONT} font-size="11" font-weight="700" fill="{INK}"',
    "title": f'{FONT} font-size="14" font-weight="700" fill="{INK}"',
    "spec-label": f'{FONT} font-size="12" font-weight="700" fill="{RED}"',
    "target-label": f'{FONT} font-size="12" font-weight="700" fill="{GREEN}"',
    "line-label": f'{FONT} font-size="12" font-weight="700" fill="{BLUE}"',
}


def frame(width: int, height: int, dom_id: str, title: str, description: str) -> list[str]:
    """The opening of an accessible drawing: <svg role="img"> named by its title and desc."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{dom_id}-title {dom_id}-desc" width="100%">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>',
    ]


def text(
    x: float, y: float, content: str, look: str, anchor: str = "middle", extra: str = ""
) -> str:
    position = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
    more = f" {extra}" if extra else ""
    return f"<text {position} {LOOK[look]}{more}>{escape(content)}</text>"


def line(x1: float, y1: float, x2: float, y2: float, look: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {look}/>'


def tip(content: str) -> str:
    """A tooltip for the shape it sits in."""
    return f"<title>{escape(content)}</title>"
