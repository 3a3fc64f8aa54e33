"""Restarts with a bot that really dies: the bot runs in a child process, is killed with SIGKILL (no shutdown code
runs), and another process takes over the same database and the same Discord (the emulator).

What a member has on their screen outlives the process that put it there: a button on a message sent before
the restart, and a survey form opened before it, both work after it.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bot.db.models import Action
from bot.db.uow import UnitOfWorkFactory
from bot.domain.actions import LEASE, ActionKind
from bot.domain.feedback import pseudonym
from bot.emulator import Emulator
from bot.secret_key import load_or_create_key
from tests.e2e.conftest import FIRST_DOM, START, World, facilitator_actor, start_bot, stop_bot
from tests.e2e.helpers import create_seed_cohorts, visible_text
from tests.e2e.processes import BotProcess, BotProcesses
from tests.e2e.test_sessions import announcements, create_dom_series, eventually, occurrence_of, rsvp, run_due
from tests.fakes import FakeClock


async def configure(emu: Emulator, world: World) -> None:
    """What the server's admin and facilitator do first: roles, channels, the two seed cohorts."""
    roles = await emu.slash(
        world.guild_id,
        world.admin,
        "setup roles",
        {"facilitator": world.facilitator_role, "coordinator": world.coordinator_role},
    )
    assert "saved" in visible_text(roles).lower()
    await emu.slash(
        world.guild_id,
        world.admin,
        "setup channels",
        {
            "announcements": world.announcements,
            "resources": world.resources,
            "facilitators": world.facilitators_channel,
        },
    )
    await create_seed_cohorts(emu, world)


async def announced(emu: Emulator, channel_id: int) -> dict[str, Any]:
    """The session announcement, once the bot's scheduler has posted it."""
    await emu.wait_for_request("POST", rf"/channels/{channel_id}/messages", timeout=15)
    [message] = announcements(emu, channel_id)
    return message


def killed(process: BotProcess) -> bool:
    return process.returncode == -signal.SIGKILL


async def announce_action(uow: UnitOfWorkFactory, occurrence: int) -> Action:
    async with uow.reading() as reading:
        return next(a for a in await reading.actions.of_occurrence(occurrence) if a.kind == ActionKind.ANNOUNCE)


