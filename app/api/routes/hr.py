"""HR data for HR systems: unit figures, and progress and certificates with cursor
pagination. Scoped exactly as the HR pages are; use an API token of an HR user."""

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.api.schemas import ErrorOut
from app.deps import HrUser, RowId, SessionDep
from app.errors import InvalidInput
from app.models.base import utcnow
from app.org.scope import scope_of, unit_in_scope
from app.reporting import exports, figures
from app.reporting.dashboard import dashboard

router = APIRouter(
    prefix="/hr",
    tags=["hr"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
Limit = Annotated[int, Query(ge=1, le=1000)]
MAX_ROW_ID = 2_147_483_647
Cursor = Annotated[str | None, Query(max_length=200)]


class CourseFiguresOut(BaseModel):
    course_slug: str
    belt: str
    not_started: int
    in_progress: int
    certified: int
    expiring: int
    expired: int
    overdue: int


class UnitFiguresOut(BaseModel):
    id: int
    name: str
    headcount: int
    courses: list[CourseFiguresOut]


class UnitReportOut(UnitFiguresOut):
    children: list[UnitFiguresOut]
    certificates_per_month: dict[str, int]


class ProgressRowOut(BaseModel):
    email: str
    name: str
    unit: str
    course: str
    belt: str
    status: str
    progress_percent: int
    modules_read: int
    modules_total: int
    exam_best_percent: int | None
    started_at: datetime | None
    last_activity_at: datetime | None
    certified_at: datetime | None
    expires_at: datetime | None
    due_on: date | None
    assignment: str | None


class ProgressPageOut(BaseModel):
    items: list[ProgressRowOut]
    next_cursor: str | None


class CertificateRowOut(BaseModel):
    email: str
    holder_name: str
    unit: str
    course: str
    belt: str
    status: str
    issued_at: datetime
    expires_at: datetime | None
    verification_code: str


class CertificatePageOut(BaseModel):
    items: list[CertificateRowOut]
    next_cursor: str | None


def _unit_out(row, sizes) -> UnitFiguresOut:  # type: ignore[no-untyped-def]
    courses = []
    for size in sizes:
        f = row.course(size.course.id)
        courses.append(
            CourseFiguresOut(
                course_slug=size.course.slug,
                belt=size.course.belt,
                not_started=f.not_started,
                in_progress=f.in_progress,
                certified=f.certified,
                expiring=f.expiring,
                expired=f.expired,
                overdue=f.overdue,
            )
        )
    return UnitFiguresOut(
        id=row.unit.id, name=row.unit.name, headcount=row.headcount, courses=courses
    )


@router.get("/units/{unit_id}", response_model=UnitReportOut)
def unit_report(unit_id: RowId, db: SessionDep, user: HrUser) -> UnitReportOut:
    """A unit's figures per course, with each child unit's; `children` includes the
    people placed directly in the unit as a row with the unit's own id."""
    unit = unit_in_scope(db, scope_of(db, user), unit_id)
    sizes = figures.certification_courses(db)
    now = utcnow()
    board = dashboard(db, unit, sizes, now, now.date())
    total = _unit_out(board.total, sizes)
    return UnitReportOut(
        **total.model_dump(),
        children=[_unit_out(row, sizes) for row in board.rows],
        certificates_per_month={m.month: m.count for m in board.months},
    )


@router.get("/progress", response_model=ProgressPageOut)
def progress(
    db: SessionDep,
    user: HrUser,
    unit_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    cursor: Cursor = None,
    limit: Limit = 200,
) -> ProgressPageOut:
    """One item per person and certification course, `limit` people per page. Pass
    `next_cursor` back as `cursor` for the next page; it is null on the last page."""
    scope = scope_of(db, user)
    unit = unit_in_scope(db, scope, unit_id) if unit_id is not None else None
    after = _int_cursor(cursor)
    now = utcnow()
    page = exports.progress_page(
        db,
        scope,
        unit,
        figures.certification_courses(db),
        exports.unit_names(db, scope),
        after,
        limit,
        now,
        now.date(),
    )
    items = [
        ProgressRowOut(**{k: v if v != "" else None for k, v in row.items()})
        for row in page.dicts()
    ]
    next_cursor = exports.encode_cursor({"after": page.next_after}) if page.next_after else None
    return ProgressPageOut(items=items, next_cursor=next_cursor)


@router.get("/certificates", response_model=CertificatePageOut)
def certificates(
    db: SessionDep,
    user: HrUser,
    unit_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    cursor: Cursor = None,
    limit: Limit = 200,
) -> CertificatePageOut:
    """Certificates held by people in view, revoked and expired ones included with
    their status. Cursor pagination as for progress."""
    scope = scope_of(db, user)
    unit = unit_in_scope(db, scope, unit_id) if unit_id is not None else None
    after = None
    if cursor is not None:
        value = exports.decode_cursor(cursor).get("after")
        try:
            after = uuid.UUID(str(value))
        except ValueError:
            raise InvalidInput("The cursor is not one this API gave out.", field="cursor") from None
    page = exports.certificate_page(
        db, scope, unit, exports.unit_names(db, scope), after, limit, utcnow()
    )
    items = [
        CertificateRowOut(**{k: v if v != "" else None for k, v in row.items()})
        for row in page.rows
    ]
    next_cursor = exports.encode_cursor({"after": page.next_after}) if page.next_after else None
    return CertificatePageOut(items=items, next_cursor=next_cursor)


def _int_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    value = exports.decode_cursor(cursor).get("after")
    if type(value) is not int or not 0 <= value <= MAX_ROW_ID:
        raise InvalidInput("The cursor is not one this API gave out.", field="cursor")
    return value
