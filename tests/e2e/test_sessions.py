"""Journeys of peer-support sessions through the emulator, with the bot's clock moved by hand.

The bot runs its real scheduling code; ``bot.runtime.tick()`` is what the 30-second tick does, called here
after moving the clock instead of waiting days.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World, start_bot, stop_bot
from tests.e2e.helpers import visible_text
from tests.fakes import FakeClock


def announcements(emu: Emulator, channel_id: int) -> list[dict[str, Any]]:
    return [m for m in emu.messages(channel_id) if any("cwtch:rsvp:" in c for c in custom_ids(m))]


def custom_ids(message: dict[str, Any]) -> list[str]:
    found = []
    for row in message.get("components") or []:
        for component in row.get("components") or []:
            if component.get("custom_id"):
                found.append(component["custom_id"])
    return found


def occurrence_of(message: dict[str, Any]) -> int:
    return int(next(c for c in custom_ids(message) if c.startswith("cwtch:rsvp:")).split(":")[2])


async def create_dom_series(emu: Emulator, world: World, **extra: object) -> None:
    result = await emu.slash(
        world.guild_id,
        world.facilitator,
        "series create",
        {
            "cohort": "Domiciliary care managers",
            "title": "Peer support",
            "cadence": "fortnightly",
            "start": "2027-03-16 10:00",
            "duration": 90,
            **extra,
        },
    )
    assert "Series created" in visible_text(result), visible_text(result)


async def rsvp(emu: Emulator, world: World, user: int, message: dict[str, Any], choice: str = "yes") -> str:
    """Press an RSVP button as ``user``, joining the session's cohort and accepting the ground rules if asked.
    Returns what they read last."""
    custom_id = f"cwtch:rsvp:{occurrence_of(message)}:{choice}"
    result = await emu.click(world.guild_id, user, message["id"], custom_id)
    join = [c for c in result.custom_ids() if c.startswith("cwtch:join:")]
    if join:  # a session is for its cohort: a member outside it joins first, in the same step
        assert "not in that cohort yet" in visible_text(result)
        result = await emu.click(world.guild_id, user, result.message["id"], join[0])
    rules = [c for c in result.custom_ids() if c.startswith("cwtch:rules:")]
    if rules:
        assert "ground rules" in visible_text(result) and "Confidentiality" in visible_text(result)
        result = await emu.click(world.guild_id, user, result.message["id"], rules[0])
    return visible_text(result)


async def test_seed_series_are_announced_with_discord_timestamps(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_dom_series(emulator, world)
    home = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "series create",
        {
            "cohort": "Care home managers",
            "title": "Care home peer support",
            "cadence": "bimonthly",
            "start": "2027-05-12 14:00",
            "duration": 90,
        },
    )
    assert "every other month on the 2nd Wednesday at 14:00 (Europe/London)" in visible_text(home)
    await run_due(bot)

    [dom] = announcements(emulator, world.dom_channel)  # inside the 7-day horizon: announced at once
    assert f"<t:{int(FIRST_DOM.timestamp())}:F>" in visible_text_of(dom)
    assert announcements(emulator, world.home_channel) == []  # May is weeks away
    events = emulator.scheduled_events(world.guild_id)
    assert {e["scheduled_start_time"][:16] for e in events} >= {"2027-03-16T10:00", "2027-03-30T09:00"}

    clock.set(datetime(2027, 3, 24, 9, 0, tzinfo=UTC))  # the second session, after the clocks go forward
    await run_due(bot)
    second = announcements(emulator, world.dom_channel)[-1]
    assert f"<t:{int(datetime(2027, 3, 30, 9, 0, tzinfo=UTC).timestamp())}:F>" in visible_text_of(second)

    listing = await emulator.slash(world.guild_id, world.member, "session list", {})
    assert "Peer support · Domiciliary care managers" in visible_text(listing)
    assert "no RSVP yet" in visible_text(listing)


async def run_due(bot: CwtchBot) -> None:
    """What the 30-second tick does, now; then wait for any tick the scheduler started on its own."""
    await bot.runtime.idle()
    await bot.runtime.tick()
    await bot.runtime.idle()


async def eventually(action: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], attempts: int = 50) -> Any:
    """Repeat ``action`` until ``done`` says its result shows what a gateway event changed."""
    for _ in range(attempts):
        result = await action()
        if done(result):
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("the change never showed")


def visible_text_of(message: dict[str, Any]) -> str:
    class Shown:
        def __init__(self, message: dict[str, Any]) -> None:
            self.message = message

    return visible_text(Shown(message))


async def test_rsvp_full_session_waitlist_and_promotion(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    await create_dom_series(emulator, world, capacity=1)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)

    said = await rsvp(emulator, world, world.member, message)
    assert "Thank you for agreeing to the ground rules" in said and "You're going" in said
    said = await rsvp(emulator, world, world.other_member, message)
    assert "on the waitlist" in said
    await bot.services.announcements.idle()  # the count follows the answers, at most once a second
    shown = visible_text_of(emulator.message(message["id"]) or {})
    assert "1 of 1 places taken, 1 on the waitlist" in shown

    said = await rsvp(emulator, world, world.member, message, "no")
    assert "change your mind" in said

    async def dms() -> list[dict[str, Any]]:
        return emulator.dm_messages(world.other_member)

    told = await eventually(dms, bool)  # the one promoted is told just after the answer
    assert "a place freed up" in told[-1]["content"]
    listing = await emulator.slash(world.guild_id, world.other_member, "session list", {})
    assert "you're going" in visible_text(listing)


async def test_cancel_and_move_one_session(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(message)
    await rsvp(emulator, world, world.member, message)

    choices = await emulator.autocomplete(
        world.guild_id, world.facilitator, "session cancel", {"session": "peer"}, "session"
    )
    assert str(occurrence) in [c["value"] for c in choices]
    refused = await emulator.slash(world.guild_id, world.member, "session cancel", {"session": str(occurrence)})
    assert refused.ephemeral and "Only facilitators" in visible_text(refused)

    moved = await emulator.slash(
        world.guild_id, world.facilitator, "session move", {"session": str(occurrence), "start": "2027-03-17 13:00"}
    )
    assert "Moved" in visible_text(moved)
    new_start = datetime(2027, 3, 17, 13, 0, tzinfo=UTC)
    assert f"<t:{int(new_start.timestamp())}:F>" in emulator.dm_messages(world.member)[-1]["content"]
    event = next(
        e for e in emulator.scheduled_events(world.guild_id) if e["scheduled_start_time"].startswith("2027-03-17")
    )
    assert f"<t:{int(new_start.timestamp())}:F>" in visible_text_of(emulator.message(message["id"]) or {})

    past = await emulator.slash(
        world.guild_id, world.facilitator, "session move", {"session": str(occurrence), "start": "2027-03-01 10:00"}
    )
    assert "in the past" in visible_text(past)
    bad = await emulator.slash(
        world.guild_id, world.facilitator, "session move", {"session": str(occurrence), "start": "tomorrow"}
    )
    assert "YYYY-MM-DD HH:MM" in visible_text(bad)

    cancelled = await emulator.slash(
        world.guild_id, world.facilitator, "session cancel", {"session": str(occurrence), "reason": "Snow"}
    )
    assert "Cancelled" in visible_text(cancelled)
    assert "is cancelled. Reason: Snow" in emulator.dm_messages(world.member)[-1]["content"]
    event = next(e for e in emulator.scheduled_events(world.guild_id) if e["id"] == event["id"])
    assert event["status"] == 4
    updated = emulator.message(message["id"]) or {}
    assert "Cancelled" in visible_text_of(updated) and custom_ids(updated) == []


async def test_reminders_at_24h_and_1h_with_a_closed_dm(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    await rsvp(emulator, world, world.member, message)
    await rsvp(emulator, world, world.other_member, message)
    emulator.close_dms(world.other_member)
    opted_out = world.coordinator
    await rsvp(emulator, world, opted_out, message)
    await emulator.slash(world.guild_id, opted_out, "reminders off", {})

    clock.set(FIRST_DOM - timedelta(hours=24))
    await run_due(bot)
    assert "is tomorrow" in emulator.dm_messages(world.member)[-1]["content"]
    assert emulator.dm_messages(opted_out) == []
    thread_id = next(
        int(r.response["id"]) for r in emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")
    )
    fallback = [m for m in emulator.messages(thread_id) if f"<@{world.other_member}>" in (m.get("content") or "")]
    assert len(fallback) == 1 and "is tomorrow" in fallback[0]["content"]

    back_on = await emulator.slash(world.guild_id, opted_out, "reminders on", {})
    assert back_on.ephemeral and "Reminders are on" in visible_text(back_on)
    clock.set(FIRST_DOM - timedelta(hours=1))
    await run_due(bot)
    await run_due(bot)  # a second tick sends nothing twice
    texts = [m["content"] for m in emulator.dm_messages(world.member)]
    assert sum("is tomorrow" in t for t in texts) == 1 and sum("starts <t:" in t for t in texts) == 1
    assert [("starts <t:" in m["content"]) for m in emulator.dm_messages(opted_out)] == [True]
    fallback = [m for m in emulator.messages(thread_id) if f"<@{world.other_member}>" in (m.get("content") or "")]
    assert len(fallback) == 2


async def test_restart_between_claim_and_tick_sends_once(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock, database_url: str
) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    await rsvp(emulator, world, world.member, message)

    # The bot claims the 24-hour reminder and dies before sending it.
    clock.set(FIRST_DOM - timedelta(hours=24))
    [(action_id, _)] = await bot.services.actions.due_before(clock() + timedelta(seconds=1))
    async with bot.services.state._uow() as uow:
        assert await uow.actions.claim(action_id, "crashed-process", clock(), timedelta(minutes=2))
        await uow.commit()
    await bot.close()

    restarted, task = await start_bot(emulator, database_url, clock)
    try:
        await run_due(restarted)
        assert not any("is tomorrow" in m["content"] for m in emulator.dm_messages(world.member))  # lease still held
        clock.advance(timedelta(minutes=3))  # the lease runs out: the new process takes the reminder over
        await run_due(restarted)
        await run_due(restarted)
        assert sum("is tomorrow" in m["content"] for m in emulator.dm_messages(world.member)) == 1
        # Downtime past the start: the 1-hour reminder is skipped (recorded), the room still opens.
        clock.set(FIRST_DOM + timedelta(minutes=20))
        await run_due(restarted)
        assert not any("starts <t:" in m["content"] for m in emulator.dm_messages(world.member))
        thread = int(emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")[0].response["id"])
        assert any("is starting now" in (m.get("content") or "") for m in emulator.messages(thread))
    finally:
        await stop_bot(restarted, task)


async def test_voice_attendance_and_correction(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    voice = int(emulator.create_channel(world.guild_id, "Peer support room", type=2)["id"])
    await create_dom_series(emulator, world, room=voice)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(message)
    await rsvp(emulator, world, world.member, message)
    await rsvp(emulator, world, world.other_member, message)

    await emulator.voice_join(world.guild_id, world.member, voice)  # early and gone again: not counted
    await emulator.voice_leave(world.guild_id, world.member)
    await emulator.voice_join(world.guild_id, world.coordinator, voice)  # early and still there at the start
    clock.set(FIRST_DOM)
    await run_due(bot)
    await emulator.voice_join(world.guild_id, world.member, voice)
    sheet = await eventually(
        lambda: emulator.slash(world.guild_id, world.facilitator, "session attendance", {"session": str(occurrence)}),
        lambda result: f"<@{world.member}> (voice)" in visible_text(result),
    )
    text = visible_text(sheet)
    assert f"<@{world.member}> (voice)" in text and f"<@{world.other_member}>" in text.split("not seen")[1]
    assert f"<@{world.coordinator}> (voice)" in text

    select = next(c for c in sheet.custom_ids() if c)
    corrected = await emulator.click(
        world.guild_id, world.facilitator, sheet.message["id"], select, values=[world.other_member]
    )
    assert f"<@{world.other_member}> (facilitator)" in visible_text(corrected)

    clock.set(FIRST_DOM + timedelta(minutes=90))
    await run_due(bot)
    events = [r for r in emulator.find_requests("PATCH", r"/channels/\d+") if r.json and r.json.get("locked")]
    assert events, "the session thread is locked and archived when the room closes"


async def test_two_processes_with_overlapping_shards_send_each_reminder_once(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock, database_url: str
) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    members = [world.member, world.other_member, world.coordinator]
    for member in members:
        await rsvp(emulator, world, member, message)
    await bot.close()

    shard = (world.guild_id >> 22) % 2
    first, first_task = await start_bot(emulator, database_url, clock, SHARD_COUNT="2", SHARD_IDS="0-1")
    second, second_task = await start_bot(emulator, database_url, clock, SHARD_COUNT="2", SHARD_IDS=str(shard))
    try:
        for moment in (FIRST_DOM - timedelta(hours=24), FIRST_DOM - timedelta(hours=1), FIRST_DOM):
            clock.set(moment)
            await asyncio.gather(run_due(first), run_due(second), run_due(first))
        for member in members:
            texts = [m["content"] for m in emulator.dm_messages(member)]
            assert sum("is tomorrow" in t for t in texts) == 1, texts
            assert sum("starts <t:" in t for t in texts) == 1, texts
        thread = int(emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")[0].response["id"])
        assert sum("is starting now" in (m.get("content") or "") for m in emulator.messages(thread)) == 1
    finally:
        await stop_bot(first, first_task)
        await stop_bot(second, second_task)
