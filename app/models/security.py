"""Server-side sessions, API tokens and login throttling: state shared by every worker."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries the token; only its SHA-256 is stored."""

    __tablename__ = "auth_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class ApiToken(SQLModel, table=True):
    """A personal token for the JSON API, shown once and stored hashed."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, counted per account and per client address over a window."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
