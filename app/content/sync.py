"""Bring the database in line with loaded content: idempotent, keyed by uuid.

A module or exercise gets a new version only when its files changed. Content removed from the
files is unpublished, never deleted, because learners' progress points at it. Work published
in the browser since the last sync is never overwritten silently (see app.content.conflicts):
it is kept when the files did not change, and when both changed the sync writes nothing.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.content.conflicts import BrowserEdit, BrowserWork, find_browser_work
from app.content.exams import ExamSource
from app.content.exercises import ExerciseSource
from app.content.loader import CourseSource, LoadedContent, ModuleSource
from app.content.markdown import count_words, render_markdown
from app.models import (
    Course,
    Exam,
    Exercise,
    ExerciseVersion,
    Module,
    ModuleFigure,
    ModuleVersion,
)
from app.models.base import utcnow


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    unchanged: int = 0
    retirement_skipped: bool = False
    # Browser work: conflicts stop the sync; kept items keep their browser version; with
    # overwrite_browser_edits both are replaced by the files and listed as overwritten.
    conflicts: list[BrowserEdit] = field(default_factory=list)
    kept: list[BrowserEdit] = field(default_factory=list)
    overwritten: list[BrowserEdit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.unpublished)

    def summary(self) -> str:
        if self.conflicts:
            return (
                f"{len(self.conflicts)} conflict(s) with changes published in the browser; "
                "nothing was written"
            )
        summary = (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unpublished)} unpublished, {self.unchanged} unchanged"
        )
        if self.kept:
            summary += f", {len(self.kept)} kept as edited in the browser"
        if self.overwritten:
            summary += f", {len(self.overwritten)} browser edit(s) overwritten"
        if self.retirement_skipped:
            summary += "; nothing was unpublished because some files have problems"
        return summary


def sync_content(
    session: Session, content: LoadedContent, *, overwrite_browser_edits: bool = False
) -> SyncReport:
    """Write the loaded exercises, courses and modules; the caller commits.

    Content that is missing from the files is unpublished only when the files loaded
    without problems: a typo in one file must not take a course offline. If the files and
    the browser both changed an item since the last sync, nothing at all is written and
    the report lists the conflicts, unless `overwrite_browser_edits` takes the files' side.
    """
    work = find_browser_work(session, content)
    report = SyncReport(warnings=work.warnings)
    if overwrite_browser_edits:
        report.overwritten = work.conflicts + work.kept
        work = BrowserWork(warnings=work.warnings)
    elif work.conflicts:
        report.conflicts = work.conflicts
        return report
    report.kept = work.kept
    keep = work.keep_ids
    exercise_ids = {e.slug: e.meta.id for e in content.exercises.values()}
    _park_slugs(session, session.exec(select(Exercise)).all(), exercise_ids)
    for exercise in content.exercises.values():
        _sync_exercise(session, exercise, report, keep=exercise.meta.id in keep)
    _park_slugs(
        session, session.exec(select(Course)).all(), {c.slug: c.meta.id for c in content.courses}
    )
    for position, source in enumerate(content.courses):
        _sync_course(session, source, position, report)
        siblings = session.exec(select(Module).where(Module.course_id == source.meta.id)).all()
        _park_slugs(session, siblings, {m.slug: m.meta.id for m in source.modules})
        for module_position, module in enumerate(source.modules):
            kept = module.meta.id in keep
            _sync_module(session, source, module, module_position, report, keep=kept)
        if source.exam:
            _sync_exam(session, source, source.exam, report)
    _link_exercises_to_courses(session, content)
    if content.problems:
        report.retirement_skipped = True
    else:
        _unpublish_missing_exercises(session, set(exercise_ids.values()) | keep, report)
        module_ids = {m.meta.id for c in content.courses for m in c.modules} | keep
        _unpublish_missing(session, {c.meta.id for c in content.courses}, module_ids, report)
        exam_ids = {c.exam.meta.id for c in content.courses if c.exam}
        for exam in session.exec(select(Exam).where(col(Exam.is_published))):
            if exam.id not in exam_ids:
                exam.is_published = False
                session.add(exam)
                report.unpublished.append(f"exam {exam.title}")
    session.flush()
    return report


def _link_exercises_to_courses(session: Session, content: LoadedContent) -> None:
    """Each exercise counts towards the first course whose modules use it, so an attempt
    at it shows as activity in that course, and that course's staff edit it."""
    course_of: dict[str, uuid.UUID] = {}
    for source in content.courses:
        for module in source.modules:
            for slug in module.meta.exercises:
                course_of.setdefault(slug, source.meta.id)
    # An exercise only an exam uses belongs to that exam's course, so its staff edit it.
    for source in content.courses:
        for slot in source.exam.meta.slots if source.exam else ():
            for slug in slot.pool:
                course_of.setdefault(slug, source.meta.id)
    session.flush()
    for exercise in session.exec(select(Exercise)):
        # One the files use nowhere keeps its course (it may be the browser's work).
        course_id = course_of.get(exercise.slug, exercise.course_id)
        if exercise.course_id != course_id:
            exercise.course_id = course_id
            session.add(exercise)


