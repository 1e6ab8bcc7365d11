"""Sign-in throttling per account and per client address, kept in the database.

Every attempt is recorded, and committed, before its password is checked: a request
over the limit costs no argon2 work, and concurrent attempts cannot slip past the
count. Counting is serialised per key (SQLite's write lock; an advisory lock on
PostgreSQL), so the limit holds exactly across workers and machines. A successful
sign-in withdraws its own record and clears the account's failures.
"""

import math
import zlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session, col, delete, func, select

from app.config import Settings
from app.errors import RateLimited
from app.models import LoginFailure
from app.models.base import utcnow


@dataclass(frozen=True)
class Reservation:
    """The records of one sign-in attempt, one per throttle key."""

    keys: dict[str, str]
    record_ids: list[int]


def throttle_keys(email: str, client_ip: str) -> dict[str, str]:
    return {"account": f"account:{email.strip().lower()}", "ip": f"ip:{client_ip}"}


def reserve_attempt(db: Session, keys: dict[str, str], settings: Settings) -> Reservation:
    """Record an attempt, or raise RateLimited when a key has reached its limit.

    The caller commits straight away, before checking the password."""
    window = timedelta(minutes=settings.login_window_minutes)
    now = utcnow()
    limits = {
        "account": settings.login_failures_per_account,
        "ip": settings.login_failures_per_ip,
    }
    for key in sorted(keys.values()):
        _lock(db, key)
    for kind, key in keys.items():
        db.exec(
            delete(LoginFailure).where(LoginFailure.key == key, col(LoginFailure.at) < now - window)
        )
        count, oldest = db.exec(
            select(func.count(), func.min(LoginFailure.at)).where(LoginFailure.key == key)
        ).one()
        if count >= limits[kind]:
            retry_after = max(1, math.ceil((oldest + window - now).total_seconds()))
            raise RateLimited(
                f"Too many failed sign-ins. Try again in {math.ceil(retry_after / 60)} minutes.",
                retry_after=retry_after,
            )
    records = [LoginFailure(key=key, at=now) for key in keys.values()]
    db.add_all(records)
    db.flush()
    return Reservation(keys, [record.id for record in records])  # type: ignore[misc]


def _lock(db: Session, key: str) -> None:
    """Serialise attempts on one key until the transaction ends (PostgreSQL; SQLite's
    write lock already serialises writers)."""
    if db.get_bind().dialect.name == "postgresql":
        db.exec(text("SELECT pg_advisory_xact_lock(:id)").bindparams(id=zlib.crc32(key.encode())))  # type: ignore[call-overload]


def release_attempt(db: Session, reservation: Reservation) -> None:
    """After a successful sign-in: it was no failure, and the account starts afresh."""
    db.exec(delete(LoginFailure).where(col(LoginFailure.id).in_(reservation.record_ids)))
    db.exec(delete(LoginFailure).where(LoginFailure.key == reservation.keys["account"]))
