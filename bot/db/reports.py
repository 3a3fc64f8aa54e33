"""The queries behind coordinators' feedback and attendance reports: released blocks (whole, frozen aggregates),
and the held sessions no block counts yet (how many, never who)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
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
        """The guild's released blocks (or one cohort's) dated from ``first`` to ``last``, inclusive. Only the
        columns a report adds up are read, as plain rows: building ORM objects cost ten times the query."""
        query = (
            select(
                ReleaseBlock.id,
                ReleaseBlock.cohort_id,
                ReleaseBlock.dated,
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
            .where(ReleaseBlock.guild_id == guild_id, ReleaseBlock.dated >= first, ReleaseBlock.dated <= last)
            .order_by(ReleaseBlock.dated, ReleaseBlock.id)
        )
        if cohort_id is not None:
            query = query.where(ReleaseBlock.cohort_id == cohort_id)
        return [
            ReleasedBlock(block_id, cohort, dated, Tally(sessions, responses, (a1, a2, a3), attendees, rsvps, wait, no))
            for block_id, cohort, dated, sessions, responses, a1, a2, a3, attendees, rsvps, wait, no in (
                await self._session.execute(query)
            ).tuples()
        ]

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
