"""Server-side sessions: revocable, with idle and absolute timeouts.

The cookie holds a random token signed with the secret key (cheap rejection of forged
cookies); the database holds only the token's digest.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, select

from app.config import Settings
from app.models import AuthSession, User
from app.models.base import utcnow
from app.security import tokens

COOKIE_PURPOSE = "session"
# Writing last_seen_at on every request would turn every page view into a write.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    user: User
    token_hash: str


def start_session(db: Session, user: User, settings: Settings) -> str:
    """Create a session and return the cookie value. A fresh token at every sign-in."""
    token = tokens.new_token()
    now = utcnow()
    db.add(
        AuthSession(
            token_hash=tokens.digest(token),
            user_id=user.id,  # type: ignore[arg-type]
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
        )
    )
    return tokens.signed(token, settings.secret_key, COOKIE_PURPOSE)


def session_token_hash(cookie: str | None, settings: Settings) -> str | None:
    token = tokens.unsigned(cookie, settings.secret_key, COOKIE_PURPOSE)
    return tokens.digest(token) if token else None


def load_session(db: Session, cookie: str | None, settings: Settings) -> SignedIn | None:
    """The signed-in user, or None. Runs before the route, so its own commits (ending an
    expired session, noting activity) never carry half of a route's work."""
    token_hash = session_token_hash(cookie, settings)
    if token_hash is None:
        return None
    row = db.exec(_SESSION_AND_USER, params={"token_hash": token_hash}).first()
    if row is None:
        return None
    auth_session, user = row
    now = utcnow()
    idle_limit = auth_session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if not user.is_active or now >= auth_session.expires_at or now >= idle_limit:
        write_apart(db, lambda: db.delete(auth_session))
        return None
    if now - auth_session.last_seen_at > TOUCH_INTERVAL:
        auth_session.last_seen_at = now
        write_apart(db, lambda: db.add(auth_session))
    return SignedIn(user=user, token_hash=token_hash)


# Built once: every signed-in request runs it.
_SESSION_AND_USER = (
    select(AuthSession, User)
    .join(User, col(User.id) == AuthSession.user_id)
    .where(col(AuthSession.token_hash) == bindparam("token_hash"))
)


def write_apart(db: Session, change: Callable[[], None]) -> None:
    """Commit a small bookkeeping write on its own, before the route's work begins.

    The read that found the row is committed first: SQLite cannot turn a read
    transaction into a write once another writer has committed in between.
    """
    db.commit()
    change()
    db.commit()


def end_session(db: Session, token_hash: str) -> None:
    db.exec(delete(AuthSession).where(col(AuthSession.token_hash) == token_hash))


def end_all_sessions(db: Session, user_id: int, except_hash: str | None = None) -> None:
    statement = delete(AuthSession).where(col(AuthSession.user_id) == user_id)
    if except_hash:
        statement = statement.where(col(AuthSession.token_hash) != except_hash)
    db.exec(statement)