async def test_a_button_on_a_message_sent_before_a_kill_works_after_it(
    emulator: Emulator, world: World, database_url: str, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    async with BotProcesses(emulator, database_url, tmp_path) as bots:
        first = await bots.start(now=START)
        await configure(emulator, world)
        await create_dom_series(emulator, world)
        announcement = await announced(emulator, world.dom_channel)  # posted by the first process
        occurrence = occurrence_of(announcement)
        await eventually(partial(announce_action, uow, occurrence), lambda action: action.state == "done")

        await bots.kill(first)
        assert killed(first)
        await bots.start(now=START)

        said = await rsvp(emulator, world, world.member, announcement)  # answered by the second process
        assert "You're going" in said, said
        async with uow.reading() as reading:
            assert await reading.rsvps.users(occurrence, "going") == [world.member]
        assert len(announcements(emulator, world.dom_channel)) == 1  # the new process did not announce again


async def attended_session(
    emu: Emulator, world: World, database_url: str, key_file: Path
) -> tuple[int, str, FakeClock]:
    """A session the member attended, ended, its survey sent to them by DM: prepared by an in-process bot on a
    test clock (then stopped). Returns the session, the DM with the "Give feedback" button, and the clock."""
    clock = FakeClock(START)
    bot, task = await start_bot(emu, database_url, clock, SECRET_KEY_FILE=str(key_file))
    await configure(emu, world)
    voice = int(emu.create_channel(world.guild_id, "Room", type=2)["id"])
    await create_dom_series(emu, world, room=voice)
    await run_due(bot)
    occurrence = occurrence_of(await announced(emu, world.dom_channel))
    clock.set(FIRST_DOM)
    await run_due(bot)  # the room opens
    await emu.voice_join(world.guild_id, world.member, voice)
    sheet = partial(bot.services.sessions.attendance, world.guild_id, facilitator_actor(world), occurrence)
    await eventually(sheet, lambda shown: bool(shown.present))
    ended = await emu.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    assert "has ended" in visible_text(ended)
    await run_due(bot)  # the survey goes out at once after an early end
    [dm] = [m for m in emu.dm_messages(world.member) if f"cwtch:feedback:{occurrence}" in str(m.get("components"))]
    await stop_bot(bot, task)
    clock.advance(timedelta(minutes=5))
    return occurrence, str(dm["id"]), clock


async def test_a_survey_form_opened_before_a_kill_is_submitted_after_it(
    emulator: Emulator, world: World, database_url: str, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    key_file = tmp_path / "pseudonym.key"
    occurrence, dm, clock = await attended_session(emulator, world, database_url, key_file)
    async with BotProcesses(emulator, database_url, tmp_path, key_file=key_file) as bots:
        first = await bots.start(now=clock.now)
        opened = await emulator.click(world.guild_id, world.member, dm, f"cwtch:feedback:{occurrence}")
        assert opened.modal is not None, visible_text(opened)  # the form is on the member's screen

        await bots.kill(first)
        assert killed(first)
        await bots.start(now=clock.now + timedelta(minutes=3))

        answers = {"supported": "5", "supported_others": "4", "less_isolated": "2", "comment": ""}
        submitted = await emulator.submit_modal(world.guild_id, world.member, opened, answers, timeout=8)
        assert submitted.ephemeral and "your answers are saved" in visible_text(submitted), visible_text(submitted)

    member = pseudonym(load_or_create_key(str(key_file)), world.member, occurrence)
    async with uow.reading() as reading:
        stored = await reading.feedback.response(occurrence, member)
        survey = await reading.feedback.survey(occurrence)
    assert stored is not None, "the answers acknowledged after the restart are not in the database"
    assert (stored.supported, stored.supported_others, stored.less_isolated) == (5, 4, 2)
    assert survey is not None and survey.responses == 1


async def test_a_kill_between_announcing_and_recording_it_leaves_one_announcement_with_its_thread(
    emulator: Emulator, world: World, database_url: str, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    async with BotProcesses(emulator, database_url, tmp_path) as bots:
        first = await bots.start(now=START)
        await configure(emulator, world)
        # Killed the moment Discord has made the announcement's thread, before the bot hears back and records it.
        threaded = asyncio.ensure_future(
            emulator.wait_for_request("POST", rf"/channels/{world.dom_channel}/messages/\d+/threads", timeout=15)
        )
        threaded.add_done_callback(lambda _: first.process.kill())
        await create_dom_series(emulator, world)
        thread = (await threaded).response
        await bots.kill(first)
        assert killed(first)
        [announcement] = announcements(emulator, world.dom_channel)
        occurrence = occurrence_of(announcement)

        await bots.start(now=START + LEASE + timedelta(minutes=1))  # the dead process's claim has run out
        action = await eventually(partial(announce_action, uow, occurrence), lambda action: action.state != "claimed")
        assert (action.state, action.note) == ("done", None)
        async with uow.reading() as reading:
            session = await reading.occurrences.get(occurrence)
        assert session is not None
        assert (session.announcement_message_id, session.thread_id) == (int(announcement["id"]), int(thread["id"]))
        assert [m["id"] for m in announcements(emulator, world.dom_channel)] == [announcement["id"]]  # the nonce


async def test_a_kill_between_making_an_event_and_recording_it_leaves_one_event(
    emulator: Emulator, world: World, database_url: str, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    async with BotProcesses(emulator, database_url, tmp_path) as bots:
        first = await bots.start(now=START)
        await configure(emulator, world)
        # Killed the moment Discord has made a session's event, before the bot records its ID.
        made = asyncio.ensure_future(
            emulator.wait_for_request("POST", rf"/guilds/{world.guild_id}/scheduled-events", timeout=15)
        )
        made.add_done_callback(lambda _: first.process.kill())
        await create_dom_series(emulator, world)
        event_id = int((await made).response["id"])
        await bots.kill(first)
        assert killed(first)

        await bots.start(now=START + LEASE + timedelta(minutes=1))  # the dead process's claim has run out

        async def recorded_events() -> list[int | None]:
            async with uow.reading() as reading:
                [(series, _)] = await reading.series.in_guild(world.guild_id)
                return [o.event_id for o in await reading.occurrences.of_series(series.id, after=START)]

        # The event Discord made for the interrupted session is adopted, not made again.
        await eventually(recorded_events, lambda events: event_id in events, attempts=200)
        starts = [r.response["scheduled_start_time"] for r in emulator.find_requests("POST", r"/scheduled-events$")]
        assert len(starts) == len(set(starts))  # no session got a second event
