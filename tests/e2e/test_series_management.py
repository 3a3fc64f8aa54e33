"""Safe series management, tried as facilitators would through the emulator: a duplicate series is refused (also
two at once), pausing and ending say what will happen and wait for a confirmation, a series is edited with the
people affected told (the old and the new time when it moves), contradicting options are refused, and common
time zone names are understood."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rruleset, rrulestr

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World
from tests.e2e.helpers import visible_text
from tests.e2e.test_sessions import announcements, create_dom_series, rsvp, run_due, visible_text_of
from tests.fakes import FakeClock

LONDON = ZoneInfo("Europe/London")
DOM = "Domiciliary care managers"
SERIES = {"cohort": DOM, "title": "Peer support", "cadence": "fortnightly", "start": "2027-03-16 10:00", "duration": 90}


def ts(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:F>"


async def join(emulator: Emulator, world: World, *users: int) -> None:
    for user in users:
        joined = await emulator.slash(world.guild_id, user, "cohort join", {"name": DOM})
        assert joined.ephemeral


async def series_id(emulator: Emulator, world: World, fragment: str = "peer") -> str:
    [choice] = await emulator.autocomplete(
        world.guild_id, world.facilitator, "series end", {"series": fragment}, "series"
    )
    return str(choice["value"])


def live_events(emulator: Emulator, world: World) -> list[dict[str, Any]]:
    return [event for event in emulator.scheduled_events(world.guild_id) if event["status"] == 1]


async def test_a_duplicate_series_is_refused_even_when_sent_twice_at_once(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    both = await asyncio.gather(
        *(emulator.slash(world.guild_id, world.facilitator, "series create", SERIES) for _ in range(2))
    )
    texts = sorted(visible_text(result) for result in both)
    assert sum("Series created" in text for text in texts) == 1
    [refusal] = [text for text in texts if "Series created" not in text]
    # The first start as typed, in the cohort's zone (a refusal reads the same in Welsh and English).
    assert "already exists" in refusal and "`/series list`" in refusal and "2027-03-16 10:00 (Europe/London)" in refusal
    assert all(result.ephemeral for result in both)

    again = await emulator.slash(
        world.guild_id, world.facilitator, "series create", {**SERIES, "title": "  PEER   support "}
    )
    assert again.ephemeral and "already exists" in visible_text(again)
    await run_due(bot)
    assert len(announcements(emulator, world.dom_channel)) == 1  # announced once, not twice
    listing = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    assert visible_text(listing).count("Peer support · Domiciliary care managers") == 1


async def test_ending_asks_first_then_cancels_and_tells_people(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    await create_dom_series(emulator, world, count=4)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    await join(emulator, world, world.member, world.other_member)
    await rsvp(emulator, world, world.member, message)
    await rsvp(emulator, world, world.other_member, message)
    events = len(live_events(emulator, world))

    asked = await emulator.slash(
        world.guild_id, world.facilitator, "series end", {"series": await series_id(emulator, world)}
    )
    question = visible_text(asked)
    assert asked.ephemeral and "**End Peer support for good?**" in question
    assert "4 upcoming sessions will be cancelled" in question and ts(FIRST_DOM) in question
    assert "2 people who RSVP'd will be told" in question and "can't be undone" in question
    confirm, keep = asked.custom_ids()
    assert confirm.startswith("cwtch:series:confirm:end:") and keep.startswith("cwtch:series:keep:end:")
    # Asking changed nothing: no DM, the events and the announcement's buttons are as they were.
    assert not any("cancelled" in dm["content"] for dm in emulator.dm_messages(world.member))
    assert len(live_events(emulator, world)) == events and announcements(emulator, world.dom_channel)

    done = await emulator.click(world.guild_id, world.facilitator, asked.message["id"], confirm)
    assert "**Peer support** is ended; 4 upcoming sessions cancelled" in visible_text(done)
    assert done.custom_ids() == []
    for person in (world.member, world.other_member):
        assert "is cancelled" in emulator.dm_messages(person)[-1]["content"]
    assert live_events(emulator, world) == []
    assert "Cancelled" in visible_text_of(emulator.message(message["id"]) or {})
    again = await emulator.slash(world.guild_id, world.facilitator, "series create", SERIES)
    assert "Series created" in visible_text(again)  # an ended series no longer counts as a duplicate


async def test_pausing_asks_first_and_keep_it_changes_nothing(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    series = await series_id(emulator, world)
    asked = await emulator.slash(world.guild_id, world.facilitator, "series pause", {"series": series})
    assert "**Pause Peer support?**" in visible_text(asked) and "`/series resume` brings it back" in visible_text(asked)
    assert "Nobody has RSVP'd yet" in visible_text(asked)
    kept = await emulator.click(world.guild_id, world.facilitator, asked.message["id"], asked.custom_ids()[1])
    assert "Nothing changed" in visible_text(kept) and kept.custom_ids() == []
    listing = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    assert "(active)" in visible_text(listing)

    asked = await emulator.slash(world.guild_id, world.facilitator, "series pause", {"series": series})
    paused = await emulator.click(world.guild_id, world.facilitator, asked.message["id"], asked.custom_ids()[0])
    assert "is paused" in visible_text(paused) and "`/series resume`" in visible_text(paused)
    listing = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    assert "(paused)" in visible_text(listing)


async def test_a_stale_confirmation_and_one_from_someone_no_longer_a_facilitator_are_refused(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    series = await series_id(emulator, world)
    stale = await emulator.slash(world.guild_id, world.facilitator, "series end", {"series": series})
    clock.advance(timedelta(minutes=11))
    refused = await emulator.click(world.guild_id, world.facilitator, stale.message["id"], stale.custom_ids()[0])
    assert refused.ephemeral and "expired" in visible_text(refused) and "nothing was changed" in visible_text(refused)
    assert "`/series end` again" in visible_text(refused)

    asked = await emulator.slash(world.guild_id, world.facilitator, "series end", {"series": series})
    emulator.set_member_roles(world.guild_id, world.facilitator, [])  # their role was taken away meanwhile
    await asyncio.sleep(0.2)  # the member update reaches the bot through the gateway
    refused = await emulator.click(world.guild_id, world.facilitator, asked.message["id"], asked.custom_ids()[0])
    assert refused.ephemeral and "Only facilitators" in visible_text(refused)
    member = await emulator.slash(world.guild_id, world.member, "series end", {"series": series})
    assert member.ephemeral and "Only facilitators" in visible_text(member) and member.custom_ids() == []

    emulator.set_member_roles(world.guild_id, world.facilitator, [world.facilitator_role])
    await asyncio.sleep(0.2)
    listing = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    assert "(active)" in visible_text(listing)  # nothing was ended
    assert all(event["status"] == 1 for event in emulator.scheduled_events(world.guild_id))


async def test_editing_a_series_changes_its_sessions_and_tells_those_who_rsvpd(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    await create_dom_series(emulator, world, capacity=3)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    await join(emulator, world, world.member, world.other_member)
    await rsvp(emulator, world, world.member, message)
    await rsvp(emulator, world, world.other_member, message)
    series = await series_id(emulator, world)
    before = len(emulator.dm_messages(world.member))

    # Title, capacity and a link: the announcement and the event follow; the place change is told.
    edited = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "series edit",
        {"series": series, "title": "Peer support circle", "capacity": 1, "link": "https://teams.example.org/m"},
    )
    text = visible_text(edited)
    assert edited.ephemeral and "**Peer support circle** is updated" in text
    assert "1 session has more people going than that: they all keep their place" in text
    assert "2 people who RSVP'd were told" in text
    shown = visible_text_of(emulator.message(message["id"]) or {})
    assert "Peer support circle" in shown and "2 of 1 places taken" in shown and "teams.example.org" in shown
    assert {e["name"] for e in live_events(emulator, world)} == {"Peer support circle · Domiciliary care managers"}
    dms = emulator.dm_messages(world.member)[before:]
    assert len(dms) == 1 and "https://teams.example.org/m" in dms[0]["content"] and "has changed" in dms[0]["content"]
    said = await rsvp(emulator, world, world.coordinator, message)  # newcomers wait for a place
    assert "waitlist" in said

    # A new time from the next session on: the session moves, and those going hear the old and the new time.
    moved = await emulator.slash(
        world.guild_id, world.facilitator, "series edit", {"series": series, "start_time": "14:00"}
    )
    text = visible_text(moved)
    assert "From Tuesday 16 March 2027 on, sessions start at 14:00" in text and "every other Tuesday at 14:00" in text
    new_first = datetime(2027, 3, 16, 14, 0, tzinfo=UTC)
    for person in (world.member, world.other_member):
        content = emulator.dm_messages(person)[-1]["content"]
        assert f"moved from {ts(FIRST_DOM)} to {ts(new_first)}" in content
    assert ts(new_first) in visible_text_of(emulator.message(message["id"]) or {})
    starts = {e["scheduled_start_time"][:16] for e in live_events(emulator, world)}
    assert "2027-03-16T14:00" in starts and "2027-03-30T13:00" in starts  # 14:00 BST after the clocks change
    thread = int(emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")[0].response["id"])
    renames = [r.json.get("name") for r in emulator.find_requests("PATCH", rf"/channels/{thread}$")]
    assert "Peer support circle · Tue 16 Mar 14:00" in renames


async def test_a_new_time_from_a_later_date_keeps_earlier_sessions_and_the_calendar_follows(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_dom_series(emulator, world, count=5)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    await join(emulator, world, world.member)
    await rsvp(emulator, world, world.member, message)
    before = len(emulator.dm_messages(world.member))
    series = await series_id(emulator, world)

    edited = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "series edit",
        {"series": series, "start_time": "18:30", "from_date": "2027-04-13"},
    )
    text = visible_text(edited)
    assert "From Tuesday 13 April 2027 on, sessions start at 18:30 (3 upcoming sessions moved)" in text
    assert "earlier ones keep their time" in text and "Nobody needed telling" in text
    assert len(emulator.dm_messages(world.member)) == before  # their session keeps its time

    result = await emulator.slash(world.guild_id, world.member, "calendar", {"cohort": DOM})
    [upload] = [f for r in emulator.find_requests("POST", r"/interactions/.*") for f in r.files]
    assert result.ephemeral
    local = [f"{when.astimezone(LONDON):%d %b %H:%M}" for when in expand_calendar(upload.data)]
    assert local == ["16 Mar 10:00", "30 Mar 10:00", "13 Apr 18:30", "27 Apr 18:30", "11 May 18:30"]

    clock.set(datetime(2027, 4, 7, 9, 0, tzinfo=UTC))  # the 13 April session comes within the week
    await run_due(bot)
    shown = visible_text_of(announcements(emulator, world.dom_channel)[-1])
    assert ts(datetime(2027, 4, 13, 17, 30, tzinfo=UTC)) in shown


def expand_calendar(data: bytes) -> list[datetime]:
    """Every start the .ics describes (UTC, sorted): the master's RRULE minus EXDATEs, plus moved instances."""
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    found: list[datetime] = []
    for event in events:
        if "RECURRENCE-ID" in event:
            found.append(event.decoded("DTSTART"))
            continue
        rules = rruleset()
        rules.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("DTSTART")))
        excluded = event.get("EXDATE", [])
        for group in excluded if isinstance(excluded, list) else [excluded]:
            for item in group.dts:
                rules.exdate(item.dt)
        found += list(rules)
    return sorted(when.astimezone(UTC) for when in found)


