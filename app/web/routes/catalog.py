"""The catalogue, course pages and module pages."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.certification import service as certification
from app.deps import CurrentUser, OptionalUser, RowId, SessionDep
from app.learning import attempts, exams, service
from app.models import Course, Module, ModuleVersion
from app.org import assignments
from app.reporting.figures import DUE_LABELS
from app.web.exercise_context import exercise_context
from app.web.rendering import is_htmx, render

router = APIRouter()


@router.get("/")
def catalogue(request: Request, db: SessionDep, user: OptionalUser) -> Response:
    courses = service.list_courses(db, user)
    assigned = assignments.my_assignments(db, user) if user else []
    context = {"courses": courses, "assigned": assigned, "due_labels": DUE_LABELS}
    return render(request, "catalog/index.html", context)


@router.get("/courses/{slug}")
def course_page(request: Request, slug: str, db: SessionDep, user: OptionalUser) -> Response:
    course = service.get_course(db, slug)
    outline = service.course_outline(db, course, user)
    enrolled = user is not None and service.is_enrolled(db, user, course)
    progress = service.course_progress(course, outline, enrolled)
    held = (
        [c for c in certification.certificates_of(db, user) if c.course_id == course.id]
        if user
        else []
    )
    context = {
        "certificate": held[0] if held else None,
        "course": course,
        "outline": outline,
        "progress": progress,
        "exam": exams.course_exam(db, course),
    }
    return render(request, "catalog/course.html", context)


@router.post("/courses/{slug}/enrol")
def enrol(slug: str, db: SessionDep, user: CurrentUser) -> Response:
    course = service.get_course(db, slug)
    service.enrol(db, user, course)
    db.commit()
    return RedirectResponse(f"/courses/{course.slug}", status_code=303)


@router.get("/courses/{slug}/{module_slug}")
def module_page(
    request: Request, slug: str, module_slug: str, db: SessionDep, user: CurrentUser
) -> Response:
    page = service.module_page(db, slug, module_slug, user)
    context = _module_context(page.course, page.module, page.version, page.outline)
    context["body_html"] = page.body_html
    context["exercises"] = [
        exercise_context(state)
        for state in attempts.page_exercise_states(db, user, page.version.exercise_slugs)
    ]
    return render(request, "catalog/module.html", context)


@router.post("/courses/{slug}/{module_slug}/read")
def mark_read(
    request: Request, slug: str, module_slug: str, db: SessionDep, user: CurrentUser
) -> Response:
    course = service.get_course(db, slug)
    module, version = service.get_module(db, course, module_slug)
    service.mark_read(db, user, course, module, version)
    certification.award_if_earned(db, user, course)
    # Read before the commit, as an exercise's answer is (ADR 0020).
    outline = service.course_outline(db, course, user) if is_htmx(request) else None
    db.commit()
    if outline is None:
        return RedirectResponse(f"/courses/{course.slug}/{module.slug}", status_code=303)
    context = _module_context(course, module, version, outline)
    return render(request, "_partials/read_status.html", context)


def _module_context(
    course: Course, module: Module, version: ModuleVersion, outline: list[service.ModuleLine]
) -> dict[str, object]:
    position = next(i for i, line in enumerate(outline) if line.module.id == module.id)
    return {
        "course": course,
        "module": module,
        "version": version,
        "is_read": outline[position].is_read,
        "progress": service.course_progress(course, outline, enrolled=True),
        "previous": outline[position - 1] if position > 0 else None,
        "next": outline[position + 1] if position + 1 < len(outline) else None,
    }


@router.get("/figures/{module_id}/{version_number}/{name}")
def figure(
    module_id: uuid.UUID, version_number: RowId, name: str, db: SessionDep, user: CurrentUser
) -> Response:
    """A module's figure, for signed-in readers like the module itself."""
    image = service.get_figure(db, module_id, version_number, name)
    headers = {
        "cache-control": "private, max-age=31536000, immutable",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    return Response(image.data, media_type=image.media_type, headers=headers)
