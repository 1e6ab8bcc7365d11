"""Reading numbers typed by people, and judging them against a reference with tolerance.

Convention (LSS reference §2.0): pass if |x − x*| ≤ max(atol, rtol·|x*|). A near miss
(within four times the tolerance) earns half credit and is called a rounding slip; an
answer off by a factor of 100 is called a percent/fraction mix-up; anything else is a
method error.
"""

import math
import re
from dataclasses import dataclass
from typing import Literal

MAX_LENGTH = 40
NEAR_MISS_FACTOR = 4
NEAR_MISS_CREDIT = 0.5
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")

Unit = Literal["fraction", "percent", "number", "count"]


class NumberFormatError(ValueError):
    """The text is not a number; the message says what to type instead."""


def parse_number(text: str, unit: Unit = "number") -> float:
    """Read "0.93", "93%", "1,234.5", "1 234" or "0,93". A trailing % is allowed only where
    it makes sense: on percent fields it is dropped, on fraction fields it divides by 100."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("_", "")
    if not cleaned:
        raise NumberFormatError("Enter a number.")
    if len(cleaned) > MAX_LENGTH:
        raise NumberFormatError(f"Enter a number of at most {MAX_LENGTH} characters.")
    percent = cleaned.endswith("%")
    cleaned = cleaned.removesuffix("%")
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise NumberFormatError(f"“{text.strip()[:MAX_LENGTH]}” is not a number.") from None
    if not math.isfinite(value):
        raise NumberFormatError("Enter a finite number.")
    if percent and unit not in ("percent", "fraction"):
        raise NumberFormatError("This answer is not a percentage; leave out the % sign.")
    if percent and unit == "fraction":
        value /= 100
    if unit == "count" and value != int(value):
        raise NumberFormatError("Enter a whole number.")
    return value


@dataclass(frozen=True)
class Tolerance:
    """How far an answer may be from the reference: relative, absolute, and/or to a number
    of significant figures (half a unit in the last significant figure asked for)."""

    rtol: float = 0.0
    atol: float = 0.0
    sig_figs: int | None = None

    def allowed(self, expected: float) -> float:
        allowed = max(self.atol, self.rtol * abs(expected))
        if self.sig_figs and expected != 0:
            last_digit = math.floor(math.log10(abs(expected))) - self.sig_figs + 1
            allowed = max(allowed, 0.5 * 10.0**last_digit)
        return allowed

    def accepts(self, given: float, expected: float) -> bool:
        return abs(given - expected) <= self.allowed(expected) + 1e-12 * max(1.0, abs(expected))


EXACT = Tolerance()


@dataclass(frozen=True)
class Judgement:
    score: float
    verdict: Literal["correct", "rounding", "scale", "wrong"]


def judge(given: float, expected: float, tolerance: Tolerance) -> Judgement:
    if tolerance.accepts(given, expected):
        return Judgement(1.0, "correct")
    slack = tolerance.allowed(expected) * NEAR_MISS_FACTOR
    if slack > 0 and abs(given - expected) <= slack:
        return Judgement(NEAR_MISS_CREDIT, "rounding")
    if expected != 0 and any(tolerance.accepts(given, expected * factor) for factor in (100, 0.01)):
        return Judgement(0.0, "scale")
    return Judgement(0.0, "wrong")


def format_number(value: float, decimals: int = 4) -> str:
    """Plain formatting for feedback: thousands separators, trailing zeros dropped."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
