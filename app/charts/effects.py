"""Effect plots for two-level factorial experiments: the main-effects plot (the mean response
at each factor's low and high setting), the half-normal plot of effects (large effects stand
off the line of the small ones) and a bar chart of effects against a threshold.

Pure functions from plain numbers (or app.lss.doe results) to SVG text.
"""

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass

from app.charts.svg import BLUE, GREY, LOOK, RED, Drawing, document, line, nice_range, shorten, tip
from app.charts.svg import text as label
from app.grading.numbers import format_number

WIDTH = 760


@dataclass(frozen=True)
class MainEffect:
    """One factor's panel: its name and settings, and the mean response at each setting."""

    name: str
    low_label: str
    high_label: str
    low_mean: float
    high_mean: float


@dataclass(frozen=True)
class PlottedEffect:
    """One point of a half-normal plot: |effect| against its half-normal quantile."""

    term: str
    effect: float
    quantile: float


def main_effects_plot(
    effects: Sequence[MainEffect],
    title: str,
    response_label: str,
    decimals: int = 2,
    grand_mean: float | None = None,
) -> Drawing:
    height, top, bottom, left = 320, 74, 62, 70
    panel_w = (WIDTH - left - 20) / max(1, len(effects))
    values = [v for e in effects for v in (e.low_mean, e.high_mean)]
    low, high = nice_range(values + ([grand_mean] if grand_mean is not None else []))
    plot_h = height - top - bottom

    def y(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    out = [label(12, 22, title, "title", "start"), label(12, 40, response_label, "muted", "start")]
    for tick in range(5):
        value = low + (high - low) * tick / 4
        out.append(line(left, y(value), WIDTH - 20, y(value), LOOK["grid"]))
        out.append(label(left - 6, y(value) + 4, format_number(value, decimals), "label", "end"))
    if grand_mean is not None:
        dash = f'stroke="{GREY}" stroke-width="1" stroke-dasharray="4 4"'
        out.append(line(left, y(grand_mean), WIDTH - 20, y(grand_mean), dash))
    lines = []
    for index, effect in enumerate(effects):
        x0 = left + panel_w * index
        xl, xh = x0 + panel_w * 0.25, x0 + panel_w * 0.75
        out.append(line(x0, top, x0, height - bottom, LOOK["axis"]))
        out.append(label(x0 + panel_w / 2, top - 6, shorten(effect.name, 28), "strong"))
        limit = max(6, int(panel_w / 7))
        out.append(label(xl, height - bottom + 16, "−", "strong"))
        out.append(label(xh, height - bottom + 16, "+", "strong"))
        out.append(label(xl, height - bottom + 32, shorten(effect.low_label, limit // 2), "muted"))
        out.append(label(xh, height - bottom + 32, shorten(effect.high_label, limit // 2), "muted"))
        stroke = f'stroke="{BLUE}" stroke-width="2"'
        out.append(line(xl, y(effect.low_mean), xh, y(effect.high_mean), stroke))
        for x, value in ((xl, effect.low_mean), (xh, effect.high_mean)):
            out.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="4" fill="{BLUE}"/>')
        change = effect.high_mean - effect.low_mean
        lines.append(
            f"{effect.name}: {format_number(effect.low_mean, decimals)} at "
            f"{effect.low_label}, {format_number(effect.high_mean, decimals)} at "
            f"{effect.high_label} (effect {format_number(change, decimals)})."
        )
    out.append(line(left, height - bottom, WIDTH - 20, height - bottom, LOOK["axis"]))
    return Drawing(WIDTH, height, title, " ".join(lines), "".join(out))


def half_normal_plot(
    points: Sequence[PlottedEffect], title: str, marked: Set[str] = frozenset(), decimals: int = 2
) -> Drawing:
    """|effect| across, half-normal quantile up; the terms in `marked` are drawn in red."""
    height, top, bottom, left, right = 330, 60, 46, 64, 40
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    sizes = [abs(p.effect) for p in points]
    x_high = nice_range(sizes, include_zero=True)[1]
    quantiles = [p.quantile for p in points]
    y_high = nice_range(quantiles, include_zero=True)[1]

    def x(value: float) -> float:
        return left + plot_w * value / x_high

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_high)

    out = [label(12, 22, title, "title", "start")]
    for tick in range(5):
        value, q = x_high * tick / 4, y_high * tick / 4
        out.append(line(x(value), top, x(value), height - bottom, LOOK["grid"]))
        out.append(label(x(value), height - bottom + 16, format_number(value, decimals)))
        out.append(label(left - 6, y(q) + 4, format_number(q, 2), "label", "end"))
    out.append(line(left, height - bottom, WIDTH - right, height - bottom, LOOK["axis"]))
    out.append(line(left, top, left, height - bottom, LOOK["axis"]))
    out.append(label((left + WIDTH - right) / 2, height - 8, "|Effect|"))
    out.append(label(12, top - 14, "Half-normal quantile", "muted", "start"))
    for point in points:
        hot = point.term in marked
        colour = RED if hot else BLUE
        px, py = x(abs(point.effect)), y(point.quantile)
        about = f"{point.term}: effect {format_number(point.effect, decimals)}"
        out.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{5 if hot else 4}" fill="{colour}">'
            f"{tip(about)}</circle>"
        )
        out.append(label(px + 8, py + 4, point.term, "alert" if hot else "label", "start"))
    ordered = sorted(points, key=lambda p: -abs(p.effect))
    listed = ", ".join(
        f"{p.term} {format_number(p.effect, decimals)}{' (marked)' if p.term in marked else ''}"
        for p in ordered
    )
    description = f"{len(points)} effects, largest first: {listed}."
    return Drawing(WIDTH, height, title, description, "".join(out))


def effect_bars(
    effects: Mapping[str, float | None],
    title: str,
    marked: Set[str] = frozenset(),
    threshold: float | None = None,
    decimals: int = 2,
) -> Drawing:
    """One horizontal bar per term, its length |effect| and its sign written beside it;
    a dashed line at the threshold when there is one. Terms without a value get no bar."""
    row, top, left, right = 30, 44, 170, 90
    height = top + row * max(1, len(effects)) + 40
    known = [abs(v) for v in effects.values() if v is not None]
    x_high = nice_range([*known, *([threshold] if threshold else [])], include_zero=True)[1]
    plot_w = WIDTH - left - right

    def x(value: float) -> float:
        return left + plot_w * value / x_high

    out = [label(12, 22, title, "title", "start")]
    bottom = top + row * max(1, len(effects))
    for tick in range(5):
        value = x_high * tick / 4
        out.append(line(x(value), top, x(value), bottom, LOOK["grid"]))
        out.append(label(x(value), bottom + 16, format_number(value, decimals)))
    pieces = []
    for index, (term, value) in enumerate(effects.items()):
        cy = top + row * index + row / 2
        hot = term in marked
        out.append(label(left - 8, cy + 4, shorten(term, 24), "alert" if hot else "label", "end"))
        if value is None:
            out.append(label(left + 6, cy + 4, "no answer", "muted", "start"))
            pieces.append(f"{term}: no answer")
            continue
        colour = RED if hot else BLUE
        out.append(
            f'<rect x="{left:.1f}" y="{cy - 9:.1f}" width="{max(1.0, x(abs(value)) - left):.1f}" '
            f'height="18" fill="{colour}"/>'
        )
        shown = format_number(value, decimals)
        out.append(label(x(abs(value)) + 6, cy + 4, shown, "label", "start"))
        pieces.append(f"{term}: {shown}{' (marked significant)' if hot else ''}")
    out.append(line(left, top, left, bottom, LOOK["axis"]))
    if threshold:
        dash = f'stroke="{RED}" stroke-width="1.5" stroke-dasharray="6 4"'
        out.append(line(x(threshold), top - 6, x(threshold), bottom, dash))
        out.append(label(x(threshold), top - 10, f"threshold {format_number(threshold, decimals)}",
                         "alert"))  # fmt: skip
        pieces.append(f"threshold {format_number(threshold, decimals)}")
    out.append(label((left + WIDTH - right) / 2, height - 8, "|Effect|"))
    return Drawing(WIDTH, height, title, "; ".join(pieces) + ".", "".join(out))


def render_main_effects(
    effects: Sequence[MainEffect], dom_id: str, title: str, response_label: str = ""
) -> str:
    return document(main_effects_plot(effects, title, response_label), dom_id)


def render_half_normal(
    points: Sequence[PlottedEffect], dom_id: str, title: str, marked: Set[str] = frozenset()
) -> str:
    return document(half_normal_plot(points, title, marked), dom_id)


def render_effect_bars(
    effects: Mapping[str, float | None], dom_id: str, title: str, threshold: float | None = None
) -> str:
    return document(effect_bars(effects, title, threshold=threshold), dom_id)
