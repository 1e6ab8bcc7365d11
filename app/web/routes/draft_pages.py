"""The pages both editors show around a draft: its history, a diff between versions, and
the confirmations before a restore or a discard. Each editor's routes find the module or
exercise (checking the caller is on the course's staff), then hand it to these with the
drafts module that stores its kind (`module_drafts` or `exercise_drafts`)."""

from types import ModuleType

from fastapi import Request
from sqlmodel import Session
from starlette.responses import Response

from app.authoring.versions import versions_to_compare
from app.errors import NotFound
from app.models import Course, Exercise, Module
from app.web.rendering import render

Item = Module | Exercise


def history_page(
    request: Request, db: Session, drafts: ModuleType, course: Course, item: Item, editor_url: str
) -> Response:
    context = {
        "course": course,
        "versions": drafts.history(db, item),
        "draft": drafts.draft_of(db, item),
        "heading": item.slug,
        "editor_url": editor_url,
    }
    return render(request, "teach/history.html", context)


def diff_page(
    request: Request,
    db: Session,
    drafts: ModuleType,
    course: Course,
    item: Item,
    editor_url: str,
    versions: tuple[int | None, int | None],
) -> Response:
    old, new = versions_to_compare(*versions)
    context = {
        "course": course,
        "old": old,
        "new": new,
        "lines": drafts.diff(db, item, old, new),
        "editor_url": editor_url,
    }
    return render(request, "teach/diff.html", context)


def restore_page(
    request: Request,
    db: Session,
    drafts: ModuleType,
    course: Course,
    item: Item,
    editor_url: str,
    number: int,
) -> Response:
    drafts.version_of(db, item, number)  # a 404 for a version that does not exist
    context = {
        "course": course,
        "editor_url": editor_url,
        "draft": drafts.draft_of(db, item),
        "action": "restore",
        "number": number,
        "what": _what(item),
    }
    return render(request, "teach/confirm.html", context)


def discard_page(
    request: Request, db: Session, drafts: ModuleType, course: Course, item: Item, editor_url: str
) -> Response:
    draft = drafts.draft_of(db, item)
    if draft is None:
        raise NotFound("There is no draft to discard.")
    context = {
        "course": course,
        "editor_url": editor_url,
        "draft": draft,
        "action": "discard",
        "what": _what(item),
    }
    return render(request, "teach/confirm.html", context)


def _what(item: Item) -> str:
    return "module" if isinstance(item, Module) else "exercise"
