"""Editing an exercise in the browser: a draft, previewed as learners see it, self-tested,
and published as a new version.

Like module drafts, a draft is written out as the files a sync reads (exercise.yaml,
prompt.md, solution.md, cases.yaml) and loaded by the same loader, so the browser and git
are held to the same rules. Publishing also runs the self-test; an exercise that fails it
stays a draft. Attempts keep pointing at the version they were made on.
Services flush; routes commit.
"""

import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, col, select

from app.authoring import versions
from app.authoring.module_drafts import DraftProblems
from app.authoring.param_form import ParamField, param_fields, read_params
from app.authoring.self_test import SelfTestReport, self_test
from app.content.exercises import FILES, ExerciseSource, load_exercise_folder
from app.content.problems import Problem
from app.content.schemas import Slug
from app.content.sync import add_exercise_version, current_exercise_version, exercise_version_of
from app.errors import Conflict, InvalidInput, NotFound
from app.grading.kinds import KINDS
from app.grading.kinds.base import Kind, PartOverride, apply_overrides
from app.learning.attempts import LoadedExercise
from app.logs import get_logger, log_event
from app.models import Course, Exercise, ExerciseDraft, ExerciseVersion, User
from app.models.base import utcnow

logger = get_logger("authoring")
MAX_TEXT = 100_000
SLUG = TypeAdapter(Slug)


def exercise_of(db: Session, course: Course, slug: str) -> Exercise:
    exercise = db.exec(
        select(Exercise).where(Exercise.slug == slug, Exercise.course_id == course.id)
    ).first()
    if exercise is None:
        raise NotFound("This course has no exercise at this address.")
    return exercise


def draft_of(db: Session, exercise: Exercise) -> ExerciseDraft | None:
    return db.exec(select(ExerciseDraft).where(ExerciseDraft.exercise_id == exercise.id)).first()


def shown(db: Session, exercise: Exercise) -> ExerciseDraft:
    """What the editor shows: the draft, or an unsaved copy of the published version."""
    draft = draft_of(db, exercise)
    if draft is not None:
        return draft
    version = current_exercise_version(db, exercise.id)
    if version is None:
        raise NotFound("This exercise has neither a draft nor a published version.")
    return _copy_of(exercise, version)


def _copy_of(exercise: Exercise, version: ExerciseVersion) -> ExerciseDraft:
    definition = dict(version.definition)
    if version.source_files:  # the belt is in the file but not in the stored definition
        written = yaml.safe_load(version.source_files["exercise.yaml"]) or {}
        if written.get("belt"):
            definition["belt"] = written["belt"]
    return ExerciseDraft(
        exercise_id=exercise.id,
        based_on=version.number,
        title=version.title,
        kind=version.kind,
        definition=definition,
        prompt_markdown=version.prompt_markdown,
        solution_markdown=version.solution_markdown,
    )


def open_draft(db: Session, exercise: Exercise) -> ExerciseDraft:
    draft = shown(db, exercise)
    if draft.id is None:
        db.add(draft)
        db.flush()
    return draft


def fields_for(draft: ExerciseDraft) -> list[ParamField]:
    return param_fields(KINDS[draft.kind].Params, draft.definition.get("params", {}))


@dataclass(frozen=True)
class ExerciseForm:
    title: str
    attempts: str
    pass_mark: str  # a percentage, as the learner sees it
    review: str
    parts: str  # YAML
    cases: str  # YAML
    prompt: str
    solution: str
    params: dict[str, Any]  # every control named p.*, as sent


def form_of(draft: ExerciseDraft) -> ExerciseForm:
    definition = draft.definition
    parts = definition.get("parts") or {}
    return ExerciseForm(
        title=draft.title,
        attempts=str(definition.get("attempts", 3)),
        pass_mark=f"{float(definition.get('pass_mark', 0.8)) * 100:g}",
        review=definition.get("review", "none"),
        parts=yaml.safe_dump(parts, sort_keys=False, allow_unicode=True) if parts else "",
        cases=yaml.safe_dump(definition.get("cases", {}), sort_keys=False, allow_unicode=True),
        prompt=draft.prompt_markdown,
        solution=draft.solution_markdown,
        params={},
    )


