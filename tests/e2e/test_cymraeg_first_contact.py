"""Meeting Cwtch for the first time (issue 15): someone who has never chosen reads their server's default and is
offered Cymraeg or English once, after their first answer or in the first DM Cwtch sends them; the button they
press is kept, and everything after is in that language. Tried as a new member would, through the emulator."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.emulator import Emulator
from bot.emulator.interactions import InteractionResult
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World, facilitator_actor
from tests.e2e.helpers import visible_text
from tests.e2e.language_checks import assert_english, assert_welsh
from tests.e2e.test_sessions import announcements, create_dom_series, occurrence_of, run_due
from tests.fakes import FakeClock

OFFERED = "Hoffech chi ddefnyddio Cwtch yn Gymraeg neu yn Saesneg?"


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """label -> custom_id of a message's buttons."""
    return {
        c["label"]: c["custom_id"]
        for row in message.get("components") or []
        for c in row.get("components") or []
        if c.get("custom_id")
    }


async def offer_after(result: InteractionResult) -> dict[str, Any]:
    """The follow-up that offers the choice of language, once the answer is out."""
    for _ in range(100):
        offers = [m for m in result.followups if OFFERED in (m.get("content") or "")]
        if offers:
            [offer] = offers
            return offer
        await asyncio.sleep(0.02)
    raise AssertionError(f"no offer of a language after {visible_text(result)!r}")


async def test_a_newcomer_is_offered_the_choice_once_and_reads_welsh_after_choosing_it(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    first = await emulator.slash(world.guild_id, world.member, "support")
    assert_english(visible_text(first))  # the server's default, English, until they choose
    offer = await offer_after(first)
    assert offer["flags"] & 64  # only they see it
    assert "Would you like Cwtch in Welsh or in English?" in offer["content"]  # in both languages
    assert list(buttons(offer)) == ["Cymraeg", "English"]

    chosen = await emulator.click(world.guild_id, world.member, offer["id"], buttons(offer)["Cymraeg"])
    assert chosen.ephemeral
    assert_welsh(visible_text(chosen))
    again = await emulator.slash(world.guild_id, world.member, "support")
    assert_welsh(visible_text(again))
    assert "0808 164 0123" in visible_text(again)
    await asyncio.sleep(0.1)
    assert again.followups == []  # offered once: not again

    # Someone else who ignored the offer keeps the default and is not asked again.
    other = await emulator.slash(world.guild_id, world.other_member, "ground-rules")
    await offer_after(other)
    later = await emulator.slash(world.guild_id, world.other_member, "ground-rules")
    assert_english(visible_text(later))
    await asyncio.sleep(0.1)
    assert later.followups == []


async def test_a_server_that_chose_cymraeg_greets_newcomers_in_welsh(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    earlier = await emulator.slash(world.guild_id, world.other_member, "support")  # met Cwtch in English...
    assert_english(visible_text(earlier))
    await offer_after(earlier)  # ...and let the offer be
    await emulator.slash(world.guild_id, world.admin, "setup language", {"default": "cy"})
    followed = await emulator.slash(world.guild_id, world.other_member, "support")
    assert_welsh(visible_text(followed))  # never chose: follows the server's default as it is now
    await asyncio.sleep(0.1)
    assert followed.followups == []
    first = await emulator.slash(world.guild_id, world.member, "support")
    assert_welsh(visible_text(first))
    offer = await offer_after(first)
    english = await emulator.click(world.guild_id, world.member, offer["id"], buttons(offer)["English"])
    assert_english(visible_text(english))
    assert_english(visible_text(await emulator.slash(world.guild_id, world.member, "support")))


async def test_a_first_dm_offers_the_choice_and_the_answer_follows_it(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    """A manager who has never used a command, counted present by voice: the survey DM is their first contact."""
    voice = int(emulator.create_channel(world.guild_id, "Room", type=2)["id"])
    await create_dom_series(emulator, world, room=voice)
    await run_due(bot)
    occurrence = occurrence_of(announcements(emulator, world.dom_channel)[0])
    clock.set(FIRST_DOM)
    await run_due(bot)
    await emulator.voice_join(world.guild_id, world.member, voice)
    for _ in range(100):
        sheet = await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)
        if sheet.present:
            break
        await asyncio.sleep(0.02)
    await emulator.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    await run_due(bot)

    [survey] = [m for m in emulator.dm_messages(world.member) if m.get("components")]
    assert OFFERED in survey["content"] and "How was it?" in survey["content"]
    assert list(buttons(survey)) == ["Give feedback", "Cymraeg", "English"]
    chosen = await emulator.click(world.guild_id, world.member, survey["id"], buttons(survey)["Cymraeg"])
    assert_welsh(visible_text(chosen))

    clock.advance(timedelta(days=4))  # the survey's reminder: now in Welsh, with no offer
    await run_due(bot)
    [reminder] = [m for m in emulator.dm_messages(world.member) if m.get("components") and m["id"] != survey["id"]]
    assert_welsh(reminder["content"], ("Peer support", "Domiciliary care managers"))
    assert OFFERED not in reminder["content"]
