"""Response shapes of the JSON API."""

import uuid

from pydantic import BaseModel


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