def save_draft(
    db: Session, exercise: Exercise, draft: ExerciseDraft, form: ExerciseForm, user: User
) -> None:
    """Check what the form holds and store it; InvalidInput names the field to fix."""
    kind = KINDS[draft.kind]
    params = read_params(fields_for(draft), form.params)
    _check_params(kind, params)
    if not form.title.strip():
        raise InvalidInput("Give the exercise a title.", field="title")
    definition = {
        "kind": draft.kind,
        "attempts": _whole(form.attempts, "attempts", 1, 20),
        "pass_mark": _whole(form.pass_mark, "pass_mark", 1, 100) / 100,
        "review": form.review if form.review in ("none", "required") else "none",
        "params": params,
        "parts": _yaml_mapping(form.parts, "parts", required=False),
        "cases": _yaml_mapping(form.cases, "cases", required=True),
    }
    if draft.definition.get("belt"):
        definition["belt"] = draft.definition["belt"]
    for name, text in (("prompt", form.prompt), ("solution", form.solution)):
        if not text.strip():
            raise InvalidInput(f"Write the {name}.", field=name)
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"The {name} is longer than {MAX_TEXT:,} characters.", field=name)
    draft.title = form.title.strip()[:200]
    draft.definition = definition
    draft.prompt_markdown = form.prompt.strip() + "\n"
    draft.solution_markdown = form.solution.strip() + "\n"
    draft.updated_by_id = user.id
    draft.updated_at = utcnow()
    db.add(draft)
    db.flush()


def _check_params(kind: Kind, params: dict[str, Any]) -> None:
    try:
        kind.Params.model_validate(params)
    except ValidationError as error:
        detail = error.errors()[0]
        loc = [str(part) for part in detail["loc"]]
        field = "p." + loc[0] if loc else "params"
        where = ".".join(loc)
        raise InvalidInput(f"{where}: {detail['msg']}", field=field) from error


def _whole(raw: str, field: str, low: int, high: int) -> int:
    text = raw.strip().rstrip("%").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(f"Give a whole number from {low} to {high}.", field=field)
    return int(text)


def _yaml_mapping(raw: str, field: str, required: bool) -> dict[str, Any]:
    if not raw.strip():
        if required:
            raise InvalidInput(
                "Write the test cases: a seed, a wrong and an invalid answer.", field
            )
        return {}
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" on line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"This is not valid YAML{where}.", field=field) from error
    if not isinstance(value, dict):
        raise InvalidInput("Write this as YAML names and values.", field=field)
    return value


def source_files(exercise: Exercise, draft: ExerciseDraft) -> dict[str, str]:
    """The exercise folder's files for the draft, in the shape the loader reads."""
    definition = draft.definition
    meta: dict[str, Any] = {"id": str(exercise.id), "title": draft.title, "kind": draft.kind}
    if definition.get("belt"):
        meta["belt"] = definition["belt"]
    meta |= {
        "attempts": definition.get("attempts", 3),
        "pass_mark": definition.get("pass_mark", 0.8),
        "review": definition.get("review", "none"),
        "params": definition.get("params", {}),
    }
    if definition.get("parts"):
        meta["parts"] = definition["parts"]
    return {
        "exercise.yaml": _yaml(meta),
        "prompt.md": draft.prompt_markdown,
        "solution.md": draft.solution_markdown,
        "cases.yaml": _yaml(definition.get("cases", {})),
    }


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)


def check(exercise: Exercise, draft: ExerciseDraft) -> ExerciseSource:
    """The draft loaded as a sync would load it; DraftProblems lists what is wrong."""
    with tempfile.TemporaryDirectory(prefix="takt-draft-") as scratch:
        folder = Path(scratch) / exercise.slug
        folder.mkdir()
        for name, text in source_files(exercise, draft).items():
            (folder / name).write_text(text, encoding="utf-8")
        problems: list[Problem] = []
        source = load_exercise_folder(folder, problems)
        if problems or source is None:
            raise DraftProblems(
                [f"{p.path.relative_to(scratch)}:{p.line}: {p.message}" for p in problems]
            )
    return source


def run_self_test(source: ExerciseSource) -> SelfTestReport:
    kind = KINDS[source.meta.kind]
    parts = apply_overrides(kind.parts(source.params), source.meta.parts)
    return self_test(kind, source.params, parts, source.cases.model_dump())


def publish(db: Session, exercise: Exercise, user: User) -> ExerciseVersion:
    draft = draft_of(db, exercise)
    if draft is None:
        raise Conflict("There is no draft to publish; it may have been published already.")
    source = check(exercise, draft)
    report = run_self_test(source)
    if not report.passed:
        raise DraftProblems([f"self-test: {failure}" for failure in report.failures])
    latest = current_exercise_version(db, exercise.id)
    if latest is not None and _same_content(latest, source):
        raise InvalidInput("The draft is the same as the published version.", field="draft")
    version = add_exercise_version(db, exercise, source, (latest.number if latest else 0) + 1)
    version.origin, version.author_id = "browser", user.id
    exercise.is_published = True
    db.add(exercise)
    db.delete(draft)
    db.flush()
    log_event(
        logger, "exercise_published", exercise=exercise.slug, version=version.number, by=user.id
    )
    return version


