"""The queries behind coordinators' feedback and attendance reports: released blocks (whole, frozen aggregates),
and the held sessions no block counts yet (how many, never who)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Cohort, Occurrence, ReleaseBlock, Series, Survey
from bot.domain.disclosure import ReleasedBlock, Tally


@dataclass(frozen=True, slots=True)
class UncountedSession:
    """A held session that no released block counts yet: its start, its cohort's zone, whether its survey has
    closed (then it waits in its cohort's unfull tail), and when an open survey closes (None if not sent yet)."""

    starts_at: datetime
    timezone: str
    survey_closed: bool
    closes_at: datetime | None


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def blocks(self, guild_id: int, first: date, last: date, cohort_id: int | None) -> list[ReleasedBlock]:
        """The guild's released blocks (or one cohort's) dated from ``first`` to ``last``, inclusive, summed by
        cohort and date in SQL: each entry is whole blocks (listed by ID), so every report still adds up whole
        blocks, and a report over 10,000 blocks reads a row per cohort and day instead of one per block."""
        sums = [
            func.sum(column)
            for column in (
                ReleaseBlock.sessions,
                ReleaseBlock.responses,
                ReleaseBlock.agreed_supported,
                ReleaseBlock.agreed_supported_others,
                ReleaseBlock.agreed_less_isolated,
                ReleaseBlock.attendees,
                ReleaseBlock.rsvps,
                ReleaseBlock.waitlisted,
                ReleaseBlock.no_shows,
            )
        ]
        query = (
            select(
                ReleaseBlock.cohort_id,
                ReleaseBlock.dated,
                func.aggregate_strings(cast(ReleaseBlock.id, String), ","),
                *sums,
            )
            .where(ReleaseBlock.guild_id == guild_id, ReleaseBlock.dated >= first, ReleaseBlock.dated <= last)
            .group_by(ReleaseBlock.cohort_id, ReleaseBlock.dated)
            .order_by(ReleaseBlock.dated, ReleaseBlock.cohort_id)
        )
        if cohort_id is not None:
            query = query.where(ReleaseBlock.cohort_id == cohort_id)
        found = []
        for cohort, dated, ids, sessions, responses, a1, a2, a3, attendees, rsvps, wait, no in (
            await self._session.execute(query)
        ).tuples():
            first_id, *merged = sorted(int(block_id) for block_id in ids.split(","))
            tally = Tally(sessions, responses, (a1, a2, a3), attendees, rsvps, wait, no)
            found.append(ReleasedBlock(first_id, cohort, dated, tally, tuple(merged)))
        return found

    async def uncounted(
        self, guild_id: int, start: datetime, end: datetime, cohort_id: int | None
    ) -> list[UncountedSession]:
        """Held sessions starting in ``[start, end)`` that no released block counts: survey not sent yet, still
        open, or closed and waiting in its cohort's unfull tail."""
        query = (
            select(Occurrence.starts_at, Cohort.timezone, Survey.closed_at, Survey.closes_at)
            .join(Series, Series.id == Occurrence.series_id)
            .join(Cohort, Cohort.id == Series.cohort_id)
            .outerjoin(Survey, Survey.occurrence_id == Occurrence.id)
            .where(
                Occurrence.guild_id == guild_id,
                Occurrence.starts_at >= start,
                Occurrence.starts_at < end,
                Occurrence.state.in_(("open", "closed")),
                or_(Survey.occurrence_id.is_(None), Survey.block_id.is_(None)),
            )
        )
        if cohort_id is not None:
            query = query.where(Series.cohort_id == cohort_id)
        return [
            UncountedSession(starts_at, timezone, closed_at is not None, None if closed_at is not None else closes_at)
            for starts_at, timezone, closed_at, closes_at in (await self._session.execute(query)).tuples()
        ]
