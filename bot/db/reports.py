"""The aggregate queries behind coordinators' reports: counts per session, never a row per person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Integer, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Attendance, FeedbackResponse, Occurrence, Rsvp, Series, Survey


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


def _agreed(column: InstrumentedAttribute[int]) -> ColumnElement[int]:
    """How many answered Agree (4) or Strongly agree (5)."""
    return func.coalesce(func.sum(case((column >= 4, 1), else_=0)), 0)


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _surveyed(
        self, guild_id: int, start: datetime, end: datetime, cohort_id: int | None
    ) -> Select[tuple[int, datetime]]:
        query = (
            select(Occurrence.id, Occurrence.starts_at)
            .join(Survey, Survey.occurrence_id == Occurrence.id)
            .where(Occurrence.guild_id == guild_id, Occurrence.starts_at >= start, Occurrence.starts_at < end)
        )
        if cohort_id is not None:
            query = query.join(Series, Series.id == Occurrence.series_id).where(Series.cohort_id == cohort_id)
        return query

    async def feedback(
        self, guild_id: int, start: datetime, end: datetime, cohort_id: int | None
    ) -> Sequence[SessionFeedbackCounts]:
        """Per surveyed session in ``[start, end)``: attendees, responses, and how many agreed with each statement."""
        sessions = self._surveyed(guild_id, start, end, cohort_id).subquery()
        answers = (
            select(
                FeedbackResponse.occurrence_id,
                func.count().label("responses"),
                _agreed(FeedbackResponse.supported).label("a1"),
                _agreed(FeedbackResponse.supported_others).label("a2"),
                _agreed(FeedbackResponse.less_isolated).label("a3"),
            )
            .where(FeedbackResponse.occurrence_id.in_(select(sessions.c.id)))
            .group_by(FeedbackResponse.occurrence_id)
            .subquery()
        )
        present = (
            select(Attendance.occurrence_id, func.count().label("attendees"))
            .where(Attendance.present.is_(True), Attendance.occurrence_id.in_(select(sessions.c.id)))
            .group_by(Attendance.occurrence_id)
            .subquery()
        )
        query = (
            select(
                sessions.c.id,
                sessions.c.starts_at,
                func.coalesce(present.c.attendees, 0),
                func.coalesce(answers.c.responses, 0),
                func.coalesce(answers.c.a1, 0).cast(Integer),
                func.coalesce(answers.c.a2, 0).cast(Integer),
                func.coalesce(answers.c.a3, 0).cast(Integer),
            )
            .outerjoin(answers, answers.c.occurrence_id == sessions.c.id)
            .outerjoin(present, present.c.occurrence_id == sessions.c.id)
        )
        rows = (await self._session.execute(query)).tuples().all()
        return [
            SessionFeedbackCounts(occurrence, _aware(starts), int(attendees), int(responses), (int(a), int(b), int(c)))
            for occurrence, starts, attendees, responses, a, b, c in rows
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


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
