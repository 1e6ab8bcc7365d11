"""The one place a seed becomes a variant: the same seed always gives the same numbers."""

import random
from typing import Any

from pydantic import BaseModel

from app.grading.kinds.base import Kind, Variant


def make_variant(kind: Kind, params: BaseModel | Any, seed: int) -> Variant:
    return kind.generate(params, random.Random(seed))
