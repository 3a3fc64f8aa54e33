"""Queries of the community report's release blocks (see ``bot.domain.community_blocks``): the activity no block
counts yet, releasing blocks, and the released blocks reports add up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.actions import shard_filter
from bot.db.chunks import chunks
from bot.db.models import CommunityBlockRow, CommunityEvent, Resource, ResourceOpen, WhatWorksThread
from bot.domain.community_blocks import Activity, ActivityKind, BlockCounts, BlockDraft, CommunityBlock
from bot.domain.privacy import ERASED_USER
from bot.domain.shards import ShardSet

_SOURCES: tuple[Any, ...] = (CommunityEvent, WhatWorksThread, ResourceOpen)


@dataclass(frozen=True, slots=True)
class Pending:
    """Activity no block counts yet, with the row it came from."""

    activity: Activity
    source: Any  # the model: CommunityEvent, WhatWorksThread or ResourceOpen
    row_id: int


class CommunityBlockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def guilds_waiting(self, shards: ShardSet) -> list[int]:
        """Guilds (on these shards) with community activity no block counts yet."""
        queries = []
        for model in _SOURCES:
            query = select(model.guild_id).where(model.block_id.is_(None))
            owned = shard_filter(model.guild_id, shards)
            queries.append(query if owned is None else query.where(owned))
        return sorted(set((await self._session.scalars(union(*queries))).all()))

    async def pending(self, guild_id: int) -> list[Pending]:
        """The guild's activity no block counts yet, in no particular order."""
        found: list[Pending] = []
        events = select(CommunityEvent.id, CommunityEvent.at, CommunityEvent.kind, CommunityEvent.user_id).where(
            CommunityEvent.guild_id == guild_id, CommunityEvent.block_id.is_(None)
        )
        for row_id, at, kind, user_id in (await self._session.execute(events)).tuples():
            person = None if user_id == ERASED_USER else user_id
            found.append(Pending(Activity(at, ActivityKind(kind), person), CommunityEvent, row_id))
        posts = select(WhatWorksThread.id, WhatWorksThread.created_at, WhatWorksThread.author_id).where(
            WhatWorksThread.guild_id == guild_id, WhatWorksThread.block_id.is_(None)
        )
        for row_id, at, author_id in (await self._session.execute(posts)).tuples():
            person = None if author_id == ERASED_USER else author_id
            found.append(Pending(Activity(at, ActivityKind.POST, person), WhatWorksThread, row_id))
        opens = (
            select(ResourceOpen.id, ResourceOpen.opened_at, Resource.tags)
            .join(Resource, Resource.id == ResourceOpen.resource_id)
            .where(ResourceOpen.guild_id == guild_id, ResourceOpen.block_id.is_(None))
        )
        for row_id, at, tags in (await self._session.execute(opens)).tuples():
            found.append(Pending(Activity(at, ActivityKind.OPEN, None, tuple(tags or ())), ResourceOpen, row_id))
        return found

    async def release(self, guild_id: int, draft: BlockDraft, rows: Sequence[Pending], released_at: datetime) -> bool:
        """Store the block and point its rows at it, only if no block counts any of them yet; returns whether it
        did. On ``False`` the caller must roll back: another process released some of these rows first."""
        counts = draft.counts
        block_id = await self._session.scalar(
            insert(CommunityBlockRow)
            .values(
                guild_id=guild_id,
                first_at=draft.first_at,
                last_at=draft.last_at,
                released_at=released_at,
                people=draft.people,
                joins=counts.joins,
                leaves=counts.leaves,
                posts=counts.posts,
                opens=counts.opens,
                tags_opened=[[tag, count] for tag, count in counts.tags_opened],
            )
            .returning(CommunityBlockRow.id)
        )
        for model in _SOURCES:
            ids = [row.row_id for row in rows if row.source is model]
            for chunk in chunks(ids):
                claimed = await self._session.execute(
                    update(model)
                    .where(model.id.in_(chunk), model.block_id.is_(None))
                    .values(block_id=block_id)
                    .execution_options(synchronize_session=False)
                )
                if int(getattr(claimed, "rowcount", 0) or 0) != len(chunk):
                    return False
        return True

    async def blocks(self, guild_id: int) -> list[CommunityBlock]:
        """The guild's released blocks, in time order."""
        query = (
            select(CommunityBlockRow)
            .where(CommunityBlockRow.guild_id == guild_id)
            .order_by(CommunityBlockRow.last_at, CommunityBlockRow.id)
        )
        return [
            CommunityBlock(
                row.first_at,
                row.last_at,
                BlockCounts(
                    row.joins,
                    row.leaves,
                    row.posts,
                    row.opens,
                    tuple((str(tag), int(count)) for tag, count in row.tags_opened),
                ),
            )
            for row in (await self._session.scalars(query)).all()
        ]

    async def released_member(self, guild_id: int, user_id: int) -> bool:
        """Whether the released blocks count this person as a member (their latest released join or leave is a
        join)."""
        query = (
            select(CommunityEvent.kind)
            .where(
                CommunityEvent.guild_id == guild_id,
                CommunityEvent.user_id == user_id,
                CommunityEvent.block_id.is_not(None),
            )
            .order_by(CommunityEvent.at.desc(), CommunityEvent.id.desc())
            .limit(1)
        )
        return (await self._session.scalars(query)).first() == ActivityKind.JOIN
