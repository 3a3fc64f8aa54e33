"""More journeys: bad input to /series create, pause/resume/end, start and check-in, the calendar file, and
buttons that still work after a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from dateutil.rrule import rrulestr

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, START, World, start_bot, stop_bot
from tests.e2e.helpers import visible_text
from tests.e2e.test_sessions import (
    announcements,
    create_dom_series,
    occurrence_of,
    rsvp,
    run_due,
)
from tests.fakes import FakeClock


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"start": "2027-03-01 10:00"}, "in the past"),
        ({"start": "16/03/2027 10am"}, "YYYY-MM-DD HH:MM"),
        ({"duration": 10}, "between 15 and 480"),
        ({"duration": 600}, "between 15 and 480"),
        ({"capacity": 0}, "at least 1"),
        ({"cohort": "Gardeners"}, "no cohort called **Gardeners**"),
        ({"count": 2, "until": "2027-06-01"}, "not both"),
        ({"link": "ftp://example.org"}, "https://"),
    ],
)
async def test_bad_series_input_is_answered_politely(
    emulator: Emulator, world: World, bot: CwtchBot, changes: dict[str, object], expected: str
) -> None:
    options: dict[str, object] = {
        "cohort": "Domiciliary care managers",
        "title": "Peer support",
        "cadence": "fortnightly",
        "start": "2027-03-16 10:00",
        "duration": 90,
    }
    options.update(changes)
    result = await emulator.slash(world.guild_id, world.facilitator, "series create", options)
    assert result.ephemeral and expected in visible_text(result)
    listing = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    assert "No series yet" in visible_text(listing)


async def test_members_cannot_run_series_commands(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    result = await emulator.slash(
        world.guild_id,
        world.member,
        "series create",
        {
            "cohort": "Domiciliary care managers",
            "title": "Mine",
            "cadence": "weekly",
            "start": "2027-03-16 10:00",
            "duration": 60,
        },
    )
    assert result.ephemeral and "Only facilitators" in visible_text(result)


async def test_pause_resume_and_end_a_series(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "Domiciliary care managers"})
    await rsvp(emulator, world, world.member, message)
    [choice] = await emulator.autocomplete(
        world.guild_id, world.facilitator, "series pause", {"series": "peer"}, "series"
    )

    # Pausing and ending ask first (tests/e2e/test_series_management.py follows that in detail).
    asked = await emulator.slash(world.guild_id, world.facilitator, "series pause", {"series": choice["value"]})
    paused = await emulator.click(world.guild_id, world.facilitator, asked.message["id"], asked.custom_ids()[0])
    assert "is paused" in visible_text(paused)
    assert "is cancelled" in emulator.dm_messages(world.member)[-1]["content"]
    again = await emulator.slash(world.guild_id, world.facilitator, "series pause", {"series": choice["value"]})
    assert "already paused" in visible_text(again)
    assert {e["status"] for e in emulator.scheduled_events(world.guild_id)} == {4}  # all cancelled
    resumed = await emulator.slash(world.guild_id, world.facilitator, "series resume", {"series": choice["value"]})
    assert "Series resumed" in visible_text(resumed) and "(active)" in visible_text(resumed)
    await run_due(bot)
    live = [e for e in emulator.scheduled_events(world.guild_id) if e["status"] == 1]
    assert FIRST_DOM.isoformat()[:16] in {e["scheduled_start_time"][:16] for e in live}
    [again_announced] = announcements(emulator, world.dom_channel)  # the same message, buttons back
    assert again_announced["id"] == message["id"] and "Cancelled" not in str(again_announced.get("embeds"))
    asked = await emulator.slash(world.guild_id, world.facilitator, "series end", {"series": choice["value"]})
    ended = await emulator.click(world.guild_id, world.facilitator, asked.message["id"], asked.custom_ids()[0])
    assert "is ended" in visible_text(ended)
    typed = await emulator.slash(world.guild_id, world.facilitator, "series resume", {"series": "Peer support"})
    assert "pick one from the list" in visible_text(typed)


async def test_start_check_in_and_end_by_hand(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_dom_series(emulator, world, link="https://teams.example.org/meet/abc")
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(message)
    early = await emulator.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    assert "hasn't started yet" in visible_text(early)

    clock.set(FIRST_DOM - timedelta(minutes=5))
    started = await emulator.slash(world.guild_id, world.facilitator, "session start", {"session": str(occurrence)})
    assert "is open" in visible_text(started)
    thread = int(emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")[0].response["id"])
    [opening] = [m for m in emulator.messages(thread) if "is starting now" in (m.get("content") or "")]
    assert "https://teams.example.org/meet/abc" in opening["content"]
    await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "Domiciliary care managers"})
    checked = await emulator.click(world.guild_id, world.member, opening["id"], f"cwtch:checkin:{occurrence}")
    assert checked.ephemeral and "checked in" in visible_text(checked)
    sheet = await emulator.slash(world.guild_id, world.facilitator, "session attendance", {"session": str(occurrence)})
    assert f"<@{world.member}> (checkin)" in visible_text(sheet)

    ended = await emulator.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    assert "has ended" in visible_text(ended)
    late = await emulator.click(world.guild_id, world.other_member, opening["id"], f"cwtch:checkin:{occurrence}")
    assert "is over" in visible_text(late)
    await run_due(bot)  # the scheduled open/close actions were skipped, nothing is posted twice
    assert sum("has ended" in (m.get("content") or "") for m in emulator.messages(thread)) == 1


async def test_calendar_file_matches_the_sessions(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    await create_dom_series(emulator, world, count=6)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(message)
    await emulator.slash(world.guild_id, world.facilitator, "session cancel", {"session": str(occurrence)})

    result = await emulator.slash(world.guild_id, world.member, "calendar", {"cohort": "Domiciliary care managers"})
    assert result.ephemeral and "calendar" in visible_text(result)
    [upload] = [f for r in emulator.find_requests("POST", r"/interactions/.*") for f in r.files]
    calendar = icalendar.Calendar.from_ical(upload.data)
    [event] = [c for c in calendar.walk("VEVENT")]
    start = event.decoded("DTSTART")
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
    excluded = {d.dt for ex in [event.get("EXDATE")] for d in ex.dts} if event.get("EXDATE") else set()
    starts = [s.astimezone(UTC) for s in rule if s not in excluded]
    expected = [FIRST_DOM + timedelta(days=14 * n) for n in range(1, 6)]
    assert starts == [s if s.month < 4 and s.day < 28 else s - timedelta(hours=1) for s in expected]


async def test_buttons_keep_working_after_a_restart(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock, database_url: str
) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    await bot.close()
    restarted, task = await start_bot(emulator, database_url, clock)
    try:
        said = await rsvp(emulator, world, world.member, message)
        assert "You're going" in said
        listing = await emulator.slash(world.guild_id, world.member, "session list", {})
        assert "you're going" in visible_text(listing)
    finally:
        await stop_bot(restarted, task)


def test_first_session_is_a_tuesday_at_ten_in_london() -> None:
    assert (
        FIRST_DOM.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London")).strftime("%A %H:%M") == "Tuesday 10:00"
    )
    assert START < FIRST_DOM < START + timedelta(days=7) and FIRST_DOM.tzinfo is UTC
    assert datetime(2027, 3, 28, tzinfo=UTC) > FIRST_DOM  # the clocks change during the series
