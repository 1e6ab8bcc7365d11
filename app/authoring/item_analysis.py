"""Item analysis of one exercise for its course's staff: how many tried it, how well they
did, how many passed at the first try, which parts were hard, and the wrong answers given
most often — so an instructor can spot a confusing question.

Definitions (shown on the page too):
- Attempts and learners count every attempt, awaiting review or not. The mean score and
  the part figures count graded and reviewed attempts only: an attempt awaiting review has
  no final score yet.
- An attempt **passes** as the learner's standing does: a graded attempt scores at least
  its version's pass mark; a reviewed one passes the rubric.
- **First-try success** is the share of learners with a first attempt (in the versions
  looked at) whose first attempt passed.
- A part is **right** in an attempt when it earned full marks; a part with less is wrong,
  and what the learner typed in that part's fields joins its wrong answers. Numbers are
  compared as numbers ("0,5", " 0.50 " and "0.5" are one answer), other text ignoring
  case and spacing; a quiz choice is shown as the option's text.

The counts come from one SQL statement. The part figures live in each attempt's JSON, so
they are read in one streamed statement and tallied here (see ADR 0015).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, distinct, func
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.grading.kinds.quiz import QuizParams
from app.grading.numbers import NumberFormatError, parse_number
from app.learning.attempts import LoadedExercise, load_version
from app.models import Attempt, Course, Exercise, ExerciseVersion

TOP_WRONG = 5
STREAM_CHUNK = 500
MAX_SHOWN = 200  # characters of one wrong answer kept for display
AWAITING = "awaiting_review"


@dataclass(frozen=True)
class WrongAnswer:
    text: str
    count: int


@dataclass(frozen=True)
class PartFigures:
    name: str
    label: str
    attempts: int  # graded attempts in which the part was scored
    right: int
    score_sum: float
    wrong_answers: list[WrongAnswer]
    answers_readable: bool  # False when no answer field could be tied to the part

    @property
    def share_right(self) -> float:
        return self.right / self.attempts if self.attempts else 0.0

    @property
    def mean_score(self) -> float:
        return self.score_sum / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class VersionChoice:
    number: int
    title: str
    attempts: int


@dataclass(frozen=True)
class ItemAnalysis:
    exercise: Exercise
    title: str
    versions: list[VersionChoice]
    version: int | None  # the version looked at; None for all
    attempts: int
    learners: int
    awaiting_review: int
    mean_score: float | None
    first_tries: int
    first_try_passes: int
    parts: list[PartFigures]

    @property
    def first_try_success(self) -> float | None:
        return self.first_try_passes / self.first_tries if self.first_tries else None


def exercise_in_course(db: Session, course: Course, slug: str) -> Exercise:
    """The exercise by slug if it belongs to the course; NotFound otherwise."""
    exercise = db.exec(select(Exercise).where(Exercise.slug == slug)).first()
    if exercise is None or exercise.course_id != course.id:
        raise NotFound("There is no such exercise in this course.")
    return exercise


def analyse(db: Session, exercise: Exercise, version: int | None = None) -> ItemAnalysis:
    """The figures over all the exercise's attempts, or those made on version `version`."""
    versions = list(
        db.exec(
            select(ExerciseVersion)
            .where(ExerciseVersion.exercise_id == exercise.id)
            .order_by(col(ExerciseVersion.number).desc())
        ).all()
    )
    if version is not None and version not in {v.number for v in versions}:
        raise InvalidInput(f"This exercise has no version {version}.", field="version")
    chosen = [v for v in versions if version is None or v.number == version]
    where = [Attempt.exercise_id == exercise.id]
    if version is not None:
        where.append(col(Attempt.exercise_version_id).in_([v.id for v in chosen]))
    per_version = dict(
        db.exec(
            select(Attempt.exercise_version_id, func.count())
            .where(Attempt.exercise_id == exercise.id)
            .group_by(col(Attempt.exercise_version_id))
        ).all()
    )
    graded = col(Attempt.status) != AWAITING
    attempts, learners, awaiting, mean = db.exec(
        select(
            func.count(),
            func.count(distinct(Attempt.user_id)),
            func.coalesce(func.sum(case((graded, 0), else_=1)), 0),
            func.avg(case((graded, Attempt.score))),
        ).where(*where)
    ).one()
    loaded = {v.id: load_version(db, exercise, v.id) for v in chosen}  # type: ignore[misc]
    tally = _tally(db, where, loaded)
    return ItemAnalysis(
        exercise=exercise,
        title=versions[0].title if versions else exercise.slug,
        versions=[VersionChoice(v.number, v.title, per_version.get(v.id, 0)) for v in versions],
        version=version,
        attempts=int(attempts),
        learners=int(learners),
        awaiting_review=int(awaiting),
        mean_score=float(mean) if mean is not None else None,
        first_tries=tally.first_tries,
        first_try_passes=tally.first_try_passes,
        parts=tally.parts(loaded),
    )


