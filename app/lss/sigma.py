"""Defect metrics and the sigma level.

Conventions (Motorola, M. Harry): the short-term sigma level is the long-term Z of the
defect rate plus a 1.5σ shift, one tail: sigma = Φ⁻¹(1 − DPMO/10⁶) + 1.5. Excel:
=NORMSINV(1 − DPMO/1e6) + 1.5. Published table: 3σ ↔ 66,807 DPMO, 4σ ↔ 6,210,
5σ ↔ 233, 6σ ↔ 3.4; 300,000 DPMO ↔ 2.02σ.
"""

from statistics import NormalDist

from app.lss._checks import finite, non_negative, positive

_STANDARD_NORMAL = NormalDist()
MILLION = 1_000_000


def dpu(defects: float, units: float) -> float:
    """DPU = defects / units."""
    non_negative("Defects", defects)
    positive("Units", units)
    return defects / units


def dpo(defects: float, units: float, opportunities_per_unit: float) -> float:
    """DPO = defects / (units × opportunities per unit)."""
    non_negative("Defects", defects)
    positive("Units", units)
    positive("Opportunities per unit", opportunities_per_unit)
    if defects > units * opportunities_per_unit:
        raise ValueError(
            "There cannot be more defects than opportunities "
            f"({defects} defects, {units * opportunities_per_unit} opportunities)."
        )
    return defects / (units * opportunities_per_unit)


def dpmo(defects: float, units: float, opportunities_per_unit: float) -> float:
    """DPMO = DPO × 1,000,000. Opportunities must be defined beforehand and consistently."""
    return dpo(defects, units, opportunities_per_unit) * MILLION


def _check_dpmo(value: float) -> float:
    if not 0 < finite("DPMO", value) < MILLION:
        raise ValueError(
            f"DPMO must be above 0 and below 1,000,000 to have a sigma level (got {value})."
        )
    return value


def sigma_level(dpmo: float, shift: float = 1.5) -> float:
    """Sigma level = Φ⁻¹(1 − DPMO/10⁶) + shift. Use shift=0 for the long-term Z (Z.bench).

    Example: 66,807 DPMO → 3.00; 3.4 DPMO → 6.00; 300,000 DPMO → 2.02.
    """
    _check_dpmo(dpmo)
    finite("Shift", shift)
    return _STANDARD_NORMAL.inv_cdf(1 - dpmo / MILLION) + shift


def dpmo_from_sigma(sigma: float, shift: float = 1.5) -> float:
    """DPMO = 10⁶ × (1 − Φ(sigma − shift)), one tail. Example: 4σ → 6,210 DPMO."""
    finite("Sigma level", sigma)
    finite("Shift", shift)
    return MILLION * (1 - _STANDARD_NORMAL.cdf(sigma - shift))


def yield_from_dpmo(dpmo: float) -> float:
    """Process yield = 1 − DPMO/10⁶ (the share of opportunities without a defect)."""
    non_negative("DPMO", dpmo)
    if dpmo > MILLION:
        raise ValueError(f"DPMO cannot exceed 1,000,000 (got {dpmo}).")
    return 1 - dpmo / MILLION
