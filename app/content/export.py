"""Write the database's published content back to files, in the `courses/` and
`exercises/` layout that `takt content sync` reads, so work published in the browser can be
committed to git.

Every version keeps the exact text it was synced from or published as, so exporting a
database synced from files gives those files back byte for byte, and export → sync →
export changes nothing. Text is regenerated from a version's fields only for rows synced
before the text was kept.
"""

import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from sqlmodel import Session, col, select

from app.content.exercises import FILES as EXERCISE_FILES
from app.content.figures import MEDIA_TYPES
from app.content.loader import MODULE_FOLDER
from app.content.sync import current_exercise_version, current_version
from app.errors import TaktError
from app.models import (
    Course,
    Exam,
    Exercise,
    ExerciseVersion,
    Module,
    ModuleFigure,
    ModuleVersion,
)

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FIGURE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TOP_FOLDERS = ("courses", "exercises")


class ExportError(TaktError):
    code = "export_failed"


@dataclass
class ExportedContent:
    """The files to write, by path relative to the content folder, and what they hold."""

    files: dict[PurePosixPath, bytes] = field(default_factory=dict)
    courses: int = 0
    modules: int = 0
    exercises: int = 0
    figures: int = 0
    exams: int = 0
    notes: list[str] = field(default_factory=list)  # files regenerated rather than kept
    # Each module's exercise slugs, to check that every one is exported too.
    references: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: PurePosixPath, data: bytes | str) -> None:
        if path in self.files:
            raise ExportError(f"{path} would be written twice: two items share that name")
        self.files[path] = data.encode("utf-8") if isinstance(data, str) else data

    def summary(self) -> str:
        return (
            f"{self.courses} course(s), {self.modules} module(s), {self.exercises} exercise(s), "
            f"{self.figures} figure(s), {self.exams} exam(s)"
        )


def export_content(session: Session, target: Path, *, force: bool = False) -> ExportedContent:
    """Write the published content under `target`; refuse a non-empty target unless forced."""
    check_target(target, force=force)
    content = collect_content(session)
    write_tree(content.files, target)
    return content


def collect_content(session: Session) -> ExportedContent:
    """Every published course (with its modules, figures and exam) and exercise, as files."""
    content = ExportedContent()
    courses = session.exec(
        select(Course).where(col(Course.is_published)).order_by(col(Course.position))
    ).all()
    for course in courses:
        _collect_course(session, course, content)
    exercises = session.exec(
        select(Exercise).where(col(Exercise.is_published)).order_by(col(Exercise.slug))
    ).all()
    exported = {e.slug for e in exercises if _collect_exercise(session, e, content)}
    for module, slugs in content.references.items():
        for slug in slugs:
            if slug not in exported:
                content.notes.append(
                    f"{module} lists exercise '{slug}', which is not published "
                    "and so was not exported"
                )
    return content


def _collect_course(session: Session, course: Course, content: ExportedContent) -> None:
    folder = PurePosixPath("courses") / _safe_slug(course.slug, f"course {course.id}")
    modules = session.exec(
        select(Module)
        .where(Module.course_id == course.id, col(Module.is_published))
        .order_by(col(Module.position), col(Module.slug))
    ).all()
    listed: list[str] = []
    for module in modules:
        version = current_version(session, module)
        if version is None:
            continue
        name = module.folder or module.slug
        if not MODULE_FOLDER.match(name):
            raise ExportError(f"module {course.slug}/{module.slug} has an unusable folder {name!r}")
        listed.append(name)
        _collect_module(session, folder / name, module, version, content)
    content.add(folder / "course.yaml", course_yaml(course, listed, content.notes))
    exam = session.exec(
        select(Exam)
        .where(Exam.course_id == course.id, col(Exam.is_published))
        .order_by(col(Exam.updated_at).desc())
    ).first()
    if exam is not None:
        content.add(folder / "exam.yaml", exam.source_text or _dump(exam.definition))
        if exam.source_text is None:
            content.notes.append(f"{folder}/exam.yaml: regenerated from the stored definition")
        content.exams += 1
    content.courses += 1


def course_yaml(course: Course, folders: list[str], notes: list[str]) -> str:
    """The stored course.yaml when its modules list still names the published modules in
    order; otherwise the same text with that list rewritten (or, failing that, YAML
    written from the course's fields)."""
    where = f"courses/{course.slug}/course.yaml"
    stored = _load_yaml(course.source_text)
    if isinstance(stored, dict) and stored.get("modules") == folders:
        return course.source_text or ""
    if isinstance(stored, dict):
        rewritten = _rewrite_modules_list(course.source_text or "", folders)
        if rewritten is not None and _load_yaml(rewritten) == {**stored, "modules": folders}:
            notes.append(f"{where}: modules list rewritten to match the published modules")
            return rewritten
    notes.append(f"{where}: written from the course's fields")
    data: dict[str, Any] = {"id": str(course.id), "title": course.title, "belt": course.belt}
    if course.summary:
        data["summary"] = course.summary
    data["modules"] = folders
    if course.prerequisites:
        data["prerequisites"] = list(course.prerequisites)
    if course.certification:
        data["certification"] = course.certification
    return _dump(data)