async def test_contradicting_options_are_refused_clearly(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    room = int(emulator.create_channel(world.guild_id, "peer-support-room", type=2)["id"])
    both = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "series create",
        {**SERIES, "room": room, "link": "https://teams.example.org/m"},
    )
    assert both.ephemeral and "not both" in visible_text(both) and "`room`" in visible_text(both)
    monthly = await emulator.slash(world.guild_id, world.facilitator, "series create", {**SERIES, "monthly_by": "day"})
    assert monthly.ephemeral and "`monthly_by` is only for monthly and bimonthly series" in visible_text(monthly)
    assert "this one is fortnightly" in visible_text(monthly)
    listing = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    assert "No series yet" in visible_text(listing)

    await create_dom_series(emulator, world)
    series = await series_id(emulator, world)
    edit = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "series edit",
        {"series": series, "room": room, "link": "https://teams.example.org/m"},
    )
    assert edit.ephemeral and "not both" in visible_text(edit)
    alone = await emulator.slash(
        world.guild_id, world.facilitator, "series edit", {"series": series, "from_date": "2027-04-13"}
    )
    assert "Give the `start_time` too" in visible_text(alone)
    await run_due(bot)  # the first sessions are mirrored as events, held in the cohort's thread
    moved = await emulator.slash(world.guild_id, world.facilitator, "series edit", {"series": series, "room": room})
    assert f"Sessions now meet in <#{room}>" in visible_text(moved)
    assert {(e["entity_type"], e["channel_id"]) for e in live_events(emulator, world)} == {(2, str(room))}
    link = "https://teams.example.org/m"
    moved = await emulator.slash(world.guild_id, world.facilitator, "series edit", {"series": series, "link": link})
    assert f"Sessions now meet at {link}" in visible_text(moved)
    places = {
        (e["entity_type"], e["channel_id"], e["entity_metadata"]["location"]) for e in live_events(emulator, world)
    }
    assert places == {(3, None, link)}


