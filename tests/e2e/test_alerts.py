"""Every safeguarding alert reaches someone, end to end: the facilitators' channel with the role mentioned, else a
DM to the facilitators Cwtch knows, else the server's owner; a facilitator takes it on with a button; one nobody
takes is sent again once after 24 hours, even across a restart; and the member is told only what happened."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from bot.ui.links import message_url
from tests.e2e.conftest import FIRST_DOM, World, facilitator_actor, start_bot, stop_bot
from tests.e2e.helpers import create_seed_cohorts, visible_text
from tests.e2e.test_feedback import answer
from tests.e2e.test_sessions import announcements, create_dom_series, custom_ids, occurrence_of, run_due
from tests.fakes import FakeClock

REPORT = "Report to facilitators"
COMMENT = "I can't go on like this"
AGAIN = "sent again after 24 hours"


def alerts_in(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if any(c.startswith("cwtch:alert:take:") for c in custom_ids(m))]


def take_id(alert: dict[str, Any]) -> str:
    [custom_id] = [c for c in custom_ids(alert) if c.startswith("cwtch:alert:take:")]
    return custom_id


async def start_server(
    emu: Emulator, world: World, database_url: str, clock: FakeClock, *, channel: bool, cohorts: bool = True
) -> tuple[CwtchBot, asyncio.Task[None]]:
    """The bot on the fake clock, its roles set up, the facilitators' channel only when ``channel``, and the seed
    cohorts (made by the facilitator, who Cwtch then knows) only when ``cohorts``."""
    started = await start_bot(emu, database_url, clock)
    roles = {"facilitator": world.facilitator_role, "coordinator": world.coordinator_role}
    await emu.slash(world.guild_id, world.admin, "setup roles", roles)
    if channel:
        chosen = {"announcements": world.announcements, "resources": world.resources}
        await emu.slash(
            world.guild_id, world.admin, "setup channels", {**chosen, "facilitators": world.facilitators_channel}
        )
    if cohorts:
        await create_seed_cohorts(emu, world)
    return started


async def restart(
    emu: Emulator, started: tuple[CwtchBot, asyncio.Task[None]], database_url: str, clock: FakeClock, later: timedelta
) -> CwtchBot:
    """Stop the bot, let ``later`` pass while it is down, and start it again."""
    await stop_bot(*started)
    clock.advance(later)
    bot, _ = await start_bot(emu, database_url, clock)
    return bot


async def worrying_comment(emu: Emulator, world: World, bot: CwtchBot, clock: FakeClock) -> str:
    """The facilitator runs a session the member attends; the member's survey comment suggests risk."""
    voice = int(emu.create_channel(world.guild_id, "Room", type=2)["id"])
    await create_dom_series(emu, world, room=voice)
    await run_due(bot)
    occurrence = occurrence_of(announcements(emu, world.dom_channel)[0])
    clock.set(FIRST_DOM)
    await run_due(bot)
    await emu.voice_join(world.guild_id, world.member, voice)
    for _ in range(100):
        if (await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)).present:
            break
        await asyncio.sleep(0.02)
    await emu.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    await run_due(bot)
    [dm] = [m for m in emu.dm_messages(world.member) if m.get("components")]
    return await answer(emu, world, world.member, dm["id"], occurrence, ("2", "2", "1"), COMMENT)


async def audit_actions(bot: CwtchBot, world: World) -> list[tuple[str, int]]:
    async with bot.services.safety._uow() as uow:
        return [(e.action, e.actor_id) for e in await uow.audit.recent(world.guild_id)]


async def test_with_a_channel_the_role_is_mentioned_and_a_facilitator_takes_it_on(
    emulator: Emulator, world: World, database_url: str, clock: FakeClock
) -> None:
    bot, _ = await start_server(emulator, world, database_url, clock, channel=True)
    written = emulator.user_message(world.general, world.other_member, "something that needs a facilitator")
    thanked = await emulator.message_command(world.guild_id, world.member, REPORT, written["id"])
    assert "The facilitators now have a link" in visible_text(thanked)

    [alert] = alerts_in(emulator.messages(world.facilitators_channel))
    assert alert["content"].startswith(f"<@&{world.facilitator_role}>")
    assert message_url(world.guild_id, world.general, int(written["id"])) in alert["content"]
    assert "something that needs" not in alert["content"]
    [posted] = emulator.find_requests("POST", rf"/channels/{world.facilitators_channel}/messages")
    mentions = posted.json["allowed_mentions"]
    assert (
        mentions["parse"] == []
        and [int(r) for r in mentions["roles"]] == [world.facilitator_role]
        and not mentions.get("users")
    )

    # A plain member is refused politely, and nothing changes.
    refused = await emulator.click(world.guild_id, world.other_member, alert["id"], take_id(alert))
    assert refused.ephemeral and "Only facilitators" in visible_text(refused)
    assert emulator.message(alert["id"])["content"] == alert["content"]
    assert "safeguarding.taken" not in [action for action, _ in await audit_actions(bot, world)]

    taken = await emulator.click(world.guild_id, world.facilitator, alert["id"], take_id(alert))
    assert taken.ephemeral and "it's yours" in visible_text(taken)
    shown = emulator.message(alert["id"])
    assert shown["content"].endswith(f"**Taken on by <@{world.facilitator}>.**")
    [edited] = emulator.find_requests("PATCH", rf"/channels/{world.facilitators_channel}/messages/{alert['id']}")
    assert edited.json["allowed_mentions"]["parse"] == [] and not edited.json["allowed_mentions"].get("users")
    assert ("safeguarding.taken", world.facilitator) in await audit_actions(bot, world)

    second = await emulator.click(world.guild_id, world.admin, alert["id"], take_id(alert))
    assert f"<@{world.facilitator}> has already taken this on" in visible_text(second)
    assert [a for a, _ in await audit_actions(bot, world)].count("safeguarding.taken") == 1

    clock.advance(timedelta(hours=25))  # taken on: never sent again
    await run_due(bot)
    assert len(alerts_in(emulator.messages(world.facilitators_channel))) == 1
    held = await bot.services.privacy.export(world.guild_id, world.facilitator)
    assert [(a["kind"], a["you_took_it_on"]) for a in held["safeguarding_alerts"]] == [("report", True)]
    assert (await bot.services.privacy.export(world.guild_id, world.admin))["safeguarding_alerts"] == []


