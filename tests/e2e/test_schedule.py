"""The whole schedule through the emulator (issue 13): a care home manager books sessions months ahead from
``/session list``; a facilitator cancels and moves sessions months ahead across the March clock change and the
announcements, events, calendar and members follow; the list pages (and its buttons outlive a restart); someone
outside a session's cohort is asked to join first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import World, facilitator_actor, start_bot, stop_bot
from tests.e2e.helpers import visible_text
from tests.e2e.test_season import announced_starts
from tests.e2e.test_sessions import announcements, occurrence_of, run_due, visible_text_of
from tests.fakes import FakeClock

LONDON = ZoneInfo("Europe/London")
JANUARY = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)  # a Monday; the clocks go forward on 28 March 2027
HOME = "Care home managers"
DOM = "Domiciliary care managers"
FEB, APR, JUN = (
    datetime(2027, 2, 10, 14, 0, tzinfo=UTC),  # the 2nd Wednesday of every other month, 14:00 in London: GMT
    datetime(2027, 4, 14, 13, 0, tzinfo=UTC),  # and BST
    datetime(2027, 6, 9, 13, 0, tzinfo=UTC),
)
JUN_MOVED = datetime(2027, 6, 16, 13, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(JANUARY)


def stamp(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:F>"


def component(result: Any, prefix: str) -> dict[str, Any]:
    """The one component of what the user sees whose custom_id starts with ``prefix``."""
    every = walk((result.message or {}).get("components") or [])
    found = [c for c in every if c.get("custom_id", "").startswith(prefix)]
    assert len(found) == 1, [c.get("custom_id") for c in every]
    return found[0]


def fields(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [field for embed in message.get("embeds") or [] for field in embed.get("fields") or []]


def walk(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for item in components:
        found.append(item)
        found += walk(item.get("components") or [])
    return found


def page_buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        c["label"]: c
        for c in walk(message.get("components") or [])
        if c.get("custom_id", "").startswith("cwtch:sessions:") and c.get("type") == 2
    }


async def create_series(
    emu: Emulator, world: World, cohort: str, title: str, cadence: str, start: str, **extra: object
) -> None:
    result = await emu.slash(
        world.guild_id,
        world.facilitator,
        "series create",
        {"cohort": cohort, "title": title, "cadence": cadence, "start": start, "duration": 90, **extra},
    )
    assert "Series created" in visible_text(result), visible_text(result)


async def book_from_the_list(emu: Emulator, world: World, user: int, listing: Any, occurrence: str) -> str:
    """Pick a session from ``/session list`` and press "I'll be there" (agreeing to the ground rules if asked)."""
    picked = await emu.click(world.guild_id, user, listing.message["id"], "cwtch:sessions:pick", values=[occurrence])
    assert picked.ephemeral and "Will you be there?" in visible_text(picked)
    result = await emu.click(world.guild_id, user, picked.message["id"], f"cwtch:rsvp:{occurrence}:yes")
    rules = [c for c in result.custom_ids() if c.startswith("cwtch:rules:")]
    if rules:
        result = await emu.click(world.guild_id, user, result.message["id"], rules[0])
    return visible_text(result)


async def step_until(bot: CwtchBot, clock: FakeClock, end: datetime) -> None:
    """Let time pass to ``end``, stopping at every moment the bot has something to do."""
    while clock() < end:
        pending = await bot.services.actions.due_before(end)
        upcoming = [due for _, due in pending if due > clock()]
        clock.set(min(upcoming) if upcoming else end)
        await run_due(bot)


async def test_a_care_home_year_is_booked_months_ahead_and_corrected_across_the_clock_change(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_series(emulator, world, HOME, "Care home peer support", "bimonthly", "2027-02-10 14:00")
    await run_due(bot)
    # Discord sees only its horizons: nothing is announced or mirrored as an event a month ahead.
    assert announcements(emulator, world.home_channel) == [] and emulator.scheduled_events(world.guild_id) == []

    # In January a care home manager joins and sees the next three sessions, to June, at 14:00 London time.
    await emulator.slash(world.guild_id, world.member, "cohort join", {"name": HOME})
    listing = await emulator.slash(world.guild_id, world.member, "session list", {})
    text = visible_text(listing)
    assert listing.ephemeral and "your cohorts" in text and "Care home managers" in text
    assert text.count("Care home peer support · Care home managers") == 3
    assert [stamp(s) in text for s in (FEB, APR, JUN)] == [True, True, True]
    options = component(listing, "cwtch:sessions:pick")["options"]
    assert [o["label"][:30] for o in options] == [
        "Wed 10 Feb 2027, 14:00 GMT · C",
        "Wed 14 Apr 2027, 14:00 BST · C",
        "Wed 9 Jun 2027, 14:00 BST · Ca",
    ]
    feb, apr, jun = [o["value"] for o in options]
    said = await book_from_the_list(emulator, world, world.member, listing, feb)
    assert "Thank you for agreeing to the ground rules" in said and "You're going" in said
    for occurrence in (apr, jun):
        assert "You're going" in await book_from_the_list(emulator, world, world.member, listing, occurrence)
    assert (
        visible_text(await emulator.slash(world.guild_id, world.member, "session list", {})).count("you're going") == 3
    )

    # Still in January, the facilitator cancels April's session (three months ahead, after the clocks change)
    # and moves June's a week on; the manager is told each time.
    [april] = await emulator.autocomplete(
        world.guild_id, world.facilitator, "session cancel", {"session": "care apr 2027"}, "session"
    )
    assert april["value"] == apr and "Wed 14 Apr 2027 14:00" in april["name"]
    cancelled = await emulator.slash(
        world.guild_id, world.facilitator, "session cancel", {"session": apr, "reason": "Easter holidays"}
    )
    assert "Cancelled" in visible_text(cancelled)
    told = emulator.dm_messages(world.member)[-1]["content"]
    assert stamp(APR) in told and "is cancelled. Reason: Easter holidays" in told
    moved = await emulator.slash(
        world.guild_id, world.facilitator, "session move", {"session": jun, "start": "2027-06-16 14:00"}
    )
    assert stamp(JUN_MOVED) in visible_text(moved)
    assert stamp(JUN_MOVED) in emulator.dm_messages(world.member)[-1]["content"]

    # The list says April is cancelled and offers no RSVP for it; August comes in as the third to book.
    listing = await emulator.slash(world.guild_id, world.member, "session list", {})
    [value] = [f["value"] for f in fields(listing.message) if f["name"].startswith("Cancelled: Care home peer")]
    assert stamp(APR) in value and "Easter holidays" in value and "going" not in value
    values = [o["value"] for o in component(listing, "cwtch:sessions:pick")["options"]]
    assert apr not in values and values[:2] == [feb, jun] and len(values) == 3

    # The calendar has the rule at 14:00 London, April as an EXDATE and June's new date as a moved instance.
    await emulator.slash(world.guild_id, world.member, "calendar", {"cohort": HOME})
    [upload] = [f for r in emulator.find_requests("POST", r"/interactions/.*") for f in r.files]
    calendar = icalendar.Calendar.from_ical(upload.data)
    master, override = sorted(calendar.walk("VEVENT"), key=lambda e: "RECURRENCE-ID" in e)
    start = master.decoded("DTSTART")
    assert start == FEB and str(start.tzinfo) == "Europe/London"
    exdates = master.get("EXDATE")
    excluded = {d.dt for ex in (exdates if isinstance(exdates, list) else [exdates]) for d in ex.dts}
    assert {e.astimezone(UTC) for e in excluded} == {APR, JUN}
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)
    kept = [s for s in rule[:7] if s not in excluded]
    assert all(s.hour == 14 for s in kept)  # wall-clock time, summer and winter
    assert override.decoded("RECURRENCE-ID") == JUN and override.decoded("DTSTART") == JUN_MOVED

    # The season runs to July: February and the moved June are announced, mirrored and reminded, April never.
    await step_until(bot, clock, datetime(2027, 7, 1, tzinfo=UTC))
    assert announced_starts(emulator, world.home_channel) == [FEB, JUN_MOVED]
    assert [s.astimezone(LONDON).hour for s in announced_starts(emulator, world.home_channel)] == [14, 14]
    events = {datetime.fromisoformat(e["scheduled_start_time"]) for e in emulator.scheduled_events(world.guild_id)}
    assert events == {FEB, JUN_MOVED}
    texts = [m["content"] for m in emulator.dm_messages(world.member)]
    assert sum("is tomorrow" in t for t in texts) == 2 and not any(stamp(APR) in t and "tomorrow" in t for t in texts)


async def test_the_list_pages_and_its_buttons_outlive_a_restart(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock, database_url: str
) -> None:
    await create_series(emulator, world, DOM, "Drop-in", "weekly", "2027-01-13 10:00")  # 13 in 90 days
    await create_series(emulator, world, DOM, "Peer support", "fortnightly", "2027-01-19 10:00")  # 6
    await create_series(emulator, world, HOME, "Care home peer support", "bimonthly", "2027-02-10 14:00")  # 3
    listing = await emulator.slash(world.guild_id, world.other_member, "session list", {})
    text = visible_text(listing)
    assert "everyone's" in text and "Page 1 of 3 (22 sessions)" in text
    buttons = page_buttons(listing.message)
    assert buttons["Previous"].get("disabled") and not buttons["Next"].get("disabled")
    seen = [f["name"] + f["value"] for f in fields(listing.message)]

    turned = await emulator.click(
        world.guild_id, world.other_member, listing.message["id"], buttons["Next"]["custom_id"]
    )
    assert "Page 2 of 3" in visible_text(turned) and turned.message["id"] == listing.message["id"]
    seen += [f["name"] + f["value"] for f in fields(turned.message)]

    await bot.close()  # the list is still on screen; its buttons keep working with the next process
    restarted, task = await start_bot(emulator, database_url, clock)
    try:
        message = emulator.message(listing.message["id"]) or {}
        last = await emulator.click(
            world.guild_id, world.other_member, message["id"], page_buttons(message)["Next"]["custom_id"]
        )
        assert "Page 3 of 3" in visible_text(last)
        assert page_buttons(last.message)["Next"].get("disabled")
        seen += [f["name"] + f["value"] for f in fields(last.message)]
        assert len(seen) == len(set(seen)) == 22  # every session once, none cut
        back = await emulator.click(
            world.guild_id, world.other_member, last.message["id"], page_buttons(last.message)["Previous"]["custom_id"]
        )
        assert "Page 2 of 3" in visible_text(back)

        one = await emulator.slash(world.guild_id, world.other_member, "session list", {"cohort": HOME})
        assert "Page" not in visible_text(one) and "All 3 sessions are here" in visible_text(one)
        await emulator.slash(world.guild_id, world.member, "cohort join", {"name": DOM})
        mine = await emulator.slash(world.guild_id, world.member, "session list", {})
        assert "Your cohorts: Domiciliary care managers" in visible_text(mine)
        assert "Page 1 of 2 (19 sessions)" in visible_text(mine) and "Care home peer support" not in visible_text(mine)
    finally:
        await stop_bot(restarted, task)


def views_waiting_for_a_timeout() -> list[asyncio.Task[object]]:
    """discord.py's tasks that keep a sent view (and the view) for its timeout."""
    return [task for task in asyncio.all_tasks() if "__timeout_task_impl" in repr(task.get_coro())]


