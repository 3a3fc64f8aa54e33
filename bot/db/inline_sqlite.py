"""SQLite for the async engine without a thread: each statement runs on the event loop, as one short call.

aiosqlite gives every connection a thread and hands each call over to it and back (cursor, execute, fetch, close:
four round trips a statement), each waiting its turn on a busy event loop; under a burst of interactions a
read of a millisecond took tens. SQLite's own calls take microseconds for the small statements the bot runs, so
this module runs them in place, behind the coroutine interface SQLAlchemy's aiosqlite dialect expects
(``create_async_engine(..., async_creator=...)``). Three things keep the loop free:

- **Waiting for the lock is asynchronous.** Connections never wait inside SQLite (busy timeout 0): a statement
  that meets another connection's write lock is tried again after an ``asyncio.sleep``, until the busy timeout.
  Only statements that may safely be tried again are: those outside a transaction (``BEGIN IMMEDIATE`` among
  them: writers take the lock up front) and ``COMMIT``.
- **Long work yields.** Once a connection's statements have run for ``YIELD_AFTER`` seconds in all since it last
  let the loop run, the next statement first lets the loop run whatever else is waiting. Only the statements' own
  time counts: the first statement after a quiet spell runs at once.
- **Nothing here is shared between threads**: the connection is used on the loop's thread only.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

YIELD_AFTER = 0.02  # seconds of inline work before the loop is let run again
_RETRY_STEPS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)  # pauses between tries at a locked database, then the last


class InlineConnection:
    """The part of ``aiosqlite.Connection`` that SQLAlchemy uses, running each call on the spot."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout: float) -> None:
        self._conn = connection
        self._busy_timeout = busy_timeout
        self._held = 0.0  # seconds its statements have run since it last let the loop run

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        self._conn.isolation_level = value

    async def cursor(self) -> InlineCursor:
        return InlineCursor(self, self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        cursor = await self.cursor()
        await cursor.execute(sql, parameters)
        return cursor

    async def commit(self) -> None:
        await self.run(self._conn.commit, retry=True)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def run(self, call: Callable[[], Any], *, retry: bool) -> Any:
        """``call()`` now, after a pause for the loop if this connection's statements have held it for long since
        the last pause; tried again while the database is locked by another connection if ``retry`` (and it is
        safe to)."""
        if self._held > YIELD_AFTER:
            self._held = 0.0
            await asyncio.sleep(0)
        deadline = time.monotonic() + self._busy_timeout
        for step in _steps():
            began = time.monotonic()
            try:
                return call()
            except sqlite3.OperationalError as error:
                if not retry or error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or began + step > deadline:
                    raise
            finally:
                self._held += time.monotonic() - began
            await asyncio.sleep(step)
            self._held = 0.0
        raise AssertionError("unreachable: _steps() never ends")


def _steps() -> Iterable[float]:
    yield from _RETRY_STEPS
    while True:
        yield _RETRY_STEPS[-1]


class InlineCursor:
    """The part of ``aiosqlite.Cursor`` that SQLAlchemy uses."""

    def __init__(self, connection: InlineConnection, cursor: sqlite3.Cursor) -> None:
        self._connection = connection
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        cursor, conn = self._cursor, self._connection._conn
        # Outside a transaction a statement may be tried again whole (BEGIN IMMEDIATE waits for the write lock
        # here); inside one, SQLite's answer stands, as its own busy handler would leave it.
        retry = not conn.in_transaction or sql.lstrip().upper().startswith("COMMIT")
        call = (lambda: cursor.execute(sql)) if parameters is None else (lambda: cursor.execute(sql, parameters))
        await self._connection.run(call, retry=retry)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = list(parameters)
        await self._connection.run(lambda: self._cursor.executemany(sql, rows), retry=False)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


def inline_creator(path: str, busy_timeout: float) -> Callable[[], Any]:
    """What ``create_async_engine(async_creator=...)`` calls for each new connection to the SQLite file ``path``."""

    async def connect() -> InlineConnection:
        # Used on the loop's thread only; SQLAlchemy's pool may close a lost connection from the collector's.
        connection = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        return InlineConnection(connection, busy_timeout)

    return connect
