"""Time-weighted control charts for small sustained shifts: the EWMA chart and the tabular
CUSUM, with the average run length (ARL) of these and of the Shewhart chart.

Sources: D. C. Montgomery, Introduction to Statistical Quality Control (6th ed., Wiley 2009),
ch. 9 — tabular CUSUM (Tables 9.1–9.3: 30 observations, μ0 = 10, σ = 1, k = 0.5, h = 5;
C⁺ reaches 5.28 at observation 29) and EWMA (λ = 0.1, L = 2.7 on the same data; Table 9.11
of ARLs after Lucas & Saccucci 1990); NIST/SEMATECH e-Handbook of Statistical Methods
§6.3.2.3 (tabular CUSUM, target 325, k = 0.3175, h = 4.1959) and §6.3.2.4 (EWMA, λ = 0.3,
target 50, s = 2.0539, limits 47.4115 and 52.5884); D. Brook & D. A. Evans, "An approach to
the probability distribution of cusum run length", Biometrika 59, 1972 (the Markov-chain ARL);
J. M. Lucas & M. S. Saccucci, "Exponentially weighted moving average control schemes",
Technometrics 32(1), 1990.

Conventions: `sigma` is the known (phase II) standard deviation of the plotted value — of an
individual observation, or σ/√n when each value is the mean of a subgroup of n. The charts
start at the target (z₀ = μ0, C⁺₀ = C⁻₀ = 0). A point signals when it lies strictly beyond
a limit; the CUSUMs are not reset after a signal, so the whole series can be read as
Montgomery tabulates it. Indexes are 0-based.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from app.lss._checks import finite, positive

_STATES = 201  # Markov-chain states for the ARL: ARLs agree with the tables to about 0.5%


@dataclass(frozen=True)
class EwmaChart:
    """An EWMA chart: zᵢ = λ·xᵢ + (1 − λ)·zᵢ₋₁ with z₀ = target.

    `statistic` holds z₁ … zₙ. `lcl` and `ucl` are the exact limits of each point,
    target ∓ L·σ·√(λ/(2 − λ)·(1 − (1 − λ)^(2i))), which start narrow and widen towards the
    asymptotic limits `asymptotic_lcl` and `asymptotic_ucl`, target ∓ L·σ·√(λ/(2 − λ)).
    `signals` are the indexes of the points beyond their exact limits; `asymptotic_signals`
    those beyond the asymptotic limits (what charts that draw straight limits show).
    """

    target: float
    sigma: float
    lam: float
    L: float
    statistic: tuple[float, ...]
    lcl: tuple[float, ...]
    ucl: tuple[float, ...]
    asymptotic_lcl: float
    asymptotic_ucl: float
    signals: tuple[int, ...]
    asymptotic_signals: tuple[int, ...]


def ewma(
    values: Sequence[float], target: float, sigma: float, lam: float = 0.2, L: float = 3.0
) -> EwmaChart:
    """The EWMA chart of `values` around `target`, with smoothing constant `lam` (0 < λ ≤ 1;
    λ = 1 is the Shewhart individuals chart) and limits L σ_z wide.

    NIST e-Handbook §6.3.2.4 (λ = 0.3, target 50, σ = 2.0539): z₁ = 50.60, z₂ = 49.52, …,
    limits 47.4115 and 52.5884, no signal. Montgomery's 30 observations (λ = 0.1, L = 2.7,
    target 10, σ = 1): z₁ = 9.945, exact UCL at i = 1 10.27, first signal at observation 29.
    """
    x = _values("values", values)
    finite("target", target)
    positive("sigma", sigma)
    if not 0 < finite("lam", lam) <= 1:
        raise ValueError(f"lam must be greater than 0 and at most 1 (got {lam}).")
    positive("L", L)
    z = np.empty_like(x)
    previous = target
    for index, value in enumerate(x):
        previous = lam * value + (1 - lam) * previous
        z[index] = previous
    i = np.arange(1, len(x) + 1)
    spread = L * sigma * math.sqrt(lam / (2 - lam))
    half_width = spread * np.sqrt(1 - (1 - lam) ** (2 * i))
    lcl, ucl = target - half_width, target + half_width
    return EwmaChart(
        target=target,
        sigma=sigma,
        lam=lam,
        L=L,
        statistic=tuple(z.tolist()),
        lcl=tuple(lcl.tolist()),
        ucl=tuple(ucl.tolist()),
        asymptotic_lcl=target - spread,
        asymptotic_ucl=target + spread,
        signals=_beyond(z, lcl, ucl),
        asymptotic_signals=_beyond(z, target - spread, target + spread),
    )


@dataclass(frozen=True)
class TabularCusum:
    """A two-sided tabular CUSUM with reference value K = k·σ and decision interval H = h·σ.

    `upper` holds C⁺ᵢ = max(0, xᵢ − (target + K) + C⁺ᵢ₋₁) and `lower` C⁻ᵢ =
    max(0, (target − K) − xᵢ + C⁻ᵢ₋₁), both from 0. `upper_run` and `lower_run` (N⁺, N⁻) count
    the consecutive points for which each sum has been above zero. `upper_signals` and
    `lower_signals` are the indexes where C⁺ or C⁻ exceeds H; `signals` is both, in order.
    """

    target: float
    sigma: float
    k: float
    h: float
    reference: float
    decision_interval: float
    upper: tuple[float, ...]
    lower: tuple[float, ...]
    upper_run: tuple[int, ...]
    lower_run: tuple[int, ...]
    upper_signals: tuple[int, ...]
    lower_signals: tuple[int, ...]
    signals: tuple[int, ...]

    def shift_estimate(self, index: int) -> float:
        """Montgomery's estimate of the new mean at a signal: target + K + C⁺/N⁺ for an upward
        signal, target − K − C⁻/N⁻ for a downward one. Observation 29 of his example: 11.25."""
        if index in self.upper_signals:
            return self.target + self.reference + self.upper[index] / self.upper_run[index]
        if index in self.lower_signals:
            return self.target - self.reference - self.lower[index] / self.lower_run[index]
        raise ValueError(f"index {index} is not a point where the CUSUM signals.")


def tabular_cusum(
    values: Sequence[float], target: float, sigma: float, k: float = 0.5, h: float = 5.0
) -> TabularCusum:
    """The tabular CUSUM of `values` around `target`; `k` and `h` are in units of `sigma`.

    k = 0.5 is tuned to a shift of one σ (k is half the shift to detect); h = 4 or 5 is usual.
    Montgomery Table 9.2 (target 10, σ = 1): C⁺ = 5.28 at observation 29 with N⁺ = 7, the
    first value beyond H = 5. NIST §6.3.2.3 (target 325, σ = 0.635, K = 0.3175,
    H = 4.1959): the first signal is sample 14.
    """
    x = _values("values", values)
    finite("target", target)
    positive("sigma", sigma)
    if finite("k", k) < 0:
        raise ValueError(f"k cannot be negative (got {k}).")
    positive("h", h)
    reference, interval = k * sigma, h * sigma
    upper, lower = np.zeros_like(x), np.zeros_like(x)
    up_run, low_run = np.zeros(len(x), dtype=int), np.zeros(len(x), dtype=int)
    c_plus = c_minus = 0.0
    n_plus = n_minus = 0
    for index, value in enumerate(x):
        c_plus = max(0.0, value - (target + reference) + c_plus)
        c_minus = max(0.0, (target - reference) - value + c_minus)
        n_plus = n_plus + 1 if c_plus > 0 else 0
        n_minus = n_minus + 1 if c_minus > 0 else 0
        upper[index], lower[index] = c_plus, c_minus
        up_run[index], low_run[index] = n_plus, n_minus
    high = _beyond(upper, -math.inf, interval)
    low = _beyond(lower, -math.inf, interval)
    return TabularCusum(
        target=target,
        sigma=sigma,
        k=k,
        h=h,
        reference=reference,
        decision_interval=interval,
        upper=tuple(upper.tolist()),
        lower=tuple(lower.tolist()),
        upper_run=tuple(up_run.tolist()),
        lower_run=tuple(low_run.tolist()),
        upper_signals=high,
        lower_signals=low,
        signals=tuple(sorted(set(high) | set(low))),
    )


def shewhart_arl(shift: float, L: float = 3.0) -> float:
    """Average run length of a chart with limits ±L σ and only that rule, when the mean has
    moved `shift` σ (of the plotted value): 1 / (Φ(−L − shift) + Φ(−L + shift)).

    3σ limits: 370.4 in control; 43.9 for a 1σ shift; 6.3 for a 2σ shift (Montgomery).
    """
    finite("shift", shift)
    positive("L", L)
    return 1 / (norm.cdf(-L - shift) + norm.sf(L - shift))


def cusum_arl(shift: float, k: float = 0.5, h: float = 5.0) -> float:
    """Average run length of the two-sided tabular CUSUM (k, h in σ) for a mean shift of
    `shift` σ, from a Markov chain (Brook & Evans 1972) for each one-sided sum combined as
    1/ARL = 1/ARL⁺ + 1/ARL⁻.

    Montgomery Table 9.3 (k = 0.5, h = 5): 465 in control, 38.0 at 0.5σ, 10.4 at 1σ,
    4.01 at 2σ.
    """
    finite("shift", shift)
    if finite("k", k) < 0:
        raise ValueError(f"k cannot be negative (got {k}).")
    positive("h", h)
    return 1 / (1 / _one_sided_cusum_arl(shift, k, h) + 1 / _one_sided_cusum_arl(-shift, k, h))


def ewma_arl(shift: float, lam: float = 0.2, L: float = 3.0) -> float:
    """Average run length of the EWMA chart with asymptotic limits ±L σ_z for a mean shift
    of `shift` σ, from a Markov chain as Lucas & Saccucci (1990) computed their tables.

    Montgomery Table 9.11: λ = 0.1, L = 2.814 gives 500 in control and 10.3 at 1σ; λ = 0.2,
    L = 2.962 gives 500 and 10.5.
    """
    finite("shift", shift)
    if not 0 < finite("lam", lam) <= 1:
        raise ValueError(f"lam must be greater than 0 and at most 1 (got {lam}).")
    positive("L", L)
    limit = L * math.sqrt(lam / (2 - lam))
    width = 2 * limit / _STATES
    centres = -limit + width * (np.arange(_STATES) + 0.5)
    # From centre cᵢ the next z is (1 − λ)cᵢ + λx with x ~ N(shift, 1).
    edges = -limit + width * np.arange(_STATES + 1)
    start = (1 - lam) * centres[:, None]
    cdf = norm.cdf((edges[None, :] - start) / lam - shift)
    return _absorbing_arl(np.diff(cdf, axis=1), _STATES // 2)


def _one_sided_cusum_arl(shift: float, k: float, h: float) -> float:
    """ARL of C⁺ for a mean of `shift` σ: state 0 is C = 0, state j ≥ 1 is C ≈ j·w, with
    w = 2h/(2m − 1) so that the last state's upper edge is h."""
    m = _STATES
    width = 2 * h / (2 * m - 1)
    centres = width * np.arange(m)
    upper_edges = width * (np.arange(m) + 0.5)
    # P(next C ≤ edge) = P(c + x − k ≤ edge) with x ~ N(shift, 1).
    cdf = norm.cdf(upper_edges[None, :] - centres[:, None] + k - shift)
    transitions = np.diff(np.concatenate([np.zeros((m, 1)), cdf], axis=1), axis=1)
    return _absorbing_arl(transitions, 0)


def _absorbing_arl(transitions: np.ndarray, start: int) -> float:
    steps = np.linalg.solve(np.eye(len(transitions)) - transitions, np.ones(len(transitions)))
    return float(steps[start])


def _beyond(points: np.ndarray, lower: float | np.ndarray, upper: float | np.ndarray) -> tuple:
    return tuple(int(i) for i in np.flatnonzero((points < lower) | (points > upper)))


def _values(name: str, values: Sequence[float]) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a flat list of numbers.")
    if len(x) == 0:
        raise ValueError(f"{name} needs at least one value.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must all be finite numbers.")
    return x
