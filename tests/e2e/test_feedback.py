"""The feedback journey of issue 4: a session ends, attendees get the survey, answer through the modal, one
edits, a non-attendee and a late answer are refused, and the coordinator's report matches a hand count."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World, facilitator_actor
from tests.e2e.helpers import visible_text
from tests.e2e.test_sessions import announcements, create_dom_series, occurrence_of, run_due
from tests.fakes import FakeClock

# Eight attendees; six answer. Statement answers (supported, supported_others, less_isolated), 5 = Strongly agree.
ANSWERS = [("5", "4", "4"), ("4", "4", "2"), ("5", "5", "4"), ("4", "3", "3"), ("2", "4", "4"), ("5", "4", "1")]


async def answer(
    emu: Emulator,
    world: World,
    user: int,
    message_id: str,
    occurrence: int,
    values: tuple[str, str, str],
    comment: str = "",
) -> str:
    opened = await emu.click(world.guild_id, user, message_id, f"cwtch:feedback:{occurrence}")
    assert opened.modal is not None, visible_text(opened)
    fields: dict[str, object] = {"supported": values[0], "supported_others": values[1], "less_isolated": values[2]}
    fields["comment"] = comment
    submitted = await emu.submit_modal(world.guild_id, user, opened, fields)
    assert submitted.ephemeral
    return visible_text(submitted)


async def test_survey_answers_and_the_coordinators_report(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    attendees = [int(emulator.create_user(f"attendee-{n}")["id"]) for n in range(8)]
    for user in attendees:
        emulator.add_member(world.guild_id, user)
    voice = int(emulator.create_channel(world.guild_id, "Room", type=2)["id"])
    await create_dom_series(emulator, world, room=voice)
    await run_due(bot)
    [announcement] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(announcement)

    clock.set(FIRST_DOM)
    await run_due(bot)
    for user in attendees:
        await emulator.voice_join(world.guild_id, user, voice)
    for _ in range(100):
        sheet = await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)
        if len(sheet.present) == 8:
            break
        await __import__("asyncio").sleep(0.02)
    ended = await emulator.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    assert "has ended" in visible_text(ended)
    await run_due(bot)  # the survey goes out at once after an early end

    for user in attendees:
        [dm] = [m for m in emulator.dm_messages(user) if "Give feedback" in str(m.get("components"))]
        assert "How was it?" in dm["content"]
    assert emulator.dm_messages(world.other_member) == []
    dm_of = {user: next(m for m in emulator.dm_messages(user) if m.get("components")) for user in attendees}

    for user, values in zip(attendees[:6], ANSWERS, strict=True):
        said = await answer(emulator, world, user, dm_of[user]["id"], occurrence, values)
        assert "your answers are saved" in said
    # One edits their answer (from Disagree to Agree on the first statement).
    said = await answer(emulator, world, attendees[4], dm_of[attendees[4]]["id"], occurrence, ("4", "4", "4"))
    assert "updated" in said

    # A non-attendee who presses the thread's button is refused politely.
    thread = int(emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")[0].response["id"])
    [offer] = [m for m in emulator.messages(thread) if "cwtch:feedback" in str(m.get("components"))]
    refused = await emulator.click(world.guild_id, world.other_member, offer["id"], f"cwtch:feedback:{occurrence}")
    assert refused.modal is None and "only for people who attended" in visible_text(refused)

    # A worrying comment signposts the respondent and alerts the facilitators without naming anyone.
    said = await answer(
        emulator,
        world,
        attendees[5],
        dm_of[attendees[5]]["id"],
        occurrence,
        ANSWERS[5],
        "Honestly I can't go on like this",
    )
    assert "Samaritans" in said and "116 123" in said
    [alert] = [m for m in emulator.messages(world.facilitators_channel) if "Safeguarding" in (m.get("content") or "")]
    assert str(attendees[5]) not in alert["content"] and "can't go on" not in alert["content"]

    # The reminder goes to the two who have not answered; after the window a late answer is refused.
    clock.advance(timedelta(days=4))
    await run_due(bot)
    reminded = [u for u in attendees if any("gentle reminder" in m["content"] for m in emulator.dm_messages(u))]
    assert reminded == attendees[6:]
    clock.advance(timedelta(days=4))
    await run_due(bot)
    late = await emulator.click(world.guild_id, attendees[7], dm_of[attendees[7]]["id"], f"cwtch:feedback:{occurrence}")
    assert late.modal is None and "closed" in visible_text(late)

    # The coordinator's report: 6 responses of 8 attendees; hand count of "agreed" (4 or 5) per statement.
    refused_report = await emulator.slash(world.guild_id, world.member, "report feedback", {})
    assert refused_report.ephemeral and "Only coordinators" in visible_text(refused_report)
    report = await emulator.slash(
        world.guild_id, world.coordinator, "report feedback", {"cohort": "Domiciliary care managers"}
    )
    text = visible_text(report)
    # supported: 5,4,5,4,4(edited),5 -> 6/6 = 100%; supported others: 4,4,5,3,4,4 -> 5/6 = 83%; less isolated:
    # 4,2,4,3,4,1 -> 3/6 = 50%; response rate 6/8 = 75%.
    assert "100%" in text and "83%" in text and "50%" in text and "75%" in text
    assert "95% interval" in text  # every share with its interval
    uploads = [f for r in emulator.find_requests("POST", r"/webhooks/.*|/interactions/.*") for f in r.files]
    chart = next(f for f in uploads if f.filename == "feedback-chart.png")
    assert chart.data.startswith(b"\x89PNG")
    table = next(f for f in uploads if f.filename == "feedback.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(table)))
    whole = {row["Measure"]: row for row in rows if row["Period"] == rows[0]["Period"]}
    rate = whole["Response rate (responses of attendances)"]
    assert (rate["Agreed or answered"], rate["Out of"], rate["Share %"]) == ("6", "8", "75")
    assert whole["I felt emotionally supported in this session."]["Share %"] == "100"
    assert whole["I feel less isolated in my role."]["Share %"] == "50"

    attendance = await emulator.slash(
        world.guild_id, world.coordinator, "report attendance", {"cohort": "Domiciliary care managers"}
    )
    shown = visible_text(attendance)
    assert attendance.ephemeral and "1 session counted" in shown and "Attended\n8" in shown
    bad_period = await emulator.slash(world.guild_id, world.coordinator, "report attendance", {"start": "last week"})
    assert "a month `2027-03`" in visible_text(bad_period)
    members_only = await emulator.slash(world.guild_id, world.member, "report attendance", {})
    assert "Only coordinators" in visible_text(members_only)


async def test_small_groups_are_suppressed(emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock) -> None:
    voice = int(emulator.create_channel(world.guild_id, "Room", type=2)["id"])
    await create_dom_series(emulator, world, room=voice)
    await run_due(bot)
    [announcement] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(announcement)
    clock.set(FIRST_DOM)
    await run_due(bot)
    await emulator.voice_join(world.guild_id, world.member, voice)
    for _ in range(100):
        if (await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)).present:
            break
        await __import__("asyncio").sleep(0.02)
    clock.set(FIRST_DOM + timedelta(minutes=90))
    await run_due(bot)
    [dm] = [m for m in emulator.dm_messages(world.member) if m.get("components")]
    await answer(emulator, world, world.member, dm["id"], occurrence, ("5", "5", "5"))
    report = await emulator.slash(world.guild_id, world.coordinator, "report feedback", {})
    text = visible_text(report)
    assert "100%" not in text and "No answers can be shown yet" in text and "1 session still open" in text
    clock.set(FIRST_DOM + timedelta(days=9))  # closed, but one person's answers wait for the next sessions
    await run_due(bot)
    text = visible_text(await emulator.slash(world.guild_id, world.coordinator, "report feedback", {}))
    assert "100%" not in text and "1 closed session waiting" in text
    no_survey = await emulator.slash(world.guild_id, world.other_member, "feedback give", {})
    assert no_survey.ephemeral and "no open survey" in visible_text(no_survey)
