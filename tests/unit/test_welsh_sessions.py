"""Sessions in Welsh, pure: the language of a series, the Welsh-medium count facilitators see, a series' rule in
Welsh words, notices with Welsh dates (across the clocks changing), and every control within Discord's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.language import ChannelPosts, Language, SessionMedium
from bot.domain.lifecycle import SessionState
from bot.domain.recurrence import Cadence, MonthlyBy, Recurrence, describe
from bot.domain.rsvp import Choice
from bot.domain.series_rules import StopAction, parse_medium, welsh_medium_demand
from bot.services.ports import Notice, SessionCard
from bot.services.session_list import UpcomingSession
from bot.ui.attendance import AttendancePicker
from bot.ui.series_items import StopSeriesButton
from bot.ui.session_embeds import _ordinal, announcement_embed, notice_text, rule_text
from bot.ui.session_items import CheckInButton, GroundRulesButton, JoinCohortButton, RsvpButton
from bot.ui.session_list import SessionPicker

LONDON = ZoneInfo("Europe/London")
MARCH = datetime(2027, 3, 16, 10, 0, tzinfo=UTC)  # Tuesday 10:00 GMT
APRIL = datetime(2027, 4, 13, 9, 0, tzinfo=UTC)  # Tuesday 10:00 BST: the clocks went forward on 28 March


def card(starts_at: datetime = MARCH, **changes: object) -> SessionCard:
    values: dict[str, object] = {
        "occurrence_id": 7,
        "guild_id": 1,
        "series_id": 2,
        "title": "Peer support",
        "cohort_name": "Domiciliary care managers",
        "cohort_channel_id": 30,
        "timezone": "Europe/London",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=90),
        "state": SessionState.SCHEDULED,
        "capacity": 8,
        "going": 3,
        "link": "https://teams.example.org/meet/abc",
    }
    values.update(changes)
    return SessionCard(**values)  # type: ignore[arg-type]


def test_a_series_is_held_in_welsh_bilingually_or_in_english() -> None:
    assert parse_medium("cy") is SessionMedium.WELSH
    assert parse_medium(" Bilingual ") is SessionMedium.BILINGUAL
    assert parse_medium("en") is None
    with pytest.raises(InvalidInput, match="Cymraeg, bilingual or English"):
        parse_medium("fr")


@pytest.mark.parametrize(("count", "shown"), [(0, None), (1, None), (4, None), (5, 5), (6, 6), (95, 95)])
def test_the_welsh_medium_count_is_shown_only_from_the_threshold(count: int, shown: int | None) -> None:
    assert welsh_medium_demand(count, 5) == shown


def test_a_series_rule_in_welsh_words() -> None:
    second_wednesday = Recurrence(Cadence.BIMONTHLY, datetime(2027, 5, 12, 14, 0), LONDON)  # noqa: DTZ001
    assert rule_text(second_wednesday, Language.CY) == "bob deufis ar yr ail ddydd Mercher am 14:00 (Europe/London)"
    fortnightly = Recurrence(Cadence.FORTNIGHTLY, datetime(2027, 3, 16, 10, 0), LONDON)  # noqa: DTZ001
    assert rule_text(fortnightly, Language.CY) == "bob pythefnos ar ddydd Mawrth am 10:00 (Europe/London)"
    last_friday = Recurrence(Cadence.MONTHLY, datetime(2027, 1, 29, 9, 30), LONDON)  # noqa: DTZ001
    assert rule_text(last_friday, Language.CY).startswith("bob mis ar y dydd Gwener olaf")
    by_day = Recurrence(Cadence.MONTHLY, datetime(2027, 1, 21, 9, 30), LONDON, MonthlyBy.DAY)  # noqa: DTZ001
    assert rule_text(by_day, Language.CY).startswith("bob mis ar y 21ain o'r mis")
    once = Recurrence(Cadence.ONCE, datetime(2027, 1, 21, 9, 30), LONDON)  # noqa: DTZ001
    assert rule_text(once, Language.CY) == "unwaith, Dydd Iau 21 Ionawr 2027 am 09:30 (Europe/London)"


@given(
    cadence=st.sampled_from(list(Cadence)),
    day=st.dates(min_value=datetime(2027, 1, 1).date(), max_value=datetime(2030, 12, 31).date()),  # noqa: DTZ001
    by_day=st.booleans(),
)
def test_a_series_rule_in_english_is_as_it_always_was(cadence: Cadence, day: object, by_day: bool) -> None:
    start = datetime.combine(day, datetime.min.time()).replace(hour=10)  # type: ignore[arg-type]
    rule = Recurrence(cadence, start, LONDON, MonthlyBy.DAY if by_day else MonthlyBy.WEEKDAY)
    assert rule_text(rule, Language.EN) == describe(rule)
    assert rule_text(rule, Language.CY) != describe(rule)


@pytest.mark.parametrize(
    ("day", "welsh"),
    [(1, "1af"), (2, "2il"), (3, "3ydd"), (4, "4ydd"), (5, "5ed"), (7, "7fed"), (11, "11eg"), (15, "15fed"),
     (17, "17eg"), (20, "20fed"), (21, "21ain"), (31, "31ain")],
)  # fmt: skip
def test_welsh_ordinal_days(day: int, welsh: str) -> None:
    assert _ordinal(day, Language.CY) == welsh


def test_notices_in_welsh_write_the_date_out_in_the_cohorts_zone_across_the_clock_change() -> None:
    for starts_at in (MARCH, APRIL):  # 10:00 in London both times, GMT then BST
        for notice in Notice:
            welsh = notice_text(card(starts_at, cancel_reason="series paused"), notice, Language.CY)
            assert "<t:" not in welsh
            if notice not in (Notice.SURVEY,):
                assert "10:00" in welsh and ("Mawrth 2027" in welsh or "Ebrill 2027" in welsh), welsh
    assert "Rheswm: cyfres wedi'i hoedi" in notice_text(
        card(cancel_reason="series paused"), Notice.CANCELLED, Language.CY
    )
    moved = notice_text(card(APRIL, moved_from=MARCH), Notice.MOVED, Language.CY)
    assert "Yr hen amser: Dydd Mawrth 16 Mawrth 2027, 10:00" in moved
    assert "Yr amser newydd: Dydd Mawrth 13 Ebrill 2027, 10:00" in moved


def test_notices_in_english_keep_discord_timestamps() -> None:
    stamp = int(MARCH.timestamp())
    assert notice_text(card(), Notice.REMIND_1H, Language.EN) == (
        f"Reminder: **Peer support** (Domiciliary care managers) starts <t:{stamp}:R>, at <t:{stamp}:F>, in "
        "[online meeting link](https://teams.example.org/meet/abc)."
    )
    assert notice_text(card(cancel_reason="Snow"), Notice.CANCELLED, Language.EN).endswith("is cancelled. Reason: Snow")


def test_a_bilingual_announcement_is_welsh_first_and_fits_discord() -> None:
    longest = "https://teams.example.org/" + "m" * 474  # a link as long as a series may have (500)
    embed = announcement_embed(
        card(medium=SessionMedium.WELSH, waitlisted=2, title="T" * 100, cohort_name="C" * 100, link=longest),
        ChannelPosts.BILINGUAL,
    )
    description = embed.description or ""
    assert description.index("Dydd Mawrth 16 Mawrth 2027, 10:00") < description.index("<t:")
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Iaith / Language"] == "Cyfrwng Cymraeg / Welsh-medium"
    assert fields["Ble / Where"] == f"[y cyfarfod ar-lein / online meeting link]({longest})"
    assert len(embed) <= 6000 and len(embed.title or "") <= 256 and all(len(v or "") <= 1024 for v in fields.values())
    welsh = announcement_embed(card(state=SessionState.CANCELLED, cancel_reason="series ended"), Language.CY)
    assert welsh.title == "Wedi'i chanslo: Peer support · Domiciliary care managers"
    assert [f.value for f in welsh.fields] == ["cyfres wedi dod i ben"]


@pytest.mark.parametrize("voice", [Language.CY, Language.EN, ChannelPosts.BILINGUAL])
def test_every_control_fits_discords_limits_in_every_language(voice: Language | ChannelPosts) -> None:
    language = voice if isinstance(voice, Language) else Language.CY
    buttons = [
        RsvpButton(2**31 - 1, Choice.YES, voice),
        RsvpButton(2**31 - 1, Choice.NO, voice),
        CheckInButton(2**31 - 1, voice),
        GroundRulesButton(1, language),
        JoinCohortButton(1, "rsvp", language),
        JoinCohortButton(1, "checkin", language),
        StopSeriesButton("confirm", StopAction.PAUSE, 1, 1, language),
        StopSeriesButton("confirm", StopAction.END, 1, 1, language),
        StopSeriesButton("keep", StopAction.END, 1, 1, language),
    ]
    for button in buttons:
        assert 0 < len(button.item.label or "") <= 80, button.item.label
    long_title = card(title="T" * 100, cohort_name="C" * 100, medium=SessionMedium.BILINGUAL)
    picker = SessionPicker([UpcomingSession(long_title, "waitlisted", True)] * 25, language)
    assert len(picker.item.placeholder or "") <= 150
    assert all(len(o.label) <= 100 and len(o.description or "") <= 100 for o in picker.item.options)
    for mark in ("present", "absent"):
        assert len(AttendancePicker(1, mark, language).item.placeholder or "") <= 150
