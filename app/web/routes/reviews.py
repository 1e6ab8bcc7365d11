"""The instructors' review queue and the review of one attempt."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import InstructorUser, SessionDep
from app.errors import InvalidInput
from app.learning import reviews
from app.web.forms import FormFields
from app.web.rendering import render

router = APIRouter(prefix="/review")
PER_PAGE = 50


@router.get("")
def queue_page(
    request: Request,
    db: SessionDep,
    reviewer: InstructorUser,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    pending, total = reviews.queue(db, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render(
        request,
        "review/queue.html",
        {"pending": pending, "total": total, "page": page, "pages": pages},
    )


@router.get("/{attempt_id}")
def review_page(
    request: Request, attempt_id: uuid.UUID, db: SessionDep, reviewer: InstructorUser
) -> Response:
    case = reviews.review_case(db, attempt_id)
    return render(request, "review/attempt.html", {"case": case, "errors": {}, "entered": {}})


@router.post("/{attempt_id}")
def submit_review(
    request: Request,
    attempt_id: uuid.UUID,
    form: FormFields,
    db: SessionDep,
    reviewer: InstructorUser,
) -> Response:
    case = reviews.review_case(db, attempt_id)
    entered = {key: str(value) for key, value in form.items()}
    try:
        levels, comments = reviews.parse_review(case.rubric, entered)
    except InvalidInput as invalid:
        context = {"case": case, "errors": {invalid.field: invalid.detail}, "entered": entered}
        return render(request, "review/attempt.html", context, status_code=422)
    reviews.record_review(db, reviewer, case, levels, comments, entered.get("comment", ""))
    db.commit()
    return RedirectResponse("/review", status_code=303)
