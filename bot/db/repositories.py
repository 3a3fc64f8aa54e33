"""Repositories: the queries of each aggregate. They flush but never commit; the unit of work does."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.chunks import by_dialect, chunks, dialect_of
from bot.db.models import AuditLogEntry, BotState, Cohort, CohortMembership, GuildSettings


class GuildSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, guild_id: int) -> GuildSettings | None:
        return await self._session.get(GuildSettings, guild_id)

    async def get_or_create(self, guild_id: int) -> GuildSettings:
        settings = await self.get(guild_id)
        if settings is None:
            settings = GuildSettings(guild_id=guild_id)
            self._session.add(settings)
            await self._session.flush()
        return settings


_MEMBERSHIPS_OF_PEOPLE = by_dialect(
    lambda among: select(CohortMembership.guild_id, CohortMembership.user_id, CohortMembership.cohort_id).where(
        among(CohortMembership.user_id, "users"), among(CohortMembership.guild_id, "guilds")
    )
)


class CohortRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, cohort: Cohort) -> Cohort:
        self._session.add(cohort)
        await self._session.flush()
        return cohort

    async def by_name_key(self, guild_id: int, name_key: str) -> Cohort | None:
        query = select(Cohort).where(Cohort.guild_id == guild_id, Cohort.name_key == name_key)
        return (await self._session.scalars(query)).one_or_none()

    async def in_guild(self, guild_id: int) -> Sequence[Cohort]:
        query = select(Cohort).where(Cohort.guild_id == guild_id).order_by(Cohort.name_key)
        return (await self._session.scalars(query)).all()

    async def in_guilds(self, guild_ids: Collection[int]) -> dict[int, list[Cohort]]:
        """The cohorts of each of these guilds, by name."""
        found: dict[int, list[Cohort]] = {guild_id: [] for guild_id in guild_ids}
        query = select(Cohort).where(Cohort.guild_id.in_(guild_ids)).order_by(Cohort.name_key)
        for cohort in (await self._session.scalars(query)).all():
            found[cohort.guild_id].append(cohort)
        return found

    async def member_counts(self, guild_ids: Collection[int]) -> dict[int, int]:
        """Members per cohort, for the cohorts of these guilds."""
        query = (
            select(CohortMembership.cohort_id, func.count())
            .where(CohortMembership.guild_id.in_(guild_ids))
            .group_by(CohortMembership.cohort_id)
        )
        return {cohort_id: count for cohort_id, count in (await self._session.execute(query)).tuples()}

    async def memberships_of(self, guild_id: int, user_id: int) -> set[int]:
        return (await self.memberships_of_people([(guild_id, user_id)]))[(guild_id, user_id)]

    async def memberships_of_people(self, people: Collection[tuple[int, int]]) -> dict[tuple[int, int], set[int]]:
        """The cohorts each ``(guild_id, user_id)`` is in, read at once for all of them."""
        found: dict[tuple[int, int], set[int]] = {person: set() for person in people}
        query = _MEMBERSHIPS_OF_PEOPLE[dialect_of(self._session)]
        for chunk in chunks(sorted(found)):
            listed = {"users": list({user for _, user in chunk}), "guilds": list({guild for guild, _ in chunk})}
            for guild_id, user_id, cohort_id in (await self._session.execute(query, listed)).tuples():
                if (guild_id, user_id) in found:
                    found[guild_id, user_id].add(cohort_id)
        return found

    async def membership(self, cohort_id: int, user_id: int) -> CohortMembership | None:
        query = select(CohortMembership).where(
            CohortMembership.cohort_id == cohort_id, CohortMembership.user_id == user_id
        )
        return (await self._session.scalars(query)).one_or_none()

    async def add_membership(self, membership: CohortMembership) -> None:
        self._session.add(membership)
        await self._session.flush()

    async def remove_membership(self, cohort_id: int, user_id: int) -> bool:
        result = await self._session.execute(
            delete(CohortMembership).where(CohortMembership.cohort_id == cohort_id, CohortMembership.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))


class AuditLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, guild_id: int, actor_id: int, action: str, **details: Any) -> None:
        self._session.add(AuditLogEntry(guild_id=guild_id, actor_id=actor_id, action=action, details=details))
        await self._session.flush()

    async def recent(self, guild_id: int, limit: int = 50) -> Sequence[AuditLogEntry]:
        query = (
            select(AuditLogEntry)
            .where(AuditLogEntry.guild_id == guild_id)
            .order_by(AuditLogEntry.created_at.desc(), AuditLogEntry.id.desc())
            .limit(limit)
        )
        return (await self._session.scalars(query)).all()


class BotStateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> str | None:
        row = await self._session.get(BotState, key)
        return None if row is None else row.value

    async def claim(self, key: str, value: str) -> bool:
        """Store ``key`` only if no one has: True for the one insert that wins, even between processes (the key
        is the primary key, so a second insert waits for the first to commit and then does nothing)."""
        dialect = dialect_of(self._session)
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        statement = insert(BotState).values(key=key, value=value).on_conflict_do_nothing(index_elements=["key"])
        return (await self._session.execute(statement.returning(BotState.key))).first() is not None

    async def set(self, key: str, value: str) -> None:
        row = await self._session.get(BotState, key)
        if row is None:
            self._session.add(BotState(key=key, value=value))
        else:
            row.value = value
        await self._session.flush()
