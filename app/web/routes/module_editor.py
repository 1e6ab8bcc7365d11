"""The module editor: a draft's fields and text with a live preview, its images, publishing,
and the module's history with diffs and restore. Only the course's staff get here."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, col, select
from starlette.responses import Response

from app.authoring import module_drafts as drafts
from app.authoring import staff
from app.content.figures import MAX_BYTES
from app.content.sync import current_version
from app.deps import InstructorUser, RowId, SessionDep
from app.errors import InvalidInput
from app.models import Course, Exercise, Module, User
from app.web.forms import FormFields
from app.web.rendering import render
from app.web.routes import draft_pages

router = APIRouter(prefix="/teach/{course_slug}/modules")


def _module(db: Session, user: User, course_slug: str, module_slug: str) -> tuple[Course, Module]:
    course = staff.course_for_staff(db, user, course_slug)
    return course, drafts.module_of(db, course, module_slug)


def _editor_url(course: Course, module: Module) -> str:
    return f"/teach/{course.slug}/modules/{module.slug}"


@router.get("/new")
def new_module_page(
    request: Request, course_slug: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    return render(request, "teach/module_new.html", {"course": course, "errors": {}, "values": {}})


@router.post("")
def create_module(
    request: Request,
    course_slug: str,
    form: FormFields,
    db: SessionDep,
    instructor: InstructorUser,
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    values = {"slug": str(form.get("slug", "")).strip(), "title": str(form.get("title", ""))}
    try:
        module = drafts.create_module(db, course, values["slug"], values["title"], instructor)
    except InvalidInput as invalid:
        context = {"course": course, "errors": {invalid.field: invalid.detail}, "values": values}
        return render(request, "teach/module_new.html", context, status_code=422)
    db.commit()
    return RedirectResponse(_editor_url(course, module) + "/edit", status_code=303)


@router.get("/{module_slug}/edit")
def edit_page(
    request: Request,
    course_slug: str,
    module_slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    published: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    course, module = _module(db, instructor, course_slug, module_slug)
    return _render_editor(request, db, course, module, published=published)


def _render_editor(
    request: Request,
    db: Session,
    course: Course,
    module: Module,
    *,
    form: drafts.DraftForm | None = None,
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    published: int | None = None,
    status_code: int = 200,
) -> Response:
    """The editor shows the draft if there is one, else the published version; nothing is
    written until the instructor saves."""
    draft = drafts.draft_of(db, module)
    version = current_version(db, module)
    shown = draft or version
    if form is None:
        assert shown is not None  # a module always has a draft or a version
        form = drafts.DraftForm(
            title=shown.title,
            minutes=str(shown.minutes),
            objectives="\n".join(shown.objectives),
            exercises=list(shown.exercise_slugs),
            body=shown.body_markdown,
        )
    context = {
        "course": course,
        "module": module,
        "draft": draft,
        "version": version,
        "form": form,
        "choices": _exercise_choices(db, course, form.exercises),
        "figures": drafts.draft_figures(db, module) if draft else [],
        "preview": drafts.preview_html(db, course, module, form.body),
        "errors": errors or {},
        "problems": problems or [],
        "published": published,
        "editor_url": _editor_url(course, module),
        "max_megabytes": MAX_BYTES // (1024 * 1024),
    }
    return render(request, "teach/module_edit.html", context, status_code=status_code)


def _exercise_choices(db: Session, course: Course, chosen: list[str]) -> list[tuple[str, str]]:
    """The exercises to pick from: the chosen ones in their order, then the course's others."""
    own = db.exec(
        select(Exercise.slug)
        .where(col(Exercise.is_published), Exercise.course_id == course.id)
        .order_by(col(Exercise.slug))
    ).all()
    ordered = list(chosen) + [slug for slug in own if slug not in chosen]
    return [(slug, slug) for slug in ordered]


def _read_form(form: FormFields) -> drafts.DraftForm:
    return drafts.DraftForm(
        title=str(form.get("title", "")),
        minutes=str(form.get("minutes", "")),
        objectives=str(form.get("objectives", "")),
        exercises=[str(v) for v in form.getlist("exercises")],
        body=str(form.get("body", "")),
    )


@router.post("/{module_slug}/draft")
def save_draft(
    request: Request,
    course_slug: str,
    module_slug: str,
    form: FormFields,
    db: SessionDep,
    instructor: InstructorUser,
) -> Response:
    return _save(request, db, instructor, (course_slug, module_slug), form, publish=False)


@router.post("/{module_slug}/publish")
def publish(
    request: Request,
    course_slug: str,
    module_slug: str,
    form: FormFields,
    db: SessionDep,
    instructor: InstructorUser,
) -> Response:
    return _save(request, db, instructor, (course_slug, module_slug), form, publish=True)


