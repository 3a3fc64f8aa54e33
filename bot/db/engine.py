"""The async engine and session factory, made at start-up from the database URL."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.db.inline_sqlite import inline_creator

SQLITE_BUSY_TIMEOUT_MS = 5000
PING_AFTER_IDLE = 10.0  # seconds a pooled PostgreSQL connection may sit unused before it is checked when taken
_RETURNED_AT = "cwtch_returned_at"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    # We issue BEGIN ourselves (see _sqlite_begin), so the driver must not.
    if dbapi_connection.isolation_level is not None:
        dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_pragmas_never_waiting(dbapi_connection: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_connection, record, busy_timeout_ms=0)


READ_ONLY = "cwtch_read_only"


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: two units of work that read and then write (say, two RSVPs for
    # the last place) queue behind the busy timeout instead of failing with SQLITE_BUSY half-way. Units of work
    # that only read begin DEFERRED, so they never wait for the write lock (WAL lets them read alongside).
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (asyncpg), chosen by the URL.

    A SQLite file is used through :mod:`bot.db.inline_sqlite`: statements run on the event loop, and waiting for
    another connection's write lock is an ``asyncio.sleep``, not a wait inside SQLite."""
    if database_url.startswith("sqlite"):
        url = make_url(database_url)
        if url.database in (None, "", ":memory:"):
            engine = create_async_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            creator = inline_creator(url.database, busy_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
            engine = create_async_engine(url, echo=echo, async_creator=creator)
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas_never_waiting)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # Last in, first out: the connection used a moment ago is used again, with its prepared statements and the
    # types asyncpg looked up (several round trips the first time on each connection); the others stay cold.
    engine = create_async_engine(database_url, echo=echo, pool_size=10, max_overflow=10, pool_use_lifo=True)
    event.listen(engine.sync_engine, "checkin", _note_returned)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


def _note_returned(_dbapi_connection: Any, record: Any) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Check a pooled connection that sat unused for a while (the server, or something on the way, may have closed
    it) before handing it out; if it is dead, the pool opens another. SQLAlchemy's own ``pool_pre_ping`` checks
    every time, at three round trips to PostgreSQL (a transaction around an empty statement): under a burst, with
    the event loop busy, each unit of work paid several milliseconds for it."""
    returned = record.info.get(_RETURNED_AT)
    if returned is None or time.monotonic() - returned < PING_AFTER_IDLE:
        return  # new, or in use a moment ago
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise DisconnectionError("a pooled connection was closed while it sat unused") from error


def create_inline_engine(database_url: str) -> Engine | None:
    """For a SQLite file, a synchronous engine on the same file, for short write transactions run on the event loop
    itself (see ``UnitOfWorkFactory.run_sync``); None otherwise.

    Its connections never wait for another process's write lock (busy timeout 0): they fail at once instead, so
    the event loop is never held up waiting."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    engine = create_sync_engine(url.set(drivername="sqlite+pysqlite"), connect_args={"timeout": 0})
    event.listen(engine, "connect", _sqlite_pragmas_never_waiting)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def create_session_factory(engine: AsyncEngine, *, read_only: bool = False) -> async_sessionmaker[AsyncSession]:
    if read_only:
        engine = engine.execution_options(**{READ_ONLY: True})
    return async_sessionmaker(engine, expire_on_commit=False)
