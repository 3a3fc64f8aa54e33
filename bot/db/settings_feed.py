"""How a process learns that another connection changed ``guild_settings`` (see ``bot/services/settings_cache.py``
for how the cache uses this, and migration 0010 for the trigger that records every change).

- :class:`SqliteChangeFeed`: a dedicated synchronous connection to the database file. ``PRAGMA data_version`` on it
  changes whenever any other connection, in this process or another, has committed; it reads shared memory, so it
  costs microseconds and never waits. Only then is the row's ``settings_version`` read (a primary-key lookup on the
  same connection, on the event loop, never waiting for a lock). A read of the cache is therefore never stale.
- :class:`PostgresChangeFeed`: a dedicated asyncpg connection that ``LISTEN``s on ``cwtch_guild_settings``; the
  trigger notifies on commit. While the connection is down nothing is trusted (``token()`` is None) and each
  reconnect starts a new epoch, which invalidates everything held before it. A connection that dies silently is
  found by a ping every ``PING_EVERY`` seconds, so a copy can be stale for at most about ``PING_EVERY +
  PING_TIMEOUT`` seconds after a lost notification; a delivered notification arrives within milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

CHANNEL = "cwtch_guild_settings"
PING_EVERY = 2.0
PING_TIMEOUT = 2.0
RECONNECT_AFTER = 1.0


class ChangeFeed(Protocol):
    """What the settings cache asks of a database; every method answers at once, without awaiting."""

    def listen(self, on_change: Callable[[int], None]) -> None:
        """Call ``on_change(guild_id)`` whenever this feed hears of a change (push feeds only)."""

    def token(self) -> object | None:
        """Taken before a load: what a copy loaded now is valid under; None when nothing may be kept now."""

    def still_valid(self, guild_id: int, version: int | None, token: object) -> object | None:
        """The token a copy (of ``version``, None for no row) is now valid under, or None if it is out of date."""

    async def close(self) -> None: ...


class SqliteChangeFeed:
    """Pull: each read asks ``PRAGMA data_version`` whether anything was committed since the copy was checked."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None

    def listen(self, on_change: Callable[[int], None]) -> None:
        return None

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            # Autocommit, so each statement sees the latest commit; never wait for a lock on the event loop.
            self._connection = sqlite3.connect(self._path, timeout=0, isolation_level=None, check_same_thread=False)
        return self._connection

    def token(self) -> object | None:
        try:
            return int(self._open().execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            log.warning("could not read the database's data_version; settings are read from the database")
            return None

    def still_valid(self, guild_id: int, version: int | None, token: object) -> object | None:
        now = self.token()
        if now is None or now == token:
            return now
        try:
            row = (
                self._open()
                .execute("SELECT settings_version FROM guild_settings WHERE guild_id = ?", (guild_id,))
                .fetchone()
            )
        except sqlite3.Error:
            log.warning("could not check guild %s's settings version", guild_id)
            return None
        return now if (None if row is None else int(row[0])) == version else None

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PostgresChangeFeed:
    """Push: ``LISTEN`` on a connection of its own, kept open (and reopened) by a background task."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._listeners: list[Callable[[int], None]] = []
        self._epoch = 0
        self._live = False
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def listen(self, on_change: Callable[[int], None]) -> None:
        self._listeners.append(on_change)

    @property
    def live(self) -> bool:
        return self._live

    def token(self) -> object | None:
        self._ensure_started()
        return self._epoch if self._live else None

    def still_valid(self, guild_id: int, version: int | None, token: object) -> object | None:
        return token if self._live and token == self._epoch else None

    def _ensure_started(self) -> None:
        if self._task is None and not self._closed:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="cwtch-settings-listener")

    async def wait_live(self) -> None:
        """Start listening now and return once notifications are being received (used at start-up and by tests)."""
        self._ensure_started()
        while not self._live:
            if self._task is not None and self._task.done():
                self._task.result()
                return
            await asyncio.sleep(0.01)

    async def _run(self) -> None:
        while not self._closed:
            connection: Any = None
            try:
                connection = await asyncpg.connect(self._dsn)
                lost = asyncio.Event()
                connection.add_termination_listener(_setter(lost))
                await connection.add_listener(CHANNEL, self._notified)
                self._epoch += 1  # everything held from before is out of date: notifications may have been missed
                self._live = True
                log.info("listening for settings changes (epoch %s)", self._epoch)
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), PING_EVERY)
                    if not lost.is_set():
                        await asyncio.wait_for(connection.fetchval("SELECT 1"), PING_TIMEOUT)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("the settings listener lost its connection; reconnecting", exc_info=True)
            finally:
                self._live = False
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=1)
            if not self._closed:
                await asyncio.sleep(RECONNECT_AFTER)

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            guild_id = int(payload)
        except ValueError:
            log.warning("ignored a settings notification that names no guild")
            return
        for listener in self._listeners:
            listener(guild_id)

    async def close(self) -> None:
        self._closed = True
        self._live = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def _setter(event: asyncio.Event) -> Callable[[Any], None]:
    return lambda _connection: event.set()


def change_feed_for(database_url: str) -> ChangeFeed | None:
    """The feed for a database URL; None where no other process can share the database (in-memory SQLite).

    Makes no connection: the SQLite feed opens its file on first use, the PostgreSQL one starts listening then."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return None
        return SqliteChangeFeed(url.database)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return PostgresChangeFeed(dsn)
