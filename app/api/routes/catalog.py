"""Courses and modules as JSON."""

import uuid

from fastapi import APIRouter

from app.api.schemas import CourseDetail, CourseSummary, ErrorOut, ModuleDetail, ModuleSummary
from app.deps import CurrentUser, OptionalUser, SessionDep
from app.learning import service
from app.learning.service import CourseProgress

router = APIRouter(tags=["catalogue"], responses={404: {"model": ErrorOut}})


def _summary(progress: CourseProgress) -> dict[str, object]:
    course = progress.course
    return {
        "id": course.id,
        "slug": course.slug,
        "title": course.title,
        "belt": course.belt,
        "summary": course.summary,
        "modules_total": progress.modules_total,
        "modules_read": progress.modules_read,
        "enrolled": progress.enrolled,
    }


@router.get("/courses", response_model=list[CourseSummary])
def list_courses(db: SessionDep, user: OptionalUser) -> list[dict[str, object]]:
    """Published courses, with the caller's progress when signed in."""
    return [_summary(p) for p in service.list_courses(db, user)]


@router.get("/courses/{slug}", response_model=CourseDetail)
def get_course(slug: str, db: SessionDep, user: OptionalUser) -> dict[str, object]:
    """One course with its modules in order."""
    course = service.get_course(db, slug)
    outline = service.course_outline(db, course, user)
    enrolled = user is not None and service.is_enrolled(db, user, course)
    modules = [
        ModuleSummary(
            id=line.module.id,
            slug=line.module.slug,
            title=line.version.title,
            minutes=line.version.minutes,
            is_read=line.is_read,
        )
        for line in outline
    ]
    return {**_summary(service.course_progress(course, outline, enrolled)), "modules": modules}


@router.get(
    "/modules/{module_id}", response_model=ModuleDetail, responses={401: {"model": ErrorOut}}
)
def get_module(module_id: uuid.UUID, db: SessionDep, user: CurrentUser) -> ModuleDetail:
    """A module's current version: metadata and its rendered, sanitised HTML."""
    course, module, version = service.get_module_by_id(db, module_id)
    return ModuleDetail(
        id=module.id,
        course_slug=course.slug,
        slug=module.slug,
        title=version.title,
        minutes=version.minutes,
        objectives=version.objectives,
        exercises=version.exercise_slugs,
        version=version.number,
        word_count=version.word_count,
        html=version.body_html,
        is_read=service.has_read(db, user, module),
    )