async def test_without_a_channel_the_facilitator_who_runs_the_series_gets_a_dm_and_a_resend_after_a_restart(
    emulator: Emulator, world: World, database_url: str, clock: FakeClock
) -> None:
    started = await start_server(emulator, world, database_url, clock, channel=False)
    said = await worrying_comment(emulator, world, started[0], clock)
    assert "A facilitator has been told, without your name" in said and "Samaritans" in said

    [alert] = alerts_in(emulator.dm_messages(world.facilitator))
    assert "Safeguarding" in alert["content"] and "Peer support" in alert["content"]
    assert str(world.member) not in alert["content"] and COMMENT not in alert["content"]
    assert alerts_in(emulator.dm_messages(world.admin)) == []  # an admin who ran nothing is not a known facilitator

    bot = await restart(emulator, started, database_url, clock, timedelta(hours=24, minutes=1))
    await run_due(bot)
    await run_due(bot)  # and not again on the next tick
    first, again = alerts_in(emulator.dm_messages(world.facilitator))
    assert first["id"] == alert["id"] and AGAIN in again["content"] and COMMENT not in again["content"]

    # Pressed in the DM (no roles there): the recipient takes it on, and both copies show it.
    taken = await emulator.click(world.guild_id, world.facilitator, again["id"], take_id(again))
    assert "it's yours" in visible_text(taken)
    for message in (first, again):
        assert emulator.message(message["id"])["content"].endswith(f"**Taken on by <@{world.facilitator}>.**")
    clock.advance(timedelta(days=2))
    await run_due(bot)
    assert len(alerts_in(emulator.dm_messages(world.facilitator))) == 2


async def test_with_nobody_known_the_owner_gets_a_report_and_its_resend_once(
    emulator: Emulator, world: World, database_url: str, clock: FakeClock
) -> None:
    owner = int(emulator.create_user("olwen-owner")["id"])
    emulator.add_member(world.guild_id, owner)
    emulator.set_owner(world.guild_id, owner)
    started = await start_server(emulator, world, database_url, clock, channel=False, cohorts=False)
    written = emulator.user_message(world.general, world.other_member, "a worrying message")
    thanked = await emulator.message_command(world.guild_id, world.member, REPORT, written["id"])
    assert "the server's owner now has a link" in visible_text(thanked)

    [alert] = alerts_in(emulator.dm_messages(owner))
    assert message_url(world.guild_id, world.general, int(written["id"])) in alert["content"]
    assert "a worrying message" not in alert["content"]

    bot = await restart(emulator, started, database_url, clock, timedelta(hours=24, minutes=5))
    await run_due(bot)
    await run_due(bot)
    first, again = alerts_in(emulator.dm_messages(owner))
    assert (
        AGAIN in again["content"] and message_url(world.guild_id, world.general, int(written["id"])) in again["content"]
    )

    # The owner may take it on; a plain member could not even see it.
    taken = await emulator.click(world.guild_id, owner, first["id"], take_id(first))
    assert "it's yours" in visible_text(taken)
    assert ("safeguarding.taken", owner) in await audit_actions(bot, world)


async def test_when_nobody_can_be_reached_the_member_is_told_so_and_it_is_tried_again(
    emulator: Emulator, world: World, database_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    owner = int(emulator.create_user("olwen-owner")["id"])
    emulator.add_member(world.guild_id, owner)
    emulator.set_owner(world.guild_id, owner)
    emulator.close_dms(owner)
    bot, _ = await start_server(emulator, world, database_url, clock, channel=False, cohorts=False)
    written = emulator.user_message(world.general, world.other_member, "a worrying message")
    with caplog.at_level(logging.ERROR, logger="bot.services.safety"):
        thanked = await emulator.message_command(world.guild_id, world.member, REPORT, written["id"])
    text = visible_text(thanked)
    assert "I couldn't reach a facilitator just now; I'll keep trying" in text and "`/support`" in text
    assert "Thank you for telling us. The facilitators" not in text
    assert any("reached nobody" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert alerts_in(emulator.dm_messages(owner)) == []

    emulator.open_dms(owner)
    clock.advance(timedelta(hours=1, minutes=1))
    await run_due(bot)
    [alert] = alerts_in(emulator.dm_messages(owner))
    assert AGAIN not in alert["content"]  # the first delivery, late; its own resend comes 24 hours later
    clock.advance(timedelta(hours=24, minutes=1))
    await run_due(bot)
    await run_due(bot)
    assert [AGAIN in m["content"] for m in alerts_in(emulator.dm_messages(owner))] == [False, True]
