"""Text people write (a series title, a cohort name) never pings anyone, wherever Cwtch shows it.

Discord pings everything a message mentions unless ``allowed_mentions`` says otherwise, so every message Cwtch
sends must carry one that lets only the people it deliberately names be pinged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World
from tests.e2e.test_sessions import announcements, create_dom_series, rsvp, run_due
from tests.fakes import FakeClock


def sent_messages(emu: Emulator) -> list[dict[str, Any]]:
    """Every message body with text the bot sent: posts, edits, followups and interaction answers (only
    ``content`` can ping; mentions in embeds never do)."""
    bodies = []
    for request in emu.requests:
        if request.method not in ("POST", "PATCH") or not isinstance(request.json, dict):
            continue
        body = request.json.get("data") if "/callback" in request.path else request.json
        if isinstance(body, dict) and body.get("content"):
            bodies.append(body)
    return bodies


async def test_a_title_full_of_mentions_pings_nobody(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    title = f"Probe <@{world.member}> @everyone @here <@&{world.dom_role}>"
    await create_dom_series(emulator, world, title=title)
    await run_due(bot)
    [announcement] = announcements(emulator, world.dom_channel)
    assert f"<@{world.member}>" in visible_text_of(announcement)
    await rsvp(emulator, world, world.member, announcement)
    await rsvp(emulator, world, world.other_member, announcement)
    emulator.close_dms(world.other_member)
    clock.set(FIRST_DOM - timedelta(hours=24))
    await run_due(bot)  # the reminder: a DM, and a mention in the thread for the member whose DMs are closed
    clock.set(FIRST_DOM)
    await run_due(bot)
    await emulator.slash(world.guild_id, world.member, "session list", {})

    bodies = sent_messages(emulator)
    assert sum(title in body["content"] for body in bodies) >= 2  # the reminders quote the title
    for body in bodies:
        allowed = body.get("allowed_mentions")
        assert allowed is not None, body
        assert allowed.get("parse", []) == [] and allowed.get("roles", []) == [], allowed
        # Only the reminder's deliberate mention of the member who could not get a DM may ping.
        assert {str(user) for user in allowed.get("users", [])} <= {str(world.other_member)}, allowed
        if allowed.get("users"):
            assert "is tomorrow" in body["content"]


def visible_text_of(message: dict[str, Any]) -> str:
    return " ".join([message.get("content") or "", *(str(embed) for embed in message.get("embeds") or [])])
