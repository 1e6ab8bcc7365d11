"""An exercise's self-test: the reference answer scores full marks for many variants, the
wrong case in cases.yaml scores less with the feedback it names, and the invalid case is
refused field by field before any grading. An exercise that fails it cannot be published,
and the repository's own exercises run it in the test suite."""

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from app.grading.kinds.base import Kind, PartSpec
from app.grading.results import AnswerErrors
from app.grading.variants import make_variant

SEEDS = range(100)


@dataclass
class SelfTestReport:
    variants_checked: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def as_raw(answer: dict[str, Any]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [str(v)] for k, v in answer.items()}


def self_test(
    kind: Kind,
    params: BaseModel,
    parts: dict[str, PartSpec],
    cases: dict[str, Any],
    seeds: range = SEEDS,
) -> SelfTestReport:
    """`cases` is cases.yaml as a dict: seed, wrong (answer, feedback), invalid (answer,
    errors). Every check runs; the report lists each failure in words."""
    report = SelfTestReport()
    for seed in seeds:
        failure = _reference_failure(kind, params, parts, seed)
        report.variants_checked += 1
        if failure:
            report.failures.append(failure)
            break  # one failing variant says enough; the rest would repeat it
    report.failures.extend(_wrong_case_failures(kind, params, parts, cases))
    report.failures.extend(_invalid_case_failures(kind, params, cases))
    return report


def _reference_failure(
    kind: Kind, params: BaseModel, parts: dict[str, PartSpec], seed: int
) -> str | None:
    variant = make_variant(kind, params, seed)
    raw = kind.to_form(params, variant, kind.solve(params, variant))
    try:
        answer = kind.parse(params, variant, raw)
    except AnswerErrors as refused:
        return f"variant {seed}: the reference answer is refused: {refused.errors}"
    result = kind.grade(params, variant, answer, parts)
    if result.score != 1:
        lost = ", ".join(p.name for p in result.parts if p.score < 1)
        return f"variant {seed}: the reference answer scores {result.score:.0%} (parts: {lost})"
    return None


def _wrong_case_failures(
    kind: Kind, params: BaseModel, parts: dict[str, PartSpec], cases: dict[str, Any]
) -> list[str]:
    variant = make_variant(kind, params, cases["seed"])
    try:
        answer = kind.parse(params, variant, as_raw(cases["wrong"]["answer"]))
    except AnswerErrors as refused:
        return [f"the wrong case cannot be read: {refused.errors}"]
    result = kind.grade(params, variant, answer, parts)
    failures = []
    if result.score >= 1:
        failures.append("the wrong case scores full marks")
    feedback = {part.name: part.feedback for part in result.parts}
    for part, text in cases["wrong"].get("feedback", {}).items():
        if text not in feedback.get(part, ""):
            failures.append(f"the wrong case's feedback on {part} does not contain “{text}”")
    return failures


def _invalid_case_failures(kind: Kind, params: BaseModel, cases: dict[str, Any]) -> list[str]:
    variant = make_variant(kind, params, cases["seed"])
    try:
        kind.parse(params, variant, as_raw(cases["invalid"]["answer"]))
    except AnswerErrors as refused:
        missing = set(cases["invalid"]["errors"]) - set(refused.errors)
        if missing:
            return [f"the invalid case is refused but not on {', '.join(sorted(missing))}"]
        return []
    return ["the invalid case is accepted: it should be refused"]
