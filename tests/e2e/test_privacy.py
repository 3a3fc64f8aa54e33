"""``/privacy`` end to end: the notice, an export that holds the member's data and nobody else's, and an erasure
(cancelled, expired, then confirmed) after which nothing of theirs is left and the coordinator's figures for
everyone else are exactly a hand count of their answers."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta
from typing import Any

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World, facilitator_actor, start_bot, stop_bot
from tests.e2e.helpers import visible_text
from tests.e2e.test_feedback import answer
from tests.e2e.test_sessions import announcements, create_dom_series, occurrence_of, rsvp, run_due
from tests.fakes import FakeClock

# (supported, supported_others, less_isolated); the member's first, then the seven others'.
MEMBER_ANSWERS = ("5", "5", "5")
OTHERS_ANSWERS = [
    ("5", "4", "4"),
    ("4", "4", "2"),
    ("5", "5", "4"),
    ("4", "3", "3"),
    ("2", "4", "4"),
    ("5", "4", "1"),
    ("4", "2", "2"),
]


def uploaded(emu: Emulator, prefix: str) -> list[bytes]:
    requests = emu.find_requests("POST", r"/webhooks/.*|/interactions/.*")
    return [f.data for r in requests for f in r.files if (f.filename or "").startswith(prefix)]


async def export_of(emu: Emulator, world: World, user: int) -> tuple[dict[str, Any], str]:
    before = len(uploaded(emu, "cwtch-my-data-"))
    result = await emu.slash(world.guild_id, user, "privacy export")
    assert result.ephemeral and "Only you can see this" in visible_text(result)
    files = uploaded(emu, "cwtch-my-data-")
    assert len(files) == before + 1
    raw = files[-1].decode()
    return json.loads(raw), raw


async def report_figures(emu: Emulator, world: World) -> dict[str, dict[str, str]]:
    """The Domiciliary cohort's feedback CSV, whole period: its rows by measure."""
    before = len(uploaded(emu, "feedback.csv"))
    await emu.slash(world.guild_id, world.coordinator, "report feedback", {"cohort": "Domiciliary care managers"})
    [table] = uploaded(emu, "feedback.csv")[before:]
    rows = list(csv.DictReader(io.StringIO(table.decode("utf-8-sig"))))
    return {row["Measure"]: row for row in rows if row["Period"] == rows[0]["Period"]}


RATE = "Response rate (responses of attendances)"
SUPPORTED = "I felt emotionally supported in this session."


async def test_the_notice_says_what_is_held_and_for_how_long(
    emulator: Emulator, world: World, database_url: str
) -> None:
    bot, task = await start_bot(emulator, database_url, COMMENT_RETENTION_DAYS="90", SURVEY_OPEN_DAYS="10")
    notice = await emulator.slash(world.guild_id, world.member, "privacy notice")
    text = visible_text(notice)
    assert notice.ephemeral and "Your data and Cwtch" in text
    assert "comments are deleted 90 days after" in text and "stays open 10 days" in text
    assert "pseudonym" in text and "`/privacy export`" in text and "`/privacy delete`" in text
    await stop_bot(bot, task)