def _park_slugs(
    session: Session, rows: Sequence[Course | Module | Exercise], wanted: dict[str, uuid.UUID]
) -> None:
    """Move aside rows whose slug another id now claims (a folder reused or two folders
    swapped), so assigning the new slugs never breaks a uniqueness constraint. A parked
    row keeps a unique placeholder until a later sync gives it a slug again."""
    parked = False
    for row in rows:
        owner = wanted.get(row.slug)
        if owner is not None and owner != row.id:
            row.slug = f"~{row.id.hex}"
            session.add(row)
            parked = True
    if parked:
        session.flush()


def _sync_course(session: Session, source: CourseSource, position: int, report: SyncReport) -> None:
    course = session.get(Course, source.meta.id)
    label = f"course {source.slug}"
    if course is None:
        course = Course(id=source.meta.id, content_hash="")
        report.created.append(label)
    elif course.content_hash == source.content_hash and course.position == position:
        if course.is_published and course.slug == source.slug and course.source_text:
            report.unchanged += 1
            return
        report.updated.append(label)
    else:
        report.updated.append(label)
    course.slug = source.slug
    course.title = source.meta.title
    course.belt = source.meta.belt.value
    course.summary = source.meta.summary
    rule = source.meta.certification
    course.certification = rule.model_dump(mode="json") if rule else None
    course.prerequisites = list(source.meta.prerequisites)
    course.position = position
    course.content_hash = source.content_hash
    course.source_text = source.text
    course.is_published = True
    course.updated_at = utcnow()
    session.add(course)
    session.flush()


def _sync_module(
    session: Session,
    course: CourseSource,
    source: ModuleSource,
    position: int,
    report: SyncReport,
    *,
    keep: bool = False,
) -> None:
    """Place the module as course.yaml says and add a version if its files changed, unless
    `keep`: then its newest version, published in the browser, stays current."""
    module = session.get(Module, source.meta.id)
    label = f"module {course.slug}/{source.slug}"
    placement = (course.meta.id, source.slug, position, True)
    if module is None:
        module = Module(id=source.meta.id, course_id=course.meta.id, slug=source.slug)
        session.add(module)
        session.flush()
        report.created.append(label)
        moved = False
    else:
        moved = (module.course_id, module.slug, module.position, module.is_published) != placement
    module.course_id, module.slug, module.position, module.is_published = placement
    module.folder = source.folder.name
    module.synced_hash = source.content_hash
    latest = current_version(session, module)
    if keep:
        if moved:
            report.updated.append(label)
    elif latest is None or latest.content_hash != source.content_hash:
        add_module_version(session, module, source, (latest.number if latest else 0) + 1)
        if latest is not None:
            report.updated.append(label)
    elif moved:
        report.updated.append(label)
    else:
        report.unchanged += 1
    if (
        latest is not None
        and latest.source_text is None
        and latest.content_hash == source.content_hash
    ):
        latest.source_text = source.text  # kept from this release on; older rows learn it here
        session.add(latest)
    session.add(module)


def add_module_version(
    session: Session, module: Module, source: ModuleSource, number: int
) -> ModuleVersion:
    """A new version of the module from checked source, with its figures."""
    version = _new_version(module, source, number)
    session.add(version)
    session.flush()
    for figure in source.figures.values():
        session.add(
            ModuleFigure(
                module_version_id=version.id,  # type: ignore[arg-type]
                name=figure.name,
                media_type=figure.media_type,
                data=figure.data,
            )
        )
    return version


def _new_version(module: Module, source: ModuleSource, number: int) -> ModuleVersion:
    return ModuleVersion(
        module_id=module.id,
        number=number,
        content_hash=source.content_hash,
        title=source.meta.title,
        minutes=source.meta.minutes,
        objectives=list(source.meta.objectives),
        exercise_slugs=list(source.meta.exercises),
        body_markdown=source.body,
        body_html=render_markdown(source.body, figure_base=figure_base(module.id, number)),
        word_count=count_words(source.body),
        source_text=source.text,
    )


