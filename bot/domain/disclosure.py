"""Disclosure control for coordinators' reports: fixed release blocks, and the periods and intervals reports use.

The rule
--------
Figures about people (survey responses and who agreed, attendees, RSVPs, waitlist, no-shows) are released only
through *blocks*:

1. Per cohort, the sessions whose surveys have closed wait, in start order (ties broken by occurrence id), until
   the consecutive waiting sessions hold at least ``min_group`` distinct respondents; those sessions then form one
   block (:func:`next_blocks`). A session belongs to at most one block, and a block is never reshaped.
2. A released block's aggregate (its :class:`Tally`) is frozen: it never changes. An erasure later deletes the
   person's rows, but the released anonymous sum they were pooled into stays as it was.
3. Every released figure (any cohort or set of cohorts, any period, the total and every breakdown row by month,
   quarter, financial year or cohort, in the embed, the chart or the CSV, asked at any moment) is the sum of whole
   released blocks (:func:`report_rows`).
4. A block is reported under one date only: the local date, in its cohort's zone, of its last session. So no
   period boundary cuts a block in two: a period, month or quarter holds the whole block or none of it.
5. Sessions whose survey is still open, and a cohort's last block that is not yet full (the tail), count in no
   figure. About them a report may say only how many *sessions* are waiting and when surveys close
   (:func:`waiting`), never a count of people or answers: that count would move when one person answers.

Why no subtraction isolates fewer than ``min_group`` people: every figure ever released is a 0/1 sum of frozen
block tallies, ``sum(x_b * T_b)`` with each ``x_b`` 0 or 1. Differences, sums or any equations solved over such
figures, from any reports at any moments, can at most separate one block from another: in set terms, the atoms of
the algebra the released figures generate are unions of whole blocks. The finest thing they can reveal is one
block, and each block pools the answers of at least ``min_group`` distinct people. Answering, editing or erasing
moves no released figure, because an open survey counts nowhere and a released block never changes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import chain
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput
from bot.domain.feedback import STATEMENTS
from bot.domain.inputs import DATE_TEXT_MAX, check_year, quote
from bot.domain.language import N_

DEFAULT_PERIOD_DAYS = 365  # a report with no start covers the year up to its end, both days included
Z_95 = 1.959963984540054  # the standard normal quantile for a two-sided 95% interval


@dataclass(frozen=True, slots=True)
class Tally:
    """Additive counts of some sessions: nothing in it names a person."""

    sessions: int = 0
    responses: int = 0
    agreed: tuple[int, int, int] = (0, 0, 0)  # per statement in STATEMENTS order: Agree or Strongly agree
    attendees: int = 0
    rsvps: int = 0  # said they'd come ("going") at the session's start
    waitlisted: int = 0
    no_shows: int = 0  # said they'd come and did not attend

    def __post_init__(self) -> None:
        # Made for every session released and every row a report reads: built-ins only, no generator.
        agreed = self.agreed
        if (
            len(agreed) != len(STATEMENTS)
            or min(self.sessions, self.responses, *agreed, self.attendees, self.rsvps, self.waitlisted, self.no_shows)
            < 0
        ):
            raise ValueError("a tally holds one agreed count per statement, and no count is negative")
        if max(agreed) > self.responses:
            raise ValueError("no statement can be agreed by more people than answered")

    def __add__(self, other: Tally) -> Tally:
        first, second, third = (a + b for a, b in zip(self.agreed, other.agreed, strict=True))
        return Tally(
            sessions=self.sessions + other.sessions,
            responses=self.responses + other.responses,
            agreed=(first, second, third),
            attendees=self.attendees + other.attendees,
            rsvps=self.rsvps + other.rsvps,
            waitlisted=self.waitlisted + other.waitlisted,
            no_shows=self.no_shows + other.no_shows,
        )


def _total(tallies: Sequence[Tally]) -> Tally:
    """The sum of ``tallies``, added column by column (one Tally built, not one per addition)."""
    columns = zip(
        *((t.sessions, t.responses, *t.agreed, t.attendees, t.rsvps, t.waitlisted, t.no_shows) for t in tallies),
        strict=True,
    )
    sums = [sum(column) for column in columns] or [0] * 9
    sessions, responses, first, second, third, attendees, rsvps, waitlisted, no_shows = sums
    return Tally(sessions, responses, (first, second, third), attendees, rsvps, waitlisted, no_shows)


@dataclass(frozen=True, slots=True)
class ClosedSession:
    """One held session whose survey has closed, as the release step sees it."""

    occurrence_id: int
    cohort_id: int
    starts_at: datetime  # aware UTC
    respondents: frozenset[int]  # opaque person keys of who answered (the service derives them; never stored)
    tally: Tally  # this session's counts (sessions=1)


@dataclass(frozen=True, slots=True)
class BlockDraft:
    """A block ready to be released: the service stores it (with its date) and never changes it afterwards."""

    cohort_id: int
    occurrence_ids: tuple[int, ...]
    first_start: datetime
    last_start: datetime
    people: int  # distinct respondents across the block's sessions (>= min_group)
    tally: Tally

    def dated_in(self, zone: ZoneInfo) -> date:
        """The one date the block is reported under: its last session's local date in the cohort's zone."""
        return self.last_start.astimezone(zone).date()


def next_blocks(pending: Sequence[ClosedSession], min_group: int) -> list[BlockDraft]:
    """The full blocks that can be released now from one cohort's closed sessions not yet in a block (any order in;
    sorted by (starts_at, occurrence_id) inside): greedily, consecutive sessions until the block holds at least
    min_group distinct respondents; the remainder (the cohort's last, not-yet-full block) stays pending. Raises
    ValueError on mixed cohorts or min_group < 1."""
    if min_group < 1:
        raise ValueError("min_group must be 1 or more")
    if len({session.cohort_id for session in pending}) > 1:
        raise ValueError("blocks are made one cohort at a time")
    if len({session.occurrence_id for session in pending}) != len(pending):
        raise ValueError("a session can wait for a block only once")
    if any(session.starts_at.utcoffset() is None for session in pending):
        raise ValueError("session starts must be aware datetimes")
    blocks: list[BlockDraft] = []
    current: list[ClosedSession] = []
    people: set[int] = set()
    for session in sorted(pending, key=lambda s: (s.starts_at, s.occurrence_id)):
        current.append(session)
        people |= session.respondents
        if len(people) >= min_group:
            blocks.append(
                BlockDraft(
                    cohort_id=session.cohort_id,
                    occurrence_ids=tuple(s.occurrence_id for s in current),
                    first_start=current[0].starts_at,
                    last_start=session.starts_at,
                    people=len(people),
                    tally=_total([s.tally for s in current]),
                )
            )
            current, people = [], set()
    return blocks


@dataclass(frozen=True, slots=True)
class Waiting:
    """What a report may say about answers not yet released: counts of sessions, never of people."""

    sessions: int  # closed sessions in cohorts' not-yet-full last blocks
    open_surveys: int  # sessions whose survey is still open
    next_close: datetime | None = None  # when the next open survey closes, if the caller knows


def waiting(pending: Sequence[ClosedSession], open_surveys: int, next_close: datetime | None = None) -> Waiting:
    """The note on what is not counted yet: how many closed sessions wait in unfull blocks (``pending`` is what is
    left after :func:`next_blocks`, for any cohorts) and how many surveys are still open."""
    if open_surveys < 0:
        raise ValueError("open_surveys cannot be negative")
    return Waiting(len({session.occurrence_id for session in pending}), open_surveys, next_close)


@dataclass(frozen=True, slots=True)
class ReleasedBlock:
    """A stored, frozen block as reports read it; or whole blocks of one cohort and month that a database summed
    (a report needs no finer grain: every breakdown is by month, quarter, financial year or cohort, and adding up
    whole blocks in SQL is what keeps it fast). Summed blocks are counted together or not at all:
    :func:`report_rows` refuses a period that would cut them apart."""

    block_id: int
    cohort_id: int
    dated: date  # the local date (cohort's zone) of its last session: the one date a block is reported under
    tally: Tally
    merged: tuple[int, ...] = ()  # the other blocks summed into this one
    earliest: date | None = None  # for summed blocks, the earliest of their dates (``dated`` is the latest)

    def __post_init__(self) -> None:
        earliest, latest = self.earliest, self.dated
        if earliest is not None and (
            earliest > latest or (earliest.year, earliest.month) != (latest.year, latest.month)
        ):
            raise ValueError("blocks summed together are of one month, and dated from the earliest to the latest")

    @property
    def block_ids(self) -> tuple[int, ...]:
        return (self.block_id, *self.merged)

    def within(self, first: date, last: date) -> bool:
        """Whether the period from ``first`` to ``last`` holds this entry: all of it, or none. Raises ValueError
        should the period cut summed blocks apart (the caller must sum only blocks inside the period)."""
        earliest = self.dated if self.earliest is None else self.earliest
        if first <= earliest and self.dated <= last:
            return True
        if self.dated < first or earliest > last:
            return False
        raise ValueError("the period would cut summed blocks apart")


class Breakdown(StrEnum):
    NONE = "none"
    MONTH = "month"
    QUARTER = "quarter"
    FINANCIAL_YEAR = "financial_year"
    COHORT = "cohort"


@dataclass(frozen=True, slots=True)
class ReportRow:
    label: str  # "all", "2027-03", "2027 Q1", "2027-28" (April to March), or a cohort id as text
    blocks: tuple[int, ...]  # the block_ids summed, ascending (for tests and audit)
    tally: Tally


def financial_year(day: date) -> int:
    """The year in which the UK financial year holding ``day`` starts (it runs 1 April to 31 March)."""
    return day.year if day.month >= 4 else day.year - 1


# Each breakdown's key sorts its rows in order (chronological, or by cohort id) and gives the row's label.
_KEYS: dict[Breakdown, Callable[[ReleasedBlock], tuple[int, int]]] = {
    Breakdown.MONTH: lambda b: (b.dated.year, b.dated.month),
    Breakdown.QUARTER: lambda b: (b.dated.year, (b.dated.month - 1) // 3 + 1),
    Breakdown.FINANCIAL_YEAR: lambda b: (financial_year(b.dated), 0),
    Breakdown.COHORT: lambda b: (b.cohort_id, 0),
}
_LABELS: dict[Breakdown, Callable[[tuple[int, int]], str]] = {
    Breakdown.MONTH: lambda k: f"{k[0]:04d}-{k[1]:02d}",
    Breakdown.QUARTER: lambda k: f"{k[0]:04d} Q{k[1]}",
    Breakdown.FINANCIAL_YEAR: lambda k: f"{k[0]:04d}-{(k[0] + 1) % 100:02d}",
    Breakdown.COHORT: lambda k: str(k[0]),
}


def _row(label: str, blocks: Sequence[ReleasedBlock]) -> ReportRow:
    ids = sorted(chain.from_iterable(b.block_ids for b in blocks))
    return ReportRow(label, tuple(ids), _total([b.tally for b in blocks]))


def report_rows(
    blocks: Sequence[ReleasedBlock],
    first: date,
    last: date,
    cohort_ids: frozenset[int] | None,
    breakdown: Breakdown,
) -> tuple[ReportRow, list[ReportRow]]:
    """(the total row, the breakdown rows in order) over whole blocks whose `dated` falls in [first, last] (inclusive)
    and whose cohort is in cohort_ids (None: all). Each row is the sum of whole blocks; rows partition the total's
    blocks. Blocks a database summed by cohort and month count as the blocks they hold (all in one row, as they
    share a month); a period that would cut them apart is refused (ValueError).

    The total is labelled "all". Breakdown rows come only for months, quarters, financial years or cohorts that hold
    a block (the caller fills gaps it wants to show as empty), in time order or by cohort id; ``Breakdown.NONE``
    gives no rows."""
    if first > last:
        raise ValueError("the period must not start after it ends")
    ids = list(chain.from_iterable(b.block_ids for b in blocks))
    if len(set(ids)) != len(ids):
        raise ValueError("each block can be counted once")
    chosen = [b for b in blocks if (cohort_ids is None or b.cohort_id in cohort_ids) and b.within(first, last)]
    if breakdown is Breakdown.NONE:
        return _row("all", chosen), []
    key, label = _KEYS[breakdown], _LABELS[breakdown]
    groups: dict[tuple[int, int], list[ReleasedBlock]] = {}
    for block in chosen:
        groups.setdefault(key(block), []).append(block)
    rows = [_row(label(k), groups[k]) for k in sorted(groups)]
    # The rows partition the chosen blocks, so the total adds up the rows: fewer additions, and their sorted IDs
    # are runs that sorting merges in one pass.
    ids = sorted(chain.from_iterable(row.blocks for row in rows))
    return ReportRow("all", tuple(ids), _total([row.tally for row in rows])), rows


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """95% Wilson score interval as fractions; (0.0, 1.0) for n == 0. E.g. 27 of 29 -> about (0.780, 0.981).

    Unlike the textbook ``p ± z·sqrt(p(1-p)/n)``, it stays inside [0, 1] and does not collapse to a point when
    everyone (or no one) agreed, which is common in small groups."""
    if not 0 <= successes <= n or z <= 0:
        raise ValueError(f"cannot take an interval for {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    scale = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / scale
    half = z / scale * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # With none or all agreeing the true bound is exactly 0 or 1; floats would land a hair either side of it.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def interval_percents(successes: int, n: int) -> tuple[int, int]:
    """The Wilson interval as whole percents, both ends rounded half up, as the share itself is
    (:func:`bot.domain.feedback.percent_half_up`): 27 of 29 is 93%, interval 78–98% (0.7803 and 0.9809). Rounding
    each end to the nearest percent, not outwards, keeps what a reader sees consistent with the figures beside it;
    the interval is an approximation to a tenth of a percent anyway. (0, 100) for n == 0."""
    low, high = wilson_interval(successes, n)
    return math.floor(100 * low + 0.5), math.floor(100 * high + 0.5)


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    first: date
    last: date  # inclusive


_DAY = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$", re.ASCII)
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$", re.ASCII)
_QUARTER = re.compile(r"^([0-9]{4})[- ]?Q([0-9])$", re.ASCII | re.IGNORECASE)
_FY_LONG = re.compile(r"^FY ?([0-9]{4})$", re.ASCII | re.IGNORECASE)
_FY_SHORT = re.compile(r"^(?:FY ?)?([0-9]{4})[-/]([0-9]{2})$", re.ASCII | re.IGNORECASE)
_YEAR = re.compile(r"^([0-9]{4})$", re.ASCII)
_UNREADABLE = {
    "start": N_(
        "I couldn't read {text} as the start. Use a date `2027-03-31`, a month `2027-03`, a quarter `2027-Q1` or "
        "a financial year `2027-28`."
    ),
    "end": N_(
        "I couldn't read {text} as the end. Use a date `2027-03-31`, a month `2027-03`, a quarter `2027-Q1` or "
        "a financial year `2027-28`."
    ),
}


def _unreadable(text: str, what: str) -> InvalidInput:
    return InvalidInput(_UNREADABLE[what], text=repr(quote(text)))


def _named_span(text: str, what: str) -> tuple[date, date]:
    """The first and last day of the date, month, quarter, financial year or calendar year ``text`` names.

    ``YYYY-MM`` reads as a month whenever it can be one, so ``2011-12`` is December 2011, not a financial year
    (write ``FY2011`` for that); financial years that look like months all lie before 2012."""
    raw = text.strip()
    if len(raw) > DATE_TEXT_MAX:
        raise _unreadable(text, what)
    if match := _DAY.match(raw):
        year, month, day = (int(part) for part in match.groups())
        check_year(year, text, what)
        try:
            named = date(year, month, day)
        except ValueError:
            raise InvalidInput(
                N_("{text} is not a real date. Use `YYYY-MM-DD`, e.g. `2027-03-31`."), text=repr(quote(text))
            ) from None
        return named, named
    if (match := _MONTH.match(raw)) and 1 <= int(match.group(2)) <= 12:
        year, month = int(match.group(1)), int(match.group(2))
        check_year(year, text, what)
        return date(year, month, 1), _month_end(year, month)
    if match := _QUARTER.match(raw):
        year, quarter = int(match.group(1)), int(match.group(2))
        check_year(year, text, what)
        if not 1 <= quarter <= 4:
            raise InvalidInput(
                N_("{text} is not a quarter: use Q1 (January to March) to Q4 (October to December), e.g. `2027-Q1`."),
                text=repr(quote(text)),
            )
        return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if match := _FY_LONG.match(raw):
        return _financial_year_span(int(match.group(1)), text, what)
    if match := _FY_SHORT.match(raw):
        year, tail = int(match.group(1)), int(match.group(2))
        if tail == (year + 1) % 100:  # "2027-29" or "2027-13" is neither a month nor a financial year
            return _financial_year_span(year, text, what)
    if match := _YEAR.match(raw):
        year = int(match.group(1))
        check_year(year, text, what)
        return date(year, 1, 1), date(year, 12, 31)
    raise _unreadable(text, what)


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def _financial_year_span(year: int, text: str, what: str) -> tuple[date, date]:
    check_year(year, text, what)
    return date(year, 4, 1), date(year + 1, 3, 31)


def parse_period(start: str | None, end: str | None, today: date) -> ReportPeriod:
    """Each of start/end may be a date `YYYY-MM-DD`, a month `YYYY-MM`, a calendar quarter `YYYY-Qn`, or a financial
    year `FY2027` / `2027-28` (1 April 2027 to 31 March 2028), or a calendar year `2027`; start takes the first day
    of what it names, end the last day. Defaults: end = today, start = 365 days before end (+1), so a year with both
    days counted. Refuses unreadable values, years outside ``YEAR_MIN``..``YEAR_MAX``, and a start after the end."""
    last = _named_span(end, "end")[1] if end and end.strip() else today
    first = _named_span(start, "start")[0] if start and start.strip() else last - timedelta(DEFAULT_PERIOD_DAYS - 1)
    if first > last:
        raise InvalidInput(
            N_("That period starts on {first}, after it ends on {last}. Please swap the start and end round."),
            first=first.isoformat(),
            last=last.isoformat(),
        )
    return ReportPeriod(first, last)
