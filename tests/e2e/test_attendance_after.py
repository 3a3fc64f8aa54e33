"""Attendance corrected the day after (issue 13): a member who joined by phone is marked present the next day,
is sent the survey at once, answers it, and counts in the session; nobody is sent it twice or after it closed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World
from tests.e2e.helpers import visible_text
from tests.e2e.test_feedback import answer
from tests.e2e.test_sessions import announcements, create_dom_series, eventually, occurrence_of, run_due
from tests.fakes import FakeClock


def survey_dms(emu: Emulator, user_id: int) -> list[dict[str, Any]]:
    return [m for m in emu.dm_messages(user_id) if "cwtch:feedback:" in str(m.get("components"))]


async def attendance_choices(emu: Emulator, world: World, typed: str = "") -> list[str]:
    found = await emu.autocomplete(
        world.guild_id, world.facilitator, "session attendance", {"session": typed}, "session"
    )
    return [choice["value"] for choice in found]


async def test_attendance_is_corrected_the_day_after(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    voice = int(emulator.create_channel(world.guild_id, "Peer support room", type=2)["id"])
    await create_dom_series(emulator, world, room=voice)
    for person in (world.member, world.other_member, world.coordinator):
        await emulator.slash(world.guild_id, person, "cohort join", {"name": "Domiciliary care managers"})
    await run_due(bot)
    occurrence = occurrence_of(announcements(emulator, world.dom_channel)[0])
    assert str(occurrence) not in await attendance_choices(emulator, world)  # not held yet

    # Owain is in the room; Megan's connection fails and she joins by phone.
    clock.set(FIRST_DOM)
    await run_due(bot)
    assert str(occurrence) in await attendance_choices(emulator, world, "peer")  # on now
    await emulator.voice_join(world.guild_id, world.other_member, voice)
    await eventually(
        lambda: emulator.slash(world.guild_id, world.facilitator, "session attendance", {"session": str(occurrence)}),
        lambda sheet: f"<@{world.other_member}> (voice)" in visible_text(sheet),
    )
    clock.set(FIRST_DOM + timedelta(minutes=90))
    await run_due(bot)  # the room closes and the survey goes to those who were there
    assert len(survey_dms(emulator, world.other_member)) == 1 and survey_dms(emulator, world.member) == []

    # The next day the facilitator finds yesterday's session and marks Megan present.
    clock.set(FIRST_DOM + timedelta(days=1))
    assert str(occurrence) in await attendance_choices(emulator, world)
    sheet = await emulator.slash(world.guild_id, world.facilitator, "session attendance", {"session": str(occurrence)})
    assert sheet.ephemeral and f"<@{world.member}>" not in visible_text(sheet)
    mark_present = f"cwtch:attend:{occurrence}:present"
    marked = await emulator.click(
        world.guild_id, world.facilitator, sheet.message["id"], mark_present, values=[world.member]
    )
    shown = visible_text(marked)
    assert f"<@{world.member}> (facilitator)" in shown and f"Sent the survey to <@{world.member}>" in shown
    [dm] = survey_dms(emulator, world.member)
    assert "How was it?" in dm["content"]

    # Marked again (twice over): no second survey, and the reply no longer says it was sent.
    again = await emulator.click(
        world.guild_id, world.facilitator, sheet.message["id"], mark_present, values=[world.member, world.other_member]
    )
    assert "Sent the survey" not in visible_text(again)
    assert len(survey_dms(emulator, world.member)) == len(survey_dms(emulator, world.other_member)) == 1

    # Megan answers from her DM, and counts in the session: two attended, one answered.
    said = await answer(emulator, world, world.member, dm["id"], occurrence, ("5", "4", "4"))
    assert "your answers are saved" in said
    async with bot.services.state._uow() as uow:
        survey = await uow.feedback.survey(occurrence)
    assert survey is not None and (survey.attendees, survey.responses) == (2, 1)

    # After the survey closed, a correction still counts the person but sends no survey.
    clock.set(FIRST_DOM + timedelta(days=8))
    await run_due(bot)
    late = await emulator.click(
        world.guild_id, world.facilitator, sheet.message["id"], mark_present, values=[world.coordinator]
    )
    assert f"<@{world.coordinator}> (facilitator)" in visible_text(late)
    assert "Sent the survey" not in visible_text(late) and survey_dms(emulator, world.coordinator) == []

    # A month on, the session is no longer offered for correcting.
    clock.set(FIRST_DOM + timedelta(minutes=90, days=30, seconds=1))
    assert str(occurrence) not in await attendance_choices(emulator, world)
