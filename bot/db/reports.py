"""The aggregate queries behind coordinators' reports: counts per session, never a row per person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Attendance, Occurrence, Rsvp, Series, Survey


@dataclass(frozen=True, slots=True)
class SessionFeedbackCounts:
    occurrence_id: int
    starts_at: datetime
    attendees: int
    responses: int
    agreed: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class SessionAttendanceCounts:
    occurrence_id: int
    starts_at: datetime
    going: int
    waitlisted: int
    attended: int
    no_shows: int


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def feedback(
        self, guild_id: int, start: datetime, end: datetime, cohort_id: int | None
    ) -> Sequence[SessionFeedbackCounts]:
        """Per surveyed session in ``[start, end)``: attendees, responses, and how many agreed with each statement
        (from the surveys' running tallies: one row a session)."""
        query = (
            select(
                Occurrence.id,
                Occurrence.starts_at,
                Survey.attendees,
                Survey.responses,
                Survey.agreed_supported,
                Survey.agreed_supported_others,
                Survey.agreed_less_isolated,
            )
            .join(Survey, Survey.occurrence_id == Occurrence.id)
            .where(*_in_period(guild_id, start, end))
        )
        if cohort_id is not None:
            query = query.join(Series, Series.id == Occurrence.series_id).where(Series.cohort_id == cohort_id)
        return [
            SessionFeedbackCounts(occurrence, _aware(starts), attendees, responses, (a, b, c))
            for occurrence, starts, attendees, responses, a, b, c in (await self._session.execute(query)).tuples()
        ]

    async def attendance(
        self, guild_id: int, start: datetime, end: datetime, cohort_id: int | None
    ) -> Sequence[SessionAttendanceCounts]:
        """Per session held (opened) in ``[start, end)``: RSVPs, waitlist, attended and no-shows."""
        query = select(Occurrence.id, Occurrence.starts_at).where(
            Occurrence.guild_id == guild_id,
            Occurrence.starts_at >= start,
            Occurrence.starts_at < end,
            Occurrence.state.in_(("open", "closed")),
        )
        if cohort_id is not None:
            query = query.join(Series, Series.id == Occurrence.series_id).where(Series.cohort_id == cohort_id)
        held = dict((await self._session.execute(query)).tuples().all())
        if not held:
            return []
        rsvps = await self._session.execute(
            select(Rsvp.occurrence_id, Rsvp.status, func.count())
            .where(Rsvp.occurrence_id.in_(list(held)))
            .group_by(Rsvp.occurrence_id, Rsvp.status)
        )
        by_status = {(occurrence, status): count for occurrence, status, count in rsvps.tuples()}
        present_going = await self._session.execute(
            select(Attendance.occurrence_id, func.count(), func.count(Rsvp.id))
            .outerjoin(
                Rsvp,
                (Rsvp.occurrence_id == Attendance.occurrence_id)
                & (Rsvp.user_id == Attendance.user_id)
                & (Rsvp.status == "going"),
            )
            .where(Attendance.occurrence_id.in_(list(held)), Attendance.present.is_(True))
            .group_by(Attendance.occurrence_id)
        )
        attended = {occurrence: (count, came_going) for occurrence, count, came_going in present_going.tuples()}
        return [
            SessionAttendanceCounts(
                occurrence_id=occurrence,
                starts_at=_aware(starts),
                going=by_status.get((occurrence, "going"), 0),
                waitlisted=by_status.get((occurrence, "waitlisted"), 0),
                attended=attended.get(occurrence, (0, 0))[0],
                no_shows=by_status.get((occurrence, "going"), 0) - attended.get(occurrence, (0, 0))[1],
            )
            for occurrence, starts in held.items()
        ]


def _in_period(guild_id: int, start: datetime, end: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Occurrence.guild_id == guild_id, Occurrence.starts_at >= start, Occurrence.starts_at < end)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
