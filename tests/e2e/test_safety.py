"""Safety tools end to end: "Report to facilitators" on a message, and ``/support`` signposting that a server's
admins set for themselves (and that a worrying feedback comment shows)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.emulator import Emulator
from bot.emulator.payloads import walk_components as walk
from bot.ui.client import CwtchBot
from bot.ui.links import message_url
from tests.e2e.conftest import FIRST_DOM, World, facilitator_actor
from tests.e2e.helpers import visible_text
from tests.e2e.test_feedback import answer
from tests.e2e.test_sessions import announcements, create_dom_series, occurrence_of, run_due
from tests.fakes import FakeClock

REPORT = "Report to facilitators"
OUR_SERVICES = "Samaritans Cymru: call 116 123, free, any time\nCALL helpline: 0800 132 737 (Wales)"


def alerts(emu: Emulator, world: World) -> list[dict[str, Any]]:
    return [m for m in emu.messages(world.facilitators_channel) if "Message reported" in (m.get("content") or "")]


def edit_field(opened: Any) -> dict[str, Any]:
    assert opened.modal is not None, visible_text(opened)
    [field] = [c for c in walk(opened.modal["components"]) if c.get("custom_id") == "services"]
    return field


async def test_a_member_reports_a_message_to_the_facilitators(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    written = emulator.user_message(world.general, world.other_member, "something that needs a facilitator")
    link = message_url(world.guild_id, world.general, int(written["id"]))

    thanked = await emulator.message_command(world.guild_id, world.member, REPORT, written["id"])
    assert thanked.ephemeral and "Thank you for telling us" in visible_text(thanked)
    [alert] = alerts(emulator, world)
    assert link in alert["content"] and f"<@{world.member}>" in alert["content"]
    assert "something that needs" not in alert["content"]  # the link only, never the text
    [posted] = emulator.find_requests("POST", rf"/channels/{world.facilitators_channel}/messages")
    assert posted.json["allowed_mentions"]["parse"] == []  # the reporter is named, not pinged: only the role is
    assert [int(role) for role in posted.json["allowed_mentions"]["roles"]] == [world.facilitator_role]

    again = await emulator.message_command(world.guild_id, world.member, REPORT, written["id"])
    assert again.ephemeral and "already reported" in visible_text(again)
    assert len(alerts(emulator, world)) == 1  # no second alert

    second = await emulator.message_command(world.guild_id, world.coordinator, REPORT, written["id"])
    assert "Thank you for telling us" in visible_text(second)
    assert [f"<@{world.coordinator}>" in a["content"] for a in alerts(emulator, world)] == [False, True]


async def test_a_report_without_a_facilitators_channel_reaches_the_owner(emulator: Emulator, configured: World) -> None:
    world = configured  # roles set up, channels not yet, and no facilitator has done anything Cwtch knows of
    emulator.set_owner(world.guild_id, world.admin)
    written = emulator.user_message(world.general, world.other_member, "a worrying message")
    thanked = await emulator.message_command(world.guild_id, world.member, REPORT, written["id"])
    text = visible_text(thanked)
    assert thanked.ephemeral and "Thank you for telling us" in text and "the server's owner now has a link" in text
    assert alerts(emulator, world) == []
    [dm] = [m for m in emulator.dm_messages(world.admin) if "Message reported" in (m.get("content") or "")]
    assert message_url(world.guild_id, world.general, int(written["id"])) in dm["content"]
    assert "a worrying message" not in dm["content"]


async def test_admins_set_their_own_signposting_and_members_see_it(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    member_view = await emulator.slash(world.guild_id, world.member, "support")
    assert member_view.ephemeral and "116 123" in visible_text(member_view) and "Shout" in visible_text(member_view)
    assert member_view.custom_ids() == []  # no edit button for members

    admin_view = await emulator.slash(world.guild_id, world.admin, "support")
    assert admin_view.custom_ids() == ["cwtch:support:edit"]
    opened = await emulator.click(world.guild_id, world.admin, admin_view.message["id"], "cwtch:support:edit")
    field = edit_field(opened)
    assert field["value"].startswith("Emergency: If you or someone else is in immediate danger, call **999**.")
    saved = await emulator.submit_modal(world.guild_id, world.admin, opened, {"services": OUR_SERVICES})
    assert saved.ephemeral and "Saved" in visible_text(saved) and "Samaritans Cymru" in visible_text(saved)

    now = await emulator.slash(world.guild_id, world.member, "support")
    shown = visible_text(now)
    assert "Samaritans Cymru" in shown and "0800 132 737 (Wales)" in shown and "Shout" not in shown
    [embed] = now.embeds
    assert [f["name"] for f in embed["fields"]] == ["Samaritans Cymru", "CALL helpline"]

    # Too long a line is refused with the reason, the admin's draft is given back, and nothing changes.
    reopened = await emulator.click(
        world.guild_id,
        world.admin,
        (await emulator.slash(world.guild_id, world.admin, "support")).message["id"],
        "cwtch:support:edit",
    )
    assert edit_field(reopened)["value"] == OUR_SERVICES
    overlong = "Local crisis team: " + "call us on 0300 123 4567 " * 14
    refused = await emulator.submit_modal(world.guild_id, world.admin, reopened, {"services": overlong})
    text = visible_text(refused)
    assert refused.ephemeral and "please keep it to 300" in text and "Nothing was changed" in text
    assert "Here is what you wrote" in text and "call us on 0300 123 4567" in text
    assert "Samaritans Cymru" in visible_text(await emulator.slash(world.guild_id, world.member, "support"))

    # Empty puts the UK defaults back.
    third = await emulator.click(
        world.guild_id,
        world.admin,
        (await emulator.slash(world.guild_id, world.admin, "support")).message["id"],
        "cwtch:support:edit",
    )
    reset = await emulator.submit_modal(world.guild_id, world.admin, third, {"services": ""})
    assert "Back to the UK defaults" in visible_text(reset)
    assert "Shout" in visible_text(await emulator.slash(world.guild_id, world.member, "support"))
    async with bot.services.support._uow() as uow:  # the audit trail of both changes
        actions = [e.action for e in await uow.audit.recent(world.guild_id)]
    assert actions[:2] == ["support.reset", "support.edit"]


async def test_the_edit_button_checks_the_permission_again_when_pressed(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    admins = emulator.member_roles(world.guild_id, world.admin)
    shown = await emulator.slash(world.guild_id, world.admin, "support")
    emulator.set_member_roles(world.guild_id, world.admin, [])  # no longer allowed to manage the server
    pressed = await emulator.click(world.guild_id, world.admin, shown.message["id"], "cwtch:support:edit")
    assert pressed.modal is None and pressed.ephemeral
    assert "Only server admins (members with the Manage Server permission)" in visible_text(pressed)
    emulator.set_member_roles(world.guild_id, world.admin, admins)


async def test_a_worrying_comment_shows_the_servers_own_signposting(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    shown = await emulator.slash(world.guild_id, world.admin, "support")
    opened = await emulator.click(world.guild_id, world.admin, shown.message["id"], "cwtch:support:edit")
    await emulator.submit_modal(world.guild_id, world.admin, opened, {"services": OUR_SERVICES})

    voice = int(emulator.create_channel(world.guild_id, "Room", type=2)["id"])
    await create_dom_series(emulator, world, room=voice)
    await run_due(bot)
    occurrence = occurrence_of(announcements(emulator, world.dom_channel)[0])
    clock.set(FIRST_DOM)
    await run_due(bot)
    await emulator.voice_join(world.guild_id, world.member, voice)
    for _ in range(100):
        if (await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)).present:
            break
        await asyncio.sleep(0.02)
    await emulator.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    await run_due(bot)
    [dm] = [m for m in emulator.dm_messages(world.member) if m.get("components")]
    said = await answer(emulator, world, world.member, dm["id"], occurrence, ("2", "2", "1"), "I can't go on like this")
    assert "Samaritans Cymru" in said and "CALL helpline" in said and "Shout" not in said  # answered in a DM
    assert "A facilitator has been told, without your name" in said  # the facilitators' channel has it