async def test_lists_on_screen_hold_nothing_in_the_bot_and_their_pickers_still_work(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_series(emulator, world, DOM, "Drop-in", "weekly", "2027-01-13 10:00")
    await emulator.slash(world.guild_id, world.member, "cohort join", {"name": DOM})
    listings = [await emulator.slash(world.guild_id, world.member, "session list", {}) for _ in range(3)]
    # Each list is an ephemeral answer with a picker; discord.py would keep every one for 15 minutes, each with a
    # task of its own. Its controls are dispatched by custom_id instead, so nothing is kept.
    assert views_waiting_for_a_timeout() == []
    first = component(listings[0], "cwtch:sessions:pick")["options"][0]["value"]
    assert "You're going" in await book_from_the_list(emulator, world, world.member, listings[0], first)
    assert views_waiting_for_a_timeout() == []


async def test_someone_outside_the_cohort_is_asked_to_join_first(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_series(
        emulator, world, DOM, "Peer support", "fortnightly", "2027-01-12 10:00", link="https://teams.example.org/x"
    )
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)  # tomorrow: announced at once
    occurrence = occurrence_of(message)

    offers = {}
    for person in (world.other_member, world.facilitator):  # facilitators too, unless they are in the cohort
        offer = await emulator.click(world.guild_id, person, message["id"], f"cwtch:rsvp:{occurrence}:yes")
        assert offer.ephemeral and "not in that cohort yet" in visible_text(offer) and DOM in visible_text(offer)
        assert offer.custom_ids() == [f"cwtch:join:{occurrence}:rsvp"]
        offers[person] = offer
    declined = await emulator.click(world.guild_id, world.other_member, message["id"], f"cwtch:rsvp:{occurrence}:no")
    assert "no RSVP to change" in visible_text(declined)
    # Nothing was recorded: no RSVP, no membership, no role.
    assert "0 going" in visible_text_of(emulator.message(message["id"]) or {})
    assert world.dom_role not in emulator.member_roles(world.guild_id, world.other_member)

    offer = offers[world.other_member]
    joined = await emulator.click(
        world.guild_id, world.other_member, offer.message["id"], f"cwtch:join:{occurrence}:rsvp"
    )
    assert "Welcome to **Domiciliary care managers**" in visible_text(joined) and "ground rules" in visible_text(joined)
    [agree] = [c for c in joined.custom_ids() if c.startswith("cwtch:rules:")]
    going = await emulator.click(world.guild_id, world.other_member, joined.message["id"], agree)
    assert "You're going" in visible_text(going)
    assert world.dom_role in emulator.member_roles(world.guild_id, world.other_member)  # as /cohort join does
    await bot.services.announcements.idle()  # the count follows the answer, at most once a second
    assert "1 going" in visible_text_of(emulator.message(message["id"]) or {})

    # From the list it is the same: the admin (in no cohort) picks the session and is asked to join first.
    listing = await emulator.slash(world.guild_id, world.admin, "session list", {})
    picked = await emulator.click(
        world.guild_id, world.admin, listing.message["id"], "cwtch:sessions:pick", values=[str(occurrence)]
    )
    offer = await emulator.click(world.guild_id, world.admin, picked.message["id"], f"cwtch:rsvp:{occurrence}:yes")
    assert offer.custom_ids() == [f"cwtch:join:{occurrence}:rsvp"]

    # "I'm here" at the session: the coordinator, outside the cohort, joins and checks in with one press.
    clock.set(datetime(2027, 1, 12, 9, 55, tzinfo=UTC))
    await emulator.slash(world.guild_id, world.facilitator, "session start", {"session": str(occurrence)})
    thread = int(emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")[0].response["id"])
    [opening] = [m for m in emulator.messages(thread) if "is starting now" in (m.get("content") or "")]
    offer = await emulator.click(world.guild_id, world.coordinator, opening["id"], f"cwtch:checkin:{occurrence}")
    assert "Join and check in" in str(offer.components) and "not in that cohort yet" in visible_text(offer)
    sheet = await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)
    assert sheet.present == []
    checked = await emulator.click(
        world.guild_id, world.coordinator, offer.message["id"], f"cwtch:join:{occurrence}:checkin"
    )
    assert "you've joined the cohort" in visible_text(checked) and "checked in" in visible_text(checked)
    sheet = await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)
    assert sheet.present == [(world.coordinator, "checkin")]
    assert world.dom_role in emulator.member_roles(world.guild_id, world.coordinator)
