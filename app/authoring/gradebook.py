"""A course's gradebook for its staff: each learner against each module, with a score and
whether the module is read and complete.

Definitions (shown on the page too):
- A module's exercises are those its current version lists that are published.
- A learner's **module score** is the mean of their best score on each of those exercises
  (`ExerciseProgress.best_score`); an exercise not yet tried counts as 0. It is None when
  they have tried none of them, or the module has no exercise.
- The **overall score** is the same mean over every exercise of every module.
- A module is **complete** when it is read and every one of its exercises is passed.
- The learners are everyone enrolled in the course or with an attempt at one of its
  exercises.

Every figure is worked out by the database: one statement lists a page of learners with
every module's sums beside them (one column per module), one counts them, and two read the
course's modules and exercises — however many learners there are.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Engine, Float, and_, case, cast, func, literal, not_, union
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.errors import InvalidInput
from app.learning.service import published_modules_with_versions
from app.models import (
    Course,
    Enrolment,
    Exercise,
    ExerciseProgress,
    Module,
    ModuleProgress,
    OrgUnit,
    User,
)
from app.org.units import in_subtree
from app.reporting.exports import defuse

CSV_CHUNK = 1000


class Completion(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    complete = "complete"


COMPLETION_LABELS = {
    Completion.not_started: "Not started",
    Completion.in_progress: "In progress",
    Completion.complete: "Complete",
}


class Sort(StrEnum):
    name = "name"
    score = "score"


@dataclass(frozen=True)
class GradebookModule:
    id: uuid.UUID
    slug: str
    title: str
    exercise_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class Layout:
    """The course's columns: its published modules in order, each with its exercises."""

    course: Course
    modules: list[GradebookModule]

    @property
    def exercise_ids(self) -> list[uuid.UUID]:
        return list(dict.fromkeys(e for m in self.modules for e in m.exercise_ids))


@dataclass(frozen=True)
class GradebookFilter:
    query: str = ""
    unit: OrgUnit | None = None
    completion: Completion | None = None
    sort: Sort = Sort.name
    descending: bool = False


@dataclass(frozen=True)
class Cell:
    """One learner on one module."""

    score: float | None  # 0 to 1; None when no exercise of the module was tried
    passed: int
    exercises: int
    read: bool

    @property
    def complete(self) -> bool:
        return self.read and self.passed == self.exercises

    @property
    def state(self) -> str:
        """complete | read | not_read, as the CSV writes it."""
        return "complete" if self.complete else ("read" if self.read else "not_read")


@dataclass(frozen=True)
class GradebookRow:
    user_id: int
    email: str
    name: str
    cells: list[Cell]
    overall: float | None
    completion: Completion


@dataclass(frozen=True)
class GradebookPage:
    layout: Layout
    rows: list[GradebookRow]
    total: int
    page: int
    pages: int


def make_filter(
    db: Session,
    query: str = "",
    unit_id: int | None = None,
    completion: Completion | None = None,
    sort: Sort = Sort.name,
    descending: bool = False,
) -> GradebookFilter:
    """The filter as a request gives it: an organisation unit by id, which must exist."""
    unit = None
    if unit_id is not None:
        unit = db.get(OrgUnit, unit_id)
        if unit is None:
            raise InvalidInput("There is no such organisation unit.", field="unit")
    return GradebookFilter(query, unit, completion, sort, descending)


def layout(db: Session, course: Course) -> Layout:
    """The course's published modules with their published exercises (two statements)."""
    rows = db.exec(
        published_modules_with_versions()
        .where(Module.course_id == course.id)
        .order_by(col(Module.position))
    ).all()
    slugs = {slug for _, version in rows for slug in version.exercise_slugs}
    ids = dict(
        db.exec(
            select(Exercise.slug, Exercise.id).where(
                col(Exercise.slug).in_(slugs), col(Exercise.is_published)
            )
        ).all()
        if slugs
        else []
    )
    modules = [
        GradebookModule(
            module.id,
            module.slug,
            version.title,
            tuple(dict.fromkeys(ids[s] for s in version.exercise_slugs if s in ids)),
        )
        for module, version in rows
    ]
    return Layout(course, modules)


