"""A course's exam: `exam.yaml` in the course folder.

Each slot draws one exercise at random per learner from its pool. The time limit is
enforced on the server, and retakes come after a wait.
"""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.content.exercises import ExerciseSource
from app.content.problems import Problem, read_text
from app.content.schemas import Slug, Title
from app.content.yaml_source import parse_model


class ExamSlot(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pool: list[Slug] = Field(min_length=1, max_length=20)
    weight: float = Field(default=1.0, gt=0, le=100)


class ExamFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID
    title: Title
    time_limit_minutes: int = Field(ge=1, le=600)
    pass_mark: float = Field(gt=0, le=1)
    retakes: int = Field(default=2, ge=0, le=20)
    retake_wait_hours: float = Field(default=24, ge=0, le=24 * 90)
    feedback: Literal["per_question", "end"] = "end"
    slots: list[ExamSlot] = Field(min_length=1, max_length=50)


@dataclass
class ExamSource:
    path: Path
    meta: ExamFile
    content_hash: str
    text: str = ""  # exam.yaml as read


def load_exam(
    course_folder: Path, exercises: dict[str, ExerciseSource], problems: list[Problem]
) -> ExamSource | None:
    """The course's exam, if it has one and it is valid; every pool must hold real exercises."""
    path = course_folder / "exam.yaml"
    if not path.is_file():
        return None
    text, problem = read_text(path)
    if problem or text is None:
        problems.extend([problem] if problem else [])
        return None
    meta, document, yaml_problems = parse_model(text, ExamFile)
    problems.extend(Problem(path, p.line, p.message) for p in yaml_problems)
    if meta is None or document is None:
        return None
    missing = [
        (index, position, slug)
        for index, slot in enumerate(meta.slots)
        for position, slug in enumerate(slot.pool)
        if slug not in exercises
    ]
    for index, position, slug in missing:
        line = document.line_of(("slots", index, "pool", position))
        problems.append(
            Problem(path, line, f"slots.{index}.pool: exercise '{slug}' is not available")
        )
    if missing:
        return None
    return ExamSource(path, meta, hashlib.sha256(text.encode()).hexdigest(), text)
