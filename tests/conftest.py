"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when TAKT_TEST_DATABASE_URL
is set), the app and its client, the synced repository content, and the standing cast:
Ada and Ben (learners), Ines (instructor), Hana (HR) and Omar (admin)."""

import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, select

from app.authoring import staff
from app.config import REPO_ROOT, Environment, Settings
from app.content.loader import LoadedContent, load_content
from app.content.sync import sync_content
from app.db import make_engine
from app.main import create_app
from app.migrations import upgrade
from app.models import Course, Role, User
from app.security.passwords import hash_password

TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-checks"
TEST_SIGNING_KEY = (
    Ed25519PrivateKey.generate()
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode()
)
BASE_URL = "http://testserver"


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    name: str
    role: Role
    password: str


CAST = (
    Person("ada", "ada@example.com", "Ada Lovelace", Role.learner, "ada-reads-every-module"),
    Person("ben", "ben@example.com", "Ben Okri", Role.learner, "ben-skims-the-summary"),
    Person("ines", "ines@example.com", "Ines Ibarra", Role.instructor, "ines-writes-courses"),
    Person("ivo", "ivo@example.com", "Ivo Ilic", Role.instructor, "ivo-teaches-another-belt"),
    Person("hana", "hana@example.com", "Hana Haddad", Role.hr, "hana-counts-belts"),
    Person("omar", "omar@example.com", "Omar Okafor", Role.admin, "omar-keeps-the-keys"),
)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in a temporary folder, or a private schema of TAKT_TEST_DATABASE_URL so
    that several test runs can share one PostgreSQL server."""
    server_url = os.environ.get("TAKT_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'takt-test.sqlite3'}"
        return
    schema = f"takt_test_{os.getpid()}_{secrets.token_hex(3)}"
    server = make_engine(server_url)
    with server.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in server_url else "?"
    yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    with server.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    server.dispose()


@pytest.fixture(scope="session")
def migrated_engine(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    settings = make_settings(database_url, tmp_path_factory.mktemp("var"))
    engine = make_engine(database_url)
    upgrade(engine, settings)
    yield engine
    engine.dispose()


def make_settings(database_url: str, var_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": Environment.test,
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "signing_key": TEST_SIGNING_KEY,
        "var_dir": var_dir,
        "content_dir": REPO_ROOT,
        "base_url": BASE_URL,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """The migrated database, emptied after each test so tests never share state."""
    yield migrated_engine
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with migrated_engine.begin() as connection:
        if migrated_engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """The test's own view of the database. Autocommit, so every query sees what the
    app's requests have committed, rather than a snapshot from the test's first query."""
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    with Session(autocommit, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "var")


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def new_client(app: FastAPI) -> Iterator[object]:
    """Make more browsers (each with its own cookies) against the same app."""
    clients: list[TestClient] = []

    def make() -> TestClient:
        clients.append(TestClient(app, base_url=BASE_URL))
        return clients[-1]

    yield make
    for made in clients:
        made.close()


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    """Hashing is slow on purpose; hash the cast's passwords once per run."""
    return {person.key: hash_password(person.password) for person in CAST}


@pytest.fixture
def cast(db: Session, password_hashes: dict[str, str]) -> dict[str, User]:
    users = {}
    for person in CAST:
        user = User(
            email=person.email,
            name=person.name,
            role=person.role,
            password_hash=password_hashes[person.key],
        )
        db.add(user)
        users[person.key] = user
    db.commit()
    return users


def person(key: str) -> Person:
    return next(p for p in CAST if p.key == key)


@pytest.fixture(scope="session")
def repository_content() -> LoadedContent:
    """The repository's courses and exercises, read once: parsing them takes seconds."""
    loaded = load_content(REPO_ROOT)
    assert loaded.problems == []
    return loaded


@pytest.fixture
def content(db: Session, repository_content: LoadedContent) -> None:
    """The repository's own courses, synced as `takt serve` would."""
    sync_content(db, repository_content)
    db.commit()


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def post_form(client: TestClient, page: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Submit a form the way a browser does: load the page, then post with its token."""
    token = csrf_from(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)


def sign_in(client: TestClient, key: str) -> None:
    who = person(key)
    response = post_form(
        client, "/sign-in", "/sign-in", {"email": who.email, "password": who.password}
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def signed_in(client: TestClient, cast: dict[str, User]):  # type: ignore[no-untyped-def]
    """Sign the client in as one of the cast: `signed_in("ada")`."""

    def as_person(key: str) -> TestClient:
        sign_in(client, key)
        return client

    return as_person


@pytest.fixture
def teaching(db: Session, cast: dict[str, User], content: None) -> None:
    """Course staff: Ines teaches the Yellow Belt and Ivo the Green; Omar appointed them."""
    for slug, instructor in (("yellow-belt", "ines"), ("green-belt", "ivo")):
        course = db.exec(select(Course).where(Course.slug == slug)).one()
        staff.add_staff(db, course, cast[instructor], cast["omar"])
    db.commit()
