"""``UnitOfWorkFactory.run_sync``: plain synchronous work in one write transaction, committed if it returns. For a
SQLite file it runs on the event loop, and the ordinary way (off the loop) while another process holds the write
lock, so the loop never waits for that lock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.db.models import DmChannel
from bot.db.uow import UnitOfWorkFactory


def remember(user_id: int, attempts: list[str]) -> Callable[[Session], int]:
    """Work that stores a DM channel and notes which driver ran it."""

    def work(session: Session) -> int:
        attempts.append(session.get_bind().dialect.driver)
        session.add(DmChannel(user_id=user_id, channel_id=user_id + 1))
        session.flush()
        return user_id + 1

    return work


async def stored(uow: UnitOfWorkFactory) -> dict[int, int]:
    async with uow.reading() as work:
        return await work.dm_channels.of([1, 2, 3])


async def test_work_is_committed_and_its_result_returned(uow: UnitOfWorkFactory) -> None:
    attempts: list[str] = []
    assert await uow.run_sync(remember(1, attempts)) == 2
    assert await stored(uow) == {1: 2}
    assert len(attempts) == 1


async def test_work_that_raises_keeps_nothing(uow: UnitOfWorkFactory) -> None:
    def work(session: Session) -> None:
        session.add(DmChannel(user_id=1, channel_id=2))
        session.flush()
        raise ValueError("the work changed its mind")

    with pytest.raises(ValueError, match="changed its mind"):
        await uow.run_sync(work)
    assert await stored(uow) == {}


async def test_on_a_sqlite_file_the_work_runs_inline_and_never_waits_for_the_lock(
    sqlite_file: tuple[UnitOfWorkFactory, str],
) -> None:
    uow, _ = sqlite_file
    attempts: list[str] = []
    await uow.run_sync(remember(1, attempts))
    assert attempts == ["pysqlite"]  # not through aiosqlite's thread

    def busy_timeout(session: Session) -> int:
        return int(session.execute(text("PRAGMA busy_timeout")).scalar_one())

    assert await uow.run_sync(busy_timeout) == 0  # a locked database fails at once instead of holding up the loop


async def test_while_another_process_writes_the_work_waits_off_the_loop_and_lands(
    sqlite_file: tuple[UnitOfWorkFactory, str],
) -> None:
    uow, path = sqlite_file
    other = sqlite3.connect(path, isolation_level=None)  # SQLite's lock is the file's: as good as another process
    other.execute("BEGIN IMMEDIATE")
    attempts: list[str] = []
    waiting = asyncio.Event()

    def work(session: Session) -> int:
        if attempts:
            waiting.set()
        return remember(3, attempts)(session)

    try:
        writing = asyncio.create_task(uow.run_sync(work))
        await asyncio.wait_for(waiting.wait(), timeout=10)  # this runs only because the waiting happens elsewhere
        assert attempts == ["pysqlite", "aiosqlite"]  # refused at once inline, then queued in the driver's thread
        assert not writing.done()
        other.execute("COMMIT")
        assert await asyncio.wait_for(writing, timeout=10) == 4
    finally:
        other.close()
    async with uow.reading() as reading:
        assert (await reading.dm_channels.of([3])) == {3: 4}


async def test_an_error_other_than_a_busy_database_is_not_retried(sqlite_file: tuple[UnitOfWorkFactory, str]) -> None:
    uow, _ = sqlite_file
    calls: list[str] = []

    def work(session: Session) -> None:
        calls.append(session.get_bind().dialect.driver)
        session.execute(select(text("nothing")).select_from(text("no_such_table")))

    with pytest.raises(OperationalError, match="no_such_table"):
        await uow.run_sync(work)
    assert calls == ["pysqlite"]
