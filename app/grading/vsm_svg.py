"""Draw a value stream map as SVG: process boxes with data boxes, a queue triangle before
each step, the lead-time ladder (waits up, process times down) and the totals.

Text is escaped; the drawing carries a title and a description for screen readers, and
pages show the same figures in a table beside it.
"""

from html import escape
from typing import Any

from app.grading.numbers import format_number
from app.lss.flow import ValueStreamSummary

BOX_W, BOX_H, DATA_H = 132, 46, 70
TRIANGLE_W, GAP = 56, 16
UNIT_W = TRIANGLE_W + BOX_W + GAP
TOP, LADDER_Y, LADDER_STEP = 58, 214, 28
TOTALS_W = 190
FONT = 'font-family="system-ui, sans-serif"'
# Presentation attributes rather than CSS classes or inline styles: the drawing looks the
# same inline (under a strict CSP) and as a downloaded file.
LOOK = {
    "vsm-box": 'fill="#ffffff" stroke="#1d2430" stroke-width="2"',
    "vsm-bottleneck": 'fill="#fff4f2" stroke="#b3261e" stroke-width="3"',
    "vsm-data": 'fill="#f4f6f8" stroke="#8a94a1" stroke-width="1"',
    "vsm-queue": 'fill="#fff6e5" stroke="#c77700" stroke-width="2"',
    "vsm-ladder": 'fill="none" stroke="#0b5fa5" stroke-width="2"',
    "vsm-name": f'{FONT} font-size="13" font-weight="700" fill="#1d2430"',
    "vsm-small": f'{FONT} font-size="12" fill="#1d2430"',
    "vsm-queue-label": f'{FONT} font-size="14" font-weight="700" fill="#c77700"',
    "vsm-customer": f'{FONT} font-size="13" font-weight="600" fill="#1d2430"',
    "vsm-flag": f'{FONT} font-size="12" font-weight="700" fill="#b3261e"',
    "vsm-total": f'{FONT} font-size="13" font-weight="700" fill="#1d2430"',
}


def _num(value: Any, decimals: int = 1) -> str:
    return format_number(float(value), decimals) if isinstance(value, int | float) else "?"


def _text(x: float, y: float, content: str, look: str, anchor: str = "middle") -> str:
    position = f'x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}"'
    return f"<text {position} {LOOK[look]}>{escape(content)}</text>"


def _short(name: str, limit: int = 17) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def render_value_stream(
    steps: list[dict[str, Any]],
    summary: ValueStreamSummary | None,
    demand: float | None,
    dom_id: str,
) -> str:
    """SVG markup for a map whose steps may be incomplete (cells are then drawn as '?')."""
    width = 24 + max(1, len(steps)) * UNIT_W + TOTALS_W
    height = LADDER_Y + 2 * LADDER_STEP + 40
    bottleneck = summary.bottleneck if summary else None
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{dom_id}-title {dom_id}-desc" width="100%">',
        f'<title id="{dom_id}-title">Value stream map, {len(steps)} steps</title>',
        f'<desc id="{dom_id}-desc">{escape(_describe(steps, summary, demand))}</desc>',
        _customer(width, summary, demand),
    ]
    ladder = []
    for index, step in enumerate(steps):
        x = 24 + index * UNIT_W
        parts.append(_triangle(x, step))
        parts.append(_process(x + TRIANGLE_W, step, step.get("name") == bottleneck))
        ladder.append((x, x + TRIANGLE_W, step))
    parts.append(_ladder(ladder))
    parts.append(_totals(width - TOTALS_W + 8, summary))
    parts.append("</svg>")
    return "".join(parts)


def _customer(width: float, summary: ValueStreamSummary | None, demand: float | None) -> str:
    takt = f" · takt {_num(summary.takt_time)} min" if summary else ""
    label = f"Customer: {_num(demand, 0)} per day{takt}" if demand else "Customer: demand?"
    return _text(width - 12, 26, label, "vsm-customer", anchor="end")


def _triangle(x: float, step: dict[str, Any]) -> str:
    cx, base = x + TRIANGLE_W / 2, TOP + 40
    points = f"{cx:.0f},{TOP + 4} {x + 6:.0f},{base} {x + TRIANGLE_W - 6:.0f},{base}"
    return (
        f'<polygon points="{points}" {LOOK["vsm-queue"]}/>'
        + _text(cx, base - 8, "I", "vsm-queue-label")
        + _text(cx, base + 18, f"{_num(step.get('wait_hours'))} h", "vsm-small")
    )


