"""HR pages: the dashboard per unit with drill-down to one learner, filtered lists of
people, assignments with due dates, and CSV exports — all within the caller's scope."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.responses import Response

from app.accounts.service import find_by_email
from app.deps import HrUser, RowId, SessionDep
from app.errors import InvalidInput, NotFound
from app.models import Course, User
from app.models.base import utcnow
from app.org import assignments, units
from app.org.scope import Scope, person_in_scope, scope_of, unit_in_scope
from app.reporting import exports, figures
from app.reporting.dashboard import dashboard
from app.reporting.figures import DUE_LABELS, STATUS_LABELS, Due, Status
from app.reporting.people import SORTS, PeopleFilter, learner_report, list_people
from app.web.rendering import render

router = APIRouter(prefix="/hr")
PER_PAGE = 50
UNITS_PER_PAGE = 50
Page = Annotated[int, Query(ge=1, le=100_000)]


@router.get("")
def hr_home(db: SessionDep, user: HrUser) -> Response:
    """Straight to the dashboard of the one unit in view, or a choice of several."""
    scope = scope_of(db, user)
    if len(scope.roots) == 1:
        return RedirectResponse(f"/hr/units/{scope.roots[0].id}", status_code=303)
    return RedirectResponse("/hr/units", status_code=303)


@router.get("/units")
def scope_page(request: Request, db: SessionDep, user: HrUser) -> Response:
    return render(request, "hr/scope.html", {"roots": scope_of(db, user).roots})


def _trail(db: SessionDep, scope: Scope, unit) -> list:  # type: ignore[no-untyped-def]
    """The unit's ancestors the caller may open, for the breadcrumb."""
    return [u for u in units.ancestors(db, unit) if scope.covers(u)]


