"""Migrations build exactly the models' schema and can be undone, on each database."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401 - the full metadata
from app.db import make_engine
from app.migrations import downgrade, upgrade
from tests.conftest import make_settings

SCRATCH_DATABASE = f"takt_migration_check_{os.getpid()}"


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("TAKT_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE}"))
        connection.execute(text(f"CREATE DATABASE {SCRATCH_DATABASE}"))
    yield url.rsplit("/", 1)[0] + "/" + SCRATCH_DATABASE
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)"))
    server.dispose()


def test_upgrading_an_empty_database_to_head_matches_the_models(empty_database_url, tmp_path):
    engine = make_engine(empty_database_url)
    upgrade(engine, make_settings(empty_database_url, tmp_path))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_downgrading_to_base_removes_every_table(empty_database_url, tmp_path):
    engine = make_engine(empty_database_url)
    settings = make_settings(empty_database_url, tmp_path)
    upgrade(engine, settings)
    downgrade(engine, settings, "base")
    remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    upgrade(engine, settings)
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
