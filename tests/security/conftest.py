"""Helpers for the security tests: the whole route table, a snapshot of every row in the
database, and plausible values for every path parameter."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy import select as select_columns
from sqlmodel import Session, SQLModel, col, select

from app.accounts.service import create_api_token
from app.config import Environment, Settings
from app.main import create_app
from app.models import Course, Exercise, Module, User
from tests.accounts.conftest import session_cookie, signed_in_as, takt_log
from tests.conftest import TEST_SECRET, TEST_SIGNING_KEY, sign_in

__all__ = ["session_cookie", "signed_in_as", "takt_log"]  # takt_log is a fixture

COURSE_SLUG = "yellow-belt"
MODULE_SLUG = "craft-mass-lean"
# Columns that a read may legitimately write: noting when a session or token was last used.
USAGE_COLUMNS = {("auth_session", "last_seen_at"), ("api_token", "last_used_at")}


@dataclass(frozen=True)
class RouteEntry:
    method: str
    path: str


def route_table(app: FastAPI) -> list[RouteEntry]:
    """Every (method, path) the app answers, including routes of included routers."""
    entries = {
        RouteEntry(method, context.path)
        for context in iter_route_contexts(app.routes)
        for method in (context.methods or ())
        if method != "HEAD"
    }
    return sorted(entries, key=lambda e: (e.path, e.method))


def snapshot(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as sorted text, leaving out the usage columns."""
    tables: dict[str, list[tuple[str, ...]]] = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in USAGE_COLUMNS]
            rows = connection.execute(select_columns(*columns)).all()
            tables[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return tables


@dataclass(frozen=True)
class World:
    """The objects behind the path parameters: Ada's API token, Ben (active) and Ivo
    (disabled) for the admin actions, and the synced course, module and exercises (the
    first of all, and the first of the course, for the instructors' pages)."""

    ada_token: str
    ada_token_id: int
    ben_id: int
    disabled_id: int
    module_id: str
    exercise_slug: str
    course_exercise_slug: str
    course_slug: str = COURSE_SLUG
    module_slug: str = MODULE_SLUG


@pytest.fixture
def world(db: Session, cast: dict[str, User], content: None) -> World:
    token, plain = create_api_token(db, cast["ada"], "nightly export")
    cast["ivo"].is_active = False
    db.add(cast["ivo"])
    db.commit()
    module = db.exec(select(Module).where(Module.slug == MODULE_SLUG)).one()
    exercise = db.exec(select(Exercise).order_by(col(Exercise.slug))).first()
    course = db.exec(select(Course).where(Course.slug == COURSE_SLUG)).one()
    of_the_course = db.exec(
        select(Exercise).where(Exercise.course_id == course.id).order_by(col(Exercise.slug))
    ).first()
    return World(
        ada_token=plain,
        ada_token_id=token.id,  # type: ignore[arg-type]
        ben_id=cast["ben"].id,  # type: ignore[arg-type]
        disabled_id=cast["ivo"].id,  # type: ignore[arg-type]
        module_id=str(module.id),
        exercise_slug=exercise.slug if exercise else "no-exercise-synced",
        course_exercise_slug=of_the_course.slug if of_the_course else "no-exercise-synced",
    )


UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def fill_path(path: str, world: World) -> str:
    """A path with every parameter filled with an object that exists where one can be
    named here; other parameters get an id that exists nowhere (the route then answers 404)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "slug":
            if path.startswith("/teach/"):
                return world.course_exercise_slug
            return world.exercise_slug if path.startswith("/exercises/") else world.course_slug
        known = {
            "course_slug": world.course_slug,
            "number": "1",
            "module_slug": world.module_slug,
            "module_id": world.module_id,
            "token_id": str(world.ada_token_id),
            "user_id": str(world.ben_id),
        }
        return known.get(name, UNKNOWN_ID)

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


@cache
def declared_routes() -> tuple[RouteEntry, ...]:
    """The route table, read from an app that is built but never started."""
    settings = Settings(
        env=Environment.test,
        database_url="sqlite://",
        secret_key=TEST_SECRET,
        signing_key=TEST_SIGNING_KEY,
    )
    return tuple(route_table(create_app(settings)))


@pytest.fixture
def client_for(new_client, cast) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A browser signed in as one of the cast: `client_for("omar")`."""

    def make(key: str) -> TestClient:
        made = new_client()
        sign_in(made, key)
        return made

    yield make
