"""Find work published in the browser that a sync would overwrite, before it writes.

For each module and exercise, F is the files' content hash now, L the latest version and S
the hash the files had at the last sync (`synced_hash`):

- L matches F: nothing to do.
- L matches S, or L came from the files: only the files changed; a plain update.
- L was published in the browser and differs from S (the browser changed it since the last
  sync): if F == S (the files did not change), the browser's version is kept, and the item
  is reported so someone exports it; if F != S (both sides changed), it is a conflict. One
  conflict stops the whole sync before anything is written.

An item missing from the files is judged the same way: one created in the browser and never
synced is kept; one edited in the browser and removed from the files is a conflict. A
pending draft never blocks a sync: when the files bring a new version of an item with a
draft, the sync goes ahead and warns that the draft started from an older version.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from app.content.loader import LoadedContent
from app.models import (
    Course,
    Exercise,
    ExerciseDraft,
    ExerciseVersion,
    Module,
    ModuleDraft,
    ModuleVersion,
    User,
)

Version = ModuleVersion | ExerciseVersion


@dataclass(frozen=True)
class BrowserEdit:
    """A module or exercise whose newest versions were published in the browser."""

    label: str  # "module yellow-belt/takt-time" or "exercise yb-takt-bakery"
    path: str  # where it lives in the files
    situation: str  # what happened on each side
    versions: tuple[str, ...]  # "version 4 by Ines Ibarra on 2026-11-20 14:03 UTC"

    def describe(self) -> str:
        published = "; ".join(self.versions) or "no version recorded"
        return f"{self.label} ({self.path}): {self.situation}; in the browser: {published}"


@dataclass
class BrowserWork:
    conflicts: list[BrowserEdit] = field(default_factory=list)
    kept: list[BrowserEdit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Items whose browser versions the sync leaves alone (no new version, not unpublished).
    keep_ids: set[uuid.UUID] = field(default_factory=set)


EDITED = "edited in the browser since the last sync, files unchanged"
BOTH = "changed in the files and in the browser since the last sync"
CREATED = "created in the browser, not in the files yet"
REMOVED = "removed from the files, but edited in the browser since the last sync"


def find_browser_work(session: Session, content: LoadedContent) -> BrowserWork:
    """What the sync of `content` would do to work done in the browser; writes nothing."""
    judge = _Judge(session)
    seen_modules: set[uuid.UUID] = set()
    for course in content.courses:
        for source in course.modules:
            seen_modules.add(source.meta.id)
            if module := session.get(Module, source.meta.id):
                label = f"module {course.slug}/{source.slug}"
                where = str(source.folder / "index.md")
                judge(module, source.content_hash, label, where)
    for source in content.exercises.values():
        if exercise := session.get(Exercise, source.meta.id):
            judge(exercise, source.content_hash, f"exercise {source.slug}", str(source.folder))
    if content.problems:  # nothing is unpublished then, so nothing missing is at risk
        return judge.work
    for module in session.exec(select(Module).where(col(Module.is_published))):
        if module.id not in seen_modules:
            course = session.get(Course, module.course_id)
            course_slug = course.slug if course else str(module.course_id)
            where = f"courses/{course_slug}/{module.folder or module.slug}/index.md"
            judge(module, None, f"module {course_slug}/{module.slug}", where)
    exercise_ids = {source.meta.id for source in content.exercises.values()}
    for exercise in session.exec(select(Exercise).where(col(Exercise.is_published))):
        if exercise.id not in exercise_ids:
            judge(exercise, None, f"exercise {exercise.slug}", f"exercises/{exercise.slug}")
    return judge.work


class _Judge:
    """Sorts items into unchanged, kept, conflict or plain update, collecting the work."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.work = BrowserWork()
        self.authors = _Authors(session)
        self.newest = _newest_versions(session)

    def __call__(
        self, item: Module | Exercise, files_hash: str | None, label: str, where: str
    ) -> None:
        """Judge one item; `files_hash` None means it is missing from the files and would
        be unpublished."""
        latest_hash, latest_origin = self.newest.get(item.id, (None, None))
        if latest_hash is not None and latest_hash == files_hash:
            return
        synced = item.synced_hash
        # Published in the browser since the last sync: the newest version is not what the
        # files held then (a browser version exported and synced since counts as the files').
        if latest_origin == "browser" and latest_hash != synced:
            if files_hash is None:
                situation = REMOVED if synced else CREATED
            else:
                situation = EDITED if files_hash == synced else BOTH
            versions = _since_sync(_versions(self.session, item), synced, self.authors)
            edit = BrowserEdit(label, where, situation, versions)
            if situation in (EDITED, CREATED):
                self.work.kept.append(edit)
                self.work.keep_ids.add(item.id)
            else:
                self.work.conflicts.append(edit)
        elif files_hash is not None and (draft := _draft(self.session, item)) is not None:
            who = self.authors.name(draft.updated_by_id)
            since = f"version {draft.based_on}" if draft.based_on else "scratch"
            self.work.warnings.append(
                f"{label} ({where}): the files bring a new version, but a draft by {who} "
                f"(saved {_when(draft.updated_at)}) started from {since}; "
                "check the draft before publishing it, or it will replace the files' change"
            )