def figure_base(module_id: uuid.UUID, version_number: int) -> str:
    """Where a module version's figures are served; versioned, so cacheable for ever."""
    return f"/figures/{module_id}/{version_number}"


def current_version(session: Session, module: Module) -> ModuleVersion | None:
    statement = (
        select(ModuleVersion)
        .where(ModuleVersion.module_id == module.id)
        .order_by(col(ModuleVersion.number).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def _sync_exam(
    session: Session, course: CourseSource, source: ExamSource, report: SyncReport
) -> None:
    """An exam keeps only its current definition: each sitting freezes what it uses."""
    exam = session.get(Exam, source.meta.id)
    label = f"exam {course.slug}"
    if exam is not None and exam.content_hash == source.content_hash and exam.is_published:
        exam.source_text = exam.source_text or source.text
        report.unchanged += 1
        return
    (report.created if exam is None else report.updated).append(label)
    exam = exam or Exam(id=source.meta.id, course_id=course.meta.id, content_hash="")
    exam.course_id = course.meta.id
    exam.title = source.meta.title
    exam.definition = source.meta.model_dump(mode="json")
    exam.content_hash = source.content_hash
    exam.source_text = source.text
    exam.is_published = True
    exam.updated_at = utcnow()
    session.add(exam)


def _sync_exercise(
    session: Session, source: ExerciseSource, report: SyncReport, *, keep: bool = False
) -> None:
    exercise = session.get(Exercise, source.meta.id)
    label = f"exercise {source.slug}"
    if exercise is None:
        exercise = Exercise(id=source.meta.id, slug=source.slug)
        session.add(exercise)
        session.flush()
        report.created.append(label)
        renamed = False
    else:
        renamed = (exercise.slug, exercise.is_published) != (source.slug, True)
    exercise.slug, exercise.is_published = source.slug, True
    exercise.synced_hash = source.content_hash
    latest = current_exercise_version(session, exercise.id)
    if keep:
        if renamed:
            report.updated.append(label)
    elif latest is None or latest.content_hash != source.content_hash:
        add_exercise_version(session, exercise, source, (latest.number if latest else 0) + 1)
        if latest is not None:
            report.updated.append(label)
    elif renamed:
        report.updated.append(label)
    else:
        report.unchanged += 1
    if (
        latest is not None
        and latest.source_files is None
        and latest.content_hash == source.content_hash
    ):
        latest.source_files = dict(source.texts)
        session.add(latest)
    session.add(exercise)
    session.flush()


def add_exercise_version(
    session: Session, exercise: Exercise, source: ExerciseSource, number: int
) -> ExerciseVersion:
    """A new version of the exercise from checked source."""
    version = exercise_version_of(exercise.id, source, number)
    session.add(version)
    return version


def exercise_version_of(
    exercise_id: uuid.UUID, source: ExerciseSource, number: int
) -> ExerciseVersion:
    """The version row for checked source, not yet added to any session."""
    return ExerciseVersion(
        exercise_id=exercise_id,
        number=number,
        content_hash=source.content_hash,
        title=source.meta.title,
        kind=source.meta.kind,
        definition=source.definition(),
        prompt_markdown=source.prompt,
        solution_markdown=source.solution,
        source_files=dict(source.texts),
    )


def current_exercise_version(session: Session, exercise_id: uuid.UUID) -> ExerciseVersion | None:
    statement = (
        select(ExerciseVersion)
        .where(ExerciseVersion.exercise_id == exercise_id)
        .order_by(col(ExerciseVersion.number).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def _unpublish_missing_exercises(
    session: Session, exercise_ids: set[uuid.UUID], report: SyncReport
) -> None:
    for exercise in session.exec(select(Exercise).where(col(Exercise.is_published))):
        if exercise.id not in exercise_ids:
            exercise.is_published = False
            session.add(exercise)
            report.unpublished.append(f"exercise {exercise.slug}")


def _unpublish_missing(
    session: Session, course_ids: set[uuid.UUID], module_ids: set[uuid.UUID], report: SyncReport
) -> None:
    for course in session.exec(select(Course).where(col(Course.is_published))):
        if course.id not in course_ids:
            course.is_published = False
            session.add(course)
            report.unpublished.append(f"course {course.slug}")
    for module in session.exec(select(Module).where(col(Module.is_published))):
        if module.id not in module_ids:
            module.is_published = False
            session.add(module)
            report.unpublished.append(f"module {module.slug}")
