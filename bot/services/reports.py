"""Coordinators' reports: feedback and attendance by cohort and period, added up from released blocks only.

Every figure about people is a sum of whole release blocks (see ``bot.domain.disclosure``), each frozen when
released and pooling at least ``min_group`` people, so nothing inside a report is suppressed: no total, row or
difference between reports can isolate fewer people than that. What no block counts yet (surveys still open, a
cohort's unfull last block) is only ever described as a number of sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.reports import UncountedSession
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.access import Actor, require_coordinator
from bot.domain.disclosure import Breakdown, ReportRow, Tally, Waiting, interval_percents, parse_period, report_rows
from bot.domain.feedback import STATEMENTS, percent_half_up
from bot.services.cohorts import find_cohort, guild_roles

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Period:
    cohort: str | None
    start: date
    end: date  # inclusive
    zone: ZoneInfo


@dataclass(frozen=True, slots=True)
class StatementShare:
    """One statement over a row's blocks: how many agreed of how many answered, as a share and a 95% interval."""

    key: str
    text: str
    agreed: int
    n: int
    share: int | None  # whole percent, rounded half up; None when nobody answered
    interval: tuple[int, int] | None  # the 95% Wilson interval in whole percents; None when nobody answered


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    label: str  # "all" for the total; "2027-03", "2027 Q1", "2027-28" (financial year), or a cohort's name
    blocks: tuple[int, ...]  # the released blocks summed (ids)
    tally: Tally
    statements: tuple[StatementShare, StatementShare, StatementShare]
    response_rate: int | None  # responses of attendees, whole percent; None without attendees


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    period: Period
    breakdown: Breakdown
    total: FeedbackRow
    rows: list[FeedbackRow]  # only rows holding a block, in time order (or by cohort id); none for Breakdown.NONE
    waiting: Waiting
    min_group: int


@dataclass(frozen=True, slots=True)
class AttendanceReport:
    period: Period
    breakdown: Breakdown
    total: ReportRow  # label "all"; tally.sessions, rsvps, attendees, waitlisted, no_shows
    rows: list[ReportRow]  # labelled as FeedbackRow's; none for Breakdown.NONE
    waiting: Waiting
    min_group: int


class ReportService:
    def __init__(self, uow: UnitOfWorkFactory, *, clock: Clock, min_group: int, default_timezone: str) -> None:
        self._uow = uow
        self._clock = clock
        self._min_group = min_group
        self._zone = ZoneInfo(default_timezone)

    async def feedback(
        self,
        guild_id: int,
        actor: Actor,
        cohort: str | None,
        start: str | None,
        end: str | None,
        breakdown: Breakdown = Breakdown.MONTH,
    ) -> FeedbackReport:
        """Shares who agreed with each statement, with n and a 95% interval, and the response rate: in total and
        by ``breakdown``, from the blocks released for the period."""
        async with self._uow.reading() as uow:
            period, total, rows, waiting, names = await self._sums(uow, guild_id, actor, cohort, start, end, breakdown)
        return FeedbackReport(
            period,
            breakdown,
            _feedback_row(total, names),
            [_feedback_row(row, names) for row in rows],
            waiting,
            self._min_group,
        )

    async def attendance(
        self,
        guild_id: int,
        actor: Actor,
        cohort: str | None,
        start: str | None,
        end: str | None,
        breakdown: Breakdown = Breakdown.NONE,
    ) -> AttendanceReport:
        """Sessions held, RSVPs, attendance, waitlist and no-shows, from the blocks released for the period."""
        async with self._uow.reading() as uow:
            period, total, rows, waiting, names = await self._sums(uow, guild_id, actor, cohort, start, end, breakdown)
        return AttendanceReport(
            period, breakdown, total, [_named(row, names) for row in rows], waiting, self._min_group
        )

    async def _sums(
        self,
        uow: UnitOfWork,
        guild_id: int,
        actor: Actor,
        cohort: str | None,
        start: str | None,
        end: str | None,
        breakdown: Breakdown,
    ) -> tuple[Period, ReportRow, list[ReportRow], Waiting, dict[str, str]]:
        """The period, its total and rows over whole released blocks, what waits, and cohort names by id."""
        period, cohort_id = await self._scope(uow, guild_id, actor, cohort, start, end)
        blocks = await uow.reports.blocks(guild_id, period.start, period.end, cohort_id)
        cohorts = None if cohort_id is None else frozenset({cohort_id})
        total, rows = report_rows(blocks, period.start, period.end, cohorts, breakdown)
        # A session's local date can be a day either side of its UTC one: read a day more each side, then keep
        # those whose date in their cohort's zone falls in the period.
        since, until = _utc_bounds(period)
        uncounted = await uow.reports.uncounted(
            guild_id, since - timedelta(days=1), until + timedelta(days=1), cohort_id
        )
        names: dict[str, str] = {}
        if breakdown is Breakdown.COHORT:
            names = {str(found.id): found.name for found in await uow.cohorts.in_guild(guild_id)}
        return period, total, rows, _waiting([s for s in uncounted if _within(s, period)]), names

    async def _scope(
        self, uow: UnitOfWork, guild_id: int, actor: Actor, cohort: str | None, start: str | None, end: str | None
    ) -> tuple[Period, int | None]:
        require_coordinator(actor, await guild_roles(uow, guild_id))
        zone, cohort_id, cohort_name = self._zone, None, None
        if cohort:
            found = await find_cohort(uow, guild_id, cohort)
            zone, cohort_id, cohort_name = ZoneInfo(found.timezone), found.id, found.name
        chosen = parse_period(start, end, self._clock().astimezone(zone).date())
        return Period(cohort_name, chosen.first, chosen.last, zone), cohort_id


def _utc_bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.start, time.min, period.zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, period.zone)
    return start, end


def _within(session: UncountedSession, period: Period) -> bool:
    return period.start <= session.starts_at.astimezone(ZoneInfo(session.timezone)).date() <= period.end


def _waiting(uncounted: list[UncountedSession]) -> Waiting:
    """How many sessions no block counts yet (closed ones waiting in unfull blocks; those whose survey is open, or
    not sent yet but still to be), and when the next open survey closes. A session that can never have a survey
    is in neither (see ``ReportRepository.uncounted``). Sessions only: never how many people or answers."""
    closes = [session.closes_at for session in uncounted if session.closes_at is not None]
    closed = sum(1 for session in uncounted if session.survey_closed)
    return Waiting(closed, len(uncounted) - closed, min(closes, default=None))


def _named(row: ReportRow, names: dict[str, str]) -> ReportRow:
    """A cohort row labelled with the cohort's name rather than its id."""
    return ReportRow(names.get(row.label, row.label), row.blocks, row.tally) if names else row


def _feedback_row(row: ReportRow, names: dict[str, str]) -> FeedbackRow:
    tally = row.tally
    first, second, third = (
        StatementShare(
            statement.key,
            statement.text,
            agreed,
            tally.responses,
            percent_half_up(agreed, tally.responses) if tally.responses else None,
            interval_percents(agreed, tally.responses) if tally.responses else None,
        )
        for statement, agreed in zip(STATEMENTS, tally.agreed, strict=True)
    )
    rate = None
    if tally.attendees and tally.responses <= tally.attendees:
        rate = percent_half_up(tally.responses, tally.attendees)
    return FeedbackRow(_named(row, names).label, row.blocks, tally, (first, second, third), rate)
