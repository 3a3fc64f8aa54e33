"""On PostgreSQL a pooled connection that sat unused may have been closed by the server (a restart, an idle timeout,
something on the way): it is checked before it is handed out, and replaced if dead. One in use a moment ago is handed
out without a check, which costs three round trips. SQLite has no server to close a connection: units of work after
an idle pool simply go on working."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncEngine

import bot.db.engine as engine_module
from bot.db.engine import create_engine
from bot.db.uow import UnitOfWorkFactory


async def backend_pid(engine: AsyncEngine) -> int | None:
    if engine.dialect.name != "postgresql":
        return None
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def names(uow: UnitOfWorkFactory) -> dict[int, int]:
    async with uow.reading() as work:
        return await work.dm_channels.of([1])


async def test_a_connection_closed_while_it_sat_unused_is_replaced_not_used(
    engine: AsyncEngine, uow: UnitOfWorkFactory, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[object] = []
    if engine.dialect.name == "postgresql":
        real_ping = AsyncAdapt_asyncpg_connection.ping

        def counted_ping(self: object) -> None:
            pings.append(self)
            real_ping(self)

        monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted_ping)

    pid = await backend_pid(engine)
    assert await names(uow) == {}
    assert await names(uow) == {}
    assert pings == []  # in use a moment ago: handed out as it is

    if pid is not None:  # the server closes the one pooled connection while it sits unused
        other = create_engine(database_url)
        async with other.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await other.dispose()
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE", 0.0)  # as if it had sat unused for a while

    assert await names(uow) == {}  # a fresh connection, not the closed one
    if pid is not None:
        assert len(pings) == 1
        assert await backend_pid(engine) != pid
