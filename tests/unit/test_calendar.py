"""The iCalendar feed, read back with the icalendar package and expanded with dateutil's rrule (RFC 5545)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rruleset, rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import CalendarSeries, build_calendar
from bot.domain.recurrence import MAX_OCCURRENCES, Cadence, MonthlyBy, Recurrence, occurrences

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [LONDON, ZoneInfo("Europe/Dublin"), NEW_YORK, ZoneInfo("Australia/Sydney"), ZoneInfo("UTC")]
NOW = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Naive wall-clock time, as a Recurrence wants it."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).replace(tzinfo=None)


def series(rule: Recurrence, uid: str = "series-1.guild-2@cwtch", **kwargs: object) -> CalendarSeries:
    fields: dict[str, object] = {
        "title": "Peer support",
        "description": "Bring a cuppa",
        "duration": timedelta(hours=1),
    }
    fields.update(kwargs)
    return CalendarSeries(uid=uid, rule=rule, **fields)  # type: ignore[arg-type]


def starts(rule: Recurrence) -> list[datetime]:
    return [when for _, when in occurrences(rule)]


def expected(item: CalendarSeries) -> list[datetime]:
    """What the feed should show: the rule's sessions minus cancelled ones, moved ones at their new time."""
    shown = [item.moved.get(when, when) for when in starts(item.rule) if when not in item.cancelled]
    return sorted(when.astimezone(UTC) for when in shown)


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def exdates(event: icalendar.Event) -> list[datetime]:
    found = event.get("EXDATE", [])
    return [item.dt for group in (found if isinstance(found, list) else [found]) for item in group.dts]


def expand(data: bytes, limit: int = MAX_OCCURRENCES) -> list[datetime]:
    """Every session start (UTC, sorted) the feed describes: masters' RRULE minus EXDATEs, plus overrides."""
    events = parse(data).walk("VEVENT")
    masters = {str(event["UID"]): event for event in events if "RECURRENCE-ID" not in event}
    found: list[datetime] = []
    for master in masters.values():
        start = master.decoded("DTSTART")
        recurrence = rruleset()
        if "RRULE" in master:
            recurrence.rrule(rrulestr(master["RRULE"].to_ical().decode(), dtstart=start))
        else:
            recurrence.rdate(start)
        for excluded in exdates(master):
            recurrence.exdate(excluded)
        found += islice(recurrence, limit)
    for override in (event for event in events if "RECURRENCE-ID" in event):
        master = masters[str(override["UID"])]
        scheduled = override.decoded("RECURRENCE-ID")
        # The override replaces a session of the master's rule, which the master itself excludes.
        assert scheduled in exdates(master)
        rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART"))
        assert scheduled in rule
        assert override.decoded("DURATION") == master.decoded("DURATION")
        found.append(override.decoded("DTSTART"))
    return sorted(when.astimezone(UTC) for when in found)


def check(items: Sequence[CalendarSeries]) -> bytes:
    data = build_calendar(items, now=NOW, name="Cwtch")
    assert expand(data) == sorted(when for item in items for when in expected(item))
    return data


def rrule_of(data: bytes) -> str:
    """The one RRULE of the events, as written."""
    (line,) = [
        line
        for line in data.replace(b"\r\n ", b"").decode().split("\r\n")
        if line.startswith("RRULE:") and "YEARLY" not in line
    ]
    return line.removeprefix("RRULE:")


def test_seed_fortnightly_tuesday_with_a_cancelled_and_a_moved_session() -> None:
    rule = Recurrence(Cadence.FORTNIGHTLY, wall(2026, 3, 17, 10), LONDON, count=20)
    sessions = starts(rule)
    item = series(
        rule,
        cancelled=frozenset({sessions[0], sessions[5]}),
        moved={sessions[2]: sessions[2] + timedelta(days=1, hours=3), sessions[19]: sessions[19] + timedelta(hours=-2)},
        location="https://meet.example.org/cwtch",
    )
    data = check([item])
    assert rrule_of(data) == "FREQ=WEEKLY;INTERVAL=2;COUNT=20"
    text = data.decode()
    assert "DTSTART;TZID=Europe/London:20260317T100000\r\n" in text
    assert "EXDATE;TZID=Europe/London:20260317T100000\r\n" in text  # the first session can be cancelled too
    assert "RECURRENCE-ID;TZID=Europe/London:20260414T100000\r\n" in text
    assert "DTSTART;TZID=Europe/London:20260415T130000\r\n" in text
    assert text.count("BEGIN:VEVENT") == 3
    assert text.count("LOCATION:https://meet.example.org/cwtch") == 3


