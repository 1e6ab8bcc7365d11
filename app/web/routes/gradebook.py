"""A course's gradebook (page and CSV) and each exercise's item analysis, for its staff.

Only instructors and admins reach these (others: 403); an instructor who is not staff of
the course, or asks for an exercise of another course, is told it does not exist (404).
"""

import csv
import io
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.responses import Response

from app.authoring import gradebook, item_analysis, staff
from app.authoring.gradebook import COMPLETION_LABELS, Completion, Sort
from app.deps import InstructorUser, SessionDep
from app.models.base import utcnow
from app.web.rendering import render

router = APIRouter(prefix="/teach")
PER_PAGE = 50
Page = Annotated[int, Query(ge=1, le=100_000)]
Search = Annotated[str, Query(max_length=100)]
UnitId = Annotated[int | None, Query(ge=1, le=2_147_483_647)]
Order = Annotated[str, Query(pattern="^(asc|desc)$")]
VersionNumber = Annotated[int | None, Query(ge=1, le=1_000_000)]


@router.get("/{course_slug}/gradebook")
def gradebook_page(
    request: Request,
    course_slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    q: Search = "",
    unit: UnitId = None,
    status: Completion | None = None,
    sort: Sort = Sort.name,
    order: Order = "asc",
    page: Page = 1,
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    wanted = gradebook.make_filter(db, q, unit, status, sort, order == "desc")
    shape = gradebook.layout(db, course)
    listing = gradebook.gradebook_page(db, shape, wanted, page, PER_PAGE)
    filters = {
        "q": q,
        "unit": str(unit or ""),
        "status": status.value if status else "",
        "sort": sort.value,
        "order": order,
    }
    context = {
        "course": course,
        "listing": listing,
        "filters": filters,
        "units": gradebook.unit_choices(db, course),
        "statuses": COMPLETION_LABELS,
    }
    return render(request, "teach/gradebook.html", context)


@router.get("/{course_slug}/gradebook.csv")
def gradebook_csv(
    request: Request,
    course_slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    q: Search = "",
    unit: UnitId = None,
    status: Completion | None = None,
    sort: Sort = Sort.name,
    order: Order = "asc",
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    wanted = gradebook.make_filter(db, q, unit, status, sort, order == "desc")
    rows = gradebook.stream_csv(request.app.state.engine, course.id, wanted)
    filename = f"takt-gradebook-{course.slug}-{utcnow().date().isoformat()}.csv"
    headers = {
        "content-disposition": f'attachment; filename="{filename}"',
        "cache-control": "no-store",
    }
    return StreamingResponse(
        _csv_lines(rows), media_type="text/csv; charset=utf-8", headers=headers
    )


def _csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@router.get("/{course_slug}/exercises/{exercise_slug}/analysis")
def analysis_page(
    request: Request,
    course_slug: str,
    exercise_slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    version: VersionNumber = None,
) -> Response:
    course = staff.course_for_staff(db, instructor, course_slug)
    exercise = item_analysis.exercise_in_course(db, course, exercise_slug)
    analysis = item_analysis.analyse(db, exercise, version)
    return render(request, "teach/analysis.html", {"course": course, "analysis": analysis})
