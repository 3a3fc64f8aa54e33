"""The schema comes only from migrations, and the models match it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from bot.db.models import AuditLogEntry, Base
from bot.db.uow import UnitOfWorkFactory


async def test_upgrade_head_builds_every_table(engine: AsyncEngine, database_url: str) -> None:
    async with engine.connect() as connection:
        tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    assert set(Base.metadata.tables) <= tables
    assert await asyncio.to_thread(current_revision, database_url) == head_revision(database_url)


async def test_models_match_migrations(database_url: str) -> None:
    # `alembic check` raises when autogenerate would produce a new migration.
    await asyncio.to_thread(command.check, alembic_config(database_url))


async def test_upgrade_is_idempotent(database_url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, database_url)
    assert await asyncio.to_thread(current_revision, database_url) == head_revision(database_url)


async def test_datetimes_are_aware_utc_and_naive_ones_refused(uow: UnitOfWorkFactory) -> None:
    async with uow() as work:
        await work.audit.record(1, 2, "test.action", note="x")
        await work.commit()
    async with uow() as work:
        [entry] = await work.audit.recent(1)
        assert entry.created_at.tzinfo is not None
        assert entry.created_at.utcoffset() == UTC.utcoffset(None)
        assert entry.details == {"note": "x"}
    async with uow() as work:
        work.audit._session.add(  # the column type, not the repository, must refuse it
            AuditLogEntry(guild_id=1, actor_id=2, action="naive", created_at=datetime(2026, 1, 1))  # noqa: DTZ001
        )
        with pytest.raises(StatementError, match="naive datetime"):
            await work.commit()


async def test_unit_of_work_rolls_back_without_commit(uow: UnitOfWorkFactory) -> None:
    async with uow() as work:
        await work.audit.record(1, 2, "never.committed")
    async with uow() as work:
        session = work.audit._session
        assert (await session.scalars(select(AuditLogEntry))).all() == []