async def test_common_zone_names_are_understood(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    london = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "cohort create",
        {"name": "Registered managers", "description": "d", "channel": world.general, "timezone": "London"},
    )
    assert "Cohort created: Registered managers" in visible_text(london) and "Europe/London" in visible_text(london)
    gmt = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "cohort create",
        {"name": "Deputy managers", "description": "d", "channel": world.general, "timezone": "GMT"},
    )
    assert (
        "UK time" in visible_text(gmt) and "Europe/London" in visible_text(gmt) and "BST in summer" in visible_text(gmt)
    )
    unknown = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "cohort create",
        {"name": "Night managers", "description": "d", "channel": world.general, "timezone": "Narnia"},
    )
    assert unknown.ephemeral and "`Europe/London`" in visible_text(unknown)
    suggested = await emulator.autocomplete(
        world.guild_id,
        world.facilitator,
        "cohort create",
        {"name": "x", "description": "d", "channel": world.general, "timezone": "uk"},
        "timezone",
    )
    assert suggested[0]["value"] == "Europe/London"
    # A series in the "London" cohort keeps 10:00 across the change of the clocks.
    created = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "series create",
        {**SERIES, "cohort": "Registered managers", "start": "2027-03-23 10:00"},
    )
    assert "every other Tuesday at 10:00 (Europe/London)" in visible_text(created)
    assert f"<t:{int(datetime(2027, 4, 6, 9, 0, tzinfo=UTC).timestamp())}:f>" in visible_text(created)
