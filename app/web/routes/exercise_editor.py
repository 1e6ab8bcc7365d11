"""The exercise editor: a form generated from the kind's parameters, a preview of any
variant exactly as a learner sees it with the reference solution, the self-test, publishing,
and history with diffs and restore. Only the course's staff get here."""

import secrets
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.authoring import exercise_drafts as drafts
from app.authoring import staff
from app.authoring.module_drafts import DraftProblems
from app.authoring.param_form import ParamField
from app.content.sync import current_exercise_version
from app.deps import InstructorUser, RowId, SessionDep
from app.errors import InvalidInput, NotFound
from app.grading.kinds import KINDS
from app.models import Course, Exercise, User
from app.web.exercise_context import kind_context
from app.web.forms import FormFields
from app.web.rendering import DOWNLOAD_POLICY, render
from app.web.routes import draft_pages

router = APIRouter(prefix="/teach/{course_slug}/exercises")
Seed = Annotated[int | None, Query(ge=0, lt=2**31)]


def _exercise(db: Session, user: User, course_slug: str, slug: str) -> tuple[Course, Exercise]:
    course = staff.course_for_staff(db, user, course_slug)
    return course, drafts.exercise_of(db, course, slug)


def _editor_url(course: Course, exercise: Exercise) -> str:
    return f"/teach/{course.slug}/exercises/{exercise.slug}"


def _kind_choices() -> list[tuple[str, str]]:
    return sorted(((name, kind.title) for name, kind in KINDS.items()), key=lambda c: c[1])


