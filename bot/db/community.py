"""Queries of the community of practice: the join and leave history, "what works" posts, the weekly digests,
and the counts of resources (read here directly, so the community's report and digest stand on their own)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.actions import shard_filter
from bot.db.chunks import dialect_of
from bot.db.models import (
    CommunityEvent,
    Digest,
    GuildSettings,
    Resource,
    WhatWorksThread,
)
from bot.domain.actions import MAX_ATTEMPTS
from bot.domain.community import EventKind, MembershipEvent
from bot.domain.shards import ShardSet

APPROVED = "approved"


@dataclass(frozen=True, slots=True)
class PostRef:
    """A forum post to link to: a resource or a "what works" thread."""

    title: str
    thread_id: int


@dataclass(frozen=True, slots=True)
class DigestCandidate:
    """A guild with an announcements channel, and where its digest for the week stands (``state`` None: not
    started)."""

    guild_id: int
    channel_id: int
    state: str | None
    attempts: int
    finished_at: datetime | None
    lease_until: datetime | None


class CommunityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # membership ------------------------------------------------------------------------------------------

    async def settings_for_update(self, guild_id: int) -> GuildSettings:
        """The guild's settings, locked until the unit of work ends (so two first joins make one role)."""
        query = select(GuildSettings).where(GuildSettings.guild_id == guild_id).with_for_update()
        settings = (await self._session.scalars(query)).one_or_none()
        if settings is None:
            settings = GuildSettings(guild_id=guild_id)
            self._session.add(settings)
            await self._session.flush()
        return settings

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        """Whether the member's latest join or leave is a join."""
        query = (
            select(CommunityEvent.kind)
            .where(CommunityEvent.guild_id == guild_id, CommunityEvent.user_id == user_id)
            .order_by(CommunityEvent.id.desc())
            .limit(1)
        )
        return (await self._session.scalars(query)).first() == EventKind.JOIN

    async def record(self, guild_id: int, user_id: int, kind: EventKind, at: datetime) -> int:
        """Store a join or leave; returns its ID."""
        event = CommunityEvent(guild_id=guild_id, user_id=user_id, kind=kind.value, at=at)
        self._session.add(event)
        await self._session.flush()
        return event.id

    async def forget_event(self, event_id: int) -> None:
        """Undo a join or leave that Discord refused."""
        await self._session.execute(delete(CommunityEvent).where(CommunityEvent.id == event_id))

    async def history(
        self, guild_id: int, until: datetime, user_ids: Collection[int] | None = None
    ) -> list[MembershipEvent]:
        """Every join and leave before ``until`` (of ``user_ids`` only, when given), in the order they happened."""
        query = select(CommunityEvent.at, CommunityEvent.user_id, CommunityEvent.kind).where(
            CommunityEvent.guild_id == guild_id, CommunityEvent.at < until
        )
        if user_ids is not None:
            query = query.where(CommunityEvent.user_id.in_(list(user_ids)))
        rows = await self._session.execute(query.order_by(CommunityEvent.at, CommunityEvent.id))
        return [MembershipEvent(at, user_id, EventKind(kind)) for at, user_id, kind in rows.tuples()]

    async def joins_between(self, guild_id: int, start: datetime, end: datetime) -> int:
        query = select(func.count()).where(
            CommunityEvent.guild_id == guild_id,
            CommunityEvent.kind == EventKind.JOIN.value,
            CommunityEvent.at >= start,
            CommunityEvent.at < end,
        )
        return int((await self._session.scalar(query)) or 0)

    # "what works" ----------------------------------------------------------------------------------------

    async def add_what_works(self, guild_id: int, thread_id: int, author_id: int, title: str, at: datetime) -> None:
        self._session.add(
            WhatWorksThread(guild_id=guild_id, thread_id=thread_id, author_id=author_id, title=title, created_at=at)
        )
        await self._session.flush()

    async def what_works_between(self, guild_id: int, start: datetime, end: datetime) -> list[PostRef]:
        query = select(WhatWorksThread.title, WhatWorksThread.thread_id).where(
            WhatWorksThread.guild_id == guild_id,
            WhatWorksThread.created_at >= start,
            WhatWorksThread.created_at < end,
        )
        rows = await self._session.execute(query.order_by(WhatWorksThread.created_at, WhatWorksThread.id))
        return [PostRef(title, thread_id) for title, thread_id in rows.tuples()]

    async def what_works_before(self, guild_id: int, end: datetime) -> list[PostRef]:
        """Every "what works" post of the guild started before ``end``, of any age (the digest asks Discord which
        of them members wrote in)."""
        query = select(WhatWorksThread.title, WhatWorksThread.thread_id).where(
            WhatWorksThread.guild_id == guild_id, WhatWorksThread.created_at < end
        )
        rows = await self._session.execute(query.order_by(WhatWorksThread.created_at, WhatWorksThread.id))
        return [PostRef(title, thread_id) for title, thread_id in rows.tuples()]

    # resources -------------------------------------------------------------------------------------------

    async def resources_added_between(self, guild_id: int, start: datetime, end: datetime) -> list[PostRef]:
        """Resources approved into the forum in ``[start, end)`` (a facilitator's own or an approved suggestion)."""
        query = select(Resource.title, Resource.thread_id).where(*_approved_between(guild_id, start, end))
        rows = await self._session.execute(query.order_by(Resource.approved_at, Resource.id))
        return [PostRef(title, thread_id) for title, thread_id in rows.tuples() if thread_id is not None]

    async def tags_added_between(self, guild_id: int, start: datetime, end: datetime) -> list[list[str]]:
        """The tags of each resource approved in ``[start, end)``."""
        query = select(Resource.tags).where(*_approved_between(guild_id, start, end))
        return [list(tags or []) for tags in (await self._session.scalars(query)).all()]

    # the weekly digest -----------------------------------------------------------------------------------

    async def digest_candidates(self, week_start: date, shards: ShardSet, limit: int) -> list[DigestCandidate]:
        """Guilds (on these shards) with an announcements channel whose digest for the week is neither done nor
        given up on."""
        query = (
            select(
                GuildSettings.guild_id,
                GuildSettings.announcements_channel_id,
                Digest.state,
                Digest.attempts,
                Digest.finished_at,
                Digest.lease_until,
            )
            .outerjoin(Digest, and_(Digest.guild_id == GuildSettings.guild_id, Digest.week_start == week_start))
            .where(
                GuildSettings.announcements_channel_id.is_not(None),
                or_(Digest.id.is_(None), and_(Digest.state != "done", Digest.attempts < MAX_ATTEMPTS)),
            )
        )
        owned = shard_filter(GuildSettings.guild_id, shards)
        if owned is not None:
            query = query.where(owned)
        rows = await self._session.execute(query.order_by(GuildSettings.guild_id).limit(limit))
        return [
            DigestCandidate(guild_id, channel_id, state, attempts or 0, finished_at, lease_until)
            for guild_id, channel_id, state, attempts, finished_at, lease_until in rows.tuples()
            if channel_id is not None
        ]

    async def claim_digest(
        self, guild_id: int, week_start: date, seen_attempts: int | None, worker: str, now: datetime, lease: timedelta
    ) -> bool:
        """Take the guild's digest for the week. ``seen_attempts`` is None when no row was seen (then the first
        insert wins), else the attempts the caller saw (then only one conditional update can match them)."""
        if seen_attempts is None:
            dialect = dialect_of(self._session)
            insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
            statement = (
                insert(Digest)
                .values(
                    guild_id=guild_id,
                    week_start=week_start,
                    state="claimed",
                    claimed_by=worker,
                    lease_until=now + lease,
                    attempts=1,
                )
                .on_conflict_do_nothing(index_elements=["guild_id", "week_start"])
                .returning(Digest.id)
            )
            return (await self._session.execute(statement)).first() is not None
        result = await self._session.execute(
            update(Digest)
            .where(
                Digest.guild_id == guild_id,
                Digest.week_start == week_start,
                Digest.attempts == seen_attempts,
                Digest.state != "done",
            )
            .values(state="claimed", claimed_by=worker, lease_until=now + lease, attempts=Digest.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def finish_digest(self, guild_id: int, week_start: date, state: str, now: datetime) -> None:
        await self._session.execute(
            update(Digest)
            .where(Digest.guild_id == guild_id, Digest.week_start == week_start)
            .values(state=state, finished_at=now, lease_until=None)
            .execution_options(synchronize_session=False)
        )

    async def digest(self, guild_id: int, week_start: date) -> Digest | None:
        query = select(Digest).where(Digest.guild_id == guild_id, Digest.week_start == week_start)
        return (await self._session.scalars(query)).one_or_none()


def _approved_between(guild_id: int, start: datetime, end: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Resource.guild_id == guild_id,
        Resource.status == APPROVED,
        Resource.approved_at >= start,
        Resource.approved_at < end,
    )