def _save(
    request: Request,
    db: Session,
    user: User,
    where: tuple[str, str],
    form: FormFields,
    *,
    publish: bool,
) -> Response:
    """Save what the form holds as the draft and, when publishing, publish it in the same
    transaction: all or nothing. Problems come back inline with what was typed."""
    course, module = _module(db, user, *where)
    entered = _read_form(form)
    try:
        drafts.save_draft(db, module, drafts.open_draft(db, module, user), entered, user)
        version = drafts.publish(db, course, module, user) if publish else None
    except InvalidInput as invalid:
        db.rollback()
        errors = {invalid.field or "form": invalid.detail}
        return _render_editor(
            request, db, course, module, form=entered, errors=errors, status_code=422
        )
    except drafts.DraftProblems as failed:
        db.rollback()
        return _render_editor(
            request, db, course, module, form=entered, problems=failed.problems, status_code=422
        )
    db.commit()
    done = f"/edit?published={version.number}" if version else "/edit"
    return RedirectResponse(_editor_url(course, module) + done, status_code=303)


@router.post("/{module_slug}/preview")
def preview(
    course_slug: str,
    module_slug: str,
    form: FormFields,
    db: SessionDep,
    instructor: InstructorUser,
) -> Response:
    """The live preview (htmx): the text rendered exactly as learners will see it."""
    course, module = _module(db, instructor, course_slug, module_slug)
    return HTMLResponse(drafts.preview_html(db, course, module, str(form.get("body", ""))))


@router.post("/{module_slug}/figures")
async def upload_figure(
    request: Request,
    course_slug: str,
    module_slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    figure: UploadFile | None = None,
) -> Response:
    course, module = _module(db, instructor, course_slug, module_slug)
    data = await figure.read(MAX_BYTES + 1) if figure else b""
    try:
        if figure is None:
            raise InvalidInput("Choose an image to upload.", field="figure")
        drafts.open_draft(db, module, instructor)
        drafts.add_figure(db, module, figure.filename or "", data)
    except InvalidInput as invalid:
        db.rollback()
        return _render_editor(
            request, db, course, module, errors={"figure": invalid.detail}, status_code=422
        )
    db.commit()
    return RedirectResponse(_editor_url(course, module) + "/edit#figures", status_code=303)


@router.post("/{module_slug}/figures/{name}/delete")
def delete_figure(
    course_slug: str, module_slug: str, name: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course, module = _module(db, instructor, course_slug, module_slug)
    drafts.remove_figure(db, module, name)
    db.commit()
    return RedirectResponse(_editor_url(course, module) + "/edit#figures", status_code=303)


@router.get("/{module_slug}/draft-figures/{name}")
def draft_figure(
    course_slug: str, module_slug: str, name: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    _, module = _module(db, instructor, course_slug, module_slug)
    image = drafts.draft_figure(db, module, name)
    headers = {
        "cache-control": "private, no-store",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    return Response(image.data, media_type=image.media_type, headers=headers)


@router.get("/{module_slug}/discard")
def discard_page(
    request: Request, course_slug: str, module_slug: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course, module = _module(db, instructor, course_slug, module_slug)
    url = _editor_url(course, module)
    return draft_pages.discard_page(request, db, drafts, course, module, url)


@router.post("/{module_slug}/discard")
def discard(
    request: Request, course_slug: str, module_slug: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course, module = _module(db, instructor, course_slug, module_slug)
    drafts.discard(db, module, instructor)
    db.commit()
    return RedirectResponse(_editor_url(course, module) + "/edit", status_code=303)


@router.get("/{module_slug}/history")
def history_page(
    request: Request, course_slug: str, module_slug: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course, module = _module(db, instructor, course_slug, module_slug)
    url = _editor_url(course, module)
    return draft_pages.history_page(request, db, drafts, course, module, url)


@router.get("/{module_slug}/diff")
def diff_page(
    request: Request,
    course_slug: str,
    module_slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    old: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    new: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    course, module = _module(db, instructor, course_slug, module_slug)
    url = _editor_url(course, module)
    return draft_pages.diff_page(request, db, drafts, course, module, url, (old, new))


@router.get("/{module_slug}/versions/{number}/restore")
def restore_page(
    request: Request,
    course_slug: str,
    module_slug: str,
    number: RowId,
    db: SessionDep,
    instructor: InstructorUser,
) -> Response:
    course, module = _module(db, instructor, course_slug, module_slug)
    url = _editor_url(course, module)
    return draft_pages.restore_page(request, db, drafts, course, module, url, number)


@router.post("/{module_slug}/versions/{number}/restore")
def restore(
    course_slug: str, module_slug: str, number: RowId, db: SessionDep, instructor: InstructorUser
) -> Response:
    course, module = _module(db, instructor, course_slug, module_slug)
    drafts.restore(db, module, number, instructor)
    db.commit()
    return RedirectResponse(_editor_url(course, module) + "/edit", status_code=303)
