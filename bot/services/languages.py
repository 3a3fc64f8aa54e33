"""Which language each person reads Cwtch in, and how a server's channel posts are written.

A person's language is theirs, whichever server they meet Cwtch in. Until they choose, they read their server's
default (English unless an admin set Cymraeg); at their first contact that default is kept for them and they are
offered the choice once (:attr:`Reader.first_contact`). Lookups asked for at the same moment are read together
(:class:`~bot.services.batching.Batcher`), so a burst of interactions costs one read, not one each; and first
contacts are written together too.
"""

from __future__ import annotations

import asyncio
import logging
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
        self._defaults: dict[int, Language] = {}
        self._writer: asyncio.Task[None] | None = None

    async def reader(self, guild_id: int | None, user_id: int) -> Reader:
        """The person's language; at first contact, their server's default, kept for them from now on."""
        stored = await self._reads.get(user_id)
        if stored is not None:
            return Reader(stored[0])
        if user_id in self._defaults:  # met a moment ago, not written yet
            return Reader(self._defaults[user_id])
        language = await self.server_default(guild_id)
        self._keep_default(user_id, language)
        return Reader(language, first_contact=True)

    async def languages(self, guild_id: int | None, user_ids: Collection[int]) -> dict[int, Language]:
        """Each person's language (their server's default for those who have none yet), for DMs and notices."""
        stored = await asyncio.gather(*(self._reads.get(user_id) for user_id in user_ids))
        default = await self.server_default(guild_id)
        return {
            user_id: found[0] if found is not None else default for user_id, found in zip(user_ids, stored, strict=True)
        }

    async def choose(self, user_id: int, language: Language) -> None:
        async with self._uow() as uow:
            await uow.languages.choose(user_id, language, self._clock())
            await uow.commit()

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