def _process(x: float, step: dict[str, Any], is_bottleneck: bool) -> str:
    name = str(step.get("name") or "?")
    look = LOOK["vsm-bottleneck" if is_bottleneck else "vsm-box"]
    operators = step.get("operators")
    cycle = (
        float(step["process_minutes"]) / int(operators)
        if isinstance(step.get("process_minutes"), int | float)
        and isinstance(operators, int | float)
        and operators
        else None
    )
    rows = [
        f"PT {_num(step.get('process_minutes'))} min",
        f"C/T {_num(cycle)} min",
        f"%C&A {_num(step.get('complete_accurate'), 0)}%",
        f"People {_num(operators, 0)}",
    ]
    data_y = TOP + BOX_H
    out = [
        f"<g><title>{escape(name)}</title>",
        f'<rect x="{x:.0f}" y="{TOP}" width="{BOX_W}" height="{BOX_H}" {look}/>',
        _text(x + BOX_W / 2, TOP + 28, _short(name), "vsm-name"),
        f'<rect x="{x:.0f}" y="{data_y}" width="{BOX_W}" height="{DATA_H}" {LOOK["vsm-data"]}/>',
    ]
    out += [
        _text(x + 8, data_y + 16 + 16 * i, row, "vsm-small", anchor="start")
        for i, row in enumerate(rows)
    ]
    if is_bottleneck:
        out.append(_text(x + BOX_W / 2, TOP - 8, "bottleneck", "vsm-flag"))
    out.append("</g>")
    return "".join(out)


def _ladder(segments: list[tuple[float, float, dict[str, Any]]]) -> str:
    """Waits on the upper rung, process times on the lower, as in Learning to See."""
    up, down = LADDER_Y, LADDER_Y + LADDER_STEP
    points, labels = [], []
    for queue_x, box_x, step in segments:
        points += [
            (queue_x, up),
            (box_x, up),
            (box_x, down),
            (box_x + BOX_W, down),
            (box_x + BOX_W, up),
        ]
        labels.append(
            _text(
                queue_x + TRIANGLE_W / 2, up - 6, f"{_num(step.get('wait_hours'))} h", "vsm-small"
            )
        )
        labels.append(
            _text(
                box_x + BOX_W / 2,
                down + 16,
                f"{_num(step.get('process_minutes'))} min",
                "vsm-small",
            )
        )
    if not points:
        return ""
    path = " ".join(f"{x:.0f},{y:.0f}" for x, y in points)
    return f'<polyline points="{path}" {LOOK["vsm-ladder"]}/>' + "".join(labels)


def _totals(x: float, summary: ValueStreamSummary | None) -> str:
    rows = ["Totals"]
    if summary:
        rows += [
            f"Lead time {_num(summary.lead_time / 60, 2)} h",
            f"Process time {_num(summary.value_added_time)} min",
            f"PCE {_num(100 * summary.process_cycle_efficiency, 2)}%",
            f"Rolled %C&A {_num(100 * summary.rolled_throughput_yield, 1)}%",
        ]
    else:
        rows.append("Complete the steps to see totals")
    size = f'width="{TOTALS_W - 20}" height="{BOX_H + DATA_H}"'
    box = f'<rect x="{x:.0f}" y="{TOP}" {size} {LOOK["vsm-data"]}/>'
    lines = [
        _text(
            x + 10, TOP + 20 + 20 * i, row, "vsm-total" if i == 0 else "vsm-small", anchor="start"
        )
        for i, row in enumerate(rows)
    ]
    return box + "".join(lines)


def _describe(
    steps: list[dict[str, Any]], summary: ValueStreamSummary | None, demand: float | None
) -> str:
    names = (
        ", then ".join(str(step.get("name") or "unnamed step") for step in steps) or "no steps yet"
    )
    if summary is None:
        return f"Steps: {names}. Some figures are missing, so no totals yet."
    return (
        f"Steps: {names}. Lead time {_num(summary.lead_time / 60, 2)} working hours, "
        f"process time {_num(summary.value_added_time)} minutes, "
        f"PCE {_num(100 * summary.process_cycle_efficiency, 2)}%, "
        f"takt {_num(summary.takt_time)} minutes, bottleneck {summary.bottleneck}."
    )
