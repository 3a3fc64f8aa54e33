"""Resources: wellbeing links in the resources forum, members' suggestions, ranked full-text search, and how
often each was opened (counts only; who opened it is never kept).

Search is the engine's own full-text search, made in migration 0004: SQLite's FTS5 table ``resources_fts``
(porter stemming, bm25 ranking) or a PostgreSQL GIN index on a weighted ``tsvector`` (English stemming,
``ts_rank``). Either way a title match weighs most, then a tag, then the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, column, delete, func, literal, literal_column, select, table, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import cast

from bot.db.chunks import dialect_of
from bot.db.models import Resource, ResourceOpen
from bot.domain.resources import ResourceStatus

# SQLite: the FTS5 table (not a model: the schema has it only on SQLite) and bm25's weights per column, in the
# table's column order (title, summary, tags). bm25 is lower for a better match.
_FTS = table("resources_fts", column("rowid"))
_FTS_TABLE: ColumnElement[Any] = literal_column("resources_fts")
_BM25_WEIGHTS = (10.0, 1.0, 4.0)

# PostgreSQL: the document, exactly as the expression of the index ix_resources_search (migration 0004), so the
# planner can use the index; ts_rank weighs A (title) over B (tags) over C (summary).
_PG_CONFIG = "'english'::regconfig"
POSTGRES_SEARCH_DOCUMENT = (
    f"setweight(to_tsvector({_PG_CONFIG}, resources.title), 'A') || "
    f"setweight(to_tsvector({_PG_CONFIG}, resources.tags), 'B') || "
    f"setweight(to_tsvector({_PG_CONFIG}, resources.summary), 'C')"
)
_PG_DOCUMENT: ColumnElement[Any] = literal_column(POSTGRES_SEARCH_DOCUMENT)


@dataclass(frozen=True, slots=True)
class ApprovedResource:
    """A resource that went into the forum in a period (for the weekly digest and ``/report community``)."""

    id: int
    title: str
    thread_id: int | None
    tags: tuple[str, ...]
    approved_at: datetime


@dataclass(frozen=True, slots=True)
class ResourceOpens:
    """How many times a resource was opened through the bot in a period."""

    resource_id: int
    title: str
    tags: tuple[str, ...]
    opens: int


class ResourceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _dialect(self) -> str:
        return dialect_of(self._session)

    async def add(self, resource: Resource) -> Resource | None:
        """Add a resource; ``None`` when the guild already has its link (another add won a race to it)."""
        try:
            async with self._session.begin_nested():
                self._session.add(resource)
        except IntegrityError:
            return None
        return resource

    async def get(self, guild_id: int, resource_id: int) -> Resource | None:
        resource = await self._session.get(Resource, resource_id, populate_existing=True)
        return resource if resource is not None and resource.guild_id == guild_id else None

    async def by_url_key(self, guild_id: int, url_key: str) -> Resource | None:
        query = select(Resource).where(Resource.guild_id == guild_id, Resource.url_key == url_key)
        return (await self._session.scalars(query)).one_or_none()

    async def approve_pending(self, guild_id: int, resource_id: int, *, approved_by: int, at: datetime) -> bool:
        """Approve a suggestion if it is still pending. Only one of two facilitators pressing Approve at once wins."""
        result = await self._session.execute(
            update(Resource)
            .where(
                Resource.id == resource_id,
                Resource.guild_id == guild_id,
                Resource.status == ResourceStatus.PENDING,
            )
            .values(status=ResourceStatus.APPROVED, added_by=approved_by, approved_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def remove_pending(self, guild_id: int, resource_id: int) -> bool:
        """Delete a suggestion if it is still pending (a declined suggestion keeps nothing)."""
        result = await self._session.execute(
            delete(Resource)
            .where(
                Resource.id == resource_id,
                Resource.guild_id == guild_id,
                Resource.status == ResourceStatus.PENDING,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    # The Discord side comes after the row is committed (no write lock is held while Discord answers): these
    # keep what it made, or undo the row when Discord refused.

    async def record_thread(self, guild_id: int, resource_id: int, thread_id: int) -> None:
        """Keep the forum post made for a resource."""
        await self._set(guild_id, resource_id, thread_id=thread_id)

    async def record_review_card(self, guild_id: int, resource_id: int, message_id: int) -> None:
        """Keep the facilitators' review card posted for a suggestion."""
        await self._set(guild_id, resource_id, review_message_id=message_id)

    async def remove_unposted(self, guild_id: int, resource_id: int) -> bool:
        """Delete a resource whose forum post Discord refused."""
        result = await self._session.execute(
            delete(Resource)
            .where(Resource.id == resource_id, Resource.guild_id == guild_id, Resource.thread_id.is_(None))
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def unapprove_unposted(self, guild_id: int, resource_id: int) -> bool:
        """Put an approved suggestion whose forum post Discord refused back to pending, to be approved later."""
        result = await self._session.execute(
            update(Resource)
            .where(
                Resource.id == resource_id,
                Resource.guild_id == guild_id,
                Resource.status == ResourceStatus.APPROVED,
                Resource.thread_id.is_(None),
            )
            .values(status=ResourceStatus.PENDING, added_by=None, approved_at=None)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def _set(self, guild_id: int, resource_id: int, **values: int) -> None:
        await self._session.execute(
            update(Resource)
            .where(Resource.id == resource_id, Resource.guild_id == guild_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def search(
        self, guild_id: int, terms: Sequence[str], *, tag: str | None = None, limit: int = 10
    ) -> tuple[list[Resource], int]:
        """Approved resources of the guild matching any of ``terms`` (safe words from ``search_terms``), best
        first, at most ``limit``; and how many match in all."""
        if not terms:
            return [], 0
        if self._dialect == "sqlite":
            query = " OR ".join(f'"{term}"' for term in terms)  # each term is letters and digits only
            matches = _FTS_TABLE.op("MATCH")(query)
            rank: ColumnElement[Any] = func.bm25(_FTS_TABLE, *_BM25_WEIGHTS)
            found = self._visible(guild_id, tag, select(Resource).join(_FTS, _FTS.c.rowid == Resource.id))
            counted = self._visible(
                guild_id, tag, select(func.count()).join_from(Resource, _FTS, _FTS.c.rowid == Resource.id)
            )
        else:
            tsquery: ColumnElement[Any] = func.plainto_tsquery(literal_column(_PG_CONFIG), terms[0])
            for term in terms[1:]:  # any of the words; ts_rank puts resources with more of them first
                tsquery = tsquery.op("||")(func.plainto_tsquery(literal_column(_PG_CONFIG), term))
            matches = _PG_DOCUMENT.op("@@")(tsquery)
            rank = -func.ts_rank(_PG_DOCUMENT, tsquery)
            found = self._visible(guild_id, tag, select(Resource))
            counted = self._visible(guild_id, tag, select(func.count()).select_from(Resource))
        rows = await self._session.scalars(found.where(matches).order_by(rank, Resource.id.desc()).limit(limit))
        total = await self._session.scalar(counted.where(matches))
        return list(rows.all()), int(total or 0)

    async def newest(self, guild_id: int, *, tag: str | None = None, limit: int = 10) -> tuple[list[Resource], int]:
        """The newest approved resources (optionally with ``tag``), at most ``limit``; and how many there are."""
        query = self._visible(guild_id, tag, select(Resource)).order_by(Resource.approved_at.desc(), Resource.id.desc())
        rows = await self._session.scalars(query.limit(limit))
        total = await self._session.scalar(self._visible(guild_id, tag, select(func.count()).select_from(Resource)))
        return list(rows.all()), int(total or 0)

    def _visible(self, guild_id: int, tag: str | None, query: Select[Any]) -> Select[Any]:
        """Only what members may see: approved resources of this guild, with ``tag`` when one is asked for."""
        query = query.where(Resource.guild_id == guild_id, Resource.status == ResourceStatus.APPROVED)
        return query if tag is None else query.where(self._has_tag(tag))

    def _has_tag(self, tag: str) -> ColumnElement[bool]:
        if self._dialect == "sqlite":
            each = func.json_each(Resource.tags).table_valued("value")
            return select(literal(1)).select_from(each).where(each.c.value == tag).exists()
        return cast(Resource.tags, JSONB).contains([tag])

    async def record_open(self, guild_id: int, resource_id: int, at: datetime) -> None:
        self._session.add(ResourceOpen(guild_id=guild_id, resource_id=resource_id, opened_at=at))
        await self._session.flush()

    # --- for the weekly digest and /report community: periods are [start, end) -----------------------------------

    async def approved_between(self, guild_id: int, start: datetime, end: datetime) -> list[ApprovedResource]:
        """Resources that went into the forum in ``[start, end)``, oldest first."""
        query = (
            select(Resource)
            .where(
                Resource.guild_id == guild_id,
                Resource.status == ResourceStatus.APPROVED,
                Resource.approved_at >= start,
                Resource.approved_at < end,
            )
            .order_by(Resource.approved_at, Resource.id)
        )
        return [
            ApprovedResource(r.id, r.title, r.thread_id, tuple(r.tags), r.approved_at)
            for r in (await self._session.scalars(query)).all()
            if r.approved_at is not None
        ]

    async def opens_between(self, guild_id: int, start: datetime, end: datetime) -> list[ResourceOpens]:
        """How often each resource was opened in ``[start, end)``, most opened first (unopened ones left out)."""
        counts = (
            select(ResourceOpen.resource_id, func.count().label("opens"))
            .where(ResourceOpen.guild_id == guild_id, ResourceOpen.opened_at >= start, ResourceOpen.opened_at < end)
            .group_by(ResourceOpen.resource_id)
            .subquery()
        )
        query = (
            select(Resource.id, Resource.title, Resource.tags, counts.c.opens)
            .join(counts, counts.c.resource_id == Resource.id)
            .order_by(counts.c.opens.desc(), Resource.id)
        )
        rows = (await self._session.execute(query)).tuples()
        return [ResourceOpens(rid, title, tuple(tags), int(opens)) for rid, title, tags, opens in rows]

    async def opens_by_tag_between(self, guild_id: int, start: datetime, end: datetime) -> dict[str, int]:
        """Openings in ``[start, end)`` per tag (an opening counts once for each tag its resource carries), most
        opened first."""
        totals: dict[str, int] = {}
        for row in await self.opens_between(guild_id, start, end):
            for tag in row.tags:
                totals[tag] = totals.get(tag, 0) + row.opens
        return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))
