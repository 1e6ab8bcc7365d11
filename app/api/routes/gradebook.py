"""A course's gradebook as JSON, for its staff: the same figures and filters as the page."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.api.schemas import ErrorOut
from app.authoring import gradebook, staff
from app.authoring.gradebook import Completion, Sort
from app.deps import InstructorUser, SessionDep

router = APIRouter(
    tags=["teaching"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)


class GradebookModuleOut(BaseModel):
    slug: str
    title: str
    exercises: int


class GradebookCellOut(BaseModel):
    module: str
    score: float | None
    read: bool
    exercises_passed: int
    complete: bool


class GradebookRowOut(BaseModel):
    email: str
    name: str
    overall_score: float | None
    status: Completion
    modules: list[GradebookCellOut]


class GradebookOut(BaseModel):
    course: str
    modules: list[GradebookModuleOut]
    total: int
    page: int
    pages: int
    learners: list[GradebookRowOut]


@router.get("/courses/{slug}/gradebook", response_model=GradebookOut)
def get_gradebook(
    slug: str,
    db: SessionDep,
    instructor: InstructorUser,
    q: Annotated[str, Query(max_length=100)] = "",
    unit: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    status: Completion | None = None,
    sort: Sort = Sort.name,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> GradebookOut:
    """Learners × modules: scores from 0 to 1 and completion, a page at a time."""
    course = staff.course_for_staff(db, instructor, slug)
    wanted = gradebook.make_filter(db, q, unit, status, sort, order == "desc")
    shape = gradebook.layout(db, course)
    listing = gradebook.gradebook_page(db, shape, wanted, page, per_page)
    return GradebookOut(
        course=course.slug,
        modules=[
            GradebookModuleOut(slug=m.slug, title=m.title, exercises=len(m.exercise_ids))
            for m in shape.modules
        ],
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        learners=[
            GradebookRowOut(
                email=row.email,
                name=row.name,
                overall_score=row.overall,
                status=row.completion,
                modules=[
                    GradebookCellOut(
                        module=m.slug,
                        score=cell.score,
                        read=cell.read,
                        exercises_passed=cell.passed,
                        complete=cell.complete,
                    )
                    for m, cell in zip(shape.modules, row.cells, strict=True)
                ],
            )
            for row in listing.rows
        ],
    )