def _learners(course: Course):  # type: ignore[no-untyped-def]
    """Everyone enrolled, or with an attempt at one of the course's exercises."""
    enrolled = select(Enrolment.user_id).where(Enrolment.course_id == course.id)
    tried = (
        select(ExerciseProgress.user_id)
        .join(Exercise, col(Exercise.id) == ExerciseProgress.exercise_id)
        .where(Exercise.course_id == course.id, ExerciseProgress.attempts_used > 0)
    )
    return union(enrolled, tried).subquery("learners")


def _scores(shape: Layout):  # type: ignore[no-untyped-def]
    """Per learner: for each module the sum of best scores, exercises passed and exercises
    tried (columns s0, p0, t0, s1, …), and the same over the whole course."""
    best, passed = col(ExerciseProgress.best_score), col(ExerciseProgress.passed)
    tried = col(ExerciseProgress.attempts_used) > 0
    columns: list[Any] = [col(ExerciseProgress.user_id).label("user_id")]
    for i, module in enumerate(shape.modules):
        in_module = col(ExerciseProgress.exercise_id).in_(list(module.exercise_ids))
        columns += [
            func.sum(case((in_module, best), else_=0.0)).label(f"s{i}"),
            func.sum(case((in_module & passed, 1), else_=0)).label(f"p{i}"),
            func.sum(case((in_module & tried, 1), else_=0)).label(f"t{i}"),
        ]
    columns += [
        func.sum(best).label("s_all"),
        func.sum(case((passed, 1), else_=0)).label("p_all"),
        func.sum(case((tried, 1), else_=0)).label("t_all"),
    ]
    return (
        select(*columns)
        .where(col(ExerciseProgress.exercise_id).in_(shape.exercise_ids))
        .group_by(col(ExerciseProgress.user_id))
        .subquery("scores")
    )


def _reads(shape: Layout):  # type: ignore[no-untyped-def]
    """Per learner: 1 or 0 for each module read (r0, r1, …) and the number read."""
    module_id = col(ModuleProgress.module_id)
    columns: list[Any] = [col(ModuleProgress.user_id).label("user_id")]
    columns += [
        func.max(case((module_id == m.id, 1), else_=0)).label(f"r{i}")
        for i, m in enumerate(shape.modules)
    ]
    columns.append(func.count().label("r_all"))
    return (
        select(*columns)
        .where(module_id.in_([m.id for m in shape.modules]))
        .group_by(col(ModuleProgress.user_id))
        .subquery("reads")
    )


def _statement(shape: Layout, wanted: GradebookFilter) -> Select[Any]:
    learners, scores, reads = _learners(shape.course), _scores(shape), _reads(shape)
    read_all = func.coalesce(reads.c.r_all, 0)
    passed_all = func.coalesce(scores.c.p_all, 0)
    tried_all = func.coalesce(scores.c.t_all, 0)
    statement = (
        select(
            User.id,
            User.email,
            User.name,
            scores.c.s_all,
            read_all.label("read_all"),
            passed_all.label("passed_all"),
            tried_all.label("tried_all"),
            *[scores.c[f"{x}{i}"] for i in range(len(shape.modules)) for x in "spt"],
            *[reads.c[f"r{i}"] for i in range(len(shape.modules))],
        )
        .join(learners, learners.c.user_id == User.id)
        .outerjoin(scores, scores.c.user_id == User.id)
        .outerjoin(reads, reads.c.user_id == User.id)
    )
    if query := wanted.query.strip().lower():
        statement = statement.where(
            func.lower(col(User.name)).contains(query, autoescape=True)
            | col(User.email).contains(query, autoescape=True)
        )
    if wanted.unit is not None:
        below = select(OrgUnit.id).where(in_subtree(wanted.unit.path))
        statement = statement.where(col(User.org_unit_id).in_(below))
    if wanted.completion is not None:
        statement = statement.where(
            _completion_is(wanted.completion, shape, read_all, passed_all, tried_all)
        )
    name = func.lower(col(User.name))
    if wanted.sort == Sort.score:
        overall = func.coalesce(cast(scores.c.s_all, Float), literal(0.0))
        first = overall.desc() if wanted.descending else overall.asc()
        return statement.order_by(first, name, col(User.id))
    if wanted.descending:
        return statement.order_by(name.desc(), col(User.id).desc())
    return statement.order_by(name, col(User.id))


