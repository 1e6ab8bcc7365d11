"""Measurement system analysis: the crossed gauge R&R study (AIAG MSA, 4th edition).

The study: every operator measures every part the same number of times. `measurements`
is nested parts × operators × trials: measurements[i][j][k] is part i + 1, measured by
operator j + 1, on trial k + 1. For the AIAG example (10 parts, appraisers A, B, C,
3 trials) measurements[0] is [[0.29, 0.41, 0.64], [0.08, 0.25, 0.07], [0.04, -0.11, -0.15]].

All components are standard deviations (1σ). %study variation = 100·σ_x/σ_TV, which does
not change when every σ is multiplied by 5.15 or 6; %contribution = 100·σ²_x/σ²_TV.
ndc = ⌊1.41·PV/GRR⌋. AIAG verdict on %GRR (of study variation): below 10% acceptable,
10% to 30% conditional ("may be acceptable depending on the application"), above 30%
unacceptable; AIAG also asks for ndc ≥ 5, reported separately as `ndc_adequate`.

Sources: AIAG, Measurement Systems Analysis, 4th ed. (2010), chapter III section B —
average and range method and its K1/K2/K3 constants, ANOVA method; its 10 × 3 × 3 example
gives EV 0.20188, AV 0.22963, GRR 0.30575, PV 1.10456, TV 1.14610, %GRR 26.68, ndc 5.
Montgomery, Introduction to Statistical Quality Control — the two-way random-effects
variance components.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

# AIAG MSA 4th ed., 1σ constants (1/d2*): K1 by trials, K2 by operators, K3 by parts.
K1_BY_TRIALS = {2: 0.8862, 3: 0.5908}
K2_BY_OPERATORS = {2: 0.7071, 3: 0.5231}
K3_BY_PARTS = {
    2: 0.7071, 3: 0.5231, 4: 0.4467, 5: 0.4030, 6: 0.3742,
    7: 0.3534, 8: 0.3375, 9: 0.3249, 10: 0.3146,
}  # fmt: skip
# Range chart upper limit D4 by subgroup size (trials), as tabled.
D4_BY_TRIALS = {2: 3.267, 3: 2.574}
NDC_FACTOR = 1.41
ACCEPTABLE_BELOW = 10.0
UNACCEPTABLE_ABOVE = 30.0
DEFAULT_INTERACTION_ALPHA = 0.25
METHODS = ("anova", "average_range")


@dataclass(frozen=True)
class AnovaRow:
    """One line of the two-way ANOVA table; f and p_value are None for error and total."""

    source: str
    ss: float
    df: int
    ms: float
    f: float | None = None
    p_value: float | None = None


@dataclass(frozen=True)
class GaugeAnova:
    """The ANOVA behind the variance components.

    table: the full model, keyed "part", "operator", "part×operator", "repeatability",
    "total"; part and operator are tested against the interaction mean square (random
    effects). When interaction_p_value > interaction_alpha the interaction is pooled into
    repeatability: interaction_pooled is True and pooled_table holds the reduced model
    ("part", "operator", "repeatability", "total") with MS_pooled = (SS_PO + SS_E)/(df_PO +
    df_E) as the error term; otherwise pooled_table is None.
    """

    table: dict[str, AnovaRow]
    interaction_p_value: float
    interaction_alpha: float
    interaction_pooled: bool
    pooled_table: dict[str, AnovaRow] | None


@dataclass(frozen=True)
class AverageRangeDetails:
    """The AIAG data-sheet quantities. Means and ranges follow the input order.

    r_double_bar: the mean of all part × operator ranges; x_diff: largest − smallest
    operator mean; part_range (Rp): largest − smallest part mean; k1, k2, k3: the
    constants used. range_limit = D4 × R̿; ranges_above_limit lists the (part, operator)
    cells, counted from 1 as on the data sheet, whose range exceeds it.
    """

    operator_means: tuple[float, ...]
    operator_average_ranges: tuple[float, ...]
    r_double_bar: float
    x_diff: float
    part_means: tuple[float, ...]
    part_range: float
    k1: float
    k2: float
    k3: float
    range_limit: float
    ranges_above_limit: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GaugeRRResult:
    """A gauge R&R study; all components are standard deviations (1σ).

    repeatability (EV), reproducibility (AV = operator and, with ANOVA, the operator × part
    interaction), operator, interaction (None for the average and range method, 0 when
    pooled), gauge_rr (GRR = √(EV² + AV²)), part_to_part (PV), total_variation
    (TV = √(GRR² + PV²)). percent_study_variation and percent_contribution are keyed by
    those names. verdict: "acceptable", "conditional" or "unacceptable" from %GRR.
    anova or average_range holds the working of the method used; the other is None.
    """

    method: str
    parts: int
    operators: int
    trials: int
    repeatability: float
    reproducibility: float
    operator: float
    interaction: float | None
    gauge_rr: float
    part_to_part: float
    total_variation: float
    percent_study_variation: dict[str, float]
    percent_contribution: dict[str, float]
    ndc: int
    ndc_adequate: bool
    verdict: str
    anova: GaugeAnova | None
    average_range: AverageRangeDetails | None

    @property
    def variances(self) -> dict[str, float]:
        """The variance components σ², keyed like percent_contribution."""
        return {name: self._sigma(name) ** 2 for name in self.percent_contribution}

    def _sigma(self, name: str) -> float:
        value = getattr(self, name)
        return 0.0 if value is None else value


def gauge_rr(
    measurements: Sequence[Sequence[Sequence[float]]],
    method: str = "anova",
    interaction_alpha: float = DEFAULT_INTERACTION_ALPHA,
) -> GaugeRRResult:
    """Crossed gauge R&R by the ANOVA method (default) or the AIAG average and range method.

    measurements: parts × operators × trials (see the module docstring).

    method="anova": two-way random-effects ANOVA with σ²_repeatability = MS_E,
    σ²_operator×part = (MS_PO − MS_E)/r, σ²_operator = (MS_O − MS_PO)/(p·r),
    σ²_part = (MS_P − MS_PO)/(o·r); negative components are set to 0. The interaction is
    pooled into repeatability when its p-value exceeds interaction_alpha. Takt's default
    0.25 pools only a clearly negligible interaction (the usual rule for pooling terms in
    designed experiments); pass 0.05 to match Minitab's default. The AIAG example's
    interaction (p ≈ 0.97) is pooled under either rule.

    method="average_range": EV = R̿·K1, AV = √((X̄diff·K2)² − EV²/(p·r)) (0 if negative),
    PV = Rp·K3, with the AIAG tables: 2–3 trials, 2–3 operators, 2–10 parts.
    """
    if method not in METHODS:
        raise ValueError(f"method must be 'anova' or 'average_range' (got {method!r}).")
    data = _study_array(measurements)
    cell_ranges = data.max(axis=2) - data.min(axis=2)
    if not np.any(cell_ranges):
        raise ValueError(
            "measurements repeat exactly on every trial, so repeatability cannot be estimated; "
            "the gauge's resolution is probably too coarse for these parts."
        )
    if method == "anova":
        if not 0 <= interaction_alpha <= 1:
            raise ValueError(
                f"interaction_alpha must be between 0 and 1 (got {interaction_alpha})."
            )
        return _anova_method(data, interaction_alpha)
    return _average_range_method(data, cell_ranges)


def _study_array(measurements: Sequence[Sequence[Sequence[float]]]) -> np.ndarray:
    parts = len(measurements)
    if parts < 2:
        raise ValueError(f"measurements needs at least 2 parts (got {parts}).")
    operators = len(measurements[0])
    trials = len(measurements[0][0]) if operators else 0
    for i, part in enumerate(measurements):
        if len(part) != operators:
            raise ValueError(
                f"measurements[{i}] has {len(part)} operators but measurements[0] has "
                f"{operators}: every operator must measure every part."
            )
        for j, cell in enumerate(part):
            if len(cell) != trials:
                raise ValueError(
                    f"measurements[{i}][{j}] has {len(cell)} trials but measurements[0][0] has "
                    f"{trials}: every operator must measure every part the same number of times."
                )
    if operators < 2:
        raise ValueError(f"measurements needs at least 2 operators (got {operators}).")
    if trials < 2:
        raise ValueError(
            f"measurements needs at least 2 trials per operator and part (got {trials})."
        )
    data = np.asarray(measurements, dtype=float)
    if not np.all(np.isfinite(data)):
        raise ValueError("measurements contains a value that is not a finite number.")
    return data


def _anova_method(data: np.ndarray, interaction_alpha: float) -> GaugeRRResult:
    p, o, r = data.shape
    grand = data.mean()
    part_means = data.mean(axis=(1, 2))
    operator_means = data.mean(axis=(0, 2))
    cell_means = data.mean(axis=2)
    ss_part = o * r * math.fsum((part_means - grand) ** 2)
    ss_operator = p * r * math.fsum((operator_means - grand) ** 2)
    interaction_effects = cell_means - part_means[:, None] - operator_means[None, :] + grand
    ss_interaction = r * math.fsum(interaction_effects.ravel() ** 2)
    ss_error = math.fsum(((data - cell_means[:, :, None]) ** 2).ravel())
    ss_total = math.fsum(((data - grand) ** 2).ravel())
    df_part, df_operator = p - 1, o - 1
    df_interaction, df_error = df_part * df_operator, p * o * (r - 1)
    ms_part, ms_operator = ss_part / df_part, ss_operator / df_operator
    ms_interaction, ms_error = ss_interaction / df_interaction, ss_error / df_error

    interaction_f = ms_interaction / ms_error
    interaction_p = float(sps.f.sf(interaction_f, df_interaction, df_error))
    table = {
        "part": _tested("Part", ss_part, df_part, ms_interaction, df_interaction),
        "operator": _tested("Operator", ss_operator, df_operator, ms_interaction, df_interaction),
        "part×operator": AnovaRow(
            "Part × Operator", ss_interaction, df_interaction, ms_interaction,
            interaction_f, interaction_p,
        ),
        "repeatability": AnovaRow("Repeatability", ss_error, df_error, ms_error),
        "total": AnovaRow("Total", ss_total, p * o * r - 1, ss_total / (p * o * r - 1)),
    }  # fmt: skip
    pooled = interaction_p > interaction_alpha
    pooled_table = None
    if pooled:
        df_pooled = df_interaction + df_error
        ms_pooled = (ss_interaction + ss_error) / df_pooled
        pooled_table = {
            "part": _tested("Part", ss_part, df_part, ms_pooled, df_pooled),
            "operator": _tested("Operator", ss_operator, df_operator, ms_pooled, df_pooled),
            "repeatability": AnovaRow(
                "Repeatability", ss_interaction + ss_error, df_pooled, ms_pooled
            ),
            "total": table["total"],
        }
        var_repeat, var_interaction, ms_reference = ms_pooled, 0.0, ms_pooled
    else:
        var_repeat = ms_error
        var_interaction = max(0.0, (ms_interaction - ms_error) / r)
        ms_reference = ms_interaction
    var_operator = max(0.0, (ms_operator - ms_reference) / (p * r))
    var_part = max(0.0, (ms_part - ms_reference) / (o * r))
    anova = GaugeAnova(table, interaction_p, interaction_alpha, pooled, pooled_table)
    return _result(
        "anova", data.shape,
        repeatability=math.sqrt(var_repeat),
        operator=math.sqrt(var_operator),
        interaction=math.sqrt(var_interaction),
        part_to_part=math.sqrt(var_part),
        anova=anova, average_range=None,
    )  # fmt: skip


def _tested(source: str, ss: float, df: int, ms_error: float, df_error: int) -> AnovaRow:
    ms = ss / df
    f = ms / ms_error if ms_error > 0 else math.inf
    p_value = float(sps.f.sf(f, df, df_error)) if math.isfinite(f) else 0.0
    return AnovaRow(source, ss, df, ms, f, p_value)


def _average_range_method(data: np.ndarray, cell_ranges: np.ndarray) -> GaugeRRResult:
    p, o, r = data.shape
    for label, count, table, noun in (
        ("trials", r, K1_BY_TRIALS, "trials"),
        ("operators", o, K2_BY_OPERATORS, "operators"),
        ("parts", p, K3_BY_PARTS, "parts"),
    ):
        if count not in table:
            low, high = min(table), max(table)
            raise ValueError(
                f"The average and range method has AIAG constants for {low} to {high} {noun} "
                f"(got {count} {label}); use method='anova'."
            )
    k1, k2, k3 = K1_BY_TRIALS[r], K2_BY_OPERATORS[o], K3_BY_PARTS[p]
    operator_ranges = cell_ranges.mean(axis=0)
    r_double_bar = float(cell_ranges.mean())
    operator_means = data.mean(axis=(0, 2))
    part_means = data.mean(axis=(1, 2))
    x_diff = float(operator_means.max() - operator_means.min())
    part_range = float(part_means.max() - part_means.min())
    ev = r_double_bar * k1
    av = math.sqrt(max(0.0, (x_diff * k2) ** 2 - ev**2 / (p * r)))
    range_limit = D4_BY_TRIALS[r] * r_double_bar
    details = AverageRangeDetails(
        operator_means=tuple(map(float, operator_means)),
        operator_average_ranges=tuple(map(float, operator_ranges)),
        r_double_bar=r_double_bar,
        x_diff=x_diff,
        part_means=tuple(map(float, part_means)),
        part_range=part_range,
        k1=k1,
        k2=k2,
        k3=k3,
        range_limit=range_limit,
        ranges_above_limit=tuple(
            (int(i) + 1, int(j) + 1)
            for i, j in zip(*np.nonzero(cell_ranges > range_limit), strict=True)
        ),
    )
    return _result(
        "average_range", data.shape,
        repeatability=ev, operator=av, interaction=None, part_to_part=part_range * k3,
        anova=None, average_range=details,
    )  # fmt: skip


def _result(
    method: str,
    shape: tuple[int, ...],
    *,
    repeatability: float,
    operator: float,
    interaction: float | None,
    part_to_part: float,
    anova: GaugeAnova | None,
    average_range: AverageRangeDetails | None,
) -> GaugeRRResult:
    reproducibility = math.hypot(operator, interaction or 0.0)
    grr = math.hypot(repeatability, reproducibility)
    total = math.hypot(grr, part_to_part)
    sigmas = {
        "repeatability": repeatability,
        "reproducibility": reproducibility,
        "operator": operator,
        "interaction": interaction,
        "gauge_rr": grr,
        "part_to_part": part_to_part,
        "total_variation": total,
    }
    shown = {name: value for name, value in sigmas.items() if value is not None}
    percent_grr = min(100.0, 100 * (grr / total))
    ndc = math.floor(NDC_FACTOR * part_to_part / grr)
    return GaugeRRResult(
        method=method,
        parts=shape[0],
        operators=shape[1],
        trials=shape[2],
        repeatability=repeatability,
        reproducibility=reproducibility,
        operator=operator,
        interaction=interaction,
        gauge_rr=grr,
        part_to_part=part_to_part,
        total_variation=total,
        percent_study_variation={name: 100 * (value / total) for name, value in shown.items()},
        percent_contribution={name: 100 * (value / total) ** 2 for name, value in shown.items()},
        ndc=ndc,
        ndc_adequate=ndc >= 5,
        verdict=aiag_verdict(percent_grr),
        anova=anova,
        average_range=average_range,
    )


def aiag_verdict(percent_grr: float) -> str:
    """AIAG acceptance of %GRR (of study variation or of tolerance): below 10% "acceptable",
    10% to 30% inclusive "conditional", above 30% "unacceptable"."""
    if not 0 <= percent_grr <= 100 or math.isnan(percent_grr):
        raise ValueError(f"percent_grr must be a percentage from 0 to 100 (got {percent_grr}).")
    if percent_grr < ACCEPTABLE_BELOW:
        return "acceptable"
    if percent_grr <= UNACCEPTABLE_ABOVE:
        return "conditional"
    return "unacceptable"
