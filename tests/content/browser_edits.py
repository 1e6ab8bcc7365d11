"""Stand-ins for publishing in the browser: new versions with origin "browser", their text
and a content hash computed the way publishing computes it."""

import uuid
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from app.content.exercises import exercise_content_hash
from app.content.loader import module_content_hash
from app.content.sync import current_exercise_version, current_version

if TYPE_CHECKING:
    from tests.content.conftest import ContentTree

from app.models import (
    Exercise,
    ExerciseVersion,
    Module,
    ModuleFigure,
    ModuleVersion,
    User,
)

PIXEL_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>\n'


def publish_module(
    db: Session,
    module_id: uuid.UUID,
    author: User,
    *,
    text: str | None = None,
    figures: dict[str, bytes] | None = None,
) -> ModuleVersion:
    """A new version of the module with `text` as its index.md (by default the current
    text with one more paragraph) and `figures` beside it."""
    module = db.get(Module, module_id)
    assert module is not None
    latest = current_version(db, module)
    assert latest is not None and latest.source_text is not None
    text = text or latest.source_text.rstrip("\n") + "\n\nA paragraph added in the browser.\n"
    figures = figures or {}
    version = ModuleVersion(
        module_id=module.id,
        number=latest.number + 1,
        content_hash=module_content_hash(text, dict(sorted(figures.items()))),
        title=latest.title,
        minutes=latest.minutes,
        objectives=list(latest.objectives),
        exercise_slugs=list(latest.exercise_slugs),
        body_markdown=latest.body_markdown + "\n\nA paragraph added in the browser.",
        body_html=latest.body_html,
        origin="browser",
        author_id=author.id,
        source_text=text,
    )
    db.add(version)
    db.flush()
    for name, data in figures.items():
        db.add(
            ModuleFigure(
                module_version_id=version.id,  # type: ignore[arg-type]
                name=name,
                media_type="image/svg+xml",
                data=data,
            )
        )
    db.commit()
    return version


def create_module(
    db: Session, course_id: uuid.UUID, author: User, *, slug: str, position: int
) -> Module:
    """A module written from scratch in the browser and published once."""
    module = Module(
        id=uuid.uuid4(),
        course_id=course_id,
        slug=slug,
        position=position,
        folder=f"{position + 1:02d}-{slug}",
    )
    title = slug.replace("-", " ").capitalize()
    text = (
        f"---\nid: {module.id}\ntitle: {title}\nminutes: 10\nobjectives:\n"
        "  - Explain why work waits between steps.\nexercises: []\n---\n\n"
        "Written in the browser.\n"
    )
    db.add(module)
    db.flush()
    db.add(
        ModuleVersion(
            module_id=module.id,
            number=1,
            content_hash=module_content_hash(text, {}),
            title=title,
            minutes=10,
            objectives=["Explain why work waits between steps."],
            exercise_slugs=[],
            body_markdown="Written in the browser.",
            body_html="<p>Written in the browser.</p>",
            origin="browser",
            author_id=author.id,
            source_text=text,
        )
    )
    db.commit()
    return module


def publish_exercise(db: Session, slug: str, author: User, *, prompt: str) -> ExerciseVersion:
    """A new version of the exercise whose prompt.md is `prompt`."""
    exercise = db.get(Exercise, exercise_id(db, slug))
    assert exercise is not None
    latest = current_exercise_version(db, exercise.id)
    assert latest is not None and latest.source_files is not None
    files = {**latest.source_files, "prompt.md": prompt}
    version = ExerciseVersion(
        exercise_id=exercise.id,
        number=latest.number + 1,
        content_hash=exercise_content_hash(files),
        title=latest.title,
        kind=latest.kind,
        definition=dict(latest.definition),
        prompt_markdown=prompt,
        solution_markdown=latest.solution_markdown,
        origin="browser",
        author_id=author.id,
        source_files=files,
    )
    db.add(version)
    db.commit()
    return version


def exercise_id(db: Session, slug: str) -> uuid.UUID:
    found = db.exec(select(Exercise.id).where(Exercise.slug == slug)).first()
    assert found is not None
    return found


def write_two_courses(tree: "ContentTree") -> None:
    """Yellow Belt (two modules, the first using exercise waiting-time) and Green Belt (one
    module), as files: the content the export and conflict tests start from."""
    tree.exercise("waiting-time")
    tree.course("yellow-belt", ["01-seeing-waste", "02-takt-time"])
    tree.module("yellow-belt", "01-seeing-waste", title="Seeing waste", exercises=("waiting-time",))
    tree.module("yellow-belt", "02-takt-time", title="Takt time")
    tree.course("green-belt", ["01-measure"], title="Green Belt", belt="green")
    tree.module("green-belt", "01-measure", title="Measure")
