"""Turn errors into responses: JSON under /api, pages elsewhere. Never a stack trace."""

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.responses import Response

from app.db import is_unavailable
from app.errors import AnswerInvalid, InvalidInput, NotAuthenticated, RateLimited, TaktError
from app.logs import get_logger
from app.web.rendering import render

logger = get_logger("errors")
TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    409: "Conflict",
    422: "Please check your input",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(
    request: Request, status: int, code: str, detail: str, extra: dict[str, object] | None = None
) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": code, "detail": detail, **(extra or {})}, status_code=status)
    context = {
        "status": status,
        "title": TITLES.get(status, "Error"),
        "detail": detail,
        "request_id": request.state.request_id,
        "user": _user_at_hand(request),
    }
    return render(request, "errors/error.html", context, status_code=status)


def _user_at_hand(request: Request) -> object | None:
    """The signed-in user for the error page's header, if it can be shown without the
    database: after a failed transaction the user's row is expired, and by the time the
    error is handled its session is closed (or the database is the very thing that failed)."""
    user = getattr(request.state, "user", None)
    if user is None or inspect(user).unloaded:
        return None
    return user


async def _takt_error(request: Request, error: TaktError) -> Response:
    if isinstance(error, NotAuthenticated) and not _wants_json(request):
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/sign-in?next={target}", status_code=303)
    extra: dict[str, object] | None = None
    if isinstance(error, InvalidInput) and error.field:
        extra = {"field": error.field}
    elif isinstance(error, AnswerInvalid):
        extra = {"errors": error.errors}
    response = _error_response(request, error.status, error.code, error.detail, extra)
    if isinstance(error, RateLimited):
        response.headers["retry-after"] = str(error.retry_after)
    if isinstance(error, NotAuthenticated):
        response.headers["www-authenticate"] = "Bearer"
    if error.status == 403:
        logger.warning("access denied", extra={"fields": {"path": request.url.path}})
    return response


async def _validation_error(request: Request, error: RequestValidationError) -> Response:
    fields = [
        {
            "field": ".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path")),
            "message": e["msg"],
        }
        for e in error.errors()
    ]
    if any(e["loc"][:1] == ("path",) for e in error.errors()):
        return _error_response(request, 404, "not_found", "There is nothing at this address.")
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return _error_response(request, 422, "invalid_input", detail, {"fields": fields})


async def _http_error(request: Request, error: HTTPException) -> Response:
    detail = "There is nothing at this address." if error.status_code == 404 else str(error.detail)
    code = "not_found" if error.status_code == 404 else "http_error"
    response = _error_response(request, error.status_code, code, detail)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


DATABASE_UNAVAILABLE = (
    "Takt cannot reach its database just now. Please try again in a moment; anything you "
    "were submitting can safely be sent again."
)
RETRY_AFTER_SECONDS = 5


async def _database_error(request: Request, error: Exception) -> Response:
    """A database that is down, restarting or saturated is a 503 with Retry-After; any
    other database error is a fault of ours, answered like every unexpected error."""
    if not is_unavailable(error):
        return await unexpected_error_response(request, error)
    original = getattr(error, "orig", None) or error
    logger.warning(
        "database unavailable",
        extra={"fields": {"path": request.url.path, "error": str(original).strip()[:300]}},
    )
    response = _error_response(request, 503, "unavailable", DATABASE_UNAVAILABLE)
    response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return response


async def unexpected_error_response(request: Request, error: Exception) -> Response:
    """Log with the request id and show a generic page: never a stack trace."""
    logger.error("unexpected error", exc_info=error)
    reference = request.state.request_id
    detail = f"An unexpected error occurred. Quote reference {reference} if you report it."
    return _error_response(request, 500, "internal_error", detail)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TaktError, _takt_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
