"""Settings: embedded defaults for development, loud refusals in production."""

import pytest

from app.config import ConfigurationError, Environment, Settings
from app.main import create_app
from tests.conftest import TEST_SECRET, TEST_SIGNING_KEY


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("TAKT_ENV", "TAKT_DATABASE_URL", "TAKT_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TAKT_VAR_DIR", str(tmp_path / "var"))


def test_development_defaults_to_a_sqlite_file_under_var(tmp_path):
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'takt.sqlite3'}"


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = Settings().secret_key
    assert len(first) >= 32
    assert Settings().secret_key == first
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_secret_naming_the_variable(monkeypatch):
    monkeypatch.setenv("TAKT_ENV", "production")
    monkeypatch.setenv("TAKT_DATABASE_URL", "postgresql+psycopg://takt@db/takt")
    with pytest.raises(ConfigurationError, match="TAKT_SECRET_KEY"):
        Settings()


def test_production_refuses_to_start_without_a_database_url(monkeypatch):
    monkeypatch.setenv("TAKT_ENV", "production")
    monkeypatch.setenv("TAKT_SECRET_KEY", TEST_SECRET)
    with pytest.raises(ConfigurationError, match="TAKT_DATABASE_URL"):
        Settings()


def test_production_refuses_a_short_secret(monkeypatch):
    monkeypatch.setenv("TAKT_ENV", "production")
    monkeypatch.setenv("TAKT_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("TAKT_SECRET_KEY", "too-short")
    with pytest.raises(ConfigurationError, match="at least 32"):
        Settings()


def test_production_uses_secure_host_prefixed_cookies_and_hides_the_api_docs(monkeypatch):
    settings = Settings(
        env=Environment.production,
        database_url="sqlite://",
        secret_key=TEST_SECRET,
        signing_key=TEST_SIGNING_KEY,
    )
    assert settings.secure_cookies
    assert settings.session_cookie_name == "__Host-takt_session"
    routes = {getattr(route, "path", "") for route in create_app(settings).routes}
    assert "/api/docs" not in routes
    assert "/api/v1/openapi.json" not in routes


def test_plain_http_development_sends_cookies_without_secure():
    settings = Settings(base_url="http://127.0.0.1:8000")
    assert not settings.secure_cookies
    assert settings.session_cookie_name == "takt_session"


def test_production_refuses_to_start_without_a_signing_key(monkeypatch):
    monkeypatch.setenv("TAKT_ENV", "production")
    monkeypatch.setenv("TAKT_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("TAKT_SECRET_KEY", TEST_SECRET)
    with pytest.raises(ConfigurationError, match="TAKT_SIGNING_KEY"):
        Settings()


def test_development_generates_a_signing_key_once_and_keeps_it(tmp_path):
    first = Settings().signing_key
    assert first.startswith("-----BEGIN PRIVATE KEY-----")
    assert Settings().signing_key == first
