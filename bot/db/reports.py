"""The queries behind coordinators' feedback and attendance reports: released blocks (whole, frozen aggregates),
and the held sessions no block counts yet (how many, never who)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Executable,
    Result,
    Select,
    String,
    bindparam,
    cast,
    exists,
    extract,
    func,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import RELEASED_FIGURES, Action, Cohort, Occurrence, ReleaseBlock, ReleaseMonth, Series, Survey
from bot.domain.actions import ActionKind, ActionState
from bot.domain.disclosure import ReleasedBlock, Tally
from bot.domain.lifecycle import SessionState


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
        """The guild's released blocks (or one cohort's) dated from ``first`` to ``last``, inclusive, as sums of
        whole blocks per cohort and month (each listing its blocks' IDs and earliest and latest dates). Only a
        report over this same period may use them (see :meth:`ReleasedBlock.within`).

        A month the period holds whole is one row of ``release_months``, so a year's report over 10,000 blocks
        reads about a dozen rows per cohort; a month the period cuts (at most the first and the last) is summed
        from its blocks inside the period."""
        parameters = {"guild": guild_id, "first": first.replace(day=1), "last": last.replace(day=1)}
        months = await self._rows(_MONTHS if cohort_id is None else _COHORT_MONTHS, parameters | {"cohort": cohort_id})
        whole, cut = [], set()
        for month_start, earliest, latest, cohort, ids, *figures in months:
            if first <= earliest and latest <= last:
                whole.append((month_start, _released(cohort, earliest, latest, ids, figures)))
            elif not (latest < first or earliest > last):
                cut.add(month_start)
        found = [block for month_start, block in whole if month_start not in cut]
        for month_start in sorted(cut):
            inside = {"first": max(first, month_start), "last": min(last, _month_end(month_start))}
            query = _BLOCKS if cohort_id is None else _COHORT_BLOCKS
            rows = await self._rows(query, {"guild": guild_id, "cohort": cohort_id} | inside)
            found += [
                _released(cohort, earliest, latest, ids, figures) for earliest, latest, cohort, ids, *figures in rows
            ]
        return found

    async def uncounted(
        self, guild_id: int, start: datetime, end: datetime, cohort_id: int | None
    ) -> list[UncountedSession]:
        """Held sessions starting in ``[start, end)`` that no released block counts: survey still open, or closed
        and waiting in its cohort's unfull tail, or not sent yet while its send-survey action may still run.

        A held session with no survey whose send-survey action has finished (failed for good, or skipped), or
        that has none, can never be counted: it is neither waiting nor open, so it is not listed."""
        rows = await self._rows(_UNCOUNTED, {"guild": guild_id, "start": start, "end": end})
        return [
            UncountedSession(starts_at, timezone, closed_at is not None, None if closed_at is not None else closes_at)
            for starts_at, timezone, cohort, closed_at, closes_at in rows
            if cohort_id is None or cohort == cohort_id
        ]

    async def _rows(self, query: Executable, parameters: dict[str, Any]) -> Result[Any]:
        """Plain rows through the session's connection, without the ORM's per-row work (they are no entities)."""
        return await (await self._session.connection()).execute(query, parameters)


def _released(cohort: int, earliest: date, latest: date, ids: str, figures: list[int]) -> ReleasedBlock:
    """Summed whole blocks of one cohort and month: ``ids`` lists them, comma-separated."""
    block_ids = tuple(json.loads(f"[{ids}]"))  # a list of integers, read at C speed
    sessions, responses, a1, a2, a3, attendees, rsvps, waitlisted, no_shows = figures
    tally = Tally(sessions, responses, (a1, a2, a3), attendees, rsvps, waitlisted, no_shows)
    return ReleasedBlock(block_ids[0], cohort, latest, tally, block_ids[1:], earliest)


def _month_end(month_start: date) -> date:
    following = date(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1)
    return following - timedelta(days=1)


# The statements are built once, with parameters: building one (and its cache key) costs about as much as running
# it, and a report runs two.


def _blocks(of_cohort: bool) -> Select[Any]:
    """Released blocks summed by cohort and month, in two steps. First by date and cohort: the report index
    (``ix_release_blocks_report``) holds every column read, in that order, so the database reads the index once and
    sums as it goes, with no sort. Then by month, over a row per date."""
    figures = [getattr(ReleaseBlock, name) for name in RELEASED_FIGURES]
    by_day = (
        select(
            ReleaseBlock.dated,
            ReleaseBlock.cohort_id,
            func.aggregate_strings(cast(ReleaseBlock.id, String), ",").label("ids"),
            *(func.sum(column).label(column.key) for column in figures),
        )
        .where(
            ReleaseBlock.guild_id == bindparam("guild"),
            ReleaseBlock.dated >= bindparam("first"),
            ReleaseBlock.dated <= bindparam("last"),
        )
        .group_by(ReleaseBlock.dated, ReleaseBlock.cohort_id)
    )
    if of_cohort:
        by_day = by_day.where(ReleaseBlock.cohort_id == bindparam("cohort"))
    day = by_day.subquery("by_day")
    month = (extract("year", day.c.dated), extract("month", day.c.dated), day.c.cohort_id)
    return (
        select(
            func.min(day.c.dated),
            func.max(day.c.dated),
            day.c.cohort_id,
            func.aggregate_strings(day.c.ids, ","),
            # A sum of sums is numeric on PostgreSQL: back to integers.
            *(cast(func.sum(day.c[column.key]), BigInteger) for column in figures),
        )
        .group_by(*month)
        .order_by(*month)
    )


def _uncounted() -> CompoundSelect:
    """The guild's held sessions no block counts, with their cohort, its zone and their survey's closing (if any).

    Neither half reads every session of the period, and each leaves SQLite one place to start, with statistics or
    without (the bot never runs ANALYZE; without it, SQLite takes a guild's sessions in a period to be few): the
    surveys in no block start from their index, so the guild is matched through the cohort rather than by an
    indexed column; the sessions with no survey start from their start time (an index) and the survey's key,
    before any session's row is read."""

    def held(query: Select[Any]) -> Select[Any]:
        return (
            query.join(Series, Series.id == Occurrence.series_id)
            .join(Cohort, Cohort.id == Series.cohort_id)
            .where(Occurrence.state.in_((SessionState.OPEN, SessionState.CLOSED)))
        )

    surveyed = held(
        select(Occurrence.starts_at, Cohort.timezone, Cohort.id, Survey.closed_at, Survey.closes_at)
        .select_from(Survey)
        .join(Occurrence, Occurrence.id == Survey.occurrence_id)
        .where(
            Survey.block_id.is_(None),
            Cohort.guild_id == bindparam("guild"),
            Occurrence.starts_at >= bindparam("start"),
            Occurrence.starts_at < bindparam("end"),
        )
    )
    period = aliased(Occurrence)
    no_survey = (
        select(period.id)
        .outerjoin(Survey, Survey.occurrence_id == period.id)
        .where(
            period.guild_id == bindparam("guild"),
            period.starts_at >= bindparam("start"),
            period.starts_at < bindparam("end"),
            Survey.occurrence_id.is_(None),
        )
    )
    # A send-survey action still pending (or being run) may yet open the survey; one that finished never will.
    to_send = exists().where(
        Action.occurrence_id == Occurrence.id,
        Action.kind == ActionKind.SEND_SURVEY.value,
        Action.state.in_((ActionState.PENDING.value, ActionState.CLAIMED.value)),
    )
    unsent = held(
        select(Occurrence.starts_at, Cohort.timezone, Cohort.id, null(), null()).where(
            Occurrence.id.in_(no_survey), to_send
        )
    )
    return union_all(surveyed, unsent)


def _months(of_cohort: bool) -> Select[Any]:
    """The guild's ``release_months`` rows from the month of ``first`` to that of ``last`` (month starts)."""
    query = select(
        ReleaseMonth.month_start,
        ReleaseMonth.earliest,
        ReleaseMonth.latest,
        ReleaseMonth.cohort_id,
        ReleaseMonth.block_ids,
        *(getattr(ReleaseMonth, name) for name in RELEASED_FIGURES),
    ).where(
        ReleaseMonth.guild_id == bindparam("guild"),
        ReleaseMonth.month_start >= bindparam("first"),
        ReleaseMonth.month_start <= bindparam("last"),
    )
    if of_cohort:
        query = query.where(ReleaseMonth.cohort_id == bindparam("cohort"))
    return query.order_by(ReleaseMonth.month_start, ReleaseMonth.cohort_id)


_BLOCKS, _COHORT_BLOCKS = _blocks(of_cohort=False), _blocks(of_cohort=True)
_MONTHS, _COHORT_MONTHS = _months(of_cohort=False), _months(of_cohort=True)
_UNCOUNTED = _uncounted()
