"""Gauge R&R charts: the components of variation (each as % contribution and % study
variation, with AIAG's 10% and 30% lines) and the measurements by part, one mark per
reading, coloured and shaped by operator.

Pure functions from plain numbers (or an app.lss.msa result) to SVG text.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.charts.svg import GREY, LOOK, RED, Drawing, document, line, nice_range, shorten, tip
from app.charts.svg import text as label
from app.grading.numbers import format_number

WIDTH = 760
SERIES = ("#0b5fa5", "#c26a00", "#2e7d32", "#6a3d9a")  # one colour per operator
CONTRIBUTION, STUDY = "#7aa6d1", "#0b5fa5"
LINES = (10.0, 30.0)


@dataclass(frozen=True)
class Component:
    """One source of variation, as percentages (None where not known)."""

    label: str
    contribution: float | None
    study_variation: float | None


def components_chart(components: Sequence[Component], title: str) -> Drawing:
    """Grouped bars from 0 to 100%: % contribution (light) and % study variation (dark)."""
    height, top, bottom, left, right = 300, 56, 50, 56, 70
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    group = plot_w / max(1, len(components))

    def y(value: float) -> float:
        return top + plot_h * (1 - min(100.0, max(0.0, value)) / 100)

    out = [label(12, 22, title, "title", "start")]
    for index, (name, colour) in enumerate(
        (("% contribution", CONTRIBUTION), ("% study variation", STUDY))
    ):
        lx = 12 + index * 170
        out.append(f'<rect x="{lx}" y="32" width="12" height="12" fill="{colour}"/>')
        out.append(label(lx + 18, 42, name, "label", "start"))
    for tick in range(0, 101, 25):
        out.append(line(left, y(tick), WIDTH - right, y(tick), LOOK["grid"]))
        out.append(label(left - 6, y(tick) + 4, f"{tick}%", "label", "end"))
    dash = f'stroke="{RED}" stroke-width="1" stroke-dasharray="5 4"'
    for mark in LINES:
        out.append(line(left, y(mark), WIDTH - right, y(mark), dash))
        out.append(label(WIDTH - right + 6, y(mark) + 4, f"{mark:g}% SV", "alert", "start"))
    pieces = []
    bar = group * 0.32
    for index, part in enumerate(components):
        cx = left + group * (index + 0.5)
        out.append(label(cx, height - bottom + 18, shorten(part.label, 18), "strong"))
        words = []
        for offset, value, colour, name in (
            (-bar, part.contribution, CONTRIBUTION, "contribution"),
            (0.0, part.study_variation, STUDY, "study variation"),
        ):
            if value is None:
                continue
            x0 = cx + offset
            out.append(
                f'<rect x="{x0:.1f}" y="{y(value):.1f}" width="{bar:.1f}" '
                f'height="{max(0.5, y(0) - y(value)):.1f}" fill="{colour}"/>'
            )
            out.append(label(x0 + bar / 2, y(value) - 4, format_number(value, 1), "muted"))
            words.append(f"{format_number(value, 1)}% {name}")
        pieces.append(f"{part.label}: {', '.join(words) or 'no answer'}")
    out.append(line(left, y(0), WIDTH - right, y(0), LOOK["axis"]))
    description = "; ".join(pieces) + ". Reference lines at 10% and 30% of study variation."
    return Drawing(WIDTH, height, title, description, "".join(out))


def measurements_by_part(
    measurements: Sequence[Sequence[Sequence[float]]],
    operators: Sequence[str],
    title: str,
    part_label: str = "Part",
    decimals: int = 1,
) -> Drawing:
    """measurements[part][operator][trial]: each reading as a mark above its part, the
    operators side by side, and the part means joined by a grey line."""
    height, top, bottom, left, right = 300, 56, 46, 64, 20
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    readings = [v for part in measurements for cell in part for v in cell]
    low, high = nice_range(readings)
    slot = plot_w / max(1, len(measurements))

    def y(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    out = [label(12, 22, title, "title", "start")]
    for index, name in enumerate(operators):
        lx = 12 + index * 150
        out.append(_mark(index, lx + 6, 38, name))
        out.append(label(lx + 16, 42, shorten(name, 18), "label", "start"))
    for tick in range(5):
        value = low + (high - low) * tick / 4
        out.append(line(left, y(value), WIDTH - right, y(value), LOOK["grid"]))
        out.append(label(left - 6, y(value) + 4, format_number(value, decimals), "label", "end"))
    means, pieces = [], []
    every = max(1, round(len(measurements) / 15))
    for p, part in enumerate(measurements):
        cx = left + slot * (p + 0.5)
        values = [v for cell in part for v in cell]
        means.append((cx, sum(values) / len(values)))
        if p % every == 0:
            out.append(label(cx, height - bottom + 16, str(p + 1)))
        spread = slot * 0.6 / max(1, len(part))
        for o, cell in enumerate(part):
            ox = cx - slot * 0.3 + spread * (o + 0.5)
            for value in cell:
                out.append(_mark(o, ox, y(value), f"{part_label} {p + 1}, {operators[o]}: {value}"))
        pieces.append(
            f"{part_label} {p + 1}: "
            + "; ".join(
                f"{operators[o]} {', '.join(format_number(v, decimals) for v in cell)}"
                for o, cell in enumerate(part)
            )
        )
    path = " ".join(f"{mx:.1f},{y(my):.1f}" for mx, my in means)
    out.insert(1, f'<polyline points="{path}" fill="none" stroke="{GREY}" stroke-width="1.5"/>')
    out.append(line(left, height - bottom, WIDTH - right, height - bottom, LOOK["axis"]))
    out.append(label((left + WIDTH - right) / 2, height - 8, part_label))
    return Drawing(WIDTH, height, title, ". ".join(pieces) + ".", "".join(out))


def _mark(operator: int, x: float, y: float, about: str) -> str:
    """A circle, square, triangle or diamond, so operators differ by shape as well as colour."""
    colour = SERIES[operator % len(SERIES)]
    inner = tip(about)
    shape = operator % 4
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">{inner}</circle>'
    if shape == 1:
        box = f'x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"'
        return f'<rect {box} fill="{colour}">{inner}</rect>'
    if shape == 2:
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
    else:
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
    return f'<polygon points="{points}" fill="{colour}">{inner}</polygon>'


def render_components(components: Sequence[Component], dom_id: str, title: str) -> str:
    return document(components_chart(components, title), dom_id)


def render_measurements(
    measurements: Sequence[Sequence[Sequence[float]]],
    operators: Sequence[str],
    dom_id: str,
    title: str,
    part_label: str = "Part",
) -> str:
    return document(measurements_by_part(measurements, operators, title, part_label), dom_id)
