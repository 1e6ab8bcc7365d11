"""Response shapes of the JSON API."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints


class CourseSummary(BaseModel):
    id: uuid.UUID
    slug: str
    title: str
    belt: str
    summary: str
    modules_total: int
    modules_read: int
    enrolled: bool


class ModuleSummary(BaseModel):
    id: uuid.UUID
    slug: str
    title: str
    minutes: int
    is_read: bool


class CourseDetail(CourseSummary):
    modules: list[ModuleSummary]


class ModuleDetail(BaseModel):
    id: uuid.UUID
    course_slug: str
    slug: str
    title: str
    minutes: int
    objectives: list[str]
    exercises: list[str]
    version: int
    word_count: int
    html: str
    is_read: bool


class CourseProgressOut(BaseModel):
    course_slug: str
    title: str
    modules_total: int
    modules_read: int
    percent: int


class ErrorOut(BaseModel):
    error: str
    detail: str


class PartOut(BaseModel):
    name: str
    label: str
    score: float
    weight: float
    feedback: str
    expected: str | None = None


class AttemptOut(BaseModel):
    id: uuid.UUID
    exercise: str
    version: int
    number: int
    score: float
    status: str
    created_at: datetime
    parts: list[PartOut]


class VariantOut(BaseModel):
    exercise: str
    title: str
    kind: str
    version_id: int
    seed: int
    prompt_html: str
    data: dict[str, Any]
    attempts_allowed: int
    attempts_used: int
    attempts_left: int
    passed: bool
    best_score: float


class AttemptIn(BaseModel):
    version_id: Annotated[int, Field(ge=1, le=2_147_483_647)]
    # Printable ASCII, as any client's random token is (hex, UUID, base64url).
    submission_token: Annotated[
        str, StringConstraints(min_length=16, max_length=64, pattern=r"^[!-~]+$")
    ]
    answer: dict[str, str | float | int | list[str | float | int] | None]


class FieldProblemOut(BaseModel):
    field: str
    message: str


class InvalidInputOut(BaseModel):
    """Every 422: `field` names the one field at fault, `fields` lists each problem of a
    request that does not match its schema, `errors` each unreadable part of an answer."""

    error: str
    detail: str
    field: str | None = None
    fields: list[FieldProblemOut] | None = None
    errors: dict[str, str] | None = None
