"""The contract every exercise kind fulfils, and the pieces kinds share."""

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from app.grading.numbers import EXACT, NumberFormatError, Tolerance, Unit, parse_number
from app.grading.results import AnswerErrors, GradeResult
from app.grading.rubrics import OVERALL_RUBRIC, Rubric

RawAnswer = Mapping[str, list[str]]
Variant = dict[str, Any]
Answer = dict[str, Any]


@dataclass(frozen=True)
class PartSpec:
    """One graded part: what it is called, its unit, weight and tolerance."""

    label: str
    unit: Unit = "number"
    weight: float = 1.0
    tolerance: Tolerance = EXACT


class PartOverride(BaseModel):
    """What an exercise file may change about a kind's part."""

    model_config = ConfigDict(extra="forbid")

    weight: float | None = Field(default=None, ge=0, le=100)
    rtol: float | None = Field(default=None, ge=0, le=1)
    atol: float | None = Field(default=None, ge=0)
    sig_figs: int | None = Field(default=None, ge=1, le=10)


def apply_overrides(
    defaults: dict[str, PartSpec], overrides: Mapping[str, PartOverride]
) -> dict[str, PartSpec]:
    parts = dict(defaults)
    for name, override in overrides.items():
        part = parts[name]
        tolerance = Tolerance(
            rtol=override.rtol if override.rtol is not None else part.tolerance.rtol,
            atol=override.atol if override.atol is not None else part.tolerance.atol,
            sig_figs=override.sig_figs or part.tolerance.sig_figs,
        )
        weight = override.weight if override.weight is not None else part.weight
        parts[name] = replace(part, weight=weight, tolerance=tolerance)
    return parts


class Kind(ABC):
    """A family of exercises. Subclasses are stateless; one instance serves every request."""

    name: ClassVar[str]
    title: ClassVar[str]
    Params: ClassVar[type[BaseModel]]
    template: ClassVar[str]  # the form partial, under app/web/templates/exercises/kinds/
    charted: ClassVar[bool] = False  # draws each attempt as SVG: see chart_svg

    @abstractmethod
    def parts(self, params: Any) -> dict[str, PartSpec]:
        """The graded parts with their default weights and tolerances."""

    @abstractmethod
    def generate(self, params: Any, rng: random.Random) -> Variant:
        """The learner's own numbers. Must be JSON-serialisable and rounded as shown."""

    @abstractmethod
    def parse(self, params: Any, variant: Variant, raw: RawAnswer) -> Answer:
        """Read a raw answer, or raise AnswerErrors naming each field that cannot be read."""

    @abstractmethod
    def solve(self, params: Any, variant: Variant) -> Answer:
        """The reference answer, in the shape parse returns."""

    @abstractmethod
    def grade(
        self, params: Any, variant: Variant, answer: Answer, parts: dict[str, PartSpec]
    ) -> GradeResult:
        """Score each part, with feedback that names the mistake."""

    @abstractmethod
    def to_form(self, params: Any, variant: Variant, answer: Answer) -> dict[str, list[str]]:
        """An answer as the raw form fields a browser would send (the inverse of parse)."""

    def rubric(self, params: Any) -> Rubric:
        """What an instructor scores when the exercise requires review."""
        return OVERALL_RUBRIC

    def view(self, params: Any, variant: Variant, entered: RawAnswer) -> dict[str, Any]:
        """Anything extra the kind's form template shows, built from what was entered."""
        return {}

    def data_csv(self, params: Any, variant: Variant) -> str | None:
        """The learner's own data set as CSV, for kinds that hand one out."""
        return None

    def chart_svg(
        self, params: Any, variant: Variant, entered: RawAnswer | None, dom_id: str
    ) -> str | None:
        """The exercise drawn as SVG (kinds with `charted`): with the expected answer when
        `entered` is None, otherwise with what the learner entered and never the expected
        values. `dom_id` prefixes the ids inside, so two drawings can share a page."""
        return None


def single(raw: RawAnswer, field: str) -> str:
    values = raw.get(field) or [""]
    return values[0]


class FieldReader:
    """Collect every field's error in one pass, so the learner sees them all at once."""

    def __init__(self, raw: RawAnswer) -> None:
        self.raw = raw
        self.errors: dict[str, str] = {}

    def number(self, field: str, label: str, unit: Unit = "number") -> float | None:
        try:
            return parse_number(single(self.raw, field), unit)
        except NumberFormatError as error:
            self.error(field, label, str(error))
            return None

    def error(self, field: str, label: str, message: str) -> None:
        """Record a problem, named so the summary above the form makes sense on its own."""
        self.errors[field] = f"{label}: {message}"

    def done(self) -> None:
        if self.errors:
            raise AnswerErrors(self.errors)
