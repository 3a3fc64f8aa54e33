"""What members type, checked at the edge: IDs, dates, zones and numbers, and how much of it a refusal quotes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import inputs
from bot.domain.cohorts import parse_timezone, suggest_timezones
from bot.domain.errors import InvalidInput, NotFound, UserFacingError
from bot.domain.ids import SNOWFLAKE_MAX
from bot.domain.inputs import (
    QUOTE_MAX,
    ROW_ID_MAX,
    parse_day,
    parse_picked_id,
    parse_wall_clock,
    parse_zone,
    quote,
)
from bot.domain.resources import find_theme, parse_tags
from bot.domain.sessions import (
    CAPACITY_MAX,
    COUNT_MAX,
    parse_date,
    parse_local_start,
    validate_capacity,
    validate_count,
    validate_duration,
)

LONDON = ZoneInfo("Europe/London")
# Digits that str.isdigit() accepts and ASCII is not: superscript, circled, Arabic-Indic, fullwidth, Devanagari.
UNICODE_DIGITS = ("²", "①", "٣", "１２", "१२", "1²", "𝟙𝟚")
# What a refusal may be at most, whatever it quotes: well inside Discord's 2,000 characters.
REFUSAL_MAX = 600


def test_quote_keeps_short_input_and_cuts_long_input() -> None:
    assert quote("  Europe/London ") == "Europe/London"
    assert quote("a\n\tb   c") == "a b c"
    assert quote("x\x00y\u200b") == "x\ufffdy\ufffd"
    long = quote("y" * 6000)
    assert len(long) == QUOTE_MAX and long.endswith("…")
    assert quote("abcdef", limit=4) == "abc…"


@given(st.text(max_size=7000))
def test_quote_never_exceeds_its_limit(raw: str) -> None:
    assert len(quote(raw)) <= QUOTE_MAX


def test_picked_ids_are_ascii_digits_within_range() -> None:
    assert parse_picked_id("42", "series") == 42
    assert parse_picked_id(" 7 ", "session") == 7
    assert parse_picked_id(str(ROW_ID_MAX), "session") == ROW_ID_MAX
    assert parse_picked_id(str(SNOWFLAKE_MAX), "message", maximum=SNOWFLAKE_MAX) == SNOWFLAKE_MAX
    bad = (*UNICODE_DIGITS, "", " ", "0", "-1", "+1", "1e3", "0x10", "1_000", str(ROW_ID_MAX + 1), "9" * 30)
    for raw in bad:
        with pytest.raises(NotFound, match="pick one from the list"):
            parse_picked_id(raw, "series")
    with pytest.raises(NotFound):
        parse_picked_id(str(SNOWFLAKE_MAX + 1), "message", maximum=SNOWFLAKE_MAX)


@given(st.text(max_size=40))
def test_any_picked_text_is_an_id_or_a_polite_refusal(raw: str) -> None:
    try:
        found = parse_picked_id(raw, "session")
    except NotFound as refusal:
        assert "session" in refusal.message
    else:
        assert 1 <= found <= ROW_ID_MAX and str(found) == raw.strip().lstrip("0")


def test_dates_are_ascii_and_within_the_years_we_use() -> None:
    assert parse_day("2027-03-16") == date(2027, 3, 16)
    assert parse_date(" 2027-3-6 ", "end date") == date(2027, 3, 6)
    assert parse_day("2000-01-01") == date(2000, 1, 1) and parse_day("2100-12-31") == date(2100, 12, 31)
    for far in ("0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"):
        with pytest.raises(InvalidInput, match="between the years 2000 and 2100"):
            parse_day(far, "start date")
    for bad in ("２０２７-03-16", "2027-0٣-16", "2027/03/16", "16-03-2027", "2027-02-30", "2027-13-01", "", "x" * 6000):
        with pytest.raises(InvalidInput) as refused:
            parse_day(bad, "end date")
        assert len(refused.value.message) < REFUSAL_MAX


def test_wall_clock_times_are_ascii_and_within_the_years_we_use() -> None:
    assert parse_wall_clock("2027-03-16 10:00") == datetime(2027, 3, 16, 10, 0)  # noqa: DTZ001
    assert parse_local_start(" 2027-3-7T9:05 ", LONDON) == datetime(2027, 3, 7, 9, 5)  # noqa: DTZ001
    for far in ("0001-01-01 00:00", "9999-12-31 23:59", "2101-01-01 00:00"):
        with pytest.raises(InvalidInput, match="between the years 2000 and 2100"):
            parse_local_start(far, LONDON)
    for bad in ("２０２７-03-16 10:00", "2027-03-16 1０:00", "2027-03-16 24:00", "2027-03-16 10:60", "y" * 6000):
        with pytest.raises(InvalidInput) as refused:
            parse_local_start(bad, LONDON)
        assert len(refused.value.message) < REFUSAL_MAX


@given(st.text(max_size=200) | st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}( [0-9]{1,3}:[0-9]{1,3})?\Z"))
def test_any_typed_date_is_read_or_refused_politely(raw: str) -> None:
    for parse in (lambda text: parse_day(text, "date"), lambda text: parse_local_start(text, LONDON)):
        try:
            parsed = parse(raw)
        except InvalidInput as refusal:
            assert len(refusal.message) < REFUSAL_MAX
        else:
            assert 2000 <= parsed.year <= 2100


def test_zones_come_from_the_zone_list_never_the_file_system(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_zone("Europe/London").key == "Europe/London"
    assert parse_timezone(" europe/dublin ").key == "Europe/Dublin"
    opened: list[str] = []
    real = inputs.ZoneInfo

    def spy(key: str) -> ZoneInfo:
        opened.append(key)
        return real(key)

    monkeypatch.setattr(inputs, "ZoneInfo", spy)
    bad = ("America", "Europe", "A" * 300, "Europe/Lond\u00f6n", "../../etc/passwd", "/usr/share/zoneinfo/UTC")
    for raw in (*bad, "localtime", "Factory", "", "x\x00y", "Europe/London/", "Europe//London", "😀" * 40):
        with pytest.raises(InvalidInput, match="time zone") as refused:
            parse_zone(raw)
        assert len(refused.value.message) < REFUSAL_MAX
    assert opened == []  # refused before anything was looked up
    assert parse_zone("Asia/Tokyo").key == "Asia/Tokyo" and opened == ["Asia/Tokyo"]


@given(st.text(max_size=100))
def test_any_typed_zone_is_a_listed_zone_or_a_refusal(raw: str) -> None:
    try:
        zone = parse_zone(raw)
    except InvalidInput:
        return
    assert zone.key in inputs.zone_names()


def test_zone_suggestions_come_from_the_list() -> None:
    assert suggest_timezones("lon")[0] == "Europe/London"
    assert "localtime" not in suggest_timezones("local") and suggest_timezones("../") == []


def test_numbers_are_in_range() -> None:
    assert validate_capacity(None) is None and validate_capacity(CAPACITY_MAX) == CAPACITY_MAX
    assert validate_count(None) is None and validate_count(COUNT_MAX) == COUNT_MAX
    for big in (2**53, -(2**53), 2**63, -1, 0):
        with pytest.raises(InvalidInput, match="at least 1"):
            validate_capacity(big)
        with pytest.raises(InvalidInput, match="from 1 to"):
            validate_count(big)
        with pytest.raises(InvalidInput, match="between 15 and 480") as refused:
            validate_duration(big)
        assert len(refused.value.message) < 120


@given(st.text(max_size=6000))
def test_tag_refusals_stay_short(raw: str) -> None:
    for check in (find_theme, parse_tags):
        try:
            check(raw)
        except UserFacingError as refusal:
            assert len(refusal.message) < REFUSAL_MAX