@router.get("/new")
def new_exercise_page(
    request: Request, course_slug: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    context = {"course": course, "kinds": _kind_choices(), "errors": {}, "values": {}}
    return render(request, "teach/exercise_new.html", context)


@router.post("")
def create_exercise(
    request: Request, course_slug: str, form: FormFields, db: SessionDep, instructor: InstructorUser
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    values = {name: str(form.get(name, "")).strip() for name in ("slug", "title", "kind")}
    try:
        exercise = drafts.create_exercise(
            db, course, values["slug"], values["title"], values["kind"], instructor
        )
    except InvalidInput as invalid:
        context = {
            "course": course,
            "kinds": _kind_choices(),
            "errors": {invalid.field: invalid.detail},
            "values": values,
        }
        return render(request, "teach/exercise_new.html", context, status_code=422)
    db.commit()
    return RedirectResponse(_editor_url(course, exercise) + "/edit", status_code=303)


@router.get("/{slug}/edit")
def edit_page(
    request: Request,
    course_slug: str,
    slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    published: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    course, exercise = _exercise(db, instructor, course_slug, slug)
    return _render_editor(request, db, course, exercise, published=published)


def _render_editor(
    request: Request,
    db: Session,
    course: Course,
    exercise: Exercise,
    *,
    form: drafts.ExerciseForm | None = None,
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    published: int | None = None,
    status_code: int = 200,
) -> Response:
    draft = drafts.shown(db, exercise)
    fields = drafts.fields_for(draft)
    if form is not None and form.params:  # show what was typed, not what was stored
        fields = [_retyped(field, form.params) for field in fields]
    context = {
        "course": course,
        "exercise": exercise,
        "draft": draft if draft.id is not None else None,
        "version": current_exercise_version(db, exercise.id),
        "kind": KINDS[draft.kind],
        "form": form or drafts.form_of(draft),
        "fields": fields,
        "errors": errors or {},
        "problems": problems or [],
        "published": published,
        "editor_url": _editor_url(course, exercise),
    }
    return render(request, "teach/exercise_edit.html", context, status_code=status_code)


def _retyped(field: ParamField, typed: dict[str, object]) -> ParamField:
    value: object
    if field.widget == "range":
        value = (typed.get(f"{field.control}.min", ""), typed.get(f"{field.control}.max", ""))
    elif field.widget == "tick":
        value = field.control in typed
    else:
        value = typed.get(field.control, "")
    return replace(field, value=value)


def _read_form(form: FormFields) -> drafts.ExerciseForm:
    def text(name: str) -> str:
        return str(form.get(name, ""))

    return drafts.ExerciseForm(
        title=text("title"),
        attempts=text("attempts"),
        pass_mark=text("pass_mark"),
        review=text("review"),
        parts=text("parts"),
        cases=text("cases"),
        prompt=text("prompt"),
        solution=text("solution"),
        params={key: str(value) for key, value in form.items() if key.startswith("p.")},
    )


@router.post("/{slug}/draft")
def save_draft(
    request: Request,
    course_slug: str,
    slug: str,
    form: FormFields,
    db: SessionDep,
    instructor: InstructorUser,
) -> Response:
    return _save(request, db, instructor, (course_slug, slug), form, publish=False)


@router.post("/{slug}/publish")
def publish(
    request: Request,
    course_slug: str,
    slug: str,
    form: FormFields,
    db: SessionDep,
    instructor: InstructorUser,
) -> Response:
    return _save(request, db, instructor, (course_slug, slug), form, publish=True)


def _save(
    request: Request,
    db: Session,
    user: User,
    where: tuple[str, str],
    form: FormFields,
    *,
    publish: bool,
) -> Response:
    """Save the form as the draft and, when publishing, check, self-test and publish it in
    the same transaction: all or nothing. Problems come back inline with what was typed."""
    course, exercise = _exercise(db, user, *where)
    entered = _read_form(form)
    try:
        drafts.save_draft(db, exercise, drafts.open_draft(db, exercise), entered, user)
        version = drafts.publish(db, exercise, user) if publish else None
    except InvalidInput as invalid:
        db.rollback()
        errors = {invalid.field or "form": invalid.detail}
        return _render_editor(
            request, db, course, exercise, form=entered, errors=errors, status_code=422
        )
    except DraftProblems as failed:
        db.rollback()
        return _render_editor(
            request, db, course, exercise, form=entered, problems=failed.problems, status_code=422
        )
    db.commit()
    done = f"/edit?published={version.number}" if version else "/edit"
    return RedirectResponse(_editor_url(course, exercise) + done, status_code=303)


@router.get("/{slug}/preview")
def preview_page(
    request: Request,
    course_slug: str,
    slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    seed: Seed = None,
    answer: Annotated[str, Query(pattern="^(reference)?$")] = "",
) -> Response:
    """One variant as the learner sees it (a random one unless a seed is given), with the
    reference answer filled in on request and the worked solution below."""
    course, exercise = _exercise(db, instructor, course_slug, slug)
    draft = drafts.shown(db, exercise)
    seed = secrets.randbelow(2**31) if seed is None else seed
    try:
        loaded = drafts.loaded_for_preview(exercise, draft)
    except DraftProblems as failed:
        return _render_editor(
            request, db, course, exercise, problems=failed.problems, status_code=422
        )
    variant = loaded.variant(seed)
    entered = {}
    if answer == "reference":
        entered = loaded.kind.to_form(
            loaded.params, variant, loaded.kind.solve(loaded.params, variant)
        )
    data_url = f"{_editor_url(course, exercise)}/preview-data.csv?seed={seed}"
    context = {
        "course": course,
        "exercise": exercise,
        "editor_url": _editor_url(course, exercise),
        "from_draft": draft.id is not None,
        "seed": seed,
        "showing_reference": answer == "reference",
        "ex": kind_context(loaded, variant, entered, {}, data_url),
        "solution_html": loaded.solution_html(variant),
    }
    return render(request, "teach/exercise_preview.html", context)


@router.get("/{slug}/preview-data.csv")
def preview_data(
    course_slug: str, slug: str, db: SessionDep, instructor: InstructorUser, seed: Seed = None
) -> Response:
    _, exercise = _exercise(db, instructor, course_slug, slug)
    loaded = drafts.loaded_for_preview(exercise, drafts.shown(db, exercise))
    text = loaded.kind.data_csv(loaded.params, loaded.variant(seed or 0))
    if text is None:
        raise NotFound("This exercise has no data set to download.")
    headers = {
        "content-disposition": f'attachment; filename="{exercise.slug}-{seed or 0}.csv"',
        "content-security-policy": DOWNLOAD_POLICY,
    }
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/{slug}/self-test")
def self_test_page(
    request: Request, course_slug: str, slug: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course, exercise = _exercise(db, instructor, course_slug, slug)
    draft = drafts.shown(db, exercise)
    try:
        report = drafts.run_self_test(drafts.check(exercise, draft))
        problems: list[str] = []
    except DraftProblems as failed:
        report, problems = None, failed.problems
    context = {
        "course": course,
        "exercise": exercise,
        "editor_url": _editor_url(course, exercise),
        "from_draft": draft.id is not None,
        "report": report,
        "problems": problems,
    }
    return render(request, "teach/exercise_self_test.html", context)


@router.get("/{slug}/discard")
def discard_page(
    request: Request, course_slug: str, slug: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course, exercise = _exercise(db, instructor, course_slug, slug)
    url = _editor_url(course, exercise)
    return draft_pages.discard_page(request, db, drafts, course, exercise, url)


@router.post("/{slug}/discard")
def discard(course_slug: str, slug: str, db: SessionDep, instructor: InstructorUser) -> Response:
    course, exercise = _exercise(db, instructor, course_slug, slug)
    drafts.discard(db, exercise, instructor)
    db.commit()
    return RedirectResponse(_editor_url(course, exercise) + "/edit", status_code=303)


@router.get("/{slug}/history")
def history_page(
    request: Request, course_slug: str, slug: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course, exercise = _exercise(db, instructor, course_slug, slug)
    url = _editor_url(course, exercise)
    return draft_pages.history_page(request, db, drafts, course, exercise, url)


@router.get("/{slug}/diff")
def diff_page(
    request: Request,
    course_slug: str,
    slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    old: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    new: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    course, exercise = _exercise(db, instructor, course_slug, slug)
    url = _editor_url(course, exercise)
    return draft_pages.diff_page(request, db, drafts, course, exercise, url, (old, new))


@router.get("/{slug}/versions/{number}/restore")
def restore_page(
    request: Request,
    course_slug: str,
    slug: str,
    number: RowId,
    db: SessionDep,
    instructor: InstructorUser,
) -> Response:
    course, exercise = _exercise(db, instructor, course_slug, slug)
    url = _editor_url(course, exercise)
    return draft_pages.restore_page(request, db, drafts, course, exercise, url, number)


@router.post("/{slug}/versions/{number}/restore")
def restore(
    course_slug: str, slug: str, number: RowId, db: SessionDep, instructor: InstructorUser
) -> Response:
    course, exercise = _exercise(db, instructor, course_slug, slug)
    drafts.restore(db, exercise, number, instructor)
    db.commit()
    return RedirectResponse(_editor_url(course, exercise) + "/edit", status_code=303)