def test_seed_bimonthly_second_wednesday_until_a_date() -> None:
    rule = Recurrence(Cadence.BIMONTHLY, wall(2026, 1, 14, 14), LONDON, until=date(2027, 3, 31))
    data = check([series(rule)])
    # The end of 31 March 2027 in London is 23:59:59 BST.
    assert rrule_of(data) == "FREQ=MONTHLY;INTERVAL=2;BYDAY=2WE;UNTIL=20270331T225959Z"
    assert len(expand(data)) == 8


def test_last_friday_monthly() -> None:
    rule = Recurrence(Cadence.MONTHLY, wall(2026, 1, 30, 18), LONDON, monthly_by=MonthlyBy.LAST_WEEKDAY, count=14)
    assert rrule_of(check([series(rule)])) == "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR;COUNT=14"


def test_last_weekday_from_a_day_that_is_not_the_last_starts_on_the_last() -> None:
    rule = Recurrence(Cadence.MONTHLY, wall(2026, 1, 23, 18), LONDON, monthly_by=MonthlyBy.LAST_WEEKDAY, count=5)
    data = check([series(rule)])
    assert "DTSTART;TZID=Europe/London:20260130T180000\r\n" in data.decode()


def test_a_fifth_weekday_means_the_last() -> None:
    rule = Recurrence(Cadence.BIMONTHLY, wall(2026, 1, 29, 19, 30), NEW_YORK, count=9)
    assert rrule_of(check([series(rule)])) == "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1TH;COUNT=9"


@pytest.mark.parametrize("cadence", [Cadence.MONTHLY, Cadence.BIMONTHLY])
def test_the_31st_skips_shorter_months(cadence: Cadence) -> None:
    rule = Recurrence(cadence, wall(2026, 1, 31, 11), LONDON, monthly_by=MonthlyBy.DAY, count=10)
    data = check([series(rule)])
    assert "BYMONTHDAY=31" in rrule_of(data)
    assert {when.astimezone(LONDON).day for when in expand(data)} == {31}


def test_once_is_a_single_event_without_rrule() -> None:
    rule = Recurrence(Cadence.ONCE, wall(2026, 6, 2, 10), LONDON)
    data = check([series(rule)])
    (event,) = parse(data).walk("VEVENT")
    assert "RRULE" not in event
    assert event.decoded("DTSTART") == datetime(2026, 6, 2, 9, tzinfo=UTC)


def test_once_cancelled_or_moved() -> None:
    rule = Recurrence(Cadence.ONCE, wall(2026, 6, 2, 10), LONDON)
    (session,) = starts(rule)
    assert "BEGIN:VEVENT" not in check([series(rule, cancelled=frozenset({session}))]).decode()
    data = check([series(rule, moved={session: session + timedelta(days=2)})])
    assert "RECURRENCE-ID" not in data.decode()


def test_new_york_weekly_keeps_its_local_hour() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 2, 2, 19), NEW_YORK, until=date(2026, 12, 31))
    found = expand(check([series(rule, uid="ny@cwtch")]))
    assert {when.astimezone(NEW_YORK).hour for when in found} == {19}
    assert {when.hour for when in found} == {0, 23}  # 19:00 EST is midnight UTC; 19:00 EDT is 23:00 UTC
    assert "TZID:America/New_York" in build_calendar([series(rule)], now=NOW, name="x").decode()


def test_daylight_saving_changes_the_utc_hour_not_the_local_one() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), LONDON, until=date(2026, 11, 30))
    found = expand(check([series(rule)]))
    march = [when for when in found if when.month == 3]
    november = [when for when in found if when.month == 11]
    summer = [when for when in found if 4 <= when.month <= 9]
    assert {when.hour for when in march if when.day < 29} == {10}
    assert {when.hour for when in summer} == {9}
    assert {when.hour for when in november} == {10}
    assert {when.astimezone(LONDON).hour for when in found} == {10}


def test_open_ended_rule_has_no_end_and_matches_the_rule() -> None:
    rule = Recurrence(Cadence.MONTHLY, wall(2026, 2, 10, 10), ZoneInfo("Australia/Sydney"))
    data = check([series(rule)])
    assert "COUNT" not in rrule_of(data) and "UNTIL" not in rrule_of(data)


def test_moved_into_the_second_hour_of_an_autumn_night_is_written_in_utc() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 10, 18, 1, 30), LONDON, count=3)
    sessions = starts(rule)
    second_half_past_one = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, after 01:30 BST
    data = check([series(rule, moved={sessions[2]: second_half_past_one})])
    assert "DTSTART:20261025T013000Z\r\n" in data.decode()


