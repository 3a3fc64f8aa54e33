"""Alembic environment: async engine, batch mode on SQLite, the models' metadata as target."""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine
from bot.db.models import Base
from bot.settings import DEFAULT_DATABASE_URL, normalise_database_url

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    # Run as the `alembic` command: read the same configuration as the bot does.
    from dotenv import load_dotenv

    load_dotenv()
    return normalise_database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


# Full-text search objects made by hand in migration 0004, one engine's kind each: SQLite's FTS5 table (and the
# shadow tables FTS5 keeps beside it) and PostgreSQL's expression index. The models cannot describe them, so
# autogenerate and `alembic check` leave them alone.
_HAND_MADE_TABLES = ("resources_fts",)
_HAND_MADE_INDEXES = frozenset({"ix_resources_search"})


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "table" and name is not None:
        return not any(name == table or name.startswith(f"{table}_") for table in _HAND_MADE_TABLES)
    if type_ == "index":
        return name not in _HAND_MADE_INDEXES
    return True


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
