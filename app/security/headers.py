"""An ASGI middleware for every response: security headers, a request id, and the
signed-out CSRF cookie when a page created one."""

import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.error_handlers import unexpected_error_response
from app.logs import request_id_var

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.headers = {
            "content-security-policy": CONTENT_SECURITY_POLICY,
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            "referrer-policy": "same-origin",
            "cross-origin-opener-policy": "same-origin",
            "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }
        if settings.is_production:
            self.headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        reset = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                headers["x-request-id"] = request_id
                nonce = scope["state"].get("new_anon_nonce")
                if nonce:
                    headers.append("set-cookie", self._anon_cookie(nonce))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            # Handled here rather than by Starlette's outermost handler, so the log line
            # keeps the request id and the error page keeps the security headers.
            if started:
                raise
            response = await unexpected_error_response(Request(scope), error)
            await response(scope, receive, send_with_headers)
        finally:
            request_id_var.reset(reset)

    def _anon_cookie(self, nonce: str) -> str:
        secure = "; Secure" if self.settings.secure_cookies else ""
        return f"{self.settings.anon_cookie_name}={nonce}; Path=/; HttpOnly; SameSite=Lax{secure}"
