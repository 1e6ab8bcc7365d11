"""Dependencies shared by the web pages and the JSON API: the database session and
who is calling. Route signatures read like a spec: `db: SessionDep, user: CurrentUser`."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.accounts.service import user_for_api_token
from app.config import Settings
from app.db import is_unavailable, writer
from app.errors import NotAuthenticated, PermissionDenied
from app.logs import get_logger
from app.models import Role, User
from app.security.csrf import SAFE_METHODS
from app.security.sessions import load_session

logger = get_logger("db")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; routes that write commit it in one visible place.

    A state-changing request takes SQLite's write lock when its transaction begins
    (see app.db.writer), so a concurrent writer makes it wait rather than fail.
    """
    engine = request.app.state.engine
    if request.method not in SAFE_METHODS:
        engine = writer(engine)
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        _close(session)


def _close(session: Session) -> None:
    """Close the request's session. This runs once the response is under way, so a
    database that went away meanwhile (closing rolls back an open transaction) is no
    reason to cut the response off: the pool has already discarded the connection."""
    try:
        session.close()
    except DBAPIError as error:
        if not is_unavailable(error):
            raise
        logger.warning(
            "database connection lost while closing a session",
            extra={"fields": {"error": str(error.orig).strip()[:300]}},
        )


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db)]


def optional_user(request: Request, db: SessionDep, settings: SettingsDep) -> User | None:
    """The caller: a bearer API token if one is sent, else the session cookie.

    The lookup's transaction ends here. FastAPI runs each dependency and then the route in
    separate threadpool hops; a connection (and, for a form post on SQLite, the write lock)
    kept across a hop would be held by a request waiting for a thread while every thread
    waits for that connection or lock, and a burst of requests would stall.
    """
    user = _caller(request, db, settings)
    db.commit()
    return user


def _caller(request: Request, db: Session, settings: Settings) -> User | None:
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        user = user_for_api_token(db, authorization[7:].strip())
        if user is None:
            raise NotAuthenticated("The API token is invalid or has been revoked.")
        request.state.session_hash = None
        request.state.user = user
        return user
    signed_in = load_session(db, request.cookies.get(settings.session_cookie_name), settings)
    request.state.session_hash = signed_in.token_hash if signed_in else None
    request.state.user = signed_in.user if signed_in else None
    return request.state.user


OptionalUser = Annotated[User | None, Depends(optional_user)]


def current_user(user: OptionalUser) -> User:
    if user is None:
        raise NotAuthenticated("Please sign in to continue.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def role_required(*roles: Role):  # type: ignore[no-untyped-def]
    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDenied("Your role does not give access to this page.")
        return user

    return Depends(check)


AdminUser = Annotated[User, role_required(Role.admin)]

# A row id in a URL. Bounded to what every database's integer column holds, so an
# absurd id is simply not found rather than an error from the database.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]

InstructorUser = Annotated[User, role_required(Role.instructor, Role.admin)]

HrUser = Annotated[User, role_required(Role.hr, Role.admin)]