def test_sessions_in_a_spring_gap_agree_with_the_rule() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 3, 22, 1, 30), LONDON, count=3)
    check([series(rule)])


def test_keys_that_are_not_sessions_are_ignored() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), LONDON, count=3)
    stray = datetime(2026, 3, 4, 10, tzinfo=UTC)
    item = series(rule, cancelled=frozenset({stray}), moved={stray: stray})
    assert expand(build_calendar([item], now=NOW, name="x")) == starts(rule)


def test_calendar_properties_and_one_timezone_per_zone() -> None:
    london = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), LONDON, count=3)
    sydney = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), ZoneInfo("Australia/Sydney"), count=3)
    items = [series(london, uid="a"), series(london, uid="b", location="#cwtch-room"), series(sydney, uid="c")]
    data = check(items)
    calendar = parse(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Cwtch"
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == ["Australia/Sydney", "Europe/London"]
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert all(event.decoded("DTSTAMP") == NOW for event in events.values())
    assert all(event.decoded("DURATION") == timedelta(hours=1) for event in events.values())
    assert str(events["b"]["LOCATION"]) == "#cwtch-room"
    assert "LOCATION" not in events["a"]
    assert "DTSTAMP:20260201T093000Z\r\n" in data.decode()


def test_duration_format() -> None:
    rule = Recurrence(Cadence.ONCE, wall(2026, 3, 3, 10), LONDON)
    text = build_calendar([series(rule, duration=timedelta(hours=1, minutes=30))], now=NOW, name="x").decode()
    assert "DURATION:PT1H30M\r\n" in text
    text = build_calendar([series(rule, duration=timedelta(minutes=45))], now=NOW, name="x").decode()
    assert "DURATION:PT45M\r\n" in text


def test_no_series_is_still_a_calendar() -> None:
    assert parse(build_calendar([], now=NOW, name="Empty")).walk("VEVENT") == []


LONG_WELSH = (
    "Croeso! Dewch â phaned ☕ a'ch cwestiynau; mae'r sesiwn yn agored i bawb, rheolwyr gofal cymdeithasol "
    "o Gymru a thu hwnt 🏴󠁧󠁢󠁷󠁬󠁳󠁿. Gŵyl, ŵy, ŷd — 💬🫖💚 " * 4
)


def test_long_lines_are_folded_at_75_octets_without_splitting_characters() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), LONDON, count=3)
    data = build_calendar([series(rule, description=LONG_WELSH, title="Cwtch ŵ " * 30)], now=NOW, name="ŵ" * 100)
    lines = data.split(b"\r\n")
    assert lines[-1] == b""
    assert max(len(line) for line in lines) <= 75
    assert any(len(line) >= 73 for line in lines)  # folding fills the lines
    for line in lines:
        line.decode()  # each physical line is whole UTF-8
    (event,) = parse(data).walk("VEVENT")
    assert str(event["DESCRIPTION"]) == LONG_WELSH
    assert str(event["SUMMARY"]) == "Cwtch ŵ " * 30
    unfolded = data.replace(b"\r\n ", b"").decode()
    assert "DESCRIPTION:" + LONG_WELSH.replace(",", "\\,").replace(";", "\\;") + "\r\n" in unfolded


def test_text_escaping_round_trips() -> None:
    title = "Peer support; managers, carers & friends"
    description = "Line one\nLine two, with a comma; a semicolon and a back\\slash\r\nLine three"
    location = "Room 1, Tŷ Cwtch; Cardiff"
    rule = Recurrence(Cadence.ONCE, wall(2026, 3, 3, 10), LONDON)
    data = build_calendar([series(rule, title=title, description=description, location=location)], now=NOW, name="a,b")
    (event,) = parse(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]) == description.replace("\r\n", "\n")
    assert str(event["LOCATION"]) == location
    assert b"X-WR-CALNAME:a\\,b\r\n" in data  # TEXT, the default type of X- properties (icalendar keeps it raw)
    assert b"SUMMARY:Peer support\\; managers\\, carers & friends\r\n" in data
    assert b"\\slash\\nLine three" in data.replace(b"\r\n ", b"")


def test_crlf_line_endings() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), LONDON, count=3)
    data = build_calendar([series(rule, description="a\nb")], now=NOW, name="x")
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"\r" not in data.replace(b"\r\n", b"")


