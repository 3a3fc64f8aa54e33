"""Recurrence rules, checked against dateutil's rrule (RFC 5545) and across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.recurrence import (
    Cadence,
    MonthlyBy,
    Recurrence,
    describe,
    local_dates,
    nth_weekday_of_month,
    occurrences,
    occurrences_between,
)

LONDON = ZoneInfo("Europe/London")
ZONES = [LONDON, ZoneInfo("Europe/Dublin"), ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney"), ZoneInfo("UTC")]
WEEKDAYS = [rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU]


def reference(rule: Recurrence, limit: int) -> list[datetime]:
    """The same rule expressed for dateutil's rrule."""
    first = rule.first_local
    kwargs: dict[str, object] = {"dtstart": first}
    if rule.count is not None:
        kwargs["count"] = rule.count
    if rule.until is not None:
        kwargs["until"] = datetime.combine(rule.until, datetime.max.time())
    if rule.cadence is Cadence.ONCE:
        return [first]
    if rule.cadence in (Cadence.WEEKLY, Cadence.FORTNIGHTLY):
        interval = 1 if rule.cadence is Cadence.WEEKLY else 2
        return list(islice(rrule.rrule(rrule.WEEKLY, interval=interval, **kwargs), limit))  # type: ignore[arg-type]
    interval = 1 if rule.cadence is Cadence.MONTHLY else 2
    if rule.monthly_by is MonthlyBy.DAY:
        kwargs["bymonthday"] = first.day
    else:
        kwargs["byweekday"] = WEEKDAYS[first.weekday()](rule.nth_weekday)
    return list(islice(rrule.rrule(rrule.MONTHLY, interval=interval, **kwargs), limit))  # type: ignore[arg-type]


rules = st.builds(
    Recurrence,
    cadence=st.sampled_from(list(Cadence)),
    first_local=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    zone=st.sampled_from(ZONES),
    monthly_by=st.sampled_from(list(MonthlyBy)),
    count=st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
)


@settings(max_examples=300, deadline=None)
@given(rules, st.one_of(st.none(), st.integers(min_value=0, max_value=800)))
def test_local_dates_match_rrule(rule: Recurrence, until_days: int | None) -> None:
    if until_days is not None:
        rule = Recurrence(
            rule.cadence,
            rule.first_local,
            rule.zone,
            rule.monthly_by,
            until=rule.first_local.date() + timedelta(days=until_days),
        )
    ours = list(islice(local_dates(rule), 60))
    expected = reference(rule, 60)
    assert ours == expected[: len(ours)] and len(ours) == min(len(expected), 60)


@given(rules)
def test_utc_starts_keep_the_wall_clock_time(rule: Recurrence) -> None:
    for _, start in islice(occurrences(rule), 30):
        assert start.tzinfo is UTC
        local = start.astimezone(rule.zone)
        # Wall-clock time holds, except inside a spring-forward gap, where it moves on by the gap.
        if local.replace(tzinfo=None).time() != rule.first_local.time():
            assert local.utcoffset() != (local - timedelta(hours=3)).utcoffset()


def test_fortnightly_tuesday_ten_holds_across_both_london_changes() -> None:
    rule = Recurrence(Cadence.FORTNIGHTLY, datetime(2026, 3, 17, 10, 0), LONDON)
    starts = [start for _, start in islice(occurrences(rule), 18)]
    assert starts[0] == datetime(2026, 3, 17, 10, 0, tzinfo=UTC)  # GMT
    assert starts[1] == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)  # BST from 29 March
    before = [s for s in starts if s.date() == date(2026, 10, 13)]
    after = [s for s in starts if s.date() == date(2026, 10, 27)]
    assert before == [datetime(2026, 10, 13, 9, 0, tzinfo=UTC)]  # still BST
    assert after == [datetime(2026, 10, 27, 10, 0, tzinfo=UTC)]  # GMT from 25 October
    assert {s.astimezone(LONDON).strftime("%H:%M %A") for s in starts} == {"10:00 Tuesday"}


def test_bimonthly_second_wednesday_for_care_home_managers() -> None:
    rule = Recurrence(Cadence.BIMONTHLY, datetime(2026, 1, 14, 14, 0), LONDON)
    days = [d.date() for d in islice(local_dates(rule), 7)]
    assert days == [
        date(2026, 1, 14),
        date(2026, 3, 11),
        date(2026, 5, 13),
        date(2026, 7, 8),
        date(2026, 9, 9),
        date(2026, 11, 11),
        date(2027, 1, 13),
    ]  # crosses into 2027
    assert describe(rule) == "every other month on the 2nd Wednesday at 14:00 (Europe/London)"
    starts = [s for _, s in islice(occurrences(rule), 4)]
    assert [s.hour for s in starts] == [14, 14, 13, 13]  # GMT in January and March (before the 29th), then BST


