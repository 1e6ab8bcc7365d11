"""Administration: the user list, disabling or enabling an account, and course staff."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.accounts import service
from app.authoring import staff
from app.deps import AdminUser, RowId, SessionDep
from app.errors import InvalidInput
from app.web.rendering import render

router = APIRouter(prefix="/admin")
PER_PAGE = 50
FormText = Annotated[str, Form(max_length=320)]


@router.get("/users")
def users_page(
    request: Request,
    db: SessionDep,
    admin: AdminUser,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    listing = service.list_users(db, page, PER_PAGE, q)
    return render(request, "admin/users.html", {"listing": listing, "q": q})


@router.post("/users/{user_id}/disable")
def disable_user(user_id: RowId, db: SessionDep, admin: AdminUser) -> Response:
    user = service.get_user(db, user_id)
    if user.id == admin.id:
        raise InvalidInput("You cannot disable your own account.", field="user")
    service.set_active(db, user, active=False)
    db.commit()
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/enable")
def enable_user(user_id: RowId, db: SessionDep, admin: AdminUser) -> Response:
    service.set_active(db, service.get_user(db, user_id), active=True)
    db.commit()
    return RedirectResponse("/admin/users", status_code=303)


# Course staff


@router.get("/courses")
def courses_page(request: Request, db: SessionDep, admin: AdminUser) -> Response:
    return _courses_page(request, db)


def _courses_page(
    request: Request,
    db: Session,
    *,
    status_code: int = 200,
    error: tuple[str, str, str] | None = None,  # (course slug, field, message)
    email: str = "",
) -> Response:
    context = {"courses": staff.staff_by_course(db), "error": error, "email": email}
    return render(request, "admin/courses.html", context, status_code=status_code)


@router.post("/courses/{course_slug}/staff")
def add_course_staff(
    request: Request, course_slug: str, db: SessionDep, admin: AdminUser, email: FormText = ""
) -> Response:
    course = staff.course_for_staff(db, admin, course_slug)
    try:
        staff.add_staff_by_email(db, course, email, admin)
    except InvalidInput as invalid:
        db.rollback()
        error = (course.slug, invalid.field or "email", invalid.detail)
        return _courses_page(request, db, status_code=422, error=error, email=email)
    db.commit()
    return RedirectResponse(f"/admin/courses#course-{course.slug}", status_code=303)


@router.post("/courses/{course_slug}/staff/{user_id}/remove")
def remove_course_staff(
    request: Request,
    course_slug: str,
    user_id: RowId,
    db: SessionDep,
    admin: AdminUser,
    confirm: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    course = staff.course_for_staff(db, admin, course_slug)
    instructor = service.get_user(db, user_id)
    if confirm != "yes":
        message = f"Tick the box to confirm removing {instructor.name}."
        error = (course.slug, f"confirm-{instructor.id}", message)
        return _courses_page(request, db, status_code=422, error=error)
    staff.remove_staff(db, course, instructor, admin)
    db.commit()
    return RedirectResponse(f"/admin/courses#course-{course.slug}", status_code=303)