@router.get("/units/{unit_id}")
def unit_page(
    request: Request,
    unit_id: RowId,
    db: SessionDep,
    user: HrUser,
    belt: Annotated[str, Query(max_length=16)] = "",
    sort: Annotated[str, Query(pattern="^(name|headcount|certified|overdue)$")] = "name",
    page: Page = 1,
) -> Response:
    scope = scope_of(db, user)
    unit = unit_in_scope(db, scope, unit_id)
    sizes = figures.certification_courses(db)
    shown = [s for s in sizes if not belt or s.course.belt == belt]
    now = utcnow()
    board = dashboard(db, unit, shown, now, now.date())
    rows = _sorted_rows(board.rows, sort, shown)
    pages = max(1, -(-len(rows) // UNITS_PER_PAGE))
    page = min(page, pages)
    context = {
        "unit": unit,
        "trail": _trail(db, scope, unit),
        "board": board,
        "rows": rows[(page - 1) * UNITS_PER_PAGE : page * UNITS_PER_PAGE],
        "sizes": shown,
        "belts": list(dict.fromkeys(s.course.belt for s in sizes)),  # courses come in belt order
        "belt": belt,
        "sort": sort,
        "page": page,
        "pages": pages,
        "chart": _chart(board.months),
    }
    return render(request, "hr/unit.html", context)


def _sorted_rows(rows, sort: str, sizes):  # type: ignore[no-untyped-def]
    def total(row, name: str) -> int:  # type: ignore[no-untyped-def]
        return sum(getattr(row.course(s.course.id), name) for s in sizes)

    keys = {
        "name": lambda r: (r.is_direct, r.unit.name.lower()),
        "headcount": lambda r: -r.headcount,
        "certified": lambda r: -total(r, "certified"),
        "overdue": lambda r: -total(r, "overdue"),
    }
    return sorted(rows, key=keys[sort])


def _chart(months) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Bar geometry for the certifications-per-month chart, drawn as inline SVG."""
    width, height, gap, top = 600, 180, 8, 20
    peak = max((m.count for m in months), default=0) or 1
    bar = (width - gap * (len(months) + 1)) / len(months)
    bars = []
    for i, month in enumerate(months):
        h = (height - top) * month.count / peak
        bars.append(
            {
                "x": round(gap + i * (bar + gap), 1),
                "y": round(height - h, 1),
                "width": round(bar, 1),
                "middle": round(gap + i * (bar + gap) + bar / 2, 1),
                "height": round(h, 1),
                "label": month.month,
                "count": month.count,
            }
        )
    return {"width": width, "height": height, "bars": bars, "peak": peak}


@router.get("/units/{unit_id}/people")
def people_page(
    request: Request,
    unit_id: RowId,
    db: SessionDep,
    user: HrUser,
    course: Annotated[str, Query(max_length=80)] = "",
    status: Status | None = None,
    due: Due | None = None,
    due_before: date | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
    sort: Annotated[str, Query(pattern="^(" + "|".join(SORTS) + ")$")] = "name",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
    page: Page = 1,
) -> Response:
    scope = scope_of(db, user)
    unit = unit_in_scope(db, scope, unit_id)
    sizes = figures.certification_courses(db)
    if not sizes:
        raise NotFound("No course leads to a certificate yet.")
    size = next((s for s in sizes if s.course.slug == course), sizes[0])
    wanted = PeopleFilter(size, status, due, due_before, q, sort, order == "desc")
    now = utcnow()
    listing = list_people(db, unit, wanted, page, PER_PAGE, now, now.date())
    filters = {
        "course": size.course.slug,
        "status": status.value if status else "",
        "due": due.value if due else "",
        "due_before": due_before.isoformat() if due_before else "",
        "q": q,
        "sort": sort,
        "order": order,
    }
    context = {
        "unit": unit,
        "trail": _trail(db, scope, unit),
        "listing": listing,
        "sizes": sizes,
        "size": size,
        "filters": filters,
        "statuses": STATUS_LABELS,
        "dues": DUE_LABELS,
    }
    return render(request, "hr/people.html", context)


@router.get("/people/{user_id}")
def person_page(request: Request, user_id: RowId, db: SessionDep, user: HrUser) -> Response:
    scope = scope_of(db, user)
    person, unit = person_in_scope(db, scope, user_id)
    now = utcnow()
    report = learner_report(db, person, unit, figures.certification_courses(db), now, now.date())
    context = {
        "report": report,
        "trail": _trail(db, scope, unit),
        "statuses": STATUS_LABELS,
        "dues": DUE_LABELS,
        "now": now,
    }
    return render(request, "hr/person.html", context)


@router.get("/exports/progress.csv")
def export_progress(
    request: Request, db: SessionDep, user: HrUser, unit: RowId | None = None
) -> Response:
    scope = scope_of(db, user)
    chosen = unit_in_scope(db, scope, unit) if unit is not None else None
    now = utcnow()
    stream = exports.stream_progress_csv(request.app.state.engine, scope, chosen, now, now.date())
    return _csv_response(stream, f"takt-progress-{now.date().isoformat()}.csv")


@router.get("/exports/certificates.csv")
def export_certificates(
    request: Request, db: SessionDep, user: HrUser, unit: RowId | None = None
) -> Response:
    scope = scope_of(db, user)
    chosen = unit_in_scope(db, scope, unit) if unit is not None else None
    now = utcnow()
    stream = exports.stream_certificates_csv(request.app.state.engine, scope, chosen, now)
    return _csv_response(stream, f"takt-certificates-{now.date().isoformat()}.csv")


def _csv_response(stream, filename: str) -> StreamingResponse:  # type: ignore[no-untyped-def]
    headers = {
        "content-disposition": f'attachment; filename="{filename}"',
        "cache-control": "no-store",
    }
    return StreamingResponse(stream, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/assignments")
def assignments_page(
    request: Request, db: SessionDep, user: HrUser, unit: RowId | None = None, page: Page = 1
) -> Response:
    scope = scope_of(db, user)
    chosen = unit_in_scope(db, scope, unit) if unit is not None else None
    lines = assignments.assignments_in_scope(db, scope, PER_PAGE + 1, (page - 1) * PER_PAGE)
    return render(
        request, "hr/assignments.html", _assignment_context(db, scope, chosen, lines, page)
    )


def _assignment_context(db, scope, chosen, lines, page, errors=None, entered=None):  # type: ignore[no-untyped-def]
    today = utcnow().date()
    return {
        "chosen": chosen,
        "lines": lines[:PER_PAGE],
        "page": page,
        "has_next": len(lines) > PER_PAGE,
        "units": _units_in_view(db, scope),
        "courses": figures.certification_courses(db),
        "errors": errors or {},
        "entered": entered or {"due_on": (today + timedelta(days=60)).isoformat()},
        "today": today,
    }


def _units_in_view(db: SessionDep, scope: Scope) -> list[tuple[int, str]]:
    names = exports.unit_names(db, scope)
    return sorted(names.items(), key=lambda item: item[1].lower())


@router.post("/assignments")
def create_assignment(
    request: Request,
    db: SessionDep,
    user: HrUser,
    course: Annotated[str, Form(max_length=80)] = "",
    unit: Annotated[str, Form(max_length=12)] = "",
    people: Annotated[str, Form(max_length=20_000)] = "",
    due_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Assign a course to a unit (and everyone below it) or to people listed by email."""
    scope = scope_of(db, user)
    entered = {"course": course, "unit": unit, "people": people, "due_on": due_on}
    today = utcnow().date()
    try:
        chosen_course = _course(db, course)
        due = _date(due_on)
        if people.strip():
            targets = _people_by_email(db, scope, people)
            assignments.assign_to_people(db, user, chosen_course, targets, due, today)
        elif unit.isdigit():
            target = unit_in_scope(db, scope, int(unit))
            assignments.assign_to_unit(db, user, chosen_course, target, due, today)
        else:
            raise InvalidInput("Choose a unit, or list people by email.", field="unit")
    except (InvalidInput, NotFound) as error:
        field = getattr(error, "field", None) or "unit"
        lines = assignments.assignments_in_scope(db, scope, PER_PAGE + 1, 0)
        context = _assignment_context(db, scope, None, lines, 1, {field: error.detail}, entered)
        return render(request, "hr/assignments.html", context, status_code=422)
    db.commit()
    return RedirectResponse("/hr/assignments?done=1", status_code=303)


def _course(db: SessionDep, slug: str) -> Course:
    for size in figures.certification_courses(db):
        if size.course.slug == slug:
            return size.course
    raise InvalidInput("Choose a course.", field="course")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("Give the due date as YYYY-MM-DD.", field="due_on") from None


def _people_by_email(db: SessionDep, scope: Scope, text: str) -> list[User]:
    emails = [e.strip().lower() for e in text.replace(",", "\n").splitlines() if e.strip()]
    if len(emails) > 500:
        raise InvalidInput("Assign to at most 500 people at once, or to a unit.", field="people")
    found = []
    for email in dict.fromkeys(emails):
        person = find_by_email(db, email)
        if person is None or person.org_unit_id is None:
            raise InvalidInput(
                f"No one in your organisation has the email {email}.", field="people"
            )
        try:
            person_in_scope(db, scope, person.id)  # type: ignore[arg-type]
        except NotFound:
            raise InvalidInput(
                f"No one in your organisation has the email {email}.", field="people"
            ) from None
        found.append(person)
    return found


@router.post("/assignments/{assignment_id}/withdraw")
def withdraw_assignment(
    assignment_id: RowId,
    db: SessionDep,
    user: HrUser,
    confirm: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    assignment = assignments.get_assignment(db, scope_of(db, user), assignment_id)
    if confirm != "yes":
        raise InvalidInput("Tick the box to confirm the withdrawal.", field="confirm")
    assignments.withdraw(db, user, assignment)
    db.commit()
    return RedirectResponse("/hr/assignments", status_code=303)
