"""Managing a series safely: duplicates, contradicting options, fresh confirmations, a new time from a date on
(and the calendar feed that follows it), and the zone names people type."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import series_rules as rules
from bot.domain.calendar import CalendarSeries
from bot.domain.cohorts import suggest_timezones
from bot.domain.errors import InvalidInput
from bot.domain.inputs import parse_time_of_day, parse_zone, zone_names, zone_note
from bot.domain.recurrence import Cadence, Recurrence, local_dates, occurrences, to_utc
from tests.unit.test_calendar import check

LONDON = ZoneInfo("Europe/London")
# A fortnightly Tuesday 10:00 London series; the clocks go forward on 29 March 2026.
RULE = Recurrence(Cadence.FORTNIGHTLY, datetime(2026, 3, 3, 10, 0), LONDON, count=8)  # noqa: DTZ001 - wall clock
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def slots(rule: Recurrence = RULE, **overrides: rules.Slot) -> list[rules.Slot]:
    made = [rules.Slot(n, "scheduled", None, start, start) for n, start in occurrences(rule)]
    for name, slot in overrides.items():
        made[int(name.removeprefix("s"))] = slot
    return made


def test_duplicate_key_ignores_case_and_spacing_but_not_the_first_start() -> None:
    first = datetime(2026, 3, 3, 10, 0)  # noqa: DTZ001
    key = rules.duplicate_key("Peer  support ", first)
    assert key == rules.duplicate_key("peer SUPPORT", first) == "peer support|2026-03-03T10:00"
    assert key != rules.duplicate_key("Peer support", first + timedelta(hours=1))
    assert key != rules.duplicate_key("Peer support group", first)
    assert rules.rekeyed(key, "Check-in | weekly") == "check-in | weekly|2026-03-03T10:00"
    assert rules.rekeyed(key, "Peer support", first.replace(hour=14)) == "peer support|2026-03-03T14:00"


def test_room_and_link_together_are_refused() -> None:
    rules.require_one_place(123, None)
    rules.require_one_place(None, "https://teams.example.org/x")
    rules.require_one_place(None, None)
    with pytest.raises(InvalidInput, match="not both"):
        rules.require_one_place(123, "https://teams.example.org/x")


@pytest.mark.parametrize("cadence", list(Cadence))
def test_monthly_by_only_on_monthly_cadences(cadence: Cadence) -> None:
    rules.require_monthly_by_fits(cadence, None)
    if cadence in (Cadence.MONTHLY, Cadence.BIMONTHLY):
        rules.require_monthly_by_fits(cadence, "day")
    else:
        with pytest.raises(InvalidInput, match=f"only for monthly and bimonthly series, and this one is {cadence}"):
            rules.require_monthly_by_fits(cadence, "weekday")


def test_a_confirmation_lasts_ten_minutes() -> None:
    issued = int(NOW.timestamp())
    rules.require_fresh(issued, NOW, "/series pause")
    rules.require_fresh(issued, NOW + timedelta(minutes=10), "/series pause")
    for late in (NOW + timedelta(minutes=10, seconds=1), NOW - timedelta(minutes=2)):
        with pytest.raises(InvalidInput, match=r"expired.*nothing was changed\. Run `/series pause` again"):
            rules.require_fresh(issued, late, "/series pause")


def test_a_new_time_from_a_date_moves_that_session_and_later_ones_only() -> None:
    plan = rules.retime(RULE, time(14, 0), date(2026, 3, 31), slots(), NOW)
    assert plan.rule.first_local == datetime(2026, 3, 3, 14, 0)  # noqa: DTZ001 - the rule takes the new time
    local = {n: start.astimezone(LONDON) for n, start in plan.moved.items()}
    assert sorted(local) == [2, 3, 4, 5, 6, 7]
    assert {(when.hour, when.minute) for when in local.values()} == {(14, 0)}  # wall clock, after the clocks change
    assert plan.moved[2] == datetime(2026, 3, 31, 13, 0, tzinfo=UTC)
    # Every session made is keyed by what the new rule says; those not moved keep their start (moved instances).
    assert plan.scheduled == dict(occurrences(plan.rule))
    assert plan.scheduled[1] == datetime(2026, 3, 17, 14, 0, tzinfo=UTC) and plan.kept == ()


def test_the_calendar_shows_earlier_sessions_at_their_old_time_and_later_ones_at_the_new() -> None:
    before = dict(occurrences(RULE))
    plan = rules.retime(RULE, time(14, 0), date(2026, 3, 31), slots(), NOW)
    actual = {n: plan.moved.get(n, before[n]) for n in before}  # what the sessions' starts_at now are
    feed = CalendarSeries(
        uid="series-1.guild-2@cwtch",
        title="Peer support",
        description="d",
        rule=plan.rule,
        duration=timedelta(minutes=90),
        moved={plan.scheduled[n]: start for n, start in actual.items() if start != plan.scheduled[n]},
    )
    data = check([feed])  # expands the feed with dateutil and compares it with the sessions
    text = data.decode()
    assert "DTSTART;TZID=Europe/London:20260303T140000" in text  # the rule at the new time
    assert "RECURRENCE-ID;TZID=Europe/London:20260317T140000" in text  # an earlier session, kept at 10:00
    assert "DTSTART;TZID=Europe/London:20260317T100000" in text
    assert text.count("RECURRENCE-ID") == 2


def test_sessions_paused_move_hand_moved_and_facilitator_cancelled_keep_theirs() -> None:
    starts = dict(occurrences(RULE))
    moved_by_hand = starts[3] + timedelta(days=1)
    plan = rules.retime(
        RULE,
        time(9, 30),
        date(2026, 3, 31),
        slots(
            s2=rules.Slot(2, "cancelled", rules.PAUSED, starts[2], starts[2]),
            s3=rules.Slot(3, "scheduled", None, starts[3], moved_by_hand),
            s4=rules.Slot(4, "cancelled", "Christmas", starts[4], starts[4]),
        ),
        NOW,
    )
    assert 2 in plan.moved and 3 not in plan.moved and 4 not in plan.moved
    assert plan.kept == (3,)


def test_the_default_next_session_today_can_move_later_but_not_into_the_past() -> None:
    morning = datetime(2026, 3, 17, 8, 0, tzinfo=UTC)  # the 10:00 session is today
    assert rules.retime(RULE, time(11, 0), date(2026, 3, 17), slots(), morning).moved[1] == datetime(
        2026, 3, 17, 11, 0, tzinfo=UTC
    )
    with pytest.raises(InvalidInput, match=r"2026-03-17 would then start in the past.*later `from_date`"):
        rules.retime(RULE, time(7, 0), date(2026, 3, 17), slots(), morning)


@pytest.mark.parametrize(
    ("from_date", "refusal"),
    [
        (date(2026, 3, 9), "in the past"),
        (date(2027, 3, 12), "at most a year ahead"),
        (date(2026, 7, 1), "no sessions on or after that date"),
    ],
)
def test_dates_a_new_time_cannot_start_from(from_date: date, refusal: str) -> None:
    with pytest.raises(InvalidInput, match=refusal):
        rules.retime(RULE, time(14, 0), from_date, slots(), NOW)


def test_every_earlier_session_must_be_made_first() -> None:
    assert rules.sessions_before(RULE, date(2026, 3, 31)) == 2
    assert rules.sessions_before(RULE, date(2026, 3, 3)) == 0
    with pytest.raises(ValueError, match="must be made"):
        rules.retime(RULE, time(14, 0), date(2026, 3, 31), slots()[:1], NOW)


@given(
    st.sampled_from(list(Cadence)),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=300),
)
def test_a_new_time_never_changes_a_sessions_date(cadence: Cadence, hour: int, minute: int, offset: int) -> None:
    rule = Recurrence(cadence, datetime(2026, 1, 30, 10, 0), LONDON, count=12)  # noqa: DTZ001
    now = datetime(2026, 1, 1, tzinfo=UTC)
    from_date = date(2026, 1, 30) + timedelta(days=offset)
    if not any(local.date() >= from_date for local in local_dates(rule)):
        return
    plan = rules.retime(rule, time(hour, minute), from_date, slots(rule), now)
    old_days = [local.date() for local in local_dates(rule)]
    for number, start in plan.moved.items():
        assert old_days[number] >= from_date
        assert start == to_utc(datetime.combine(old_days[number], time(hour, minute)), LONDON)
    assert [start.astimezone(LONDON).date() for _, start in occurrences(plan.rule)] == [
        to_utc(datetime.combine(day, time(hour, minute)), LONDON).astimezone(LONDON).date() for day in old_days
    ]


def test_times_of_day() -> None:
    assert parse_time_of_day("14:00") == time(14, 0)
    assert parse_time_of_day(" 9:05 ") == time(9, 5)
    for bad in ("2pm", "24:00", "12:60", "12:5", "١٢:٠٠", "", "12:00:00"):
        with pytest.raises(InvalidInput, match="HH:MM"):
            parse_time_of_day(bad)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("London", "Europe/London"),
        ("UK", "Europe/London"),
        ("gb", "Europe/London"),
        ("GMT", "Europe/London"),
        ("bst", "Europe/London"),
        ("Wales", "Europe/London"),
        ("cardiff", "Europe/London"),
        ("Edinburgh", "Europe/London"),
        ("BELFAST", "Europe/London"),
        (" united  kingdom ", "Europe/London"),
        ("Dublin", "Europe/Dublin"),
        ("Ireland", "Europe/Dublin"),
        ("Europe/London", "Europe/London"),
        ("UTC", "UTC"),
    ],
)
def test_common_zone_names_are_understood(typed: str, zone: str) -> None:
    assert parse_zone(typed).key == zone


def test_what_people_are_told_about_a_zone_they_typed() -> None:
    gmt = zone_note("GMT")
    assert gmt is not None and "UK time" in gmt and "Europe/London" in gmt and "BST in summer" in gmt
    assert zone_note("cardiff") == "I took 'cardiff' to mean the time zone `Europe/London`."
    assert zone_note("Europe/London") is None and zone_note(None) is None


def test_an_unknown_zone_is_refused_with_the_form_to_use() -> None:
    with pytest.raises(InvalidInput, match=r"I don't know the time zone 'Narnia'.*`Europe/London`"):
        parse_zone("Narnia")


def test_every_alias_is_a_listed_zone_and_comes_first_in_suggestions() -> None:
    from bot.domain.inputs import ZONE_ALIASES

    assert set(ZONE_ALIASES.values()) <= zone_names()
    assert suggest_timezones("uk")[0] == "Europe/London" and suggest_timezones("ire")[0] == "Europe/Dublin"
