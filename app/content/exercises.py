"""Exercise folders: exercise.yaml (kind, parameters, parts), prompt.md, solution.md and
cases.yaml (a wrong and an invalid answer the exercise must recognise).

Parameters are validated by the kind's own schema, and every problem is reported as
path:line, like the rest of the content.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.content.problems import Problem, read_text
from app.content.schemas import Belt, Title
from app.content.yaml_source import YamlDocument, parse_model
from app.grading.kinds import KINDS
from app.grading.kinds.base import PartOverride
from app.grading.prompts import PlaceholderError, fill
from app.grading.variants import make_variant

FILES = ("exercise.yaml", "prompt.md", "solution.md", "cases.yaml")
RawFields = dict[str, str | list[str]]


class ExerciseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    title: Title
    kind: str
    belt: Belt | None = None
    attempts: int = Field(default=3, ge=1, le=20)
    pass_mark: float = Field(default=0.8, gt=0, le=1)
    review: Literal["none", "required"] = "none"
    params: dict[str, Any]
    parts: dict[str, PartOverride] = Field(default_factory=dict)


class WrongCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: RawFields
    feedback: dict[str, str] = Field(default_factory=dict)  # part → text its feedback contains


class InvalidCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: RawFields
    errors: list[str] = Field(min_length=1)  # fields that must be reported


class CasesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: int = Field(ge=0, lt=2**31)
    wrong: WrongCase
    invalid: InvalidCase


@dataclass
class ExerciseSource:
    folder: Path
    slug: str
    meta: ExerciseFile
    params: BaseModel
    prompt: str
    solution: str
    cases: CasesFile
    content_hash: str
    texts: dict[str, str] = field(default_factory=dict)  # each file of the folder as read

    def definition(self) -> dict[str, Any]:
        """What a version stores: enough to regenerate, grade and self-test any attempt."""
        return {
            "kind": self.meta.kind,
            "attempts": self.meta.attempts,
            "pass_mark": self.meta.pass_mark,
            "review": self.meta.review,
            "params": self.meta.params,
            "parts": {k: v.model_dump(exclude_none=True) for k, v in self.meta.parts.items()},
            "cases": self.cases.model_dump(),
        }


def load_exercises(exercises_dir: Path, problems: list[Problem]) -> dict[str, ExerciseSource]:
    """Every valid exercise folder by slug; problems are appended to `problems`."""
    loaded: dict[str, ExerciseSource] = {}
    if not exercises_dir.is_dir():
        return loaded
    for folder in sorted(p for p in exercises_dir.iterdir() if p.is_dir()):
        source = load_exercise_folder(folder, problems)
        if source is not None:
            loaded[source.slug] = source
    return loaded


def load_exercise_folder(folder: Path, problems: list[Problem]) -> ExerciseSource | None:
    """One exercise folder on its own, checked exactly as a sync checks it: how the
    browser editor validates a draft before publishing."""
    found: list[tuple[Path, int, str]] = []
    source = _load_exercise(folder, found)
    problems.extend(Problem(path, line, message) for path, line, message in found)
    return source


def _load_exercise(folder: Path, problems: list[tuple[Path, int, str]]) -> ExerciseSource | None:
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        problems.append((folder, 1, f"exercise folder lacks {', '.join(missing)}"))
        return None
    texts: dict[str, str] = {}
    for name in FILES:
        text, problem = read_text(folder / name)
        if problem:
            problems.append((problem.path, problem.line, problem.message))
            return None
        texts[name] = text or ""
    path = folder / "exercise.yaml"
    meta, document, yaml_problems = parse_model(texts["exercise.yaml"], ExerciseFile)
    problems.extend((path, p.line, p.message) for p in yaml_problems)
    cases_path = folder / "cases.yaml"
    cases, _, case_problems = parse_model(texts["cases.yaml"], CasesFile)
    problems.extend((cases_path, p.line, p.message) for p in case_problems)
    if meta is None or document is None or cases is None:
        return None
    params = _validate_kind(meta, document, path, problems)
    if params is None:
        return None
    for name in ("prompt.md", "solution.md"):
        if not texts[name].strip():
            problems.append((folder / name, 1, f"{name} is empty"))
            return None
        if not _placeholders_resolve(meta, params, texts[name], folder / name, problems):
            return None
    return ExerciseSource(
        folder,
        folder.name,
        meta,
        params,
        texts["prompt.md"],
        texts["solution.md"],
        cases,
        exercise_content_hash(texts),
        texts,
    )


def exercise_content_hash(texts: dict[str, str]) -> str:
    """What identifies an exercise's content: its files in a fixed order."""
    return hashlib.sha256("\0".join(texts[name] for name in FILES).encode()).hexdigest()


def _validate_kind(
    meta: ExerciseFile, document: YamlDocument, path: Path, problems: list[tuple[Path, int, str]]
) -> BaseModel | None:
    kind = KINDS.get(meta.kind)
    if kind is None:
        known = ", ".join(sorted(KINDS))
        problems.append(
            (
                path,
                document.line_of(("kind",)),
                f"kind: unknown kind '{meta.kind}' (known: {known})",
            )
        )
        return None
    try:
        params = kind.Params.model_validate(meta.params)
    except ValidationError as error:
        for detail in error.errors():
            loc = ("params", *detail["loc"])
            field = ".".join(str(part) for part in loc)
            problems.append((path, document.line_of(loc), f"{field}: {detail['msg']}"))
        return None
    known_parts = kind.parts(params)
    for name in meta.parts:
        if name not in known_parts:
            choices = ", ".join(known_parts)
            problems.append(
                (
                    path,
                    document.line_of(("parts", name)),
                    f"parts.{name}: no such part (parts: {choices})",
                )
            )
            return None
    return params


def _placeholders_resolve(
    meta: ExerciseFile,
    params: BaseModel,
    text: str,
    path: Path,
    problems: list[tuple[Path, int, str]],
) -> bool:
    variant = make_variant(KINDS[meta.kind], params, seed=0)
    try:
        fill(text, variant)
    except PlaceholderError as error:
        problems.append((path, error.line, str(error)))
        return False
    return True
