"""Argument checks shared by the formulas, with messages written for learners."""

import math


def finite(name: str, value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value}.")
    return value


def positive(name: str, value: float) -> float:
    if finite(name, value) <= 0:
        raise ValueError(f"{name} must be greater than zero (got {value}).")
    return value


def non_negative(name: str, value: float) -> float:
    if finite(name, value) < 0:
        raise ValueError(f"{name} cannot be negative (got {value}).")
    return value


def fraction(name: str, value: float) -> float:
    """A yield or rate as a fraction from 0 to 1."""
    if not 0 <= finite(name, value) <= 1:
        hint = " Write percentages as fractions: 93% is 0.93." if 1 < value <= 100 else ""
        raise ValueError(f"{name} must be between 0 and 1 (got {value}).{hint}")
    return value
