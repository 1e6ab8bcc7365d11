"""Sign-in throttling per account and per client address, kept in the database.

Failures are rows, so the limit holds across workers and machines. The check happens
before the password is verified: a throttled request costs no argon2 work.
"""

import math
from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from app.config import Settings
from app.errors import RateLimited
from app.models import LoginFailure
from app.models.base import utcnow


def throttle_keys(email: str, client_ip: str) -> dict[str, str]:
    return {"account": f"account:{email.strip().lower()}", "ip": f"ip:{client_ip}"}


def check_login_allowed(db: Session, keys: dict[str, str], settings: Settings) -> None:
    window = timedelta(minutes=settings.login_window_minutes)
    since = utcnow() - window
    limits = {
        "account": settings.login_failures_per_account,
        "ip": settings.login_failures_per_ip,
    }
    for kind, key in keys.items():
        count, oldest = db.exec(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.key == key, col(LoginFailure.at) > since
            )
        ).one()
        if count >= limits[kind]:
            retry_after = max(1, math.ceil((oldest + window - utcnow()).total_seconds()))
            raise RateLimited(
                f"Too many failed sign-ins. Try again in {math.ceil(retry_after / 60)} minutes.",
                retry_after=retry_after,
            )


def record_login_failure(db: Session, keys: dict[str, str], settings: Settings) -> None:
    stale = utcnow() - timedelta(minutes=settings.login_window_minutes)
    for key in keys.values():
        db.exec(delete(LoginFailure).where(LoginFailure.key == key, col(LoginFailure.at) < stale))
        db.add(LoginFailure(key=key))


def clear_account_failures(db: Session, keys: dict[str, str]) -> None:
    db.exec(delete(LoginFailure).where(LoginFailure.key == keys["account"]))
