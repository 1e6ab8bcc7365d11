"""Run Alembic migrations from code (the CLI, start-up and tests)."""

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from app.config import Settings


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(settings.migrations_dir))
    return config


def upgrade(engine: Engine, settings: Settings, revision: str = "head") -> None:
    with engine.begin() as connection:
        config = alembic_config(settings)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, settings: Settings, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config(settings)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
