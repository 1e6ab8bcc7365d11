"""Re-grading an exercise's stored attempts after it was corrected: the dry run (GET) and
applying it (POST), for the staff of the exercise's course."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.authoring import regrade, staff
from app.deps import InstructorUser, SessionDep
from app.errors import InvalidInput
from app.web.rendering import render

router = APIRouter(prefix="/teach")
PER_PAGE = 50
Flag = Annotated[str, Query(max_length=3)]
FormFlag = Annotated[str, Form(max_length=3)]


@router.get("/{course_slug}/exercises/{exercise_slug}/regrade")
def dry_run_page(
    request: Request,
    course_slug: str,
    exercise_slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    all: Flag = "",
    lower: Flag = "",
    applied: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    exercise = regrade.exercise_of_course(db, course, exercise_slug)
    plan = regrade.plan_regrade(
        db, exercise, allow_lower=lower == "yes", include_current=all == "yes"
    )
    listed = plan.listed
    pages = max(1, -(-len(listed) // PER_PAGE))
    context = {
        "course": course,
        "plan": plan,
        "counts": plan.counts,
        "lines": listed[(page - 1) * PER_PAGE : page * PER_PAGE],
        "page": page,
        "pages": pages,
        "applied": applied,
    }
    return render(request, "teach/regrade.html", context)


@router.post("/{course_slug}/exercises/{exercise_slug}/regrade")
def apply(
    course_slug: str,
    exercise_slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    version_id: Annotated[int | None, Form(ge=1, le=2_147_483_647)] = None,
    all: FormFlag = "",
    lower: FormFlag = "",
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    exercise = regrade.exercise_of_course(db, course, exercise_slug)
    if version_id is None:
        raise InvalidInput("Apply the re-grade from its dry-run page.", field="version_id")
    plan = regrade.plan_regrade(
        db, exercise, allow_lower=lower == "yes", include_current=all == "yes"
    )
    done = regrade.apply_regrade(db, plan, instructor, version_id)
    db.commit()
    options = "".join(
        f"&{name}=yes" for name, on in (("all", all), ("lower", lower)) if on == "yes"
    )
    target = f"/teach/{course.slug}/exercises/{exercise.slug}/regrade?applied={done.up + done.down}"
    return RedirectResponse(target + options, status_code=303)
