"""Administration of the organisation: the unit tree, HR scopes, moving a person to
another unit, and importing employees from a CSV file."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.responses import Response

from app.accounts import service
from app.deps import AdminUser, RowId, SessionDep
from app.errors import InvalidInput, NotFound
from app.logs import get_logger, log_event
from app.models import HrScope, OrgUnit, Role, User
from app.org import importer, scope, units
from app.web.rendering import render

router = APIRouter(prefix="/admin")
FormText = Annotated[str, Form()]
FormList = Annotated[list[str] | None, Form()]
# The confirm form sends the checked file back in parts, each well under the 1 MB that
# the form parser accepts per field (4 bytes per character at most in UTF-8).
CONTENT_PART = 200_000
MAX_LISTED = 2000  # rows in the report table; the command line prints every row
logger = get_logger("org")


def _unit_choice(db: Session, raw: str, field: str) -> OrgUnit:
    """A unit picked from a select; anything else is an inline error."""
    unit = db.get(OrgUnit, int(raw)) if raw.isdigit() and 0 < int(raw) < 2**31 else None
    if unit is None:
        raise InvalidInput("Choose a unit from the list.", field=field)
    return unit


# The unit tree


@router.get("/units")
def units_page(request: Request, db: SessionDep, admin: AdminUser) -> Response:
    return _units_page(request, db)


def _units_page(
    request: Request,
    db: Session,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    rename: tuple[int, str, str] | None = None,  # (unit id, name tried, error)
) -> Response:
    context = {
        "tree": importer.OrgTree(db),
        "errors": errors or {},
        "values": values or {},
        "rename": rename,
    }
    return render(request, "organisation/units.html", context, status_code=status_code)


@router.post("/units")
def add_unit(
    request: Request,
    db: SessionDep,
    admin: AdminUser,
    parent_id: FormText = "",
    name: FormText = "",
) -> Response:
    try:
        parent = _unit_choice(db, parent_id, "parent") if parent_id else None
        unit = units.create_unit(db, name, parent)
    except InvalidInput as invalid:
        db.rollback()
        errors = {invalid.field or "name": invalid.detail}
        values = {"name": name, "parent_id": parent_id}
        return _units_page(request, db, status_code=422, errors=errors, values=values)
    db.commit()
    log_event(logger, "unit added", unit_id=unit.id, by_user_id=admin.id)
    return RedirectResponse(f"/admin/units#unit-{unit.id}", status_code=303)


@router.post("/units/{unit_id}/rename")
def rename_unit(
    request: Request, unit_id: RowId, db: SessionDep, admin: AdminUser, name: FormText = ""
) -> Response:
    unit = units.get_unit(db, unit_id)
    try:
        _rename(db, unit, name)
    except InvalidInput as invalid:
        db.rollback()
        return _units_page(request, db, status_code=422, rename=(unit_id, name, invalid.detail))
    db.commit()
    log_event(logger, "unit renamed", unit_id=unit.id, by_user_id=admin.id)
    return RedirectResponse(f"/admin/units#unit-{unit.id}", status_code=303)


def _rename(db: Session, unit: OrgUnit, name: str) -> None:
    name = units.check_unit_name(name)
    parent = db.get(OrgUnit, unit.parent_id) if unit.parent_id else None
    sibling = units.find_child(db, parent, name)
    if sibling is not None and sibling.id != unit.id:
        raise InvalidInput(f"There is already a unit called {name!r} here.", field="name")
    unit.name = name
    db.add(unit)
    try:
        db.flush()
    except IntegrityError as error:  # a sibling of that name was added meanwhile
        raise InvalidInput(f"There is already a unit called {name!r} here.", "name") from error


# HR scopes


@router.get("/hr-scopes")
def hr_scopes_page(request: Request, db: SessionDep, admin: AdminUser) -> Response:
    return _hr_scopes_page(request, db)


def _hr_scopes_page(
    request: Request,
    db: Session,
    *,
    status_code: int = 200,
    error: tuple[int, str] | None = None,  # (HR user id, message)
) -> Response:
    hr_users = db.exec(select(User).where(User.role == Role.hr).order_by(col(User.name))).all()
    scoped: dict[int, list[int]] = {}
    for row in db.exec(select(HrScope).where(col(HrScope.user_id).in_([u.id for u in hr_users]))):
        scoped.setdefault(row.user_id, []).append(row.org_unit_id)
    context = {"hr_users": hr_users, "scoped": scoped, "tree": importer.OrgTree(db), "error": error}
    return render(request, "organisation/hr_scopes.html", context, status_code=status_code)


@router.post("/hr-scopes/{user_id}")
def set_hr_scopes(
    request: Request, user_id: RowId, db: SessionDep, admin: AdminUser, unit_ids: FormList = None
) -> Response:
    hr_user = db.get(User, user_id)
    if hr_user is None or hr_user.role != Role.hr:
        raise NotFound("There is no such HR user.")
    try:
        chosen = {
            unit.id: unit for unit in (_unit_choice(db, raw, "unit_ids") for raw in unit_ids or [])
        }
    except InvalidInput as invalid:
        return _hr_scopes_page(request, db, status_code=422, error=(user_id, invalid.detail))
    scope.set_scopes(db, hr_user, list(chosen.values()))
    db.commit()
    log_event(logger, "hr scopes set", user_id=user_id, units=list(chosen), by_user_id=admin.id)
    return RedirectResponse(f"/admin/hr-scopes#hr-{user_id}", status_code=303)


# One person


@router.get("/users/{user_id}")
def user_page(request: Request, user_id: RowId, db: SessionDep, admin: AdminUser) -> Response:
    return _user_page(request, db, service.get_user(db, user_id))


def _user_page(
    request: Request,
    db: Session,
    person: User,
    *,
    status_code: int = 200,
    error: str = "",
    password_error: str = "",
) -> Response:
    context = {
        "person": person,
        "tree": importer.OrgTree(db),
        "no_password": importer.has_no_password(person),
        "error": error,
        "password_error": password_error,
        "password_set": request.query_params.get("password") == "set",
    }
    return render(request, "organisation/user.html", context, status_code=status_code)


@router.post("/users/{user_id}/unit")
def move_user(
    request: Request, user_id: RowId, db: SessionDep, admin: AdminUser, unit_id: FormText = ""
) -> Response:
    person = service.get_user(db, user_id)
    try:
        unit = _unit_choice(db, unit_id, "unit_id")
    except InvalidInput as invalid:
        return _user_page(request, db, person, status_code=422, error=invalid.detail)
    old_unit_id = person.org_unit_id
    importer.move_person(db, person, unit)
    db.commit()
    log_event(
        logger,
        "person moved",
        user_id=user_id,
        from_unit_id=old_unit_id,
        to_unit_id=unit.id,
        by_user_id=admin.id,
    )
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@router.post("/users/{user_id}/password")
def set_password(
    request: Request,
    user_id: RowId,
    db: SessionDep,
    admin: AdminUser,
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A first password for an imported person, or a new one for someone locked out;
    the admin passes it on, and the person can change it on their account page."""
    person = service.get_user(db, user_id)
    try:
        service.set_password_by_admin(db, admin, person, password)
    except InvalidInput as invalid:
        return _user_page(request, db, person, status_code=422, password_error=invalid.detail)
    db.commit()
    return RedirectResponse(f"/admin/users/{user_id}?password=set", status_code=303)


