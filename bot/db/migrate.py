"""Apply and inspect Alembic migrations from code (the CLI and the tests use this)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.db.engine import create_engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    """An Alembic config for the project's ``migrations/`` and ``database_url``."""
    script_location = PROJECT_ROOT / "migrations"
    if not script_location.is_dir():
        raise FileNotFoundError(
            f"migrations folder not found at {script_location}; install Cwtch from its source folder (pip install -e .)"
        )
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["database_url"] = database_url
    config.attributes["skip_logging_config"] = True
    return config


def upgrade_to_head(database_url: str) -> None:
    """Bring the schema up to the newest migration (idempotent). Call from sync code or a thread."""
    command.upgrade(alembic_config(database_url), "head")


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def current_revision(database_url: str) -> str | None:
    """The revision the database is at (``None`` when never migrated); raises when it is unreachable.

    Runs its own event loop: call it from sync code or a thread.
    """

    async def read() -> str | None:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
        finally:
            await engine.dispose()

    return asyncio.run(read())
