"""CSRF protection for every state-changing request, plus an Origin check.

The token is an HMAC of the session token (signed-in) or of a random nonce kept in a
cookie (signed-out forms such as sign-in), so no CSRF state needs storing.
API requests carrying a bearer token are exempt (the token, not a cookie, authenticates
them); pages always need the form token.
"""

from urllib.parse import urlsplit

from fastapi import Request

from app.config import Settings
from app.errors import CsrfFailed
from app.security import tokens
from app.security.sessions import session_token_hash

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
PURPOSE = "csrf"


def csrf_token(request: Request) -> str:
    """The token to embed in this page's forms; creates the signed-out nonce if needed."""
    settings: Settings = request.app.state.settings
    session_hash = session_token_hash(request.cookies.get(settings.session_cookie_name), settings)
    if session_hash:
        return tokens.sign(session_hash, settings.secret_key, PURPOSE)
    nonce = request.cookies.get(settings.anon_cookie_name) or getattr(
        request.state, "new_anon_nonce", None
    )
    if not nonce:
        nonce = tokens.new_token()
        request.state.new_anon_nonce = nonce  # set as a cookie by the security middleware
    return tokens.sign("anon:" + nonce, settings.secret_key, PURPOSE)


def _expected_token(request: Request, settings: Settings) -> str | None:
    """The one token this browser's pages carry: bound to the session when it has one.

    A signed-out token stops working at sign-in, so a nonce planted in the browser
    beforehand (cookie injection) cannot be used to forge the signed-in user's requests."""
    session_hash = session_token_hash(request.cookies.get(settings.session_cookie_name), settings)
    if session_hash:
        return tokens.sign(session_hash, settings.secret_key, PURPOSE)
    if nonce := request.cookies.get(settings.anon_cookie_name):
        return tokens.sign("anon:" + nonce, settings.secret_key, PURPOSE)
    return None


def _origin_allowed(request: Request, settings: Settings) -> bool:
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = {f"{request.url.scheme}://{request.url.netloc}", _origin_of(settings.base_url)}
    return origin in own


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: no route can forget it."""
    if request.method in SAFE_METHODS:
        return
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if bearer and request.url.path.startswith("/api/"):
        return  # the API authenticates the token itself; pages always need the form token
    settings: Settings = request.app.state.settings
    if not _origin_allowed(request, settings):
        raise CsrfFailed("This request came from another site and was refused.")
    sent = request.headers.get(HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(FORM_FIELD)
        sent = value if isinstance(value, str) else None
    expected = _expected_token(request, settings)
    if not sent or expected is None or not tokens.compare(sent, expected):
        raise CsrfFailed(
            "Your form has expired or was not sent from this site. Reload the page and try again."
        )
