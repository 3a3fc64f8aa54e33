"""Catch-up after downtime (issue 13): the bot is stopped for three days, the clock moves on, the bot starts
again. Nothing stale is sent (no reminder after a start, no survey or "still open" reminder for a closed survey,
no "How was it?" post for one); what still makes sense runs; every skip is in the action ledger with its reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World, start_bot, stop_bot
from tests.e2e.helpers import visible_text
from tests.e2e.test_sessions import (
    announcements,
    create_dom_series,
    eventually,
    occurrence_of,
    rsvp,
    run_due,
    visible_text_of,
)
from tests.fakes import FakeClock

SURVEY_DAYS = {"SURVEY_OPEN_DAYS": "2"}  # a two-day survey, so three days down outlast one
HOME = datetime(2027, 3, 17, 14, 0, tzinfo=UTC)  # a care home session while the bot is down
DROP_IN = datetime(2027, 3, 18, 9, 0, tzinfo=UTC)  # a drop-in while it is down, whose survey is still open after
STOPPED = FIRST_DOM + timedelta(minutes=95)  # Tuesday 16 March, 11:35
BACK = datetime(2027, 3, 19, 16, 0, tzinfo=UTC)  # Friday 19 March, 16:00: three days and more later


async def create_once(emu: Emulator, world: World, cohort: str, title: str, start: str) -> None:
    made = await emu.slash(
        world.guild_id,
        world.facilitator,
        "series create",
        {"cohort": cohort, "title": title, "cadence": "once", "start": start, "duration": 90},
    )
    assert "Series created" in visible_text(made), visible_text(made)


def thread_of(emu: Emulator, announcement: dict[str, Any]) -> int:
    [started] = emu.find_requests("POST", rf"/channels/\d+/messages/{announcement['id']}/threads")
    return int(started.response["id"])


def texts(emu: Emulator, channel_id: int) -> list[str]:
    return [m.get("content") or "" for m in emu.messages(channel_id)]


async def ledger(bot: CwtchBot, occurrence: int) -> dict[str, tuple[str, str | None]]:
    async with bot.services.state._uow() as uow:
        return {a.kind: (a.state, a.note) for a in await uow.actions.of_occurrence(occurrence)}


async def test_three_days_of_downtime_send_nothing_stale(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock, database_url: str
) -> None:
    await bot.close()  # the server is set up; Cwtch runs from here on with two-day surveys
    cwtch, task = await start_bot(emulator, database_url, clock, **SURVEY_DAYS)
    try:
        voice = int(emulator.create_channel(world.guild_id, "Peer support room", type=2)["id"])
        await create_dom_series(emulator, world, room=voice)
        await create_once(emulator, world, "Care home managers", "Care home peer support", "2027-03-17 14:00")
        await create_once(emulator, world, "Domiciliary care managers", "Drop-in", "2027-03-18 09:00")
        for cohort in ("Domiciliary care managers", "Care home managers"):
            await emulator.slash(world.guild_id, world.member, "cohort join", {"name": cohort})

        clock.set(FIRST_DOM - timedelta(hours=25))  # everything is announced; Megan says she'll come to all three
        await run_due(cwtch)
        dom = announcements(emulator, world.dom_channel)
        [home] = announcements(emulator, world.home_channel)
        [session, drop_in] = sorted(dom, key=occurrence_of)
        for announcement in (session, home, drop_in):
            assert "You're going" in await rsvp(emulator, world, world.member, announcement)
        first, care_home, dropped_in = (occurrence_of(a) for a in (session, home, drop_in))

        # The fortnightly session runs; Megan is in the room and is sent its survey when it ends.
        clock.set(FIRST_DOM)
        await run_due(cwtch)
        await emulator.voice_join(world.guild_id, world.member, voice)
        await eventually(
            lambda: emulator.slash(world.guild_id, world.facilitator, "session attendance", {"session": str(first)}),
            lambda sheet: f"<@{world.member}> (voice)" in visible_text(sheet),
        )
        await emulator.voice_leave(world.guild_id, world.member)
        clock.set(FIRST_DOM + timedelta(minutes=90))
        await run_due(cwtch)
        [survey_dm] = [m for m in emulator.dm_messages(world.member) if "How was it?" in (m.get("content") or "")]
        clock.set(STOPPED)
        await run_due(cwtch)
    finally:
        await stop_bot(cwtch, task)

    # Three days and more without the bot: the session's reminder and close time pass, the care home session and
    # the drop-in come and go, and the care home survey's close time passes too.
    dms_before = len(emulator.dm_messages(world.member))
    home_thread, drop_in_thread = thread_of(emulator, home), thread_of(emulator, drop_in)
    clock.set(BACK)
    cwtch, task = await start_bot(emulator, database_url, clock, **SURVEY_DAYS)
    try:
        await run_due(cwtch)
        await run_due(cwtch)

        # Nothing stale reached Megan: no "tomorrow" or "in 1 hour" for sessions already over, no "still open".
        assert len(emulator.dm_messages(world.member)) == dms_before, emulator.dm_messages(world.member)[dms_before:]
        assert not any("How was it?" in text for text in texts(emulator, home_thread))
        assert not any("Reminder" in text for text in texts(emulator, home_thread) + texts(emulator, drop_in_thread))
        # Their rooms never opened, so no one is thanked for coming; the threads are archived all the same.
        missed_threads = texts(emulator, home_thread) + texts(emulator, drop_in_thread)
        assert not any("Thank you for coming" in text for text in missed_threads)
        assert emulator.world.channel(home_thread)[1]["thread_metadata"]["archived"]
        # What still makes sense ran: the drop-in's survey is open until Saturday, so it was offered.
        assert any("How was it?" in text for text in texts(emulator, drop_in_thread))

        fortnightly = await ledger(cwtch, first)
        assert fortnightly["survey_reminder"] == ("skipped", "survey already closed")
        assert fortnightly["close_survey"][0] == "done"  # closing still runs: it releases the report blocks
        missed = await ledger(cwtch, care_home)
        assert missed["remind_24h"] == ("skipped", "session already started")
        assert missed["remind_1h"] == ("skipped", "session already started")
        assert missed["open_room"] == ("skipped", "session already ended")
        assert missed["send_survey"] == ("skipped", "survey already closed")
        assert missed["survey_reminder"] == ("skipped", "survey already closed")
        assert missed["close_room"][0] == missed["close_survey"][0] == "done"
        still_open = await ledger(cwtch, dropped_in)
        assert still_open["remind_1h"] == ("skipped", "session already started")
        assert still_open["send_survey"][0] == "done"

        # The survey Megan was sent has closed: her late answer is refused politely.
        late = await emulator.click(world.guild_id, world.member, survey_dm["id"], f"cwtch:feedback:{first}")
        assert late.modal is None and late.ephemeral and "closed" in visible_text(late)
    finally:
        await stop_bot(cwtch, task)


async def test_a_moved_session_tells_the_old_and_new_time_and_renames_its_thread(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    await create_dom_series(emulator, world)
    await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "Domiciliary care managers"})
    await run_due(bot)
    [announcement] = announcements(emulator, world.dom_channel)
    occurrence, thread = occurrence_of(announcement), thread_of(emulator, announcement)
    assert emulator.world.channel(thread)[1]["name"] == "Peer support · Tue 16 Mar 10:00"
    await rsvp(emulator, world, world.member, announcement)

    moved = await emulator.slash(
        world.guild_id, world.facilitator, "session move", {"session": str(occurrence), "start": "2027-03-17 13:00"}
    )
    old, new = f"<t:{int(FIRST_DOM.timestamp())}:F>", f"<t:{int(datetime(2027, 3, 17, 13, tzinfo=UTC).timestamp())}:F>"
    assert f"from {old} to {new}" in visible_text(moved)
    told = emulator.dm_messages(world.member)[-1]["content"]
    assert "has moved" in told and told.index(old) < told.index(new)
    assert emulator.world.channel(thread)[1]["name"] == "Peer support · Wed 17 Mar 13:00"
    assert new in visible_text_of(emulator.message(announcement["id"]) or {})  # the announcement follows
