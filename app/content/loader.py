"""Read courses from files into validated objects, collecting every problem as path:line.

One broken file never blocks the rest: whatever is valid is loaded.
"""

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from app.content.exams import ExamSource, load_exam
from app.content.exercises import ExerciseSource, load_exercises
from app.content.figures import Figure, load_figures
from app.content.problems import Problem, read_text
from app.content.schemas import CourseFile, ModuleFrontMatter
from app.content.yaml_source import YamlDocument, parse_model

MODULE_FOLDER = re.compile(r"^(?:\d+-)?(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$")


@dataclass
class ModuleSource:
    folder: Path
    slug: str
    meta: ModuleFrontMatter
    body: str
    content_hash: str
    id_line: int = 1
    figures: dict[str, Figure] = field(default_factory=dict)
    text: str = ""  # index.md as read


@dataclass
class CourseSource:
    folder: Path
    slug: str
    meta: CourseFile
    modules: list[ModuleSource]
    content_hash: str
    id_line: int = 1
    exam: ExamSource | None = None
    text: str = ""  # course.yaml as read


@dataclass
class LoadedContent:
    courses: list[CourseSource] = field(default_factory=list)
    exercises: dict[str, ExerciseSource] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


BELT_ORDER = ("yellow", "green", "black")


def load_content(content_dir: Path) -> LoadedContent:
    """Load every course under content_dir/courses, checking references between files."""
    loaded = LoadedContent()
    loaded.exercises = load_exercises(content_dir / "exercises", loaded.problems)
    courses_dir = content_dir / "courses"
    if not courses_dir.is_dir():
        loaded.problems.append(Problem(courses_dir, 1, "content folder has no courses/ directory"))
        return loaded
    for folder in sorted(p for p in courses_dir.iterdir() if p.is_dir()):
        course = _load_course(folder, loaded.exercises, content_dir / "exercises", loaded.problems)
        if course:
            loaded.courses.append(course)
    _check_unique_ids(loaded)
    # Catalogue order follows the belts (yellow before green before black), not folder names.
    loaded.courses.sort(key=lambda c: (BELT_ORDER.index(c.meta.belt), c.slug))
    return loaded


def _load_course(
    folder: Path, exercises: dict[str, ExerciseSource], exercises_dir: Path, problems: list[Problem]
) -> CourseSource | None:
    path = folder / "course.yaml"
    if not path.is_file():
        problems.append(Problem(folder, 1, "course folder has no course.yaml"))
        return None
    text = _read(path, problems)
    if text is None:
        return None
    meta, document, yaml_problems = parse_model(text, CourseFile)
    problems.extend(Problem(path, p.line, p.message) for p in yaml_problems)
    if meta is None or document is None:
        return None
    index_of_exercises = ExerciseIndex(exercises, exercises_dir)
    modules = []
    for index, name in enumerate(meta.modules):
        where = (document, path, index)
        if module := _load_listed_module(folder, name, where, index_of_exercises, problems):
            modules.append(module)
    for unlisted in sorted(set(_module_folders(folder)) - set(meta.modules)):
        problems.append(
            Problem(folder / unlisted, 1, "module folder is not listed in course.yaml modules")
        )
    id_line = document.line_of(("id",))
    exam = load_exam(folder, exercises, problems)
    return CourseSource(folder, folder.name, meta, modules, _hash(text), id_line, exam, text)


def _load_listed_module(
    course_folder: Path,
    name: str,
    where: tuple[YamlDocument, Path, int],
    exercises: "ExerciseIndex",
    problems: list[Problem],
) -> ModuleSource | None:
    """A module named in course.yaml; `where` locates its entry there for error reports."""
    course_document, course_path, index = where
    folder = course_folder / name
    if not (folder / "index.md").is_file():
        line = course_document.line_of(("modules", index))
        problems.append(Problem(course_path, line, f"module '{name}' has no {name}/index.md"))
        return None
    return _load_module(folder, exercises, problems)


def _module_folders(course_folder: Path) -> list[str]:
    return [p.name for p in course_folder.iterdir() if p.is_dir() and (p / "index.md").exists()]


