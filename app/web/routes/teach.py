"""The instructors' area: the courses they teach, and each course's teaching page."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.authoring import outline, staff
from app.deps import InstructorUser, SessionDep
from app.web.rendering import render

router = APIRouter(prefix="/teach")


@router.get("")
def courses_page(request: Request, db: SessionDep, instructor: InstructorUser) -> Response:
    courses = staff.staffed_courses(db, instructor)
    return render(request, "teach/index.html", {"courses": courses})


@router.get("/{course_slug}")
def course_page(
    request: Request, course_slug: str, db: SessionDep, instructor: InstructorUser
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    context = {
        "course": course,
        "modules": outline.module_statuses(db, course),
        "exercises": outline.exercise_statuses(db, course),
        "staff": staff.staff_of(db, course.id),
    }
    return render(request, "teach/course.html", context)
