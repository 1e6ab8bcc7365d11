"""The shape of course.yaml and of a module's front matter."""

import uuid
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
ModuleFolder = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=84)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Objective = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300)]


class Belt(StrEnum):
    yellow = "yellow"
    green = "green"
    black = "black"


class CertificationRule(BaseModel):
    """What earns the course's certificate: every module completed and the exam passed."""

    model_config = ConfigDict(extra="forbid")

    modules: Literal["all"] = "all"
    exam_pass_mark: float = Field(gt=0, le=1)
    valid_years: int | None = Field(default=None, ge=1, le=10)


class CourseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    title: Title
    belt: Belt
    summary: str = Field(default="", max_length=2000)
    modules: list[ModuleFolder] = Field(min_length=1)
    prerequisites: list[Slug] = Field(default_factory=list)
    certification: CertificationRule | None = None


class ModuleFrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    title: Title
    minutes: int = Field(ge=1, le=600)
    objectives: list[Objective] = Field(min_length=1, max_length=8)
    exercises: list[Slug] = Field(default_factory=list)
