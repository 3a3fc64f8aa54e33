"""Coordinators' reports: feedback and attendance by cohort and period, from aggregates only, with every group
under the anonymity threshold suppressed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import community
from bot.domain import feedback as rules
from bot.domain.access import Actor, require_coordinator
from bot.domain.errors import InvalidInput
from bot.domain.sessions import parse_date
from bot.services.cohorts import find_cohort, guild_roles

Clock = Callable[[], datetime]
DEFAULT_PERIOD = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Period:
    cohort: str | None
    start: date
    end: date  # inclusive
    zone: ZoneInfo


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    period: Period
    summary: rules.FeedbackSummary
    trend: list[tuple[date, rules.FeedbackSummary]]
    min_group: int


@dataclass(frozen=True, slots=True)
class AttendanceFigures:
    sessions: int
    rsvps: int | None  # None: under the threshold, not shown
    attended: int | None
    waitlisted: int | None
    no_shows: int | None


@dataclass(frozen=True, slots=True)
class AttendanceReport:
    period: Period
    totals: AttendanceFigures
    min_group: int


@dataclass(frozen=True, slots=True)
class CommunityReport:
    period: Period
    days: list[community.DayFigures]  # from the period's start to its end (or today, if sooner)
    joins: int
    leaves: int
    members_now: int
    resources_added: int
    resources_opened: int
    top_tags_added: list[tuple[str, int]]
    top_tags_opened: list[tuple[str, int]]
    what_works: int


class ReportService:
    def __init__(self, uow: UnitOfWorkFactory, *, clock: Clock, min_group: int, default_timezone: str) -> None:
        self._uow = uow
        self._clock = clock
        self._min_group = min_group
        self._zone = ZoneInfo(default_timezone)

    async def feedback(
        self, guild_id: int, actor: Actor, cohort: str | None, start: str | None, end: str | None
    ) -> FeedbackReport:
        async with self._uow() as uow:
            period, cohort_id = await self._scope(uow, guild_id, actor, cohort, start, end)
            rows = await uow.reports.feedback(guild_id, *_utc_bounds(period), cohort_id)
        months: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # responses, a1-3, attendees, sessions
        for row in rows:
            local = row.starts_at.astimezone(period.zone)
            bucket = months[date(local.year, local.month, 1)]
            for index, value in enumerate((row.responses, *row.agreed, row.attendees, 1)):
                bucket[index] += value
        totals = [sum(bucket[i] for bucket in months.values()) for i in range(6)]
        summary = rules.summarize(
            rules.ResponseCounts(totals[0], (totals[1], totals[2], totals[3])),
            attendees=totals[4],
            sessions=totals[5],
            min_group=self._min_group,
        )
        trend = rules.monthly_trend(
            [(month, rules.ResponseCounts(b[0], (b[1], b[2], b[3])), b[4], b[5]) for month, b in months.items()],
            min_group=self._min_group,
        )
        return FeedbackReport(period, summary, trend, self._min_group)

    async def attendance(
        self, guild_id: int, actor: Actor, cohort: str | None, start: str | None, end: str | None
    ) -> AttendanceReport:
        async with self._uow() as uow:
            period, cohort_id = await self._scope(uow, guild_id, actor, cohort, start, end)
            rows = await uow.reports.attendance(guild_id, *_utc_bounds(period), cohort_id)

        def shown(count: int) -> int | None:
            return count if count == 0 or count >= self._min_group else None

        totals = AttendanceFigures(
            sessions=len(rows),
            rsvps=shown(sum(r.going for r in rows)),
            attended=shown(sum(r.attended for r in rows)),
            waitlisted=shown(sum(r.waitlisted for r in rows)),
            no_shows=shown(sum(r.no_shows for r in rows)),
        )
        return AttendanceReport(period, totals, self._min_group)

    async def community(
        self, guild_id: int, actor: Actor, cohort: str | None, start: str | None, end: str | None
    ) -> CommunityReport:
        """Members over time, joins and leaves, resources added and opened with their top tags, and "what works"
        posts. For one cohort, the people figures count that cohort's members; resources are the whole server's."""
        now = self._clock()
        async with self._uow.reading() as uow:
            period, cohort_id = await self._scope(uow, guild_id, actor, cohort, start, end)
            since, until = _utc_bounds(period)
            people = None if cohort_id is None else await uow.community.cohort_member_ids(cohort_id)
            history = await uow.community.history(guild_id, max(until, now + timedelta(seconds=1)), people)
            added = await uow.community.tags_added_between(guild_id, since, until)
            opened = await uow.community.opens_between(guild_id, since, until)
            what_works = await uow.community.what_works_between(guild_id, since, until, people)
        last = min(period.end, now.astimezone(period.zone).date())
        days = community.members_by_day(history, period.start, last, period.zone) if last >= period.start else []
        return CommunityReport(
            period=period,
            days=days,
            joins=sum(day.joins for day in days),
            leaves=sum(day.leaves for day in days),
            members_now=len(community.current_members(history)),
            resources_added=len(added),
            resources_opened=sum(count for _, count in opened),
            top_tags_added=community.top_tags((tags, 1) for tags in added),
            top_tags_opened=community.top_tags(opened),
            what_works=len(what_works),
        )

    async def _scope(
        self, uow: UnitOfWork, guild_id: int, actor: Actor, cohort: str | None, start: str | None, end: str | None
    ) -> tuple[Period, int | None]:
        require_coordinator(actor, await guild_roles(uow, guild_id))
        zone, cohort_id, cohort_name = self._zone, None, None
        if cohort:
            found = await find_cohort(uow, guild_id, cohort)
            zone, cohort_id, cohort_name = ZoneInfo(found.timezone), found.id, found.name
        today = self._clock().astimezone(zone).date()
        last = parse_date(end, "end date") if end else today
        first = parse_date(start, "start date") if start else last - DEFAULT_PERIOD + timedelta(days=1)
        if first > last:
            raise InvalidInput("The start date is after the end date; swap them round.")
        return Period(cohort_name, first, last, zone), cohort_id


def _utc_bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.start, time.min, period.zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, period.zone)
    return start, end
