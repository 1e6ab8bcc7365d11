"""Courses, modules and exercises as synced from content files, with their versions.

Identity is the uuid in the content file, never the folder name: renaming a folder
keeps learners' progress. A change of content creates a new version row; the current
version is the one with the highest number. A version comes from the files (a sync) or
from the browser (an instructor publishing a draft); each keeps the exact text of its
files, so `takt content export` writes back what was synced, byte for byte.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class Course(SQLModel, table=True):
    __tablename__ = "course"

    id: uuid.UUID = Field(primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    belt: str = Field(max_length=16)
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    position: int = 0
    content_hash: str = Field(max_length=64)
    is_published: bool = True
    updated_at: datetime = Field(default_factory=utcnow)
    # course.yaml as last synced; None on rows synced before it was kept.
    source_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # What earns the certificate, and the courses whose certificates must come first. No
    # rule is SQL NULL (not JSON null), so "courses that certify" is an IS NOT NULL filter.
    certification: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    prerequisites: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Module(SQLModel, table=True):
    __tablename__ = "module"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: uuid.UUID = Field(primary_key=True)
    course_id: uuid.UUID = Field(foreign_key="course.id", index=True)
    slug: str = Field(max_length=80)
    position: int = 0
    is_published: bool = True
    # The folder name course.yaml lists, such as "05-measuring-quality".
    folder: str = Field(default="", max_length=120)
    # The files' hash at the last sync: files changed since differ from it.
    synced_hash: str = Field(default="", max_length=64)


class ModuleVersion(SQLModel, table=True):
    """One published state of a module, with its HTML rendered once at sync time."""

    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    module_id: uuid.UUID = Field(foreign_key="module.id", index=True)
    number: int
    content_hash: str = Field(max_length=64)
    title: str = Field(max_length=200)
    minutes: int
    objectives: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    exercise_slugs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    body_markdown: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    word_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    origin: str = Field(default="files", max_length=16)  # files | browser
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    # index.md exactly as synced or as publishing wrote it; None before it was kept.
    source_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Exercise(SQLModel, table=True):
    __tablename__ = "exercise"

    id: uuid.UUID = Field(primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    is_published: bool = True
    synced_hash: str = Field(default="", max_length=64)
    # The course whose modules or exam use it (the first, if several do); set by sync.
    course_id: uuid.UUID | None = Field(default=None, foreign_key="course.id")


class ExerciseVersion(SQLModel, table=True):
    """One published state of an exercise definition; attempts point at the version used."""

    __tablename__ = "exercise_version"
    __table_args__ = (UniqueConstraint("exercise_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    exercise_id: uuid.UUID = Field(foreign_key="exercise.id", index=True)
    number: int
    content_hash: str = Field(max_length=64)
    title: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    definition: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prompt_markdown: str = Field(sa_column=Column(Text, nullable=False))
    solution_markdown: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    origin: str = Field(default="files", max_length=16)  # files | browser
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Each file of the exercise folder by name, as synced or as publishing wrote it.
    source_files: dict[str, str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )


class ModuleFigure(SQLModel, table=True):
    """An image that belongs to one module version, served at a URL that never changes."""

    __tablename__ = "module_figure"
    __table_args__ = (UniqueConstraint("module_version_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    module_version_id: int = Field(foreign_key="module_version.id", index=True)
    name: str = Field(max_length=120)
    media_type: str = Field(max_length=40)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
