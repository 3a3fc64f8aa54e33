"""Which language each person reads Cwtch in, and how a server's channel posts are written.

A person's language is theirs, whichever server they meet Cwtch in. Until they choose, they read their server's
default (English unless an admin set Cymraeg, and following it if an admin changes it); their first contact is
recorded and they are offered the choice once (:attr:`Reader.first_contact`). A person's language is held in memory
for ``REMEMBER_FOR`` seconds after it is read, so a burst of interactions costs no read at all once warm; lookups asked
for at the same moment are read together (:class:`~bot.services.batching.Batcher`), and first contacts are written
together. A choice made here is known here at once; one made through another process (say the DM shard), within
``REMEMBER_FOR`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot.db.languages import keep_defaults
from bot.db.uow import UnitOfWorkFactory
from bot.domain.language import DEFAULT_LANGUAGE, ChannelPosts, Language
from bot.services.batching import Batcher
from bot.services.settings_cache import SettingsCache

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
REMEMBER_FOR = 30.0  # seconds a person's language is served from memory (bursts read it once, not per click)
REMEMBER_AT_MOST = 100_000  # people held at once; beyond that the memory starts again


@dataclass(frozen=True, slots=True)
class Reader:
    """Whom a text is for: their language, and whether this is their first contact (offer them the choice)."""

    language: Language
    first_contact: bool = False


class LanguageService:
    def __init__(self, uow: UnitOfWorkFactory, settings: SettingsCache, *, clock: Clock) -> None:
        self._uow = uow
        self._settings = settings
        self._clock = clock
        self._reads: Batcher[int, tuple[Language, bool] | None] = Batcher(self._read)
        self._known: dict[int, tuple[float, tuple[Language, bool] | None]] = {}  # user -> (read at, what was read)
        self._defaults: dict[int, Language] = {}
        self._writer: asyncio.Task[None] | None = None

    async def reader(self, guild_id: int | None, user_id: int) -> Reader:
        """The person's language; at first contact, their server's default, kept for them from now on."""
        stored = await self._stored(user_id)
        if stored is not None and stored[1]:  # they chose
            return Reader(stored[0])
        language = await self.server_default(guild_id)
        if stored is not None or user_id in self._defaults:  # offered before (or a moment ago): the default
            return Reader(language)
        self._keep_default(user_id, language)
        return Reader(language, first_contact=True)

    async def languages(self, guild_id: int | None, user_ids: Collection[int]) -> dict[int, Language]:
        """Each person's language (their server's default for those who have not chosen), for DMs and notices."""
        stored = await asyncio.gather(*(self._stored(user_id) for user_id in user_ids))
        default = await self.server_default(guild_id)
        return {
            user_id: found[0] if found is not None and found[1] else default
            for user_id, found in zip(user_ids, stored, strict=True)
        }

    async def choose(self, user_id: int, language: Language) -> None:
        async with self._uow() as uow:
            await uow.languages.choose(user_id, language, self._clock())
            await uow.commit()
        self._known[user_id] = (time.monotonic(), (language, True))

    def forget(self, user_id: int) -> None:
        """The person's data was erased here: ask the database next time (they will be offered the choice again)."""
        self._known.pop(user_id, None)

    async def _stored(self, user_id: int) -> tuple[Language, bool] | None:
        """What the database holds for the person: from memory if read in the last ``REMEMBER_FOR`` seconds (a
        choice made in this process is known at once; one made through another process, within that time)."""
        now = time.monotonic()
        held = self._known.get(user_id)
        if held is not None and now - held[0] < REMEMBER_FOR:
            return held[1]
        found = await self._reads.get(user_id)
        if len(self._known) >= REMEMBER_AT_MOST:
            self._known.clear()
        self._known[user_id] = (now, found)
        return found

    async def server_default(self, guild_id: int | None) -> Language:
        if guild_id is None:
            return DEFAULT_LANGUAGE
        return (await self._settings.get(guild_id)).language

    async def channel_posts(self, guild_id: int) -> ChannelPosts:
        return (await self._settings.get(guild_id)).channel_posts

    async def _read(self, user_ids: Sequence[int]) -> dict[int, tuple[Language, bool] | None]:
        async with self._uow.reading() as uow:
            found = await uow.languages.of_people(user_ids)
        return {user_id: found.get(user_id) for user_id in user_ids}

    def _keep_default(self, user_id: int, language: Language) -> None:
        """Write first contacts together, after the answer (nothing waits for it)."""
        self._defaults.setdefault(user_id, language)
        self._known[user_id] = (time.monotonic(), (language, False))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_defaults())

    async def _write_defaults(self) -> None:
        while self._defaults:
            await asyncio.sleep(0)  # let the first contacts of this same moment join
            batch, self._defaults = self._defaults, {}
            try:
                await self._uow.run_sync(partial(keep_defaults, defaults=batch, now=self._clock()))
            except Exception:
                # They are offered the choice again at their next contact; nothing else depends on it.
                log.exception("could not keep the default language of %d people at first contact", len(batch))

    async def idle(self) -> None:
        """Wait for first contacts being written (tests and shutdown)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)
