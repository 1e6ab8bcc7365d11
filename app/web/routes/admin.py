"""Administration: the user list, and disabling or enabling an account."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.accounts import service
from app.deps import AdminUser, RowId, SessionDep
from app.errors import InvalidInput
from app.web.rendering import render

router = APIRouter(prefix="/admin")
PER_PAGE = 50


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