def _completion_is(
    wanted: Completion,
    shape: Layout,
    read_all: ColumnElement[Any],
    passed_all: ColumnElement[Any],
    tried_all: ColumnElement[Any],
) -> ColumnElement[bool]:
    complete = and_(
        literal(bool(shape.modules)),
        read_all == len(shape.modules),
        passed_all == len(shape.exercise_ids),
    )
    not_started = and_(read_all == 0, tried_all == 0)
    if wanted == Completion.complete:
        return complete
    if wanted == Completion.not_started:
        return not_started
    return and_(not_(complete), not_(not_started))


def _completion(shape: Layout, read_all: int, passed_all: int, tried_all: int) -> Completion:
    """The same rule as `_completion_is`, for a row already read."""
    if shape.modules and read_all == len(shape.modules) and passed_all == len(shape.exercise_ids):
        return Completion.complete
    if read_all == 0 and tried_all == 0:
        return Completion.not_started
    return Completion.in_progress


def _row(shape: Layout, values: Any) -> GradebookRow:
    user_id, email, name, score_sum, read_all, passed_all, tried_all = values[:7]
    count = len(shape.modules)
    sums = values[7 : 7 + 3 * count]
    reads = values[7 + 3 * count :]
    cells = []
    for i, module in enumerate(shape.modules):
        total, passed, tried = (sums[3 * i + k] or 0 for k in range(3))
        n = len(module.exercise_ids)
        score = float(total) / n if n and tried else None
        cells.append(Cell(score, int(passed), n, bool(reads[i])))
    n_all = len(shape.exercise_ids)
    overall = float(score_sum or 0) / n_all if n_all and tried_all else None
    completion = _completion(shape, int(read_all), int(passed_all), int(tried_all))
    return GradebookRow(user_id, email, name, cells, overall, completion)


def gradebook_page(
    db: Session, shape: Layout, wanted: GradebookFilter, page: int, per_page: int
) -> GradebookPage:
    """One page of learners (two statements beyond `layout`)."""
    statement = _statement(shape, wanted)
    total = db.exec(select(func.count()).select_from(statement.subquery())).one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.exec(statement.offset((page - 1) * per_page).limit(per_page)).all()
    return GradebookPage(shape, [_row(shape, r) for r in rows], total, page, pages)


def unit_choices(db: Session, course: Course) -> list[OrgUnit]:
    """The organisation units the course's learners sit in, to filter by."""
    learners = _learners(course)
    return list(
        db.exec(
            select(OrgUnit)
            .where(
                col(OrgUnit.id).in_(
                    select(User.org_unit_id).join(learners, learners.c.user_id == User.id)
                )
            )
            .order_by(func.lower(col(OrgUnit.name)), col(OrgUnit.id))
        ).all()
    )


def csv_header(shape: Layout) -> list[str]:
    columns = ["email", "name"]
    for module in shape.modules:
        columns += [f"{module.slug} score", f"{module.slug} completion"]
    return [*columns, "overall score", "status"]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def csv_row(row: GradebookRow) -> list[str]:
    values = [defuse(row.email), defuse(row.name)]
    for cell in row.cells:
        values += [_percent(cell.score), cell.state]
    return [*values, _percent(row.overall), row.completion.value]


def stream_csv(
    engine: Engine, course_id: uuid.UUID, wanted: GradebookFilter
) -> Iterator[list[str]]:
    """The header, then every learner matching `wanted` in its order, read in chunks each
    in its own short session (so a long download holds no transaction open)."""
    with Session(engine, expire_on_commit=False) as db:
        course = db.get(Course, course_id)
        assert course is not None  # the route has just loaded it
        shape = layout(db, course)
    yield csv_header(shape)
    offset = 0
    while True:
        with Session(engine) as db:
            statement = _statement(shape, wanted).offset(offset).limit(CSV_CHUNK)
            rows = [_row(shape, r) for r in db.exec(statement).all()]
        for row in rows:
            yield csv_row(row)
        if len(rows) < CSV_CHUNK:
            return
        offset += CSV_CHUNK