async def test_a_member_exports_then_erases_their_data(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    gid, member = world.guild_id, world.member
    others = [world.other_member] + [int(emulator.create_user(f"manager-{n}")["id"]) for n in range(6)]
    for user in others[1:]:
        emulator.add_member(gid, user)
    joined = await emulator.slash(gid, member, "cohort join", {"name": "Domiciliary care managers"})
    assert "Welcome" in visible_text(joined) and world.dom_role in emulator.member_roles(gid, member)
    await emulator.slash(gid, member, "reminders off")
    welcome = await emulator.slash(gid, member, "community join", {})
    form = await emulator.click(gid, member, welcome.message["id"], "cwtch:whatworks")
    fields = {"title": "Walking one-to-ones", "what": "We walk and talk after a hard week."}
    assert "Thank you for sharing" in visible_text(await emulator.submit_modal(gid, member, form, fields))
    [post] = [r.response for r in emulator.find_requests("POST", rf"/channels/{world.resources}/threads")]
    [community_role] = set(emulator.member_roles(gid, member)) - {world.dom_role}

    voice = int(emulator.create_channel(gid, "Room", type=2)["id"])
    await create_dom_series(emulator, world, room=voice)
    await run_due(bot)
    [announcement] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(announcement)
    assert "You're going" in await rsvp(emulator, world, member, announcement)
    assert "You're going" in await rsvp(emulator, world, world.other_member, announcement)

    clock.set(FIRST_DOM)
    await run_due(bot)
    for user in [member, *others]:
        await emulator.voice_join(gid, user, voice)
    for _ in range(100):
        if len((await bot.services.sessions.attendance(gid, facilitator_actor(world), occurrence)).present) == 8:
            break
        await asyncio.sleep(0.02)
    await emulator.slash(gid, world.facilitator, "session end", {"session": str(occurrence)})
    await run_due(bot)
    for user, values in [(member, MEMBER_ANSWERS), *zip(others, OTHERS_ANSWERS, strict=True)]:
        [dm] = [m for m in emulator.dm_messages(user) if m.get("components")]
        words = "my own private words" if user == member else f"words of {user}"
        assert "saved" in await answer(emulator, world, user, dm["id"], occurrence, values, words)
    clock.advance(timedelta(days=8))  # the survey closes, and its answers are released as a block of 8 people
    await run_due(bot)
    before = await report_figures(emulator, world)
    assert (before[RATE]["Agreed or answered"], before[RATE]["Out of"], before[SUPPORTED]["Share %"]) == (
        "8",
        "8",
        "88",
    )

    # The export: the member's RSVP, attendance and feedback, and nothing of anyone else.
    data, raw = await export_of(emulator, world, member)
    assert data["user_id"] == str(member) and data["guild_id"] == str(gid)
    assert [(r["session_id"], r["status"]) for r in data["rsvps"]] == [(occurrence, "going")]
    assert [(a["session_id"], a["source"], a["present"]) for a in data["attendance"]] == [(occurrence, "voice", True)]
    [feedback] = data["feedback_responses"]
    assert feedback["comment"] == "my own private words" and feedback["supported"] == "Strongly agree"
    assert [m["cohort"] for m in data["cohort_memberships"]] == ["Domiciliary care managers"]
    assert data["preferences"]["reminders"] is False and data["dm_channel"] is not None
    assert all(str(user) not in raw for user in others) and "words of" not in raw

    # Cancel: nothing is erased.
    asked = await emulator.slash(gid, member, "privacy delete")
    assert asked.ephemeral and "can't be undone" in visible_text(asked)
    erase, keep = asked.custom_ids()
    assert erase.startswith(f"cwtch:privacy:erase:{member}:") and keep.startswith(f"cwtch:privacy:keep:{member}:")
    cancelled = await emulator.click(gid, member, asked.message["id"], keep)
    assert "Nothing was erased" in visible_text(cancelled) and cancelled.custom_ids() == []
    assert (await export_of(emulator, world, member))[0]["feedback_responses"]

    # A confirmation pressed too late is refused, and erases nothing.
    late = await emulator.slash(gid, member, "privacy delete")
    clock.advance(timedelta(minutes=11))
    refused = await emulator.click(gid, member, late.message["id"], late.custom_ids()[0])
    assert "expired" in visible_text(refused) and "nothing was erased" in visible_text(refused)
    assert (await export_of(emulator, world, member))[0]["rsvps"]

    # Confirm: everything goes, the cohort role is taken back, and the others' figures are a hand count.
    asked = await emulator.slash(gid, member, "privacy delete")
    done = await emulator.click(gid, member, asked.message["id"], asked.custom_ids()[0])
    assert "your data in this server is erased" in visible_text(done) and done.custom_ids() == []
    assert world.dom_role not in emulator.member_roles(gid, member)
    assert community_role not in emulator.member_roles(gid, member)
    assert emulator.find_requests("DELETE", rf"/channels/{post['id']}")  # their "what works" post, with their name
    after, raw = await export_of(emulator, world, member)
    assert {key: value for key, value in after.items() if isinstance(value, list) and value} == {}
    assert after["preferences"] is None and after["dm_channel"] is None and "private words" not in raw

    # The released block is an anonymous sum and stays as it was: no report moves when one person is erased.
    assert await report_figures(emulator, world) == before
    for other in others[:2]:  # the others' own data is all still there
        theirs, _ = await export_of(emulator, world, other)
        assert len(theirs["feedback_responses"]) == 1 and len(theirs["attendance"]) == 1
    attendance = visible_text(await emulator.slash(gid, world.coordinator, "report attendance", {}))
    assert "Attended\n8" in attendance
