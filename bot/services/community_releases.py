"""Releasing the community report's blocks (see ``bot.domain.community_blocks``): a guild's community activity,
in time order, cut into frozen blocks of at least ``min_group`` people. The unfull tail waits.

It runs for a guild before each community report, and for every guild with waiting activity at start-up and daily
after (so the first run after upgrading releases the history kept before blocks existed). Two processes may
release the same guild at once: the conditional updates in ``CommunityBlockRepository.release`` let one of them
win; the other rolls back and reads again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.db.uow import UnitOfWorkFactory
from bot.domain.community_blocks import cut_blocks
from bot.domain.shards import ALL_SHARDS, ShardSet

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
ATTEMPTS = 3  # releases of one guild tried in a row when racing another process


class CommunityReleaseService:
    def __init__(self, uow: UnitOfWorkFactory, *, clock: Clock, min_group: int, shards: ShardSet = ALL_SHARDS) -> None:
        if min_group < 1:
            raise ValueError("min_group must be 1 or more")
        self._uow = uow
        self._clock = clock
        self._min_group = min_group
        self._shards = shards

    async def sweep(self) -> int:
        """Release the full blocks of every guild (of this process's shards) with waiting activity. A guild that
        fails is logged and left for the next sweep; the others go ahead."""
        async with self._uow.reading() as uow:
            guilds = await uow.community_blocks.guilds_waiting(self._shards)
        released = 0
        for guild_id in guilds:
            try:
                released += await self.release(guild_id)
            except Exception:
                log.exception("releasing the community blocks of guild %s failed; the next sweep tries again", guild_id)
        return released

    async def release(self, guild_id: int) -> int:
        """Release the guild's full blocks; returns how many."""
        for _ in range(ATTEMPTS):
            released = await self._release_once(guild_id)
            if released is not None:
                return released
            log.info("guild %s: another process released this community activity first; reading again", guild_id)
        log.warning("guild %s: still racing another process; the next report or sweep releases the rest", guild_id)
        return 0

    async def _release_once(self, guild_id: int) -> int | None:
        """One write transaction: the blocks it released, or None when another process got there first."""
        async with self._uow() as uow:
            pending = sorted(await uow.community_blocks.pending(guild_id), key=lambda row: row.activity.at)
            drafts = cut_blocks([row.activity for row in pending], self._min_group)
            if not drafts:
                return 0
            now = self._clock()
            for draft in drafts:
                if not await uow.community_blocks.release(guild_id, draft, pending[draft.start : draft.stop], now):
                    return None  # leaving without commit rolls back the blocks inserted here
            await uow.commit()
        log.info("guild %s: released %d community block(s)", guild_id, len(drafts))
        return len(drafts)
