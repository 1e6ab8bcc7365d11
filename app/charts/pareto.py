"""A Pareto chart: bars in the order given (largest first for a true Pareto order), the
cumulative percentage as a line on a right-hand axis that runs 0–100% against the total,
and a dashed line at the vital-few threshold (80%). The vital few are filled dark.

`render_pareto` draws categories in any order (a learner's own ranking, say);
`render_pareto_analysis` draws a result of app.lss.pareto.
"""

from collections.abc import Collection, Sequence

from app.charts.svg import BLUE, LOOK, PALE_BLUE, RED, frame, line, shorten, text, tip
from app.grading.numbers import format_number
from app.lss.pareto import VITAL_FEW_SHARE, ParetoAnalysis

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 130, 60, 44, 140
LABEL_CHARACTERS = 30


def render_pareto_analysis(
    result: ParetoAnalysis, dom_id: str, title: str, unit_name: str = "Count"
) -> str:
    rows = [(row.category, row.count) for row in result.rows]
    return render_pareto(
        rows,
        dom_id,
        title,
        vital_few=result.vital_few,
        threshold=result.threshold,
        unit_name=unit_name,
    )


def render_pareto(
    rows: Sequence[tuple[str, float]],
    dom_id: str,
    title: str,
    *,
    vital_few: Collection[str] = (),
    threshold: float = VITAL_FEW_SHARE,
    unit_name: str = "Count",
    description: str = "",
) -> str:
    """Bars for `rows` (category, count) in the order given, with their cumulative line."""
    total = sum(count for _, count in rows) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(rows))
    bottom = TOP + plot_h

    def x(index: float) -> float:
        return LEFT + step * (index + 0.5)

    def y(count: float) -> float:
        return TOP + plot_h * (1 - count / total)

    out = frame(
        WIDTH, HEIGHT, dom_id, title, description or describe(rows, vital_few, threshold, unit_name)
    )
    out.append(text(LEFT, 20, title, "title", "start"))
    out += _axes(total, unit_name, y)
    running, points = 0.0, []
    for index, (category, count) in enumerate(rows):
        running += count
        share = 100 * running / total
        points.append((x(index), y(running), share))
        fill = BLUE if category in vital_few else PALE_BLUE
        about = f"{category}: {format_number(count, 2)}, cumulative {share:.1f}%"
        out.append(
            f'<rect x="{x(index) - step * 0.4:.1f}" y="{y(count):.1f}" width="{step * 0.8:.1f}" '
            f'height="{bottom - y(count):.1f}" fill="{fill}">{tip(about)}</rect>'
        )
        if bottom - y(count) > 18:  # inside the top of a tall bar, clear of the line's labels
            look = "bar-label" if fill == BLUE else "bar-label-dark"
            out.append(text(x(index), y(count) + 13, format_number(count, 2), look))
        else:
            out.append(text(x(index), y(count) - 4, format_number(count, 2), "small"))
        label = shorten(category, LABEL_CHARACTERS)
        ly = bottom + 14
        out.append(
            text(
                x(index),
                ly,
                label,
                "label",
                "end",
                f'transform="rotate(-40 {x(index):.1f} {ly:.1f})"',
            )
        )
    cut = y(threshold * total)
    out.append(
        line(
            LEFT,
            cut,
            WIDTH - RIGHT,
            cut,
            f'stroke="{RED}" stroke-width="1.5" stroke-dasharray="6 4"',
        )
    )
    out.append(text(WIDTH - RIGHT - 4, cut - 5, f"{threshold * 100:g}%", "alert", "end"))
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
    out.append(f'<polyline points="{path}" fill="none" stroke="#1d2430" stroke-width="2"/>')
    for px, py, share in points:
        out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="#1d2430"/>')
        out.append(text(px + 4, py - 7, f"{share:.1f}%", "small", "start"))
    out.append("</svg>")
    return "".join(out)


def _axes(total: float, unit_name: str, y) -> list[str]:  # type: ignore[no-untyped-def]
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    out = [
        line(LEFT, TOP, LEFT, bottom, LOOK["axis"]),
        line(right, TOP, right, bottom, LOOK["axis"]),
        line(LEFT, bottom, right, bottom, LOOK["axis"]),
    ]
    for quarter in range(5):
        count = total * quarter / 4
        out.append(line(LEFT, y(count), right, y(count), LOOK["grid"]))
        out.append(text(LEFT - 6, y(count) + 4, format_number(count, 1), "label", "end"))
        out.append(text(right + 6, y(count) + 4, f"{quarter * 25}%", "label", "start"))
    middle = (TOP + bottom) / 2
    out.append(
        text(14, middle, unit_name, "label", "middle", f'transform="rotate(-90 14 {middle:.1f})"')
    )
    out.append(
        text(
            WIDTH - 10,
            middle,
            "Cumulative %",
            "label",
            "middle",
            f'transform="rotate(90 {WIDTH - 10} {middle:.1f})"',
        )
    )
    return out


def describe(
    rows: Sequence[tuple[str, float]], vital_few: Collection[str], threshold: float, unit_name: str
) -> str:
    total = sum(count for _, count in rows)
    listed = ", ".join(f"{name} {format_number(count, 2)}" for name, count in rows)
    pieces = [f"Pareto chart of {format_number(total, 2)} in {len(rows)} categories: {listed}."]
    if vital_few:
        names = ", ".join(name for name, _ in rows if name in vital_few)
        pieces.append(f"Marked as the vital few: {names}.")
    pieces.append(f"A dashed line marks {threshold * 100:g}% of the total.")
    return " ".join(pieces)
