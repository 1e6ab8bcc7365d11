"""What grading returns: a score from 0 to 1 and a result for each named part."""

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class PartResult:
    name: str
    label: str
    score: float  # 0 to 1 for this part
    weight: float
    feedback: str
    expected: str | None = None  # shown only once the worked solution may be shown

    @property
    def correct(self) -> bool:
        return self.score >= 1


@dataclass(frozen=True)
class GradeResult:
    parts: list[PartResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        total = sum(part.weight for part in self.parts)
        if total == 0:
            return 0.0
        return sum(part.score * part.weight for part in self.parts) / total

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(part) for part in self.parts]

    @classmethod
    def from_json(cls, parts: list[dict[str, Any]]) -> "GradeResult":
        return cls([PartResult(**part) for part in parts])


class AnswerErrors(Exception):
    """The answer cannot be graded as given: field → message. Costs no attempt."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