@dataclass
class _PartTally:
    attempts: int = 0
    right: int = 0
    score_sum: float = 0.0
    wrong: Counter[str] = field(default_factory=Counter)
    readable: bool = False


@dataclass
class _Tally:
    first_tries: int = 0
    first_try_passes: int = 0
    by_part: dict[str, _PartTally] = field(default_factory=dict)

    def parts(self, loaded: dict[int, LoadedExercise]) -> list[PartFigures]:
        labels = _labels(loaded)
        order = list(labels) + [name for name in self.by_part if name not in labels]
        return [
            PartFigures(
                name,
                labels.get(name, name),
                t.attempts,
                t.right,
                t.score_sum,
                [WrongAnswer(text, n) for text, n in _top(t.wrong)],
                t.readable,
            )
            for name in order
            if (t := self.by_part.get(name)) is not None
        ]


def _top(counter: Counter[str]) -> list[tuple[str, int]]:
    """The most frequent first; ties in alphabetical order, so the list is stable."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_WRONG]


def _labels(loaded: dict[int, LoadedExercise]) -> dict[str, str]:
    """Each part's label as its newest version names it, in that version's order."""
    labels: dict[str, str] = {}
    for version in sorted(loaded.values(), key=lambda item: -item.version.number):
        for name, spec in version.parts.items():
            labels.setdefault(name, spec.label)
    return labels


def _tally(db: Session, where: list[Any], loaded: dict[int, LoadedExercise]) -> _Tally:
    tally = _Tally()
    statement = (
        select(
            Attempt.exercise_version_id,
            Attempt.number,
            Attempt.status,
            Attempt.score,
            Attempt.review,
            Attempt.answer,
            Attempt.parts,
        )
        .where(*where)
        .execution_options(yield_per=STREAM_CHUNK)
    )
    for version_id, number, status, score, review, answer, parts in db.exec(statement):
        if status == AWAITING:
            if number == 1:
                tally.first_tries += 1
            continue
        exercise = loaded[version_id]
        if number == 1:
            tally.first_tries += 1
            tally.first_try_passes += _passes(exercise, status, score, review)
        for part in parts:
            _count_part(tally, exercise, part, answer)
    return tally


def _passes(exercise: LoadedExercise, status: str, score: float, review: Any) -> bool:
    if status == "reviewed":
        return bool(review and review.get("passed"))
    return score >= exercise.pass_mark - 1e-9


def _count_part(
    tally: _Tally, exercise: LoadedExercise, part: dict[str, Any], answer: dict[str, Any]
) -> None:
    name = str(part.get("name", ""))
    counted = tally.by_part.setdefault(name, _PartTally())
    score = float(part.get("score", 0.0))
    counted.attempts += 1
    counted.score_sum += score
    if score >= 1:
        counted.right += 1
        return
    given = answer_text(exercise, name, answer)
    if given is not None:
        counted.readable = True
        counted.wrong[given] += 1


def part_fields(name: str, answer: dict[str, Any]) -> list[str]:
    """The answer's fields that belong to part `name`: the field of that name, a quiz
    question's `q-name`, or numbered fields such as `fpy-1`, `fpy-2` for part `fpy`."""
    fields = [key for key in answer if key in (name, f"q-{name}") or key.startswith(f"{name}-")]
    return sorted(fields, key=_natural)


def _natural(text: str) -> list[Any]:
    return [int(piece) if piece.isdigit() else piece for piece in re.split(r"(\d+)", text)]


def answer_text(exercise: LoadedExercise, name: str, answer: dict[str, Any]) -> str | None:
    """What the learner gave for one part, normalised so equal answers read the same;
    None when no field of the answer belongs to the part."""
    fields = part_fields(name, answer)
    if not fields:
        return None
    choices = _quiz_options(exercise, name)
    shown = []
    for key in fields:
        values = answer[key] if isinstance(answer[key], list) else [answer[key]]
        texts = sorted(
            {_normalise(str(v), choices) for v in values if str(v).strip()}, key=_natural
        )
        text = " + ".join(texts) if texts else "(blank)"
        shown.append(text if len(fields) == 1 else f"{key}: {text}")
    return "; ".join(shown)[:MAX_SHOWN]


def _normalise(text: str, choices: list[str] | None) -> str:
    text = " ".join(text.split())
    if choices is not None and text.isdigit() and int(text) < len(choices):
        return choices[int(text)]
    try:
        return f"{parse_number(text, 'percent'):.10g}"
    except NumberFormatError:
        return text.casefold()


def _quiz_options(exercise: LoadedExercise, name: str) -> list[str] | None:
    """A choice question's option texts in their original order (what the form sends)."""
    if not isinstance(exercise.params, QuizParams):
        return None
    for question in exercise.params.questions:
        if question.id == name and question.type != "numeric":
            return [option.text for option in question.options]
    return None
