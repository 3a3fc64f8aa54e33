"""The weekly community digest: every Monday at 09:00 (local), each guild with an announcements channel gets one
post of the week's new resources, "what works" posts and joins, and the older "what works" posts members wrote in
that week, or nothing when nothing happened.

Which posts were active comes from Discord (one request for the guild's active threads, no message intent: each
thread's last message ID carries its time); when that fails, the digest goes out without them.

Like an action, a digest is claimed in the database before it is sent (one process wins; a claim whose lease ran
out is taken over), and its message carries a nonce derived from the guild and week, so it is posted exactly
once across processes and restarts. A failed send is retried with backoff on later ticks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.db.community import DigestCandidate, PostRef
from bot.db.uow import UnitOfWorkFactory
from bot.domain.actions import LEASE
from bot.domain.community import DigestWeek, active_this_week, digest_nonce, due_digest, may_claim_digest
from bot.domain.language import ChannelPosts
from bot.domain.shards import ALL_SHARDS, ShardSet
from bot.services.ports import CommunityGateway, PostLink, WeeklyDigest

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

BATCH = 100  # guilds a tick takes on at most; the rest wait for the next tick
CONCURRENCY = 8


class DigestService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: CommunityGateway,
        *,
        clock: Clock,
        timezone: str,
        worker: str,
        shards: ShardSet = ALL_SHARDS,
        batch: int = BATCH,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._zone = ZoneInfo(timezone)
        self.worker = worker
        self._shards = shards
        self._batch = batch
        self._limit = asyncio.Semaphore(CONCURRENCY)

    async def run_due(self) -> dict[int, str]:
        """Post the digests that are due (for this process's guilds); returns what became of each one tried."""
        now = self._clock()
        week = due_digest(now, self._zone)
        async with self._uow.reading() as uow:
            # Read a few times the batch: some may be waiting out a backoff or held by another process.
            candidates = await uow.community.digest_candidates(week.week_start, self._shards, self._batch * 4)
        ready = [c for c in candidates if may_claim_digest(c.state, c.attempts, c.finished_at, c.lease_until, now)]
        ready = ready[: self._batch]

        async def one(candidate: DigestCandidate) -> str:
            async with self._limit:
                return await self._run(candidate, week)

        outcomes = await asyncio.gather(*(one(candidate) for candidate in ready))
        return {candidate.guild_id: outcome for candidate, outcome in zip(ready, outcomes, strict=True)}

    async def _run(self, candidate: DigestCandidate, week: DigestWeek) -> str:
        guild_id, now = candidate.guild_id, self._clock()
        seen = None if candidate.state is None else candidate.attempts
        async with self._uow() as uow:
            if not await uow.community.claim_digest(guild_id, week.week_start, seen, self.worker, now, LEASE):
                return "not claimed"
            await uow.commit()
        async with self._uow.reading() as uow:  # the claim is held; reading needs no write lock
            resources = await uow.community.resources_added_between(guild_id, week.starts_at, week.ends_at)
            what_works = await uow.community.what_works_between(guild_id, week.starts_at, week.ends_at)
            joins = await uow.community.joins_between(guild_id, week.starts_at, week.ends_at)
            posts = await uow.community.what_works_before(guild_id, week.ends_at)
            settings = await uow.guild_settings.get(guild_id)
        written = settings.channel_posts if settings is not None else ChannelPosts.EN  # a channel post
        active = await self._active(guild_id, posts, what_works, week)
        if not resources and not what_works and not joins and not active:
            await self._finish(guild_id, week, "done")
            return "nothing new"
        digest = WeeklyDigest(
            guild_id, week.week_start, week.last_day, _links(resources), _links(what_works), joins, active
        )
        try:
            await self._gateway.post_digest(
                candidate.channel_id, digest, nonce=digest_nonce(guild_id, week.week_start), posts=written
            )
        except Exception as exc:
            log.warning("the digest of guild %s for %s failed (%s)", guild_id, week.week_start, type(exc).__name__)
            await self._finish(guild_id, week, "failed")
            return "failed"
        await self._finish(guild_id, week, "done")
        log.info("posted the digest of guild %s for the week of %s", guild_id, week.week_start)
        return "posted"

    async def _active(
        self, guild_id: int, posts: list[PostRef], new: list[PostRef], week: DigestWeek
    ) -> tuple[PostLink, ...]:
        """The guild's "what works" posts with a message in the week (not the week's new ones), most recent first;
        none when Discord can't say (the rest of the digest still goes out)."""
        new_ids = {post.thread_id for post in new}
        older = {post.thread_id: post for post in posts if post.thread_id not in new_ids}
        if not older:
            return ()
        try:
            last_messages = await self._gateway.thread_activity(guild_id, list(older))
        except Exception as exc:
            log.warning(
                "the active posts of guild %s for its digest of %s are unknown (%s); posting without them",
                guild_id,
                week.week_start,
                type(exc).__name__,
            )
            return ()
        known = {thread_id: at for thread_id, at in last_messages.items() if thread_id in older}
        return tuple(_link(older[thread_id]) for thread_id in active_this_week(known, week, new_ids))

    async def _finish(self, guild_id: int, week: DigestWeek, state: str) -> None:
        async with self._uow() as uow:
            await uow.community.finish_digest(guild_id, week.week_start, state, self._clock())
            await uow.commit()


def _link(post: PostRef) -> PostLink:
    return PostLink(post.title, post.thread_id)


def _links(posts: list[PostRef]) -> tuple[PostLink, ...]:
    return tuple(_link(post) for post in posts)
