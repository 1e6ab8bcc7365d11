"""The instructors' review queue, across their courses or for one, and the review of one
attempt. Instructors see only the courses they are staff of; admins see every course."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.authoring import staff
from app.deps import InstructorUser, SessionDep
from app.errors import InvalidInput
from app.learning import reviews
from app.models import Course, Role, User
from app.web.forms import FormFields
from app.web.rendering import render

router = APIRouter()
PER_PAGE = 50
Page = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/review")
def queue_page(
    request: Request,
    db: SessionDep,
    reviewer: InstructorUser,
    page: Page = 1,
    course: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    chosen = staff.course_for_staff(db, reviewer, course) if course else None
    return _queue(request, db, reviewer, page, chosen, filtered=True)


@router.get("/teach/{course_slug}/review")
def course_queue_page(
    request: Request, course_slug: str, db: SessionDep, reviewer: InstructorUser, page: Page = 1
) -> Response:
    chosen = staff.course_for_staff(db, reviewer, course_slug)
    return _queue(request, db, reviewer, page, chosen, filtered=False)


def _queue(
    request: Request,
    db: SessionDep,
    reviewer: User,
    page: int,
    chosen: Course | None,
    *,
    filtered: bool,
) -> Response:
    courses = staff.staffed_courses(db, reviewer)
    scope: list[Course] | None = [chosen] if chosen else courses
    if chosen is None and reviewer.role == Role.admin:
        scope = None  # every attempt, including exercises outside any course
    pending, total = reviews.queue(db, scope, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    context = {
        "pending": pending,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "courses": courses,
        "chosen": chosen,
        "filtered": filtered,
    }
    return render(request, "review/queue.html", context)


@router.get("/review/{attempt_id}")
def review_page(
    request: Request, attempt_id: uuid.UUID, db: SessionDep, reviewer: InstructorUser
) -> Response:
    case = reviews.review_case(db, reviewer, attempt_id)
    return render(request, "review/attempt.html", {"case": case, "errors": {}, "entered": {}})


@router.post("/review/{attempt_id}")
def submit_review(
    request: Request,
    attempt_id: uuid.UUID,
    form: FormFields,
    db: SessionDep,
    reviewer: InstructorUser,
) -> Response:
    case = reviews.review_case(db, reviewer, attempt_id)
    entered = {key: str(value) for key, value in form.items()}
    try:
        levels, comments = reviews.parse_review(case.rubric, entered)
    except InvalidInput as invalid:
        context = {"case": case, "errors": {invalid.field: invalid.detail}, "entered": entered}
        return render(request, "review/attempt.html", context, status_code=422)
    reviews.record_review(db, reviewer, case, levels, comments, entered.get("comment", ""))
    db.commit()
    return RedirectResponse("/review", status_code=303)
