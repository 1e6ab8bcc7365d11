"""Process capability: Cp and Cpk from the within-subgroup (short-term) σ, Pp and Ppk from
the overall (long-term) σ, and the expected parts per million outside the specification.

Sources: Montgomery, Introduction to Statistical Quality Control (6th ed.), ch. 8; AIAG,
Statistical Process Control (2nd ed., 2005) for the Cp/Pp distinction; qcc's
process.capability (Scrucca, R News 4/1, 2004). Montgomery's piston rings (125 values in
subgroups of 5, specification 74.000 ± 0.05 mm): Cp 1.703, Cpk 1.663, Pp 1.655, Ppk 1.616.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from app.lss._checks import finite
from app.lss.spc import MAX_SUBGROUP, imr_limits, xbar_r_limits

MILLION = 1_000_000


@dataclass(frozen=True)
class CapabilityIndices:
    """Indices for one σ: cp = (USL − LSL)/6σ, cpl = (μ − LSL)/3σ, cpu = (USL − μ)/3σ,
    cpk = the smaller of cpl and cpu. With a one-sided specification cp and the missing
    side are None, and cpk is the index of the side given."""

    cp: float | None
    cpl: float | None
    cpu: float | None
    cpk: float


@dataclass(frozen=True)
class OutOfSpec:
    """Expected parts per million below the LSL, above the USL, and in total (0 for a
    side without a limit)."""

    below: float
    above: float
    total: float


@dataclass(frozen=True)
class Capability:
    """A capability study of `values` against `lsl`/`usl`.

    `mean` is the grand mean. `sigma_within` is R̄/d2 for subgroups or MR̄/1.128 for
    individuals (subgroup_size 1); `sigma_overall` is the sample standard deviation of all
    values (n − 1 divisor). cp, cpl, cpu, cpk use sigma_within; pp, ppl, ppu, ppk use
    sigma_overall (None where a limit is missing). `ppm_overall` is the expected
    performance that goes with Ppk: Φ((LSL − μ)/σ_overall) and 1 − Φ((USL − μ)/σ_overall),
    × 10⁶. `ppm_within` is the same with σ_within (what qcc reports as Exp<LSL, Exp>USL).
    """

    mean: float
    sigma_within: float
    sigma_overall: float
    subgroup_size: int
    lsl: float | None
    usl: float | None
    cp: float | None
    cpl: float | None
    cpu: float | None
    cpk: float
    pp: float | None
    ppl: float | None
    ppu: float | None
    ppk: float
    ppm_overall: OutOfSpec
    ppm_within: OutOfSpec


def capability(
    values: Sequence[float],
    lsl: float | None,
    usl: float | None,
    subgroup_size: int = 1,
) -> Capability:
    """Capability of a process from its measurements, in time order.

    With subgroup_size n ≥ 2 the values are consecutive subgroups of n (the count must be a
    multiple of n) and σ_within = R̄/d2(n); with n = 1 they are individuals and
    σ_within = MR̄/d2(2) = MR̄/1.128. Give lsl, usl or both (one-sided: Cp and Pp are None).
    """
    lower, upper = _spec_limits(lsl, usl)
    x, size = _values(values, subgroup_size)
    within = _sigma_within(x, size)
    overall = float(x.std(ddof=1))
    if within == 0 or overall == 0:
        raise ValueError("values show no variation, so capability indices are undefined.")
    mean = float(x.mean())
    short = capability_indices(mean, within, lower, upper)
    long = capability_indices(mean, overall, lower, upper)
    return Capability(
        mean=mean,
        sigma_within=within,
        sigma_overall=overall,
        subgroup_size=size,
        lsl=lower,
        usl=upper,
        cp=short.cp,
        cpl=short.cpl,
        cpu=short.cpu,
        cpk=short.cpk,
        pp=long.cp,
        ppl=long.cpl,
        ppu=long.cpu,
        ppk=long.cpk,
        ppm_overall=expected_ppm(mean, overall, lower, upper),
        ppm_within=expected_ppm(mean, within, lower, upper),
    )


def capability_indices(
    mean: float, sigma: float, lsl: float | None = None, usl: float | None = None
) -> CapabilityIndices:
    """Cp, Cpl, Cpu and Cpk for a process mean and σ (use σ_overall for Pp … Ppk).

    Example: LSL 8, USL 20, μ 16, σ 2 → Cp 1.00, Cpl 1.33, Cpu 0.67, Cpk 0.67.
    """
    lower, upper = _spec_limits(lsl, usl)
    _check_process(mean, sigma)
    cpl = None if lower is None else (mean - lower) / (3 * sigma)
    cpu = None if upper is None else (upper - mean) / (3 * sigma)
    cp = None if lower is None or upper is None else (upper - lower) / (6 * sigma)
    return CapabilityIndices(
        cp=cp, cpl=cpl, cpu=cpu, cpk=min(index for index in (cpl, cpu) if index is not None)
    )


def expected_ppm(
    mean: float, sigma: float, lsl: float | None = None, usl: float | None = None
) -> OutOfSpec:
    """Expected ppm outside the specification for a normal process: 10⁶·Φ((LSL − μ)/σ)
    below and 10⁶·(1 − Φ((USL − μ)/σ)) above. A centred process with Cp = 1 gives 2,700."""
    lower, upper = _spec_limits(lsl, usl)
    _check_process(mean, sigma)
    below = 0.0 if lower is None else float(norm.cdf((lower - mean) / sigma)) * MILLION
    above = 0.0 if upper is None else float(norm.sf((upper - mean) / sigma)) * MILLION
    return OutOfSpec(below=below, above=above, total=below + above)


def _spec_limits(lsl: float | None, usl: float | None) -> tuple[float | None, float | None]:
    if lsl is None and usl is None:
        raise ValueError("Give a specification limit: lsl, usl or both.")
    lower = None if lsl is None else float(finite("lsl", lsl))
    upper = None if usl is None else float(finite("usl", usl))
    if lower is not None and upper is not None and lower >= upper:
        raise ValueError(f"lsl ({lsl}) must be below usl ({usl}).")
    return lower, upper


def _check_process(mean: float, sigma: float) -> None:
    finite("mean", mean)
    if not math.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be greater than zero (got {sigma}).")


def _values(values: Sequence[float], subgroup_size: int) -> tuple[np.ndarray, int]:
    if not 1 <= subgroup_size <= MAX_SUBGROUP or subgroup_size != int(subgroup_size):
        raise ValueError(
            f"subgroup_size must be a whole number from 1 to {MAX_SUBGROUP} (got {subgroup_size})."
        )
    size = int(subgroup_size)
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ValueError("values must be a flat list of finite numbers, in time order.")
    if len(x) < 2 * size:
        raise ValueError(
            f"values needs at least {2 * size} measurements for subgroup_size {size} "
            f"(got {len(x)})."
        )
    if len(x) % size:
        raise ValueError(
            f"values holds {len(x)} measurements, not a whole number of subgroups of {size}."
        )
    return x, size


def _sigma_within(x: np.ndarray, size: int) -> float:
    if size == 1:
        return imr_limits(x).sigma
    return xbar_r_limits(x.reshape(-1, size)).sigma_within