# Importing employees


@router.get("/import")
def import_page(request: Request, admin: AdminUser) -> Response:
    return _import_form(request)


def _import_form(
    request: Request, *, status_code: int = 200, error: str = "", text: str = ""
) -> Response:
    context = {
        "error": error,
        "text": text,
        "max_mb": importer.MAX_BYTES // (1024 * 1024),
        "max_rows": importer.MAX_ROWS,
        "columns": ",".join(importer.COLUMNS),
    }
    return render(request, "organisation/import.html", context, status_code=status_code)


@router.post("/import")
def check_import(
    request: Request,
    db: SessionDep,
    admin: AdminUser,
    file: Annotated[UploadFile | None, File()] = None,
    text: FormText = "",
) -> Response:
    """The dry run: the report of what importing would do. Nothing is written."""
    try:
        if file is not None and file.filename:
            content = importer.decode(file.file.read(importer.MAX_BYTES + 1))
        else:
            content = importer.normalise_newlines(text)
    except InvalidInput as invalid:
        return _import_form(request, status_code=422, error=invalid.detail)
    if not content.strip():
        error = "Choose a CSV file, or paste its rows (with the header row) into the box."
        return _import_form(request, status_code=422, error=error, text=text)
    return _report(request, importer.plan_import(db, content, admin=admin), content)


def _report(
    request: Request, plan: importer.ImportPlan, content: str, *, notice: str = ""
) -> Response:
    parts = [content[i : i + CONTENT_PART] for i in range(0, len(content), CONTENT_PART)]
    listed = [row for row in plan.rows if row.action != importer.Action.unchanged]
    listed.sort(key=lambda row: (row.action != importer.Action.error, row.row))  # errors first
    context = {
        "plan": plan,
        "counts": plan.counts,
        "listed": listed[:MAX_LISTED],
        "not_listed": max(0, len(listed) - MAX_LISTED),
        "content_parts": parts,
        "notice": notice,
    }
    status_code = 200 if plan.ok else 422
    return render(request, "organisation/import_report.html", context, status_code=status_code)


@router.post("/import/apply")
def apply_import(
    request: Request, db: SessionDep, admin: AdminUser, content: FormList = None
) -> Response:
    """Check the same content again and, if it is still free of errors, import it."""
    text = "".join(content or [])
    plan = importer.plan_import(db, text, admin=admin)
    if not plan.ok:
        return _report(request, plan, text, notice="Nothing was imported: the file has errors.")
    result = importer.apply_import(db, plan, admin)
    db.commit()
    return render(request, "organisation/import_done.html", {"result": result})
