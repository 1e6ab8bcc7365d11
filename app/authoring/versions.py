"""The published versions of a module or an exercise: finding one, listing them for the
history page, and comparing two line by line."""

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.models import ExerciseVersion, ModuleVersion, User

Version = ModuleVersion | ExerciseVersion

CONTEXT_LINES = 3


def version_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The changed lines with a little context, each tagged `add`, `del`, `hunk` or `same`;
    empty when the texts are equal."""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), lineterm="", n=CONTEXT_LINES
    )
    tagged = []
    for line in list(lines)[2:]:  # the first two lines name the files
        if line.startswith("@@"):
            tagged.append(("hunk", line))
        elif line.startswith("+"):
            tagged.append(("add", line[1:]))
        elif line.startswith("-"):
            tagged.append(("del", line[1:]))
        else:
            tagged.append(("same", line[1:]))
    return tagged


def versions_to_compare(old: int | None, new: int | None) -> tuple[int, int]:
    """The two version numbers a diff page was asked for. Checked after the module or
    exercise is found, so an unknown one answers 404 whatever the query says."""
    if old is None or new is None:
        field = "old" if old is None else "new"
        raise InvalidInput("Choose the two versions to compare.", field=field)
    return old, new


def _owner_column(model: type[Version]) -> Any:
    return ModuleVersion.module_id if model is ModuleVersion else ExerciseVersion.exercise_id


def version_of(db: Session, model: type[Version], owner_id: Any, number: int) -> Version:
    """Version `number` of the module or exercise `owner_id`, or a 404."""
    version = db.exec(
        select(model).where(_owner_column(model) == owner_id, col(model.number) == number)
    ).first()
    if version is None:
        what = "module" if model is ModuleVersion else "exercise"
        raise NotFound(f"This {what} has no version {number}.")
    return version


@dataclass(frozen=True)
class VersionLine:
    number: int
    created_at: datetime
    origin: str
    author: str | None
    title: str
    word_count: int | None  # modules only


def history(db: Session, model: type[Version], owner_id: Any) -> list[VersionLine]:
    """Every version, newest first, with who published it."""
    rows = db.exec(
        select(model, User.name)
        .outerjoin(User, col(User.id) == model.author_id)
        .where(_owner_column(model) == owner_id)
        .order_by(col(model.number).desc())
    ).all()
    return [
        VersionLine(v.number, v.created_at, v.origin, name, v.title, getattr(v, "word_count", None))
        for v, name in rows
    ]
