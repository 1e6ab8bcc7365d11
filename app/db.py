"""Database engines (SQLite tuned for concurrent use, PostgreSQL pooled) and transactions."""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_S = 30


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # pool_pre_ping: a connection that died with a database restart is replaced when next
    # checked out, so the app recovers by itself as soon as the database is back. A request
    # waits at most 10 s for a pooled connection and 5 s (unless the URL says otherwise)
    # for a new one, then gets a 503 rather than hanging.
    in_url = "connect_timeout" in make_url(url).query
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=10,
        connect_args={} if in_url else {"connect_timeout": 5},
    )


# PostgreSQL error classes that mean "the database cannot serve us now", not "this query
# is wrong": connection exceptions, shutting down or starting up, too many connections.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite's equivalents: the file is locked by a writer for longer than the busy timeout,
# or cannot be opened.
_UNAVAILABLE_SQLITE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN")


def is_unavailable(error: BaseException) -> bool:
    """Whether a database error means the database is unreachable or busy for a while
    (worth a 503 and a retry) rather than a fault in the query or the data."""
    if isinstance(error, PoolTimeout):
        return True  # every pooled connection was in use for pool_timeout seconds
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, ConnectionError | TimeoutError):
        return True
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    if type(original).__module__.startswith("psycopg"):
        # psycopg reports a failed or lost connection without a SQLSTATE.
        import psycopg

        return isinstance(original, psycopg.OperationalError)
    name = getattr(original, "sqlite_errorname", "")
    return isinstance(name, str) and name.startswith(_UNAVAILABLE_SQLITE)


def _sqlite_engine(url: str) -> Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    if not in_memory:
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # A file's connections are kept, one per threadpool thread (anyio runs 40): opening
    # one costs four PRAGMAs, and a small pool reopened them on every busy request.
    extra = {"poolclass": StaticPool} if in_memory else {"pool_size": 40, "max_overflow": 10}
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        **extra,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not pysqlite, decide when transactions begin: savepoints then work,
        # and writers can take the write lock up front (see `writer`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    write_turn = _WriteTurn()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        mode = options.get("sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE":
            write_turn.take(connection.info)
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            write_turn.give_back(connection.info)
            raise

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        write_turn.give_back(record.info)

    @event.listens_for(engine, "invalidate")
    def _invalidate(_dbapi_connection, record, _exception):  # type: ignore[no-untyped-def]
        write_turn.give_back(record.info)

    return engine


class _WriteTurn:
    """One writer at a time per process, queued in Python rather than in SQLite.

    Writers waiting for SQLite's lock sleep in its busy handler, in steps that grow to
    100 ms, so under contention the lock sits free while they sleep and a burst of short
    writes crawls. Here they wait on a lock that wakes the next one as soon as it is
    free. A connection holds its turn until it goes back to the pool (after the commit
    or rollback), and waits for it as long as SQLite's busy timeout would.
    Other processes still meet at SQLite's own lock.
    """

    KEY = "takt_write_turn"

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def take(self, info: dict[str, object]) -> None:
        if info.get(self.KEY):
            return  # this connection holds it still: a second transaction before check-in
        if not self.lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
            locked = sqlite3.OperationalError("database is locked")
            locked.sqlite_errorname = "SQLITE_BUSY"  # type: ignore[attr-defined]
            raise OperationalError("BEGIN IMMEDIATE", None, locked)
        info[self.KEY] = True

    def give_back(self, info: dict[str, object]) -> None:
        if info.pop(self.KEY, False):
            self.lock.release()


def writer(engine: Engine) -> Engine:
    """The engine for a transaction that reads then writes under contention.

    SQLite's deferred transactions fail (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not
    retry) when another writer commits between our read and our write; BEGIN IMMEDIATE
    takes the write lock first and so waits its turn instead. PostgreSQL ignores this.
    """
    return engine.execution_options(sqlite_begin="IMMEDIATE")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work outside a request (CLI, start-up): commit on success, else roll back."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
