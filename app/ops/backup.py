"""Consistent backups of the database and restores into an empty one.

SQLite is copied with its online backup API, which reads one snapshot while the app goes
on writing. PostgreSQL is dumped by `pg_dump` (custom format) inside a snapshot this module
exports, so the row counts it reports are those of the dump, and restored by `pg_restore`.
"""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url

from app.db import make_engine

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
INSTALL_CLIENT = (
    "install the PostgreSQL client tools of the server's major version "
    "(Debian: apt-get install postgresql-client) or put them on PATH"
)


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Report:
    file: Path
    size: int
    tables: int
    rows: int

    def summary(self) -> str:
        rows = f"{self.rows:,} row{'' if self.rows == 1 else 's'}"
        return f"{self.tables} tables, {rows}; {self.file} is {_size(self.size)}"


def backup(database_url: str, file: Path) -> Report:
    """Copy the database into FILE (replaced atomically once the copy is complete)."""
    url = make_url(database_url)
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            tables, rows = _sqlite_backup(_sqlite_path(url), partial)
        else:
            tables, rows = _pg_backup(database_url, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, file)
    return Report(file, file.stat().st_size, tables, rows)


def restore(database_url: str, file: Path, *, force: bool = False) -> Report:
    """Bring a backup made by `backup` into the database, which must be empty unless
    `force` is given (then everything the backup holds replaces what is there)."""
    url = make_url(database_url)
    sqlite = url.get_backend_name() == "sqlite"
    _check_kind(file, sqlite=sqlite)
    if sqlite:
        tables, rows = _sqlite_restore(file, _sqlite_path(url), force=force)
    else:
        tables, rows = _pg_restore(database_url, file, force=force)
    return Report(file, file.stat().st_size, tables, rows)


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    raise AssertionError("unreachable")


def _check_kind(file: Path, *, sqlite: bool) -> None:
    try:
        with file.open("rb") as opened:
            header = opened.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"Cannot read {file}: {error.strerror}.") from error
    if header.startswith(SQLITE_HEADER) and not sqlite:
        raise BackupError(
            f"{file} is a SQLite backup; it can only be restored into a SQLite database."
        )
    if header.startswith(PG_DUMP_HEADER) and sqlite:
        raise BackupError(
            f"{file} is a PostgreSQL backup (pg_dump); it can only be restored into a "
            "PostgreSQL database."
        )
    if not header.startswith(SQLITE_HEADER if sqlite else PG_DUMP_HEADER):
        raise BackupError(f"{file} is not a backup made by `takt backup`.")


# SQLite ---------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database)  # type: ignore[arg-type]


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [name for (name,) in rows]


def _sqlite_counts(connection: sqlite3.Connection) -> tuple[int, int]:
    tables = _sqlite_tables(connection)
    rows = sum(
        connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608  # nosec B608: a catalogue name
        for name in tables
    )
    return len(tables), rows


def _sqlite_check(connection: sqlite3.Connection, what: str) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what} failed SQLite's integrity check: {result}")


def _sqlite_backup(path: Path, target: Path) -> tuple[int, int]:
    if not path.is_file():
        raise BackupError(f"There is no database at {path}.")
    with (
        closing(sqlite3.connect(path, timeout=30)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        # One step: the whole database is read from one snapshot while writers carry on.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _sqlite_check(copy, "The copy")
        return _sqlite_counts(copy)


def _sqlite_restore(file: Path, path: Path, *, force: bool) -> tuple[int, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as source,
        closing(sqlite3.connect(path, timeout=30)) as target,
    ):
        _sqlite_check(source, f"The backup {file}")
        existing = _sqlite_tables(target)
        if existing and not force:
            raise _not_empty(str(path), len(existing))
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        return _sqlite_counts(target)


def _not_empty(where: str, tables: int) -> BackupError:
    return BackupError(
        f"the database {where} is not empty ({tables} tables). Restore into an empty "
        "database, or pass --force to replace what it holds with the backup."
    )


# PostgreSQL -----------------------------------------------------------------------------

USER_TABLES = """
SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)
FROM information_schema.tables
WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1
"""


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"`{name}` was not found on PATH: {INSTALL_CLIENT}.")
    return found


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq address for the PostgreSQL tools, the password passed in the environment
    rather than on a command line that any user of the machine can read."""
    url = make_url(database_url)
    address = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return address, environment


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    finished = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        command, env=environment, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise BackupError(f"{what} failed: {finished.stderr.strip() or finished.returncode}")


@contextmanager
def _pg_connection(database_url: str) -> Iterator[Connection]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _pg_counts(connection: Connection) -> tuple[int, int]:
    tables = connection.execute(text(USER_TABLES)).scalars().all()
    rows = sum(
        connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608  # nosec B608: a catalogue name
        for name in tables
    )
    return len(tables), rows


def _pg_backup(database_url: str, target: Path) -> tuple[int, int]:
    pg_dump = _pg_tool("pg_dump")
    address, environment = _libpq(database_url)
    with _pg_connection(database_url) as connection:
        snapshot = connection.execution_options(isolation_level="REPEATABLE READ")
        with snapshot.begin():
            exported = snapshot.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = _pg_counts(snapshot)
            # pg_dump reads the very snapshot counted above, held open until it is done.
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={exported}",
                    f"--file={target}",
                    f"--dbname={address}",
                ],
                environment,
                "pg_dump",
            )
    return counts


def _pg_restore(database_url: str, file: Path, *, force: bool) -> tuple[int, int]:
    pg_restore = _pg_tool("pg_restore")
    address, environment = _libpq(database_url)
    with _pg_connection(database_url) as connection:
        existing = connection.execute(text(USER_TABLES)).scalars().all()
    if existing and not force:
        raise _not_empty(make_url(database_url).database or "", len(existing))
    command = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        *(["--clean", "--if-exists"] if existing else []),
        f"--dbname={address}",
        str(file),
    ]
    _run(command, environment, "pg_restore")
    with _pg_connection(database_url) as connection:
        return _pg_counts(connection)
