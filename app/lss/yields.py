"""Yield metrics: first-pass, rolled throughput and final yield.

Sources: ASQ Six Sigma Yellow/Green Belt bodies of knowledge; IASSC Lean Six Sigma BoK
(FTY/FPY, RTY). RTY from DPU: M. Harry, "Rolled Throughput Yield", iSixSigma (2004).
"""

import math
from collections.abc import Sequence

from app.lss._checks import fraction, non_negative, positive


def first_pass_yield(units_in: float, units_passed_first_time: float) -> float:
    """FPY = units right first time (neither reworked nor scrapped) / units entering the step.

    Example: 1,000 claims enter, 80 are reworked and 20 rejected: FPY = 900 / 1,000 = 0.90.
    """
    positive("Units in", units_in)
    non_negative("Units passed first time", units_passed_first_time)
    if units_passed_first_time > units_in:
        raise ValueError(
            f"Units passed first time ({units_passed_first_time}) "
            f"cannot exceed units in ({units_in})."
        )
    return units_passed_first_time / units_in


def rolled_throughput_yield(step_yields: Sequence[float]) -> float:
    """RTY = FPY_1 × FPY_2 × … × FPY_k: the chance a unit passes every step defect-free.

    Example: step yields 0.95, 0.90 and 0.98 give RTY = 0.8379.
    """
    if len(step_yields) == 0:
        raise ValueError("Give the first-pass yield of at least one step.")
    for index, value in enumerate(step_yields, start=1):
        fraction(f"The yield of step {index}", value)
    return math.prod(step_yields)


def rolled_throughput_yield_from_dpu(dpus: Sequence[float]) -> float:
    """RTY = e^(−Σ DPU), the Poisson chance of zero defects across all steps.

    Harry's example: DPU 0.10, 0.05 and 0.008 give RTY = e^(−0.158) = 0.853850.
    """
    if len(dpus) == 0:
        raise ValueError("Give the defects per unit of at least one step.")
    for index, value in enumerate(dpus, start=1):
        non_negative(f"The DPU of step {index}", value)
    return math.exp(-math.fsum(dpus))


def final_yield(units_in: float, units_out: float) -> float:
    """Final ("traditional") yield = units out / units in. It hides rework, unlike FPY and RTY."""
    positive("Units in", units_in)
    non_negative("Units out", units_out)
    if units_out > units_in:
        raise ValueError(f"Units out ({units_out}) cannot exceed units in ({units_in}).")
    return units_out / units_in


def normalized_yield(rty: float, steps: int) -> float:
    """Normalised yield = RTY^(1/k): the average yield per step across k steps."""
    fraction("RTY", rty)
    if steps < 1:
        raise ValueError("The number of steps must be at least 1.")
    return rty ** (1 / steps)
