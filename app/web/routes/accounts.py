"""Registration, sign-in and sign-out, and the account page (password, API tokens)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.accounts import service
from app.accounts.schemas import ApiTokenCreate, PasswordChange, Registration, SignIn
from app.certification import service as certification
from app.config import Settings
from app.deps import CurrentUser, OptionalUser, RowId, SessionDep, SettingsDep, optional_user
from app.errors import InvalidInput, RateLimited
from app.logs import get_logger, log_event
from app.models import User
from app.security import throttle
from app.security.sessions import end_all_sessions, end_session, start_session
from app.web.forms import safe_next, validate_form
from app.web.rendering import render

router = APIRouter()
FormText = Annotated[str, Form()]
SIGN_IN_FAILED = "The email or password is not correct."
logger = get_logger("accounts")


@router.get("/sign-in")
def sign_in_page(
    request: Request, user: OptionalUser, next_url: Annotated[str, Query(alias="next")] = "/"
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next_url), status_code=303)
    return render(request, "accounts/sign_in.html", {"next": safe_next(next_url), "values": {}})


@router.post("/sign-in", dependencies=[Depends(optional_user)])
def sign_in(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    email: FormText = "",
    password: FormText = "",
    next_url: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    context: dict[str, object] = {"next": safe_next(next_url), "values": {"email": email}}
    values, errors = validate_form(SignIn, {"email": email, "password": password})
    if values is None:
        return render(
            request, "accounts/sign_in.html", {**context, "errors": errors}, status_code=422
        )
    client_ip = request.client.host if request.client else "unknown"
    try:
        reservation = throttle.reserve_attempt(
            db, throttle.throttle_keys(values.email, client_ip), settings
        )
    except RateLimited as limited:
        db.rollback()
        response = render(
            request,
            "accounts/sign_in.html",
            {**context, "message": limited.detail},
            status_code=429,
        )
        response.headers["retry-after"] = str(limited.retry_after)
        return response
    db.commit()  # the attempt counts before the password is checked
    account = service.find_by_email(db, values.email)
    db.commit()  # and no transaction holds a lock while the hash is worked out
    outcome = service.authenticate(
        db, account, values.email, values.password, client_ip, reservation
    )
    if outcome.user is None:
        return render(
            request,
            "accounts/sign_in.html",
            {**context, "message": SIGN_IN_FAILED},
            status_code=401,
        )
    return _signed_in_redirect(request, db, settings, outcome.user, safe_next(next_url))


def _signed_in_redirect(
    request: Request, db: SessionDep, settings: Settings, user: User, target: str
) -> Response:
    """Replace any session this browser had (no fixation) and go on to `target`."""
    if old := getattr(request.state, "session_hash", None):
        end_session(db, old)
    cookie = start_session(db, user, settings)
    db.commit()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        settings.session_cookie_name,
        cookie,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/register")
def register_page(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "accounts/register.html", {"values": {}})


@router.post("/register", dependencies=[Depends(optional_user)])
def register(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    email: FormText = "",
    name: FormText = "",
    password: FormText = "",
) -> Response:
    values = {"email": email, "name": name}
    data, errors = validate_form(Registration, {**values, "password": password})
    if data is not None:
        try:
            user = service.create_user(db, email=data.email, name=data.name, password=data.password)
        except InvalidInput as invalid:
            errors = {invalid.field or "form": invalid.detail}
        else:
            return _signed_in_redirect(request, db, settings, user, "/")
    context = {"values": values, "errors": errors}
    return render(request, "accounts/register.html", context, status_code=422)


@router.post("/sign-out", dependencies=[Depends(optional_user)])
def sign_out(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    if session_hash := getattr(request.state, "session_hash", None):
        end_session(db, session_hash)
        db.commit()
        log_event(logger, "sign-out", user_id=request.state.user.id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(settings.session_cookie_name, path="/", secure=settings.secure_cookies)
    return response


@router.get("/account")
def account_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return _account(request, db, user)


def _account(
    request: Request, db: SessionDep, user: User, status_code: int = 200, **extra: object
) -> Response:
    context = {
        "tokens": service.list_api_tokens(db, user),
        "certificates": certification.standing_of(db, user),
        "errors": {},
        **extra,
    }
    return render(request, "accounts/account.html", context, status_code=status_code)


@router.post("/account/password")
def change_password(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    current_password: FormText = "",
    new_password: FormText = "",
) -> Response:
    data, errors = validate_form(
        PasswordChange, {"current_password": current_password, "new_password": new_password}
    )
    if data is not None:
        try:
            service.change_password(
                db, user, data.current_password, data.new_password, request.state.session_hash
            )
        except InvalidInput as invalid:
            field = "new_password" if invalid.field == "password" else invalid.field
            errors = {field or "form": invalid.detail}
        else:
            db.commit()
            return _account(
                request,
                db,
                user,
                notice="Your password was changed. Other sessions were signed out.",
            )
    return _account(request, db, user, status_code=422, errors=errors)


@router.post("/account/tokens")
def create_token(
    request: Request, db: SessionDep, user: CurrentUser, name: FormText = ""
) -> Response:
    data, errors = validate_form(ApiTokenCreate, {"name": name})
    if data is None:
        return _account(request, db, user, status_code=422, errors=errors)
    token, plain = service.create_api_token(db, user, data.name)
    db.commit()
    return _account(request, db, user, new_token=plain, new_token_name=token.name)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(token_id: RowId, db: SessionDep, user: CurrentUser) -> Response:
    service.revoke_api_token(db, user, token_id)
    db.commit()
    return RedirectResponse("/account", status_code=303)


@router.post("/account/sign-out-everywhere")
def sign_out_everywhere(db: SessionDep, settings: SettingsDep, user: CurrentUser) -> Response:
    end_all_sessions(db, user.id)  # type: ignore[arg-type]
    db.commit()
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(settings.session_cookie_name, path="/", secure=settings.secure_cookies)
    return response