@pytest.mark.parametrize("zone", [*ZONES, ZoneInfo("America/Sao_Paulo"), ZoneInfo("Asia/Kolkata")])
def test_vtimezone_offsets_give_the_right_utc_times(zone: ZoneInfo) -> None:
    # Sao Paulo dropped daylight saving in 2019, so its transitions are listed rather than a rule.
    rule = Recurrence(Cadence.MONTHLY, wall(2017, 5, 9, 10), zone, until=date(2021, 1, 1))
    calendar = parse(build_calendar([series(rule)], now=NOW, name="x"))
    (component,) = calendar.walk("VTIMEZONE")
    described = component.to_tz(lookup_tzid=False)  # from our VTIMEZONE, not the zone database
    assert not isinstance(described, ZoneInfo)
    moment = wall(2017, 1, 1)  # the description is exact from the first change in the year before the series
    while moment.year < 2040:
        for hour in (6, 12, 18):
            local = moment.replace(hour=hour)
            assert local.replace(tzinfo=described).astimezone(UTC) == local.replace(tzinfo=zone).astimezone(UTC)
        moment += timedelta(days=5)


def test_dublin_summer_time_is_the_daylight_observance() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), ZoneInfo("Europe/Dublin"), count=3)
    (component,) = parse(build_calendar([series(rule)], now=NOW, name="x")).walk("VTIMEZONE")
    (daylight,) = component.walk("DAYLIGHT")
    assert str(daylight["TZNAME"]) == "IST"
    assert daylight["TZOFFSETTO"].td == timedelta(hours=1)


def test_utc_has_a_single_standard_observance() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), ZoneInfo("UTC"), count=3)
    (component,) = parse(check([series(rule)])).walk("VTIMEZONE")
    assert [sub.name for sub in component.subcomponents] == ["STANDARD"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cancelled": frozenset({datetime(2026, 3, 3, 10)})},  # noqa: DTZ001 - naive on purpose
        {"cancelled": frozenset({datetime(2026, 7, 7, 10, tzinfo=LONDON)})},  # aware, but not UTC
        {"moved": {datetime(2026, 3, 3, 10, tzinfo=UTC): datetime(2026, 3, 4, 10)}},  # noqa: DTZ001
        {"moved": {datetime(2026, 3, 3, 10): datetime(2026, 3, 4, 10, tzinfo=UTC)}},  # noqa: DTZ001
        {"duration": timedelta(0)},
    ],
)
def test_invalid_series(kwargs: dict[str, object]) -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), LONDON, count=3)
    with pytest.raises(ValueError):
        series(rule, **kwargs)


def test_invalid_calendar() -> None:
    rule = Recurrence(Cadence.WEEKLY, wall(2026, 3, 3, 10), LONDON, count=3)
    with pytest.raises(ValueError, match="aware"):
        build_calendar([series(rule)], now=NOW.replace(tzinfo=None), name="x")
    with pytest.raises(ValueError, match="uid"):
        build_calendar([series(rule), series(rule)], now=NOW, name="x")


@st.composite
def calendar_series(draw: st.DrawFn) -> CalendarSeries:
    first = draw(st.datetimes(min_value=wall(2024, 1, 1), max_value=wall(2030, 12, 31))).replace(
        second=0, microsecond=0
    )
    bounded = draw(st.sampled_from(["count", "until"]))
    rule = Recurrence(
        draw(st.sampled_from(list(Cadence))),
        first,
        draw(st.sampled_from(ZONES)),
        monthly_by=draw(st.sampled_from(list(MonthlyBy))),
        count=draw(st.integers(1, 40)) if bounded == "count" else None,
        until=first.date() + timedelta(days=draw(st.integers(0, 900))) if bounded == "until" else None,
    )
    sessions = starts(rule)
    picked = st.lists(st.sampled_from(sessions), unique=True, max_size=4) if sessions else st.just([])
    cancelled, moved = draw(picked), draw(picked)
    shift = st.timedeltas(min_value=timedelta(days=-20), max_value=timedelta(days=20)).map(
        lambda span: timedelta(minutes=span // timedelta(minutes=15) * 15)
    )
    return series(
        rule,
        cancelled=frozenset(cancelled),
        moved={when: when + draw(shift) for when in moved},  # a session both cancelled and moved stays cancelled
    )


@settings(max_examples=150, deadline=None)
@given(items=st.lists(calendar_series(), min_size=1, max_size=3))
def test_any_rule_round_trips(items: list[CalendarSeries]) -> None:
    items = [series(item.rule, uid=f"s{n}", cancelled=item.cancelled, moved=item.moved) for n, item in enumerate(items)]
    data = check(items)
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
