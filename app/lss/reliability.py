"""Reliability basics: the exponential and Weibull life models, availability, and systems of
components in series, in parallel and k-out-of-n.

Sources: MIL-HDBK-338B, Electronic Reliability Design Handbook (1998), §5.3 (exponential and
Weibull reliability and hazard functions; η is the life by which 63.2% have failed) and §6.4
(series, parallel and k-out-of-n models); NIST/SEMATECH e-Handbook of Statistical Methods
§8.1.6.1–8.1.6.2 (exponential and Weibull) and §8.1.8 (series and parallel systems);
P. O'Connor & A. Kleyner, Practical Reliability Engineering (5th ed., Wiley 2012), ch. 2 and 6
(MTBF, MTTR, inherent availability A = MTBF/(MTBF + MTTR)).

Conventions: times and rates in any consistent unit (hours, days, cycles); a reliability is
the probability, from 0 to 1, of surviving a stated mission time.
"""

import math
from collections.abc import Sequence

from app.lss._checks import fraction, non_negative, positive


def exponential_reliability(time: float, failure_rate: float) -> float:
    """R(t) = e^(−λt) for a constant failure rate λ (MTBF = 1/λ).

    At t = MTBF, R = e⁻¹ = 0.3679: only 36.8% of units survive to their mean life.
    """
    non_negative("time", time)
    non_negative("failure_rate", failure_rate)
    return math.exp(-failure_rate * time)


def weibull_reliability(time: float, shape: float, scale: float, location: float = 0.0) -> float:
    """R(t) = exp(−((t − γ)/η)^β) for t ≥ γ (1 before the minimum life γ).

    β = `shape` (< 1 early failures, 1 random, > 1 wear-out), η = `scale` (characteristic
    life: R(γ + η) = e⁻¹ = 0.3679 whatever β), γ = `location`.
    """
    non_negative("time", time)
    positive("shape", shape)
    positive("scale", scale)
    non_negative("location", location)
    if time <= location:
        return 1.0
    return math.exp(-(((time - location) / scale) ** shape))


def weibull_hazard(time: float, shape: float, scale: float) -> float:
    """The failure rate at age t: h(t) = (β/η)·(t/η)^(β − 1). Constant (1/η) when β = 1."""
    non_negative("time", time)
    positive("shape", shape)
    positive("scale", scale)
    if time == 0:
        if shape < 1:
            raise ValueError("time must be above 0 when shape is below 1 (the hazard is infinite).")
        return 1 / scale if shape == 1 else 0.0
    return (shape / scale) * (time / scale) ** (shape - 1)


def weibull_mean_life(shape: float, scale: float) -> float:
    """Mean life (MTTF) = η·Γ(1 + 1/β). β = 1 gives η; β = 2 gives 0.8862·η."""
    positive("shape", shape)
    positive("scale", scale)
    return scale * math.gamma(1 + 1 / shape)


def availability(mtbf: float, mttr: float) -> float:
    """Inherent (steady-state) availability A = MTBF / (MTBF + MTTR).

    MTBF 1,000 h and MTTR 10 h give 0.9901.
    """
    positive("mtbf", mtbf)
    non_negative("mttr", mttr)
    return mtbf / (mtbf + mttr)


def series_reliability(reliabilities: Sequence[float]) -> float:
    """A chain that works only if every component works: R = R₁·R₂·…·Rₙ.

    0.95, 0.98 and 0.99 in series give 0.9217.
    """
    return math.prod(_reliabilities(reliabilities))


def parallel_reliability(reliabilities: Sequence[float]) -> float:
    """Active redundancy that works if any component works: R = 1 − (1 − R₁)·…·(1 − Rₙ).

    Two servers of 0.90 in parallel give 0.99.
    """
    return 1 - math.prod(1 - r for r in _reliabilities(reliabilities))


def k_out_of_n_reliability(k: int, n: int, reliability: float) -> float:
    """At least k of n identical, independent components must work:
    R = Σ_{i=k..n} C(n, i)·R^i·(1 − R)^(n − i). k = 1 is parallel; k = n is series.
    """
    if n != int(n) or n < 1:
        raise ValueError(f"n must be a whole number of at least 1 (got {n}).")
    if k != int(k) or not 1 <= k <= n:
        raise ValueError(f"k must be a whole number from 1 to n = {n} (got {k}).")
    fraction("reliability", reliability)
    return sum(
        math.comb(int(n), i) * reliability**i * (1 - reliability) ** (n - i)
        for i in range(int(k), int(n) + 1)
    )


def _reliabilities(values: Sequence[float]) -> list[float]:
    if len(values) == 0:
        raise ValueError("reliabilities needs at least one component.")
    return [fraction(f"reliabilities[{index}]", value) for index, value in enumerate(values)]