def _same_content(version: ExerciseVersion, source: ExerciseSource) -> bool:
    return (
        version.title,
        version.definition,
        version.prompt_markdown,
        version.solution_markdown,
    ) == (source.meta.title, source.definition(), source.prompt, source.solution)


def discard(db: Session, exercise: Exercise, user: User) -> None:
    draft = draft_of(db, exercise)
    if draft is None:
        raise NotFound("There is no draft to discard.")
    if current_exercise_version(db, exercise.id) is None:
        raise InvalidInput(
            "This exercise was never published, so its draft is all there is.", field="draft"
        )
    db.delete(draft)
    db.flush()
    log_event(logger, "exercise_draft_discarded", exercise=exercise.slug, by=user.id)


def version_of(db: Session, exercise: Exercise, number: int) -> ExerciseVersion:
    return versions.version_of(db, ExerciseVersion, exercise.id, number)  # type: ignore[return-value]


def restore(db: Session, exercise: Exercise, number: int, user: User) -> ExerciseDraft:
    version = version_of(db, exercise, number)
    if (draft := draft_of(db, exercise)) is not None:
        db.delete(draft)
        db.flush()
    restored = _copy_of(exercise, version)
    restored.updated_by_id = user.id
    db.add(restored)
    db.flush()
    log_event(logger, "exercise_version_restored", exercise=exercise.slug, version=number)
    return restored


def history(db: Session, exercise: Exercise) -> list[versions.VersionLine]:
    return versions.history(db, ExerciseVersion, exercise.id)


def diff(db: Session, exercise: Exercise, old: int, new: int) -> list[tuple[str, str]]:
    return versions.version_diff(
        _text_of(exercise, version_of(db, exercise, old)),
        _text_of(exercise, version_of(db, exercise, new)),
    )


def _text_of(exercise: Exercise, version: ExerciseVersion) -> str:
    files = version.source_files or source_files(exercise, _copy_of(exercise, version))
    return "\n".join(f"=== {name} ===\n{files[name]}" for name in FILES)


def loaded_for_preview(exercise: Exercise, draft: ExerciseDraft) -> LoadedExercise:
    """The draft as the learner pages load an exercise, without storing a version."""
    source = check(exercise, draft)
    kind = KINDS[source.meta.kind]
    version = exercise_version_of(exercise.id, source, number=0)
    overrides = {name: PartOverride.model_validate(v) for name, v in source.meta.parts.items()}
    parts = apply_overrides(kind.parts(source.params), overrides)
    return LoadedExercise(exercise, version, kind, source.params, parts)


def create_exercise(
    db: Session, course: Course, slug: str, title: str, kind_name: str, user: User
) -> Exercise:
    """A new, unpublished exercise of a kind, starting from a published exercise of that
    kind as a worked template (the author rewrites it), or from empty parameters."""
    try:
        SLUG.validate_python(slug)
    except ValidationError:
        raise InvalidInput(
            "Use lower-case letters, digits and single hyphens, such as 'gb-05-takt'.",
            field="slug",
        ) from None
    if db.exec(select(Exercise.id).where(Exercise.slug == slug)).first() is not None:
        raise InvalidInput("An exercise already has that address.", field="slug")
    if kind_name not in KINDS:
        raise InvalidInput("Choose a kind of exercise.", field="kind")
    if not title.strip():
        raise InvalidInput("Give the exercise a title.", field="title")
    exercise = Exercise(id=uuid.uuid4(), slug=slug, is_published=False, course_id=course.id)
    db.add(exercise)
    db.flush()
    draft = _starting_point(db, exercise, kind_name)
    draft.title = title.strip()[:200]
    draft.updated_by_id = user.id
    db.add(draft)
    db.flush()
    log_event(logger, "exercise_created", exercise=slug, kind=kind_name, by=user.id)
    return exercise


def _starting_point(db: Session, exercise: Exercise, kind_name: str) -> ExerciseDraft:
    example = db.exec(
        select(ExerciseVersion)
        .join(Exercise, col(Exercise.id) == ExerciseVersion.exercise_id)
        .where(ExerciseVersion.kind == kind_name, col(Exercise.is_published))
        .order_by(col(ExerciseVersion.id).desc())
    ).first()
    if example is not None:
        started = _copy_of(exercise, example)
        started.based_on = None  # a new exercise: its history starts at its own version 1
        return started
    return ExerciseDraft(
        exercise_id=exercise.id,
        title="",
        kind=kind_name,
        definition={
            "kind": kind_name,
            "attempts": 3,
            "pass_mark": 0.8,
            "review": "none",
            "params": {},
            "parts": {},
            "cases": {},
        },
        prompt_markdown="",
        solution_markdown="",
    )
