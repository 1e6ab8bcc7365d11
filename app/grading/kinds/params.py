"""Pieces of exercise parameters that several kinds share."""

from typing import Annotated, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

N = TypeVar("N", int, float)

# An id an author gives a bone, a cause or a scope item: lowercase letters, digits, hyphens.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,29}$")]
# One line of an author's text (a cause, a hint, a scope item), trimmed.
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]

# A measured value of any everyday size: a mean, a σ, an effect, a coefficient.
Value = Annotated[float, Field(ge=-1_000_000, le=1_000_000)]


class Range(BaseModel, Generic[N]):
    """A range a value is drawn from for each learner (min may equal max). The kind gives
    the bounds: `Range[Annotated[int, Field(ge=1, le=1000)]]`."""

    model_config = ConfigDict(extra="forbid")
    min: N
    max: N

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError("min must not exceed max")
        return self