def test_last_friday_and_fifth_weekday() -> None:
    rule = Recurrence(Cadence.MONTHLY, datetime(2026, 1, 30, 9, 30), LONDON, MonthlyBy.LAST_WEEKDAY)
    assert [d.day for d in islice(local_dates(rule), 4)] == [30, 27, 27, 24]
    assert describe(rule).startswith("every month on the last Friday")
    fifth = Recurrence(Cadence.MONTHLY, datetime(2026, 1, 29, 9, 30), LONDON)  # the 5th Thursday
    assert fifth.nth_weekday == -1
    assert [d.day for d in islice(local_dates(fifth), 3)] == [29, 26, 26]


def test_day_of_month_skips_months_without_it() -> None:
    rule = Recurrence(Cadence.MONTHLY, datetime(2026, 1, 31, 10, 0), LONDON, MonthlyBy.DAY, count=4)
    assert [d.date() for d in local_dates(rule)] == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
    ]
    leap = Recurrence(Cadence.MONTHLY, datetime(2027, 12, 29, 10, 0), LONDON, MonthlyBy.DAY, count=3)
    assert [d.date() for d in local_dates(leap)] == [date(2027, 12, 29), date(2028, 1, 29), date(2028, 2, 29)]
    thirtieth = Recurrence(Cadence.BIMONTHLY, datetime(2026, 12, 30, 10, 0), LONDON, MonthlyBy.DAY, count=2)
    assert [d.date() for d in local_dates(thirtieth)] == [date(2026, 12, 30), date(2027, 4, 30)]  # no 30 Feb


def test_end_by_date_or_count() -> None:
    by_count = Recurrence(Cadence.WEEKLY, datetime(2026, 12, 22, 10, 0), LONDON, count=3)
    assert [d.date() for d in local_dates(by_count)] == [date(2026, 12, 22), date(2026, 12, 29), date(2027, 1, 5)]
    by_date = Recurrence(Cadence.FORTNIGHTLY, datetime(2026, 1, 6, 10, 0), LONDON, until=date(2026, 2, 3))
    assert [d.date() for d in local_dates(by_date)] == [date(2026, 1, 6), date(2026, 1, 20), date(2026, 2, 3)]
    once = Recurrence(Cadence.ONCE, datetime(2026, 5, 5, 10, 0), LONDON)
    assert list(local_dates(once)) == [datetime(2026, 5, 5, 10, 0)]


def test_window_and_bad_rules() -> None:
    rule = Recurrence(Cadence.WEEKLY, datetime(2026, 1, 5, 10, 0), LONDON)
    window = occurrences_between(rule, datetime(2026, 1, 12, 10, 0, tzinfo=UTC), datetime(2026, 1, 26, tzinfo=UTC))
    assert [n for n, _ in window] == [1, 2]
    with pytest.raises(InvalidInput):
        Recurrence(Cadence.WEEKLY, datetime(2026, 1, 5, 10, 0), LONDON, count=0)
    with pytest.raises(InvalidInput):
        Recurrence(Cadence.WEEKLY, datetime(2026, 1, 5, 10, 0), LONDON, until=date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="not both"):
        Recurrence(Cadence.WEEKLY, datetime(2026, 1, 5, 10, 0), LONDON, count=2, until=date(2026, 3, 1))
    with pytest.raises(ValueError):
        Recurrence(Cadence.WEEKLY, datetime(2026, 1, 5, 10, 0, tzinfo=UTC), LONDON)


def test_nth_weekday_of_month() -> None:
    assert nth_weekday_of_month(2026, 11, 1, 2) == 10  # 2nd Tuesday of November 2026
    assert nth_weekday_of_month(2026, 2, 0, 5) is None  # no 5th Monday in February 2026
    assert nth_weekday_of_month(2026, 2, 4, -1) == 27  # last Friday


def test_fold_is_ignored_in_wall_clock_times() -> None:
    folded = Recurrence(Cadence.MONTHLY, datetime(2029, 1, 7, 1, 0, fold=1), LONDON, MonthlyBy.LAST_WEEKDAY, count=3)
    plain = Recurrence(Cadence.MONTHLY, datetime(2029, 1, 7, 1, 0), LONDON, MonthlyBy.LAST_WEEKDAY, count=3)
    assert list(occurrences(folded)) == list(occurrences(plain))
    # 01:00 on 25 March 2029 does not exist in London: it is read as 01:00 GMT, i.e. 02:00 BST.
    assert list(occurrences(plain))[2][1] == datetime(2029, 3, 25, 1, 0, tzinfo=UTC)
