"""Helpers shared by every table; importing this module fixes constraint names."""

from datetime import UTC, datetime

from sqlmodel import SQLModel

# Stable constraint names make migrations reproducible on SQLite and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Aware UTC. SQLModel's UTCDateTime stores it the same on SQLite and PostgreSQL."""
    return datetime.now(UTC)
