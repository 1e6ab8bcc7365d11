"""Databases of their own for the fault tests: a new SQLite file, or a new PostgreSQL
database on the test server (TAKT_TEST_DATABASE_URL), created and dropped by the test."""

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from app.content.loader import LoadedContent
from app.content.sync import sync_content
from app.db import make_engine
from app.migrations import upgrade
from app.models import User
from tests.conftest import CAST, make_settings


def on_postgresql() -> bool:
    return bool(os.environ.get("TAKT_TEST_DATABASE_URL"))


def server_url() -> str:
    """The test server's address with any per-run options (search_path) left out."""
    url = make_url(os.environ["TAKT_TEST_DATABASE_URL"])
    return url.set(query={}).render_as_string(hide_password=False)


def create_database(name: str) -> str:
    admin = make_engine(server_url()).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(server_url()).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    admin = make_engine(server_url()).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """`fresh_database("source")`: the URL of a new, empty database of the kind under test."""
    created: list[str] = []

    def make(label: str) -> str:
        if not on_postgresql():
            return f"sqlite:///{tmp_path / f'{label}.sqlite3'}"
        name = f"takt_faults_{label}_{os.getpid()}_{secrets.token_hex(3)}"
        created.append(name)
        return create_database(name)

    yield make
    for name in created:
        drop_database(name)


def schema_url(label: str) -> str:
    """A new schema of the PostgreSQL test database, and the URL that works in it."""
    name = f"takt_faults_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    server = make_engine(server_url())
    try:
        with server.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {name}"))
    finally:
        server.dispose()
    return f"{server_url()}?options=-csearch_path%3D{name}"


def drop_schema(url: str) -> None:
    name = make_url(url).query["options"].removeprefix("-csearch_path=")  # type: ignore[union-attr]
    server = make_engine(server_url())
    try:
        with server.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
    finally:
        server.dispose()


@pytest.fixture
def fresh_schema(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Like `fresh_database`, but on PostgreSQL a new schema of the test database, which
    is much quicker to create and drop than a database (the app reaches it through the
    URL's search_path, as the rest of the suite does)."""
    created: list[str] = []

    def make(label: str) -> str:
        if not on_postgresql():
            return f"sqlite:///{tmp_path / f'{label}.sqlite3'}"
        created.append(schema_url(label))
        return created[-1]

    yield make
    for url in created:
        drop_schema(url)


def migrate(url: str, var_dir: Path) -> Engine:
    engine = make_engine(url)
    upgrade(engine, make_settings(url, var_dir))
    return engine


def add_people(
    engine: Engine, password_hashes: dict[str, str], learners: int = 0
) -> dict[str, User]:
    """The standing cast, plus `learners` more learners (learner1@example.com, …) who share
    Ada's password."""
    people = [(p.key, p.email, p.name, p.role, password_hashes[p.key]) for p in CAST]
    ada = next(p for p in CAST if p.key == "ada")
    people += [
        (f"learner{i}", f"learner{i}@example.com", f"Learner {i}", ada.role, password_hashes["ada"])
        for i in range(1, learners + 1)
    ]
    users: dict[str, User] = {}
    with Session(engine, expire_on_commit=False) as db:
        for key, email, name, role, password_hash in people:
            users[key] = User(email=email, name=name, role=role, password_hash=password_hash)
            db.add(users[key])
        db.commit()
    return users


def sync(engine: Engine, content: LoadedContent) -> None:
    with Session(engine) as db:
        sync_content(db, content)
        db.commit()


def table_rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (and the migration stamp), sorted, for comparing copies."""
    tables = [*SQLModel.metadata.sorted_tables]
    rows: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as connection:
        for table in tables:
            found = connection.execute(table.select()).all()
            rows[table.name] = sorted((tuple(row) for row in found), key=repr)
        stamp = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        rows["alembic_version"] = [tuple(row) for row in stamp]
    return rows
