"""Editing a module in the browser: a draft, checked and published as a new version.

A draft holds the front matter as fields, the teaching text and the figures. Publishing
writes the draft out as the files a sync would read (index.md and its images) into a
scratch folder and loads it with the same loader, so the browser and git are held to the
same rules and a version published here exports to files that sync back unchanged.
Services flush; routes commit.
"""

import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, col, delete, func, select

from app.authoring import versions
from app.content.figures import MAX_BYTES, check_figure
from app.content.loader import ModuleSource, load_module_folder
from app.content.markdown import render_markdown
from app.content.problems import Problem
from app.content.schemas import ModuleFrontMatter, Slug
from app.content.sync import add_module_version, current_version, figure_base
from app.errors import Conflict, InvalidInput, NotFound
from app.logs import get_logger, log_event
from app.models import (
    Course,
    DraftFigure,
    Exercise,
    Module,
    ModuleDraft,
    ModuleFigure,
    ModuleVersion,
    User,
)
from app.models.base import utcnow

logger = get_logger("authoring")
MAX_BODY = 200_000
FIGURE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,80}\.(svg|png|jpe?g|webp|gif)")
SLUG = TypeAdapter(Slug)


class DraftProblems(Exception):
    """The draft would not load as content: each problem as `index.md:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def module_of(db: Session, course: Course, module_slug: str) -> Module:
    module = db.exec(
        select(Module).where(Module.course_id == course.id, Module.slug == module_slug)
    ).first()
    if module is None:
        raise NotFound("This course has no module at this address.")
    return module


def draft_of(db: Session, module: Module) -> ModuleDraft | None:
    return db.exec(select(ModuleDraft).where(ModuleDraft.module_id == module.id)).first()


def open_draft(db: Session, module: Module, user: User) -> ModuleDraft:
    """The module's draft, started from the published version if there is none yet."""
    draft = draft_of(db, module)
    if draft is not None:
        return draft
    version = current_version(db, module)
    if version is None:
        raise NotFound("This module has neither a draft nor a published version.")
    return _draft_from_version(db, module, version, user)


def _draft_from_version(
    db: Session, module: Module, version: ModuleVersion, user: User
) -> ModuleDraft:
    draft = ModuleDraft(
        module_id=module.id,
        based_on=version.number,
        title=version.title,
        minutes=version.minutes,
        objectives=list(version.objectives),
        exercise_slugs=list(version.exercise_slugs),
        body_markdown=version.body_markdown,
        updated_by_id=user.id,
    )
    db.add(draft)
    db.exec(delete(DraftFigure).where(col(DraftFigure.module_id) == module.id))  # type: ignore[call-overload]
    for figure in db.exec(select(ModuleFigure).where(ModuleFigure.module_version_id == version.id)):
        db.add(
            DraftFigure(
                module_id=module.id,
                name=figure.name,
                media_type=figure.media_type,
                data=figure.data,
            )
        )
    db.flush()
    return draft


@dataclass(frozen=True)
class DraftForm:
    """What the editor's form sends, as text, before checking."""

    title: str
    minutes: str
    objectives: str  # one per line
    exercises: list[str]
    body: str


def save_draft(
    db: Session, module: Module, draft: ModuleDraft, form: DraftForm, user: User
) -> None:
    """Check the fields as the content loader would and store them; InvalidInput names the
    first field that is wrong. The draft may still fail publishing on its text."""
    fields = check_fields(module, form)
    draft.title = fields.title
    draft.minutes = fields.minutes
    draft.objectives = list(fields.objectives)
    draft.exercise_slugs = list(fields.exercises)
    draft.body_markdown = form.body.strip()
    draft.updated_by_id = user.id
    draft.updated_at = utcnow()
    db.add(draft)
    db.flush()


def check_fields(module: Module, form: DraftForm) -> ModuleFrontMatter:
    if not form.body.strip():
        raise InvalidInput("Write the module's teaching text.", field="body")
    if len(form.body) > MAX_BODY:
        raise InvalidInput(f"The text is longer than {MAX_BODY:,} characters.", field="body")
    if not form.minutes.strip().isdigit():
        raise InvalidInput("Give the reading time as a whole number of minutes.", field="minutes")
    objectives = [line.strip() for line in form.objectives.splitlines() if line.strip()]
    try:
        return ModuleFrontMatter(
            id=module.id,
            title=form.title,
            minutes=int(form.minutes),
            objectives=objectives,
            exercises=form.exercises,
        )
    except ValidationError as error:
        detail = error.errors()[0]
        field = str(detail["loc"][0])
        where = ""
        if field == "objectives" and len(detail["loc"]) > 1:
            where = f" (line {int(detail['loc'][1]) + 1})"
        raise InvalidInput(f"{detail['msg']}{where}.", field=field) from error


