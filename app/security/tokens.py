"""Random tokens, their stored digests and HMAC signatures."""

import hashlib
import hmac
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What the database keeps instead of a token: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign(value: str, secret: str, purpose: str) -> str:
    mac = hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:40]


def signed(value: str, secret: str, purpose: str) -> str:
    return f"{value}.{sign(value, secret, purpose)}"


def unsigned(cookie: str | None, secret: str, purpose: str) -> str | None:
    """The value inside a signed cookie, or None when it is missing or forged."""
    if not cookie or "." not in cookie:
        return None
    value, signature = cookie.rsplit(".", 1)
    if hmac.compare_digest(signature, sign(value, secret, purpose)):
        return value
    return None


def compare(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