def load_module_folder(
    folder: Path, exercise_slugs: set[str], problems: list[Problem]
) -> ModuleSource | None:
    """One module folder on its own, checked exactly as a sync checks it, against the
    given exercises: how the browser editor validates a draft before publishing."""
    index = ExerciseIndex(exercise_slugs, folder / "no-exercise-folder")
    return _load_module(folder, index, problems)


def _load_module(
    folder: Path, exercises: "ExerciseIndex", problems: list[Problem]
) -> ModuleSource | None:
    path = folder / "index.md"
    text = _read(path, problems)
    if text is None:
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(path, 1, "expected front matter: the file must start with '---'"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.append(Problem(path, 1, "front matter is not closed by a line with '---'"))
        return None
    front = "\n".join(lines[1:end])
    meta, document, yaml_problems = parse_model(front, ModuleFrontMatter, first_line=2)
    problems.extend(Problem(path, p.line, p.message) for p in yaml_problems)
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        problems.append(
            Problem(path, end + 1, "the module has no teaching text after the front matter")
        )
        return None
    if meta is None or document is None:
        return None
    for index, slug in enumerate(meta.exercises):
        if problem := exercises.problem_with(slug):
            problems.append(Problem(path, document.line_of(("exercises", index)), problem))
    match = MODULE_FOLDER.match(folder.name)
    slug = match.group("slug") if match else folder.name
    figures = load_figures(folder, body, _first_body_line(lines, end), problems)
    digest = module_content_hash(text, {name: f.data for name, f in figures.items()})
    return ModuleSource(folder, slug, meta, body, digest, document.line_of(("id",)), figures, text)


@dataclass(frozen=True)
class ExerciseIndex:
    """The exercises a module may reference: loaded ones, and folders that failed to load."""

    loaded: Collection[str]  # slugs of loaded exercises
    folder: Path

    def problem_with(self, slug: str) -> str | None:
        if slug in self.loaded:
            return None
        if (self.folder / slug).is_dir():
            return f"exercise '{slug}' has problems of its own (see exercises/{slug})"
        return f"exercise '{slug}' does not exist in exercises/"


def _check_unique_ids(loaded: LoadedContent) -> None:
    """A uuid names one course or module only: a copied folder must get a fresh id.

    The second holder of an id is reported and left out, so the sync never merges two.
    """
    seen: dict[object, Path] = {}

    def first_holder(identity: object, path: Path, line: int) -> bool:
        if identity in seen:
            loaded.problems.append(
                Problem(path, line, f"id {identity} is already used by {seen[identity]}")
            )
            return False
        seen[identity] = path
        return True

    kept_courses = []
    for course in loaded.courses:
        if not first_holder(course.meta.id, course.folder / "course.yaml", course.id_line):
            continue
        slugs: set[str] = set()
        kept_modules = []
        for module in course.modules:
            path = module.folder / "index.md"
            if module.slug in slugs:
                loaded.problems.append(
                    Problem(
                        path,
                        1,
                        f"another module folder in this course is also named '{module.slug}'",
                    )
                )
            elif first_holder(module.meta.id, path, module.id_line):
                slugs.add(module.slug)
                kept_modules.append(module)
        course.modules = kept_modules
        if course.exam and not first_holder(course.exam.meta.id, course.exam.path, 1):
            course.exam = None
        kept_courses.append(course)
    loaded.courses = kept_courses


def _read(path: Path, problems: list[Problem]) -> str | None:
    text, problem = read_text(path)
    if problem:
        problems.append(problem)
    return text


def _first_body_line(lines: list[str], front_matter_end: int) -> int:
    """The file line on which the stripped body starts."""
    index = front_matter_end + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index + 1


def module_content_hash(text: str, figures: dict[str, bytes]) -> str:
    """What identifies a module's content: index.md and its figures, in name order as
    the figure loader returns them. Publishing from the browser hashes the same way, so
    exported files sync back as unchanged."""
    figure_part = "".join(
        f"\0{name}:{hashlib.sha256(data).hexdigest()}" for name, data in figures.items()
    )
    return _hash(text + figure_part)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