def source_text(module: Module, draft: ModuleDraft) -> str:
    """index.md for the draft: front matter in the shape the loader reads, then the text."""
    front = {
        "id": str(module.id),
        "title": draft.title,
        "minutes": draft.minutes,
        "objectives": list(draft.objectives),
        "exercises": list(draft.exercise_slugs),
    }
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{dumped}---\n\n{draft.body_markdown.strip()}\n"


def draft_figures(db: Session, module: Module) -> list[DraftFigure]:
    statement = (
        select(DraftFigure)
        .where(DraftFigure.module_id == module.id)
        .order_by(col(DraftFigure.name))
    )
    return list(db.exec(statement).all())


def publish(db: Session, course: Course, module: Module, user: User) -> ModuleVersion:
    """The draft becomes the module's next version, which learners see at once."""
    draft = draft_of(db, module)
    if draft is None:
        raise Conflict("There is no draft to publish; it may have been published already.")
    source = _checked_source(db, course, module, draft)
    latest = current_version(db, module)
    if latest is not None and _same_content(db, latest, source):
        raise InvalidInput("The draft is the same as the published version.", field="draft")
    version = add_module_version(db, module, source, (latest.number if latest else 0) + 1)
    version.origin = "browser"
    version.author_id = user.id
    db.add(version)
    module.is_published = True
    db.add(module)
    _drop_draft(db, module, draft)
    db.flush()
    log_event(logger, "module_published", module=str(module.id), version=version.number, by=user.id)
    return version


def _checked_source(
    db: Session, course: Course, module: Module, draft: ModuleDraft
) -> ModuleSource:
    exercise_slugs = set(db.exec(select(Exercise.slug).where(col(Exercise.is_published))).all())
    with tempfile.TemporaryDirectory(prefix="takt-draft-") as scratch:
        folder = Path(scratch) / (module.folder or module.slug)
        folder.mkdir()
        (folder / "index.md").write_text(source_text(module, draft), encoding="utf-8")
        for figure in draft_figures(db, module):
            (folder / figure.name).write_bytes(figure.data)
        problems: list[Problem] = []
        source = load_module_folder(folder, exercise_slugs, problems)
        if problems or source is None:
            raise DraftProblems(
                [f"{p.path.relative_to(scratch)}:{p.line}: {p.message}" for p in problems]
            )
    return source


def _same_content(db: Session, version: ModuleVersion, source: ModuleSource) -> bool:
    """Equal fields, text and images: the front matter's layout in the file does not count."""
    figures = db.exec(
        select(ModuleFigure.name, ModuleFigure.data).where(
            ModuleFigure.module_version_id == version.id
        )
    ).all()
    return (
        version.title,
        version.minutes,
        version.objectives,
        version.exercise_slugs,
        version.body_markdown,
        dict(figures),
    ) == (
        source.meta.title,
        source.meta.minutes,
        source.meta.objectives,
        source.meta.exercises,
        source.body,
        {name: figure.data for name, figure in source.figures.items()},
    )


def discard(db: Session, module: Module, user: User) -> None:
    draft = draft_of(db, module)
    if draft is None:
        raise NotFound("There is no draft to discard.")
    if current_version(db, module) is None:
        raise InvalidInput(
            "This module was never published, so its draft is all there is; keep editing it.",
            field="draft",
        )
    _drop_draft(db, module, draft)
    log_event(logger, "module_draft_discarded", module=str(module.id), by=user.id)


def _drop_draft(db: Session, module: Module, draft: ModuleDraft) -> None:
    db.delete(draft)
    db.exec(delete(DraftFigure).where(col(DraftFigure.module_id) == module.id))  # type: ignore[call-overload]
    db.flush()


def restore(db: Session, module: Module, number: int, user: User) -> ModuleDraft:
    """An earlier version, copied into a new draft (replacing any draft there is)."""
    version = version_of(db, module, number)
    draft = draft_of(db, module)
    if draft is not None:
        _drop_draft(db, module, draft)
    restored = _draft_from_version(db, module, version, user)
    log_event(logger, "module_version_restored", module=str(module.id), version=number, by=user.id)
    return restored


