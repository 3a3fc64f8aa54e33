"""When the sessions of a series happen.

A series keeps its first start as a wall-clock time in its cohort's zone plus a cadence; each occurrence's UTC
start is computed from them, so a 10:00 London session is at 10:00 in March and in November. Monthly and
bimonthly series repeat on the same nth weekday as the first session ("2nd Tuesday", or "last Friday"), or on
the same day of the month, skipping months that lack it (as RFC 5545 does).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput
from bot.domain.language import N_

MAX_OCCURRENCES = 1000  # a guard against a rule that could never end within any horizon we use


class Cadence(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"


class MonthlyBy(StrEnum):
    WEEKDAY = "weekday"  # the same nth weekday as the first session, e.g. the 2nd Tuesday
    LAST_WEEKDAY = "last_weekday"  # the last such weekday of the month, e.g. the last Friday
    DAY = "day"  # the same day of the month, e.g. the 15th


_STEP_DAYS = {Cadence.WEEKLY: 7, Cadence.FORTNIGHTLY: 14}
_STEP_MONTHS = {Cadence.MONTHLY: 1, Cadence.BIMONTHLY: 2}


@dataclass(frozen=True, slots=True)
class Recurrence:
    """The rule of a series. ``first_local`` is naive wall-clock time in ``zone``."""

    cadence: Cadence
    first_local: datetime
    zone: ZoneInfo
    monthly_by: MonthlyBy = MonthlyBy.WEEKDAY
    until: date | None = None  # last day (in the zone) a session may fall on
    count: int | None = None

    def __post_init__(self) -> None:
        if self.first_local.tzinfo is not None:
            raise ValueError("first_local is wall-clock time: pass it without tzinfo")
        if self.first_local.fold:
            # fold only means something with a zone; keep every occurrence on the same, first reading.
            object.__setattr__(self, "first_local", self.first_local.replace(fold=0))
        if self.count is not None and self.until is not None:
            raise InvalidInput(
                N_("A series ends either on a date (`until`) or after a number of sessions (`count`), not both.")
            )
        if self.count is not None and self.count < 1:
            raise InvalidInput(N_("A series needs at least one session (count must be 1 or more)."))
        if self.until is not None and self.until < self.first_local.date():
            raise InvalidInput(N_("The series would end before its first session; check `until`."))

    @property
    def nth_weekday(self) -> int:
        """1-based week of the month of the first session; -1 when the rule is the last such weekday."""
        nth = (self.first_local.day - 1) // 7 + 1
        # A 5th weekday exists in only some months; the person meant "the last one".
        return -1 if self.monthly_by is MonthlyBy.LAST_WEEKDAY or nth == 5 else nth


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Wall-clock time in ``zone`` to aware UTC. A time in a spring-forward gap moves on by the gap."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def local_dates(rule: Recurrence) -> Iterator[datetime]:
    """Every wall-clock start of the rule, in order, honouring ``until`` and ``count``."""
    produced = 0
    for index in range(MAX_OCCURRENCES * 3):
        candidate = _candidate(rule, index)
        if candidate is None:
            continue  # a month without the 31st, say
        if rule.until is not None and candidate.date() > rule.until:
            return
        yield candidate
        produced += 1
        if rule.cadence is Cadence.ONCE or produced >= (rule.count or MAX_OCCURRENCES):
            return


def occurrences(rule: Recurrence) -> Iterator[tuple[int, datetime]]:
    """``(sequence number, UTC start)`` of every session of the rule."""
    for number, local in enumerate(local_dates(rule)):
        yield number, to_utc(local, rule.zone)


def occurrences_between(rule: Recurrence, start: datetime, end: datetime) -> list[tuple[int, datetime]]:
    """The sessions starting in ``[start, end)`` (aware datetimes)."""
    found = []
    for number, when in occurrences(rule):
        if when >= end:
            break
        if when >= start:
            found.append((number, when))
    return found


def _candidate(rule: Recurrence, index: int) -> datetime | None:
    first = rule.first_local
    if rule.cadence is Cadence.ONCE:
        return first if index == 0 else None
    if rule.cadence in _STEP_DAYS:
        return first + timedelta(days=_STEP_DAYS[rule.cadence] * index)
    months = first.month - 1 + _STEP_MONTHS[rule.cadence] * index
    year, month = first.year + months // 12, months % 12 + 1
    if rule.monthly_by is MonthlyBy.DAY:
        if first.day > calendar.monthrange(year, month)[1]:
            return None
        return first.replace(year=year, month=month)
    day = nth_weekday_of_month(year, month, first.weekday(), rule.nth_weekday)
    return None if day is None else first.replace(year=year, month=month, day=day)


def nth_weekday_of_month(year: int, month: int, weekday: int, nth: int) -> int | None:
    """Day of the month of the ``nth`` ``weekday`` (Monday 0), ``nth`` -1 for the last; None if there is none."""
    days_in_month = calendar.monthrange(year, month)[1]
    if nth == -1:
        last = date(year, month, days_in_month)
        return days_in_month - (last.weekday() - weekday) % 7
    first_weekday = date(year, month, 1).weekday()
    day = 1 + (weekday - first_weekday) % 7 + 7 * (nth - 1)
    return day if day <= days_in_month else None


def describe(rule: Recurrence) -> str:
    """A person's description of the rule: "every other month on the 2nd Tuesday at 10:00 (Europe/London)"."""
    time = rule.first_local.strftime("%H:%M")
    weekday = calendar.day_name[rule.first_local.weekday()]
    every = {
        Cadence.ONCE: f"once, on {rule.first_local:%A %-d %B %Y}",
        Cadence.WEEKLY: f"every {weekday}",
        Cadence.FORTNIGHTLY: f"every other {weekday}",
        Cadence.MONTHLY: "every month",
        Cadence.BIMONTHLY: "every other month",
    }[rule.cadence]
    if rule.cadence in _STEP_MONTHS:
        if rule.monthly_by is MonthlyBy.DAY:
            every += f" on the {_ordinal(rule.first_local.day)}"
        elif rule.nth_weekday == -1:
            every += f" on the last {weekday}"
        else:
            every += f" on the {_ordinal(rule.nth_weekday)} {weekday}"
    return f"{every} at {time} ({rule.zone.key})"


def _ordinal(number: int) -> str:
    suffix = "th" if 11 <= number % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
