"""The done-when journey of issue 3: a facilitator sets up both seed programmes and a season of sessions runs by
itself (announcements, events, RSVPs, reminders, rooms, attendance) across a bot restart and a DST change."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.emulator import Emulator
from tests.e2e.conftest import World, facilitator_actor, start_bot, stop_bot
from tests.e2e.helpers import create_seed_cohorts, visible_text
from tests.e2e.test_sessions import announcements, eventually, occurrence_of, rsvp, run_due
from tests.fakes import FakeClock

LONDON = ZoneInfo("Europe/London")
SEASON_END = datetime(2027, 4, 30, tzinfo=UTC)


def announced_starts(emu: Emulator, channel_id: int) -> list[datetime]:
    """The start of every session announced in a channel, read from its Discord timestamp."""
    starts = set()
    for message in emu.messages(channel_id):
        for embed in message.get("embeds") or []:
            description = embed.get("description") or ""
            if "<t:" in description and "Cancelled" not in (embed.get("title") or ""):
                starts.add(datetime.fromtimestamp(int(description.split("<t:")[1].split(":")[0]), UTC))
    return sorted(starts)


async def test_a_season_runs_by_itself(emulator: Emulator, world: World, database_url: str) -> None:
    clock = FakeClock(datetime(2027, 2, 20, 9, 0, tzinfo=UTC))
    bot, task = await start_bot(emulator, database_url, clock)
    await emulator.slash(
        world.guild_id,
        world.admin,
        "setup roles",
        {"facilitator": world.facilitator_role, "coordinator": world.coordinator_role},
    )
    await create_seed_cohorts(emulator, world)
    voice = int(emulator.create_channel(world.guild_id, "Dom care room", type=2)["id"])
    for options in (
        {
            "cohort": "Domiciliary care managers",
            "title": "Peer support",
            "cadence": "fortnightly",
            "start": "2027-03-02 10:00",
            "duration": 90,
            "room": voice,
        },
        {
            "cohort": "Care home managers",
            "title": "Care home peer support",
            "cadence": "bimonthly",
            "start": "2027-03-10 14:00",
            "duration": 90,
            "link": "https://teams.example.org/care-homes",
        },
    ):
        created = await emulator.slash(world.guild_id, world.facilitator, "series create", options)
        assert "Series created" in visible_text(created)

    try:
        answered: set[int] = set()
        attended: list[int] = []
        restarted = False
        while clock() < SEASON_END:
            # Jump to the next moment the bot has something to do (what waiting for it would come to).
            pending = await bot.services.actions.due_before(SEASON_END)
            upcoming = [due for _, due in pending if due > clock()]
            clock.set(min(upcoming) if upcoming else SEASON_END)
            await run_due(bot)
            for message in announcements(emulator, world.dom_channel):  # a member answers each new announcement
                if occurrence_of(message) not in answered:
                    answered.add(occurrence_of(message))
                    await rsvp(emulator, world, world.member, message)
            for occurrence in answered - set(attended):  # and joins the voice room while it is open
                state = await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)
                if state.session.state == "open":
                    await emulator.voice_join(world.guild_id, world.member, voice)
                    await eventually(
                        lambda o=occurrence, b=bot: b.services.sessions.attendance(
                            world.guild_id, facilitator_actor(world), o
                        ),
                        lambda sheet: bool(sheet.present),
                    )
                    await emulator.voice_leave(world.guild_id, world.member)
                    attended.append(occurrence)
            if not restarted and clock() >= datetime(2027, 3, 20, tzinfo=UTC):
                await stop_bot(bot, task)  # a restart mid-season, before the clocks go forward
                bot, task = await start_bot(emulator, database_url, clock)
                restarted = True
        await run_due(bot)

        # The fortnightly sessions from 2 March to 27 April all at 10:00 London time, across the change on 28 March.
        starts = announced_starts(emulator, world.dom_channel)
        assert [s.astimezone(LONDON).strftime("%d %b %H:%M") for s in starts] == [
            "02 Mar 10:00",
            "16 Mar 10:00",
            "30 Mar 10:00",
            "13 Apr 10:00",
            "27 Apr 10:00",
        ]
        assert [s.hour for s in starts] == [10, 10, 9, 9, 9]  # GMT, then BST
        # Each session reminded the member once at 24 h and once at 1 h, restart or not.
        texts = [m["content"] for m in emulator.dm_messages(world.member)]
        assert sum("is tomorrow" in t for t in texts) == 5 and sum("starts <t:" in t for t in texts) == 5
        # Rooms opened and closed once each, and the member was counted from voice every time.
        threads = [int(r.response["id"]) for r in emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")]
        dom_threads = threads[:1] + threads[2:]  # the second thread is the care home session's
        for thread in threads:
            contents = [m.get("content") or "" for m in emulator.messages(thread)]
            assert sum("is starting now" in c for c in contents) == 1, contents
            assert sum("has ended" in c for c in contents) == 1, contents
        assert len(dom_threads) == 5 and len(attended) == 5
        for occurrence in attended:
            sheet = await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)
            assert sheet.present == [(world.member, "voice")]
        # Events were mirrored for every session; the care home one points at its Teams link.
        events = emulator.scheduled_events(world.guild_id)
        event_starts = {datetime.fromisoformat(e["scheduled_start_time"]) for e in events}
        assert set(starts) <= event_starts
        assert len(events) == 9  # 7 fortnightly up to 25 May and 2 bimonthly: each 28 days ahead of its start
        assert any((e.get("entity_metadata") or {}).get("location", "").startswith("https://teams") for e in events)
        assert announced_starts(emulator, world.home_channel) == [datetime(2027, 3, 10, 14, 0, tzinfo=UTC)]
    finally:
        await stop_bot(bot, task)
