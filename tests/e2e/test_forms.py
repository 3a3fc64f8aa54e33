"""Forms and buttons as many members use them at once, and as a forged or out-of-place interaction reaches them.

Every survey form is matched by its custom_id, not kept in memory, so 50 attendees with the form open side by
side all keep their answers; anything Cwtch cannot use gets a polite, private answer, never silence.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.emulator import Emulator
from bot.emulator.interactions import InteractionResult
from bot.ui.client import CwtchBot
from bot.ui.errors import GENERIC_APOLOGY
from bot.ui.session_items import rsvp_view
from tests.e2e.conftest import FIRST_DOM, World
from tests.e2e.helpers import visible_text
from tests.e2e.test_sessions import announcements, create_dom_series, occurrence_of, run_due
from tests.fakes import FakeClock

LABELS = {"5": "Strongly agree", "4": "Agree", "3": "Neither", "2": "Disagree", "1": "Strongly disagree"}


def answers_of(index: int) -> dict[str, str]:
    """Different answers for each attendee, so a mix-up between two of them would show."""
    return {
        "supported": str(index % 5 + 1),
        "supported_others": str((index // 5) % 5 + 1),
        "less_isolated": str((index * 3) % 5 + 1),
    }


async def survey_sent_to(
    emu: Emulator, world: World, bot: CwtchBot, clock: FakeClock, count: int
) -> tuple[int, dict[int, dict[str, Any]]]:
    """A session with ``count`` attendees (marked on the facilitator's sheet) whose survey has just gone out."""
    attendees = [int(emu.create_user(f"attendee-{n}")["id"]) for n in range(count)]
    for user in attendees:
        emu.add_member(world.guild_id, user)
    await create_dom_series(emu, world, link="https://meet.example.org/peer-support")
    await run_due(bot)
    [announcement] = announcements(emu, world.dom_channel)
    occurrence = occurrence_of(announcement)
    clock.set(FIRST_DOM)
    await run_due(bot)
    sheet = await emu.slash(world.guild_id, world.facilitator, "session attendance", {"session": str(occurrence)})
    assert sheet.message is not None, visible_text(sheet)
    for start in range(0, count, 25):
        marked = await emu.click(
            world.guild_id,
            world.facilitator,
            sheet.message["id"],
            f"cwtch:attend:{occurrence}:present",
            values=attendees[start : start + 25],
        )
        assert f"Present ({min(start + 25, count)})" in visible_text(marked), visible_text(marked)
    ended = await emu.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    assert "has ended" in visible_text(ended)
    await run_due(bot)
    survey_dm = {user: next(m for m in emu.dm_messages(user) if m.get("components")) for user in attendees}
    return occurrence, survey_dm


async def test_fifty_attendees_with_the_form_open_at_once_all_keep_their_answers(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    occurrence, survey_dm = await survey_sent_to(emulator, world, bot, clock, 50)
    attendees = list(survey_dm)

    async def open_form(user: int) -> InteractionResult:
        return await emulator.click(world.guild_id, user, survey_dm[user]["id"], f"cwtch:feedback:{occurrence}")

    opened = await asyncio.gather(*(open_form(user) for user in attendees))
    assert all(form.modal is not None for form in opened)
    submitted = await asyncio.gather(
        *(
            emulator.submit_modal(world.guild_id, user, form, {**answers_of(index), "comment": ""}, timeout=30)
            for index, (user, form) in enumerate(zip(attendees, opened, strict=True))
        )
    )
    for result in submitted:
        assert result.ephemeral and "your answers are saved" in visible_text(result), visible_text(result)

    # Each attendee's answers are stored once, under their own pseudonym, exactly as they gave them.
    for index, user in enumerate(attendees):
        held = await bot.services.privacy.export(world.guild_id, user)
        [response] = held["feedback_responses"]
        assert {key: response[key] for key in answers_of(index)} == {
            key: LABELS[value] for key, value in answers_of(index).items()
        }


async def test_a_form_open_beside_another_still_submits_after_the_other_was_sent(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    occurrence, survey_dm = await survey_sent_to(emulator, world, bot, clock, 3)
    first, second, third = survey_dm
    forms = [
        await emulator.click(world.guild_id, user, survey_dm[user]["id"], f"cwtch:feedback:{occurrence}")
        for user in (first, second, third)
    ]
    for index, (user, form) in enumerate(zip((first, second, third), forms, strict=True)):
        said = await emulator.submit_modal(world.guild_id, user, form, answers_of(index))
        assert "your answers are saved" in visible_text(said)
    # Reopened, the form shows each member their own answers.
    again = await emulator.click(world.guild_id, second, survey_dm[second]["id"], f"cwtch:feedback:{occurrence}")
    assert again.modal is not None
    defaults = [
        option["value"]
        for label in again.modal["components"]
        if label["component"]["type"] == 21
        for option in label["component"]["options"]
        if option.get("default")
    ]
    assert defaults == list(answers_of(1).values())


async def forge(
    emu: Emulator, kind: int, world: World, user: int, channel_id: int, data: dict[str, Any], message_id: Any = None
) -> InteractionResult:
    """An interaction a modified client could send: not checked against what the bot showed."""
    guild = emu.world.guild(world.guild_id)
    channel = guild.channels.get(channel_id) or emu.world.dm_channels[channel_id]
    return await emu.actions.run(kind, guild, user, channel, data, source_message_id=message_id)


def radio(custom_id: str, value: object) -> dict[str, Any]:
    return {"type": 18, "id": 1, "component": {"type": 21, "id": 2, "custom_id": custom_id, "value": value}}


@pytest.mark.parametrize(
    ("custom_id", "components", "expected"),
    [
        ("cwtch:survey:{occurrence}", [radio("supported", ["5", "4"])], "couldn't read that form"),
        ("cwtch:survey:{occurrence}", [], "Please choose an answer"),
        ("cwtch:survey:99999999999999999999", [radio("supported", "5")], "out of date"),
        ("cwtch:survey:9223372036854775808", [radio("supported", "5")], "can't find that session"),
        ("cwtch:survey:2147483648", [radio("supported", "5")], "can't find that session"),
        ("cwtch:survey:\u0663", [radio("supported", "5")], "out of date"),
        ("cwtch:nothing:here", [], "out of date"),
        ("cwtch:support:form", [{"type": 1, "components": [{"type": 4, "custom_id": "services"}]}], "server"),
    ],
)
async def test_forged_form_submits_get_a_polite_answer_and_store_nothing(
    emulator: Emulator,
    world: World,
    bot: CwtchBot,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    custom_id: str,
    components: list[dict[str, Any]],
    expected: str,
) -> None:
    occurrence, survey_dm = await survey_sent_to(emulator, world, bot, clock, 1)
    [user] = survey_dm
    dm_channel = int(survey_dm[user]["channel_id"])
    caplog.set_level(logging.INFO)
    data = {"custom_id": custom_id.format(occurrence=occurrence), "components": components}
    result = await forge(emulator, 5, world, user, dm_channel, data)
    shown = visible_text(result)
    assert result.ephemeral and expected in shown and GENERIC_APOLOGY not in shown, shown
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (await bot.services.privacy.export(world.guild_id, user))["feedback_responses"] == []


async def test_forged_and_out_of_place_clicks_get_a_polite_answer(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture
) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    [announcement] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(announcement)
    caplog.set_level(logging.INFO)

    async def click(custom_id: str) -> str:
        data = {"custom_id": custom_id, "component_type": 2}
        result = await forge(emulator, 3, world, world.member, world.dom_channel, data, announcement["id"])
        assert result.ephemeral
        return visible_text(result)

    # Ids over 64 bits, in other digits, or for no button at all; a real button's id not on this message.
    for forged in ("cwtch:rsvp:99999999999999999999:yes", "cwtch:rsvp:\u2460:yes", "cwtch:nope", "cwtch:checkin:1"):
        assert "out of date" in await click(forged)

    # A server's button in a DM (where there is no server) is refused, not crashed on.
    user = await bot.fetch_user(world.member)
    dm = await user.create_dm()
    message = await dm.send("Sessions", view=rsvp_view(occurrence))
    in_dm = await emulator.click(world.guild_id, world.member, message.id, f"cwtch:rsvp:{occurrence}:yes")
    assert in_dm.ephemeral and "only inside the server" in visible_text(in_dm)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (await bot.services.privacy.export(world.guild_id, world.member))["rsvps"] == []