def version_of(db: Session, module: Module, number: int) -> ModuleVersion:
    return versions.version_of(db, ModuleVersion, module.id, number)  # type: ignore[return-value]


def history(db: Session, module: Module) -> list[versions.VersionLine]:
    return versions.history(db, ModuleVersion, module.id)


def diff(db: Session, module: Module, old: int, new: int) -> list[tuple[str, str]]:
    before, after = version_of(db, module, old), version_of(db, module, new)
    return versions.version_diff(_text_of(module, before), _text_of(module, after))


def _text_of(module: Module, version: ModuleVersion) -> str:
    if version.source_text is not None:
        return version.source_text
    draft = ModuleDraft(
        module_id=module.id,
        title=version.title,
        minutes=version.minutes,
        objectives=version.objectives,
        exercise_slugs=version.exercise_slugs,
        body_markdown=version.body_markdown,
    )
    return source_text(module, draft)


def add_figure(db: Session, module: Module, filename: str, data: bytes) -> DraftFigure:
    """An uploaded image, checked like a figure file in git, named as the text refers to it."""
    name = Path(filename).name.lower().replace(" ", "-")
    if not FIGURE_NAME.fullmatch(name):
        raise InvalidInput(
            "Name the image with letters, digits and hyphens, ending in .svg, .png, .jpg, "
            ".webp or .gif.",
            field="figure",
        )
    if len(data) > MAX_BYTES:
        megabytes = MAX_BYTES // (1024 * 1024)
        raise InvalidInput(f"The image is larger than {megabytes} MB.", field="figure")
    figure, problem = check_figure(name, data)
    if figure is None:
        raise InvalidInput(f"{name}: {problem[1] if problem else 'not an image'}.", field="figure")
    existing = db.exec(
        select(DraftFigure).where(DraftFigure.module_id == module.id, DraftFigure.name == name)
    ).first()
    row = existing or DraftFigure(module_id=module.id, name=name, media_type="", data=b"")
    row.media_type, row.data = figure.media_type, figure.data
    db.add(row)
    db.flush()
    return row


def remove_figure(db: Session, module: Module, name: str) -> None:
    db.delete(draft_figure(db, module, name))
    db.flush()


def draft_figure(db: Session, module: Module, name: str) -> DraftFigure:
    row = db.exec(
        select(DraftFigure).where(DraftFigure.module_id == module.id, DraftFigure.name == name)
    ).first()
    if row is None:
        raise NotFound("The draft has no image of that name.")
    return row


def preview_html(db: Session, course: Course, module: Module, body: str) -> str:
    """The text as learners will see it, rendered by the same pipeline; images come from
    the draft if there is one, else from the published version."""
    base = draft_figure_base(course, module)
    if draft_of(db, module) is None and (version := current_version(db, module)):
        base = figure_base(module.id, version.number)
    return render_markdown(body[:MAX_BODY], figure_base=base)


def draft_figure_base(course: Course, module: Module) -> str:
    return f"/teach/{course.slug}/modules/{module.slug}/draft-figures"


def create_module(db: Session, course: Course, slug: str, title: str, user: User) -> Module:
    """A new, unpublished module at the end of the course, with a draft to write."""
    if not _is_slug(slug):
        raise InvalidInput(
            "Use lower-case letters, digits and single hyphens, such as 'takt-time'.", field="slug"
        )
    taken = db.exec(
        select(Module.id).where(Module.course_id == course.id, Module.slug == slug)
    ).first()
    if taken is not None:
        raise InvalidInput("This course already has a module with that address.", field="slug")
    if not title.strip():
        raise InvalidInput("Give the module a title.", field="title")
    last = db.exec(select(func.max(Module.position)).where(Module.course_id == course.id)).one()
    position = (last if last is not None else -1) + 1
    module = Module(
        id=uuid.uuid4(),
        course_id=course.id,
        slug=slug,
        position=position,
        is_published=False,
        folder=f"{position + 1:02d}-{slug}",
    )
    db.add(module)
    db.flush()
    db.add(
        ModuleDraft(
            module_id=module.id,
            title=title.strip()[:200],
            minutes=10,
            objectives=[],
            exercise_slugs=[],
            body_markdown="",
            updated_by_id=user.id,
        )
    )
    db.flush()
    log_event(logger, "module_created", module=str(module.id), course=course.slug, by=user.id)
    return module


def _is_slug(value: str) -> bool:
    try:
        SLUG.validate_python(value)
    except ValidationError:
        return False
    return True
