"""SQLite through the async engine without a thread (bot/db/inline_sqlite.py): statements run on the event loop,
waiting for another connection's write lock never holds the loop, the wait ends with the lock or the busy
timeout, and long work lets the loop run between statements. These tests make their own SQLite file, whichever
database the rest of the suite uses."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import inline_sqlite
from bot.db.models import DmChannel
from bot.db.uow import UnitOfWorkFactory


async def _ticks_while(work: asyncio.Future[object] | asyncio.Task[object]) -> int:
    """How many times another task got the loop while ``work`` ran."""
    ticks = 0
    while not work.done():
        ticks += 1
        await asyncio.sleep(0)
    return ticks


async def test_units_of_work_start_no_thread(sqlite_file: tuple[UnitOfWorkFactory, str]) -> None:
    uow, _ = sqlite_file
    before = threading.active_count()
    for user in range(5):
        async with uow() as work:
            work.dm_channels._session.add(DmChannel(user_id=user, channel_id=user + 100))
            await work.commit()
        async with uow.reading() as reading:
            assert await reading.dm_channels.of([user]) == {user: user + 100}
    assert threading.active_count() == before  # aiosqlite would have started a thread per connection


async def test_a_writer_waits_for_another_connections_lock_without_holding_the_loop(
    sqlite_file: tuple[UnitOfWorkFactory, str],
) -> None:
    uow, path = sqlite_file
    other = sqlite3.connect(path, isolation_level=None)  # SQLite's lock is the file's: as good as another process
    other.execute("BEGIN IMMEDIATE")

    async def write() -> None:
        async with uow() as work:
            work.dm_channels._session.add(DmChannel(user_id=7, channel_id=8))
            await work.commit()

    try:
        writing = asyncio.create_task(write())
        await asyncio.sleep(0.2)
        assert not writing.done()  # still waiting for the lock...
        async with uow.reading() as reading:  # ...while the loop runs everything else, reads included
            assert await reading.dm_channels.of([7]) == {}
        other.execute("COMMIT")
        await asyncio.wait_for(writing, timeout=10)
    finally:
        other.close()
    async with uow.reading() as reading:
        assert await reading.dm_channels.of([7]) == {7: 8}


async def test_the_wait_for_the_lock_ends_at_the_busy_timeout(tmp_path: Path) -> None:
    path = str(tmp_path / "locked.db")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE t (x INTEGER)")
    other.execute("BEGIN IMMEDIATE")
    connection = await inline_sqlite.inline_creator(path, busy_timeout=0.1)()
    try:
        attempt = asyncio.ensure_future(connection.execute("BEGIN IMMEDIATE"))
        assert await _ticks_while(attempt) > 3  # the loop ran while it waited
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await attempt
    finally:
        await connection.close()
        other.close()


async def test_long_work_lets_the_loop_run_between_statements(
    sqlite_file: tuple[UnitOfWorkFactory, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    uow, _ = sqlite_file
    monkeypatch.setattr(inline_sqlite, "YIELD_AFTER", 0.0)  # every statement counts as long work

    async def many_reads() -> object:
        async with uow.reading() as reading:
            session = reading.dm_channels._session
            for _ in range(20):
                await session.execute(text("SELECT 1"))
        return None

    assert await _ticks_while(asyncio.ensure_future(many_reads())) >= 20


async def test_an_error_inside_a_transaction_is_raised_not_retried(sqlite_file: tuple[UnitOfWorkFactory, str]) -> None:
    uow, _ = sqlite_file
    async with uow() as work:
        session = work.dm_channels._session
        session.add(DmChannel(user_id=1, channel_id=2))
        await session.flush()
        session.add(DmChannel(user_id=1, channel_id=3))
        with pytest.raises(Exception, match="UNIQUE"):
            await session.flush()


async def test_a_short_unit_of_work_runs_in_one_go(sqlite_file: tuple[UnitOfWorkFactory, str]) -> None:
    """Under a burst every hand-back to the loop is a wait behind everything else: a short read never makes one,
    however long the connection sat idle before it."""
    uow, _ = sqlite_file

    async def one_read() -> object:
        async with uow.reading() as reading:
            return await reading.dm_channels.of([1])

    await one_read()  # the pool's connection is made (and its pragmas run) outside what is measured
    await asyncio.sleep(inline_sqlite.YIELD_AFTER * 2)  # a quiet spell
    assert await _ticks_while(asyncio.ensure_future(one_read())) == 1  # it ran to the end the first time it ran
