"""Settings read from TAKT_ environment variables, with embedded-mode defaults."""

import secrets
from enum import StrEnum
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ConfigurationError(RuntimeError):
    """The settings cannot work; the message names the variable to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAKT_", extra="ignore")

    env: Environment = Environment.development
    var_dir: Path = REPO_ROOT / "var"
    database_url: str = ""
    secret_key: str = ""
    signing_key: str = ""  # Ed25519 private key (PEM) that signs Open Badges credentials
    content_dir: Path = REPO_ROOT
    migrations_dir: Path = REPO_ROOT / "alembic"
    base_url: str = "http://127.0.0.1:8000"

    session_idle_minutes: int = Field(default=60 * 8, ge=1)
    session_absolute_hours: int = Field(default=24 * 7, ge=1)
    login_failures_per_account: int = Field(default=10, ge=1, le=100)
    login_failures_per_ip: int = Field(default=50, ge=1)
    login_window_minutes: int = Field(default=15, ge=1, le=60)

    @model_validator(mode="after")
    def _fill_embedded_defaults(self) -> "Settings":
        if not self.database_url:
            if self.is_production:
                raise ConfigurationError(
                    "TAKT_DATABASE_URL must be set in production "
                    "(e.g. postgresql+psycopg://takt@db/takt)."
                )
            self.database_url = f"sqlite:///{self.var_dir / 'takt.sqlite3'}"
        if not self.secret_key:
            if self.is_production:
                raise ConfigurationError(
                    "TAKT_SECRET_KEY must be set in production "
                    "(at least 32 random characters; generate one with "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
                )
            self.secret_key = _development_secret(self.var_dir)
        if self.is_production and len(self.secret_key) < 32:
            raise ConfigurationError("TAKT_SECRET_KEY must be at least 32 characters long.")
        if not self.signing_key:
            if self.is_production:
                raise ConfigurationError(
                    "TAKT_SIGNING_KEY must be set in production: an Ed25519 private key in PEM "
                    "(`openssl genpkey -algorithm ed25519`). It signs certificates' credentials."
                )
            self.signing_key = _development_signing_key(self.var_dir)
        return self

    @property
    def is_production(self) -> bool:
        return self.env == Environment.production

    @property
    def secure_cookies(self) -> bool:
        """Plain-http development is the only place cookies go without Secure."""
        return self.is_production or self.base_url.startswith("https://")

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix is only accepted by browsers on Secure cookies.
        return "__Host-takt_session" if self.secure_cookies else "takt_session"

    @property
    def anon_cookie_name(self) -> str:
        """The signed-out browser's CSRF nonce; prefixed for the same reason: a sibling
        subdomain cannot plant a __Host- cookie to fix the nonce in advance."""
        return "__Host-takt_anon" if self.secure_cookies else "takt_anon"

    @property
    def courses_dir(self) -> Path:
        return self.content_dir / "courses"

    @property
    def exercises_dir(self) -> Path:
        return self.content_dir / "exercises"


def _development_secret(var_dir: Path) -> str:
    """Generate a secret once and keep it, so sessions survive a restart."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def _development_signing_key(var_dir: Path) -> str:
    """Generate an Ed25519 key once and keep it, so issued credentials stay verifiable."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = var_dir / "signing_key.pem"
    if path.exists():
        return path.read_text()
    var_dir.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return pem.decode()