def _newest_versions(session: Session) -> dict[uuid.UUID, tuple[str, str]]:
    """The content hash and origin of each module's and exercise's newest version, read
    in two queries of a few narrow columns (uuids never repeat between the two)."""
    newest: dict[uuid.UUID, tuple[int, str, str]] = {}
    queries = (
        select(
            ModuleVersion.module_id,
            ModuleVersion.number,
            ModuleVersion.content_hash,
            ModuleVersion.origin,
        ),
        select(
            ExerciseVersion.exercise_id,
            ExerciseVersion.number,
            ExerciseVersion.content_hash,
            ExerciseVersion.origin,
        ),
    )
    for query in queries:
        rows = session.exec(query)
        for item_id, number, content_hash, origin in rows:
            if item_id not in newest or number > newest[item_id][0]:
                newest[item_id] = (number, content_hash, origin)
    return {item_id: (digest, origin) for item_id, (_, digest, origin) in newest.items()}


def _versions(session: Session, item: Module | Exercise) -> list[Version]:
    if isinstance(item, Module):
        return list(
            session.exec(
                select(ModuleVersion)
                .where(ModuleVersion.module_id == item.id)
                .order_by(col(ModuleVersion.number))
            )
        )
    return list(
        session.exec(
            select(ExerciseVersion)
            .where(ExerciseVersion.exercise_id == item.id)
            .order_by(col(ExerciseVersion.number))
        )
    )


def _draft(session: Session, item: Module | Exercise) -> ModuleDraft | ExerciseDraft | None:
    if isinstance(item, Module):
        return session.exec(select(ModuleDraft).where(ModuleDraft.module_id == item.id)).first()
    return session.exec(select(ExerciseDraft).where(ExerciseDraft.exercise_id == item.id)).first()


def _since_sync(versions: list[Version], synced: str, authors: "_Authors") -> tuple[str, ...]:
    """The browser's versions newer than the last one the files held."""
    last_synced = max((v.number for v in versions if v.content_hash == synced), default=0)
    return tuple(
        f"version {v.number} by {authors.name(v.author_id)} on {_when(v.created_at)}"
        for v in versions
        if v.number > last_synced and v.origin == "browser"
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class _Authors:
    """Names of the people who published, looked up once each."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._names: dict[int, str] = {}

    def name(self, user_id: int | None) -> str:
        if user_id is None:
            return "an unknown author"
        if user_id not in self._names:
            user = self._session.get(User, user_id)
            self._names[user_id] = f"{user.name} <{user.email}>" if user else f"user {user_id}"
        return self._names[user_id]
