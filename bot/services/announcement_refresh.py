"""The count on a session's announcement, kept true without editing the message on every click.

A burst of RSVPs would otherwise edit one message hundreds of times, each edit waiting its turn behind Discord's
rate limit for the channel, and the last answers behind all of them. Here an RSVP only marks its session changed.
Per session at most one edit is in flight, and edits start at least ``interval`` apart: at once when the last was
longer ago than that, otherwise once the interval is up, however many changes came meanwhile. Each edit reads the
session afresh when it starts, so the last one shows what was last committed. An edit that fails is logged, never
raised to anyone (the next change edits again).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.db.uow import UnitOfWorkFactory
from bot.services.cards import load_card
from bot.services.ports import SessionCard

log = logging.getLogger(__name__)

INTERVAL = 1.0  # seconds between two edits of one announcement
_REMEMBERED = 256  # sessions whose last edit time is kept before the old ones are forgotten

Load = Callable[[int], Awaitable[SessionCard | None]]


class AnnouncementEditor(Protocol):
    async def refresh_announcement(self, card: SessionCard) -> None: ...


class AnnouncementRefresher:
    """``changed(occurrence_id)`` after a commit that changes what a session's announcement shows."""

    def __init__(
        self,
        load: Load,
        gateway: AnnouncementEditor,
        *,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._load = load
        self._gateway = gateway
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._dirty: set[int] = set()
        self._editors: dict[int, asyncio.Task[None]] = {}
        self._last_edit: dict[int, float] = {}

    @classmethod
    def for_database(cls, uow: UnitOfWorkFactory, gateway: AnnouncementEditor) -> AnnouncementRefresher:
        """The refresher the bot uses: each edit reads the session's card from the database as committed."""

        async def load(occurrence_id: int) -> SessionCard | None:
            async with uow.reading() as reading:
                return await load_card(reading, occurrence_id)

        return cls(load, gateway)

    def changed(self, occurrence_id: int) -> None:
        """The session's announcement no longer shows what is committed: edit it soon. Never waits."""
        self._dirty.add(occurrence_id)
        if occurrence_id not in self._editors:
            self._forget_old_edits()
            self._editors[occurrence_id] = asyncio.ensure_future(self._edit_while_changed(occurrence_id))

    async def idle(self) -> None:
        """Wait until every change has been shown (or its edit has failed): for tests and shutdown."""
        while self._editors:
            await asyncio.wait(set(self._editors.values()))

    async def _edit_while_changed(self, occurrence_id: int) -> None:
        try:
            while occurrence_id in self._dirty:
                last = self._last_edit.get(occurrence_id)
                if last is not None and (wait := last + self._interval - self._clock()) > 0:
                    await self._sleep(wait)
                self._dirty.discard(occurrence_id)  # a change from here on needs another edit
                self._last_edit[occurrence_id] = self._clock()
                await self._edit(occurrence_id)
        finally:
            del self._editors[occurrence_id]

    async def _edit(self, occurrence_id: int) -> None:
        try:
            session = await self._load(occurrence_id)
            if session is not None:
                await self._gateway.refresh_announcement(session)
        except Exception:
            log.warning("could not update the announcement of occurrence %s", occurrence_id, exc_info=True)

    def _forget_old_edits(self) -> None:
        if len(self._last_edit) > _REMEMBERED:
            long_ago = self._clock() - self._interval
            self._last_edit = {occ: at for occ, at in self._last_edit.items() if at > long_ago}