MODULES_KEY = re.compile(r"^modules\s*:")


def _rewrite_modules_list(text: str, folders: list[str]) -> str | None:
    """Replace the top-level `modules:` entry (block or flow list) with `folders`,
    leaving every other line as it was; None if there is no such entry."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if MODULES_KEY.match(line)), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and lines[end].strip() and lines[end][0] in " \t-":
        end += 1
    newline = "\r\n" if lines[start].endswith("\r\n") else "\n"
    entry = f"modules:{newline}" + "".join(f"  - {name}{newline}" for name in folders)
    return "".join(lines[:start]) + entry + "".join(lines[end:])


def _collect_module(
    session: Session,
    folder: PurePosixPath,
    module: Module,
    version: ModuleVersion,
    content: ExportedContent,
) -> None:
    text = version.source_text
    if text is None:
        text = module_index(module.id, version)
        content.notes.append(f"{folder}/index.md: regenerated from version {version.number}")
    content.add(folder / "index.md", text)
    content.references[f"{folder}/index.md"] = list(version.exercise_slugs)
    figures = session.exec(
        select(ModuleFigure)
        .where(ModuleFigure.module_version_id == version.id)
        .order_by(col(ModuleFigure.name))
    ).all()
    for figure in figures:
        suffix = PurePosixPath(figure.name).suffix.lower()
        if not FIGURE_NAME.match(figure.name) or suffix not in MEDIA_TYPES:
            raise ExportError(f"{folder}: figure name {figure.name!r} is not a safe file name")
        content.add(folder / figure.name, bytes(figure.data))
        content.figures += 1
    content.modules += 1


def module_index(module_id: uuid.UUID, version: ModuleVersion) -> str:
    """index.md written from a version's fields: front matter, a blank line, the text."""
    front = {
        "id": str(module_id),
        "title": version.title,
        "minutes": version.minutes,
        "objectives": list(version.objectives),
        "exercises": list(version.exercise_slugs),
    }
    return f"---\n{_dump(front)}---\n\n{version.body_markdown.strip()}\n"


def _collect_exercise(session: Session, exercise: Exercise, content: ExportedContent) -> bool:
    version = current_exercise_version(session, exercise.id)
    if version is None:
        return False
    folder = PurePosixPath("exercises") / _safe_slug(exercise.slug, f"exercise {exercise.id}")
    files = version.source_files or {}
    if any(name not in files for name in EXERCISE_FILES):
        files = exercise_files(exercise.id, version)
        content.notes.append(f"{folder}: regenerated from version {version.number}")
    for name in EXERCISE_FILES:
        content.add(folder / name, files[name])
    content.exercises += 1
    return True


def exercise_files(exercise_id: uuid.UUID, version: ExerciseVersion) -> dict[str, str]:
    """The four files of an exercise written from a version's fields."""
    definition = version.definition
    meta = {"id": str(exercise_id), "title": version.title, "kind": version.kind}
    meta.update(
        {key: definition[key] for key in ("attempts", "pass_mark", "review") if key in definition}
    )
    meta["params"] = definition.get("params", {})
    if definition.get("parts"):
        meta["parts"] = definition["parts"]
    return {
        "exercise.yaml": _dump(meta),
        "prompt.md": version.prompt_markdown,
        "solution.md": version.solution_markdown,
        "cases.yaml": _dump(definition.get("cases", {})),
    }


def _safe_slug(slug: str, what: str) -> str:
    if not SLUG.match(slug):
        raise ExportError(f"{what} has slug {slug!r}, which cannot be a folder name")
    return slug


def _load_yaml(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


def check_target(target: Path, *, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise ExportError(
            f"{target} is not empty; choose an empty folder, or use --force to replace "
            "its courses/ and exercises/ folders"
        )


def write_tree(files: dict[PurePosixPath, bytes], target: Path) -> None:
    """Replace target/courses and target/exercises with `files`, all written first to a
    staging folder beside them and then swapped in by renaming. Other files in target are
    left alone, and so are loose files directly inside courses/ and exercises/ (such as a
    README), which the loader does not read."""
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".takt-export-", dir=target))
    try:
        for top in TOP_FOLDERS:
            (staging / top).mkdir()
        for relative, data in files.items():
            path = staging.joinpath(*relative.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for top in TOP_FOLDERS:
            _keep_loose_files(target / top, staging / top)
        for top in TOP_FOLDERS:
            _swap(staging / top, target / top, staging / f"{top}.old")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _keep_loose_files(existing: Path, staged: Path) -> None:
    if not existing.is_dir():
        return
    for path in existing.iterdir():
        if path.is_file() and not (staged / path.name).exists():
            shutil.copy2(path, staged / path.name)


def _swap(new: Path, target: Path, aside: Path) -> None:
    if target.exists():
        target.rename(aside)
    try:
        new.rename(target)
    except OSError:
        if aside.exists():
            aside.rename(target)
        raise
