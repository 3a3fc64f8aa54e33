"""Set-up that can't be skipped by accident: channels one at a time, ``/setup status``, the welcome when Cwtch joins
a server (once, ever), and the note ``/series create`` adds when facilitators have no channel."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.emulator import Emulator
from bot.emulator.state import DEFAULT_BOT_PERMISSIONS, P
from bot.ui.client import CwtchBot
from bot.ui.setup import WELCOME
from tests.e2e.conftest import World, start_bot, stop_bot
from tests.e2e.helpers import create_seed_cohorts, visible_text


async def channels(emulator: Emulator, world: World, **options: int) -> str:
    result = await emulator.slash(world.guild_id, world.admin, "setup channels", options)
    assert result.ephemeral
    return visible_text(result)


async def status(emulator: Emulator, world: World) -> str:
    result = await emulator.slash(world.guild_id, world.admin, "setup status", {})
    assert result.ephemeral
    return visible_text(result)


async def test_status_lists_what_is_missing_with_the_command_that_fixes_it(
    emulator: Emulator, world: World, cwtch: CwtchBot
) -> None:
    refused = await emulator.slash(world.guild_id, world.member, "setup status", {})
    assert refused.ephemeral and "Only server admins" in visible_text(refused)

    text = await status(emulator, world)
    assert "6 things still to set" in text
    for fix, without in [
        ("/setup roles facilitator: coordinator:", "only admins can create cohorts"),
        ("/setup roles facilitator: coordinator:", "only admins can read the reports"),
        ("/setup channels announcements:", "the digest of what's new isn't posted"),
        ("/setup channels resources:", "/resource add and Share what works can't post"),
        ("/setup channels facilitators:", "safeguarding alerts go by DM to the facilitators Cwtch knows"),
        ("/cohort create name: description: channel:", "members have nothing to join"),
    ]:
        assert f"`{fix}`\nWithout it, {without}" in text, (fix, text)

    await emulator.slash(
        world.guild_id,
        world.admin,
        "setup roles",
        {"facilitator": world.facilitator_role, "coordinator": world.coordinator_role},
    )
    await channels(emulator, world, facilitators=world.facilitators_channel)
    text = await status(emulator, world)
    assert "3 things still to set" in text
    assert f"✅ Facilitator role\n<@&{world.facilitator_role}>" in text
    assert f"✅ Facilitators' channel\n<#{world.facilitators_channel}>" in text
    assert "/setup roles" not in text and "/setup channels facilitators:" not in text
    assert "⬜ Resources forum: missing" in text and "⬜ A cohort: missing" in text

    await channels(emulator, world, announcements=world.announcements, resources=world.resources)
    await create_seed_cohorts(emulator, world)
    text = await status(emulator, world)
    assert "All set" in text and "missing" not in text and "✅ A cohort\n2 cohorts" in text


async def test_channels_are_set_one_at_a_time_and_checked(emulator: Emulator, world: World, cwtch: CwtchBot) -> None:
    # A server without a forum can still have its facilitators' channel.
    saved = await channels(emulator, world, facilitators=world.facilitators_channel)
    assert "Channels saved" in saved and f"<#{world.facilitators_channel}>" in saved

    saved = await channels(emulator, world, announcements=world.announcements)
    assert f"<#{world.announcements}>" in saved and f"<#{world.facilitators_channel}>" in saved  # kept

    shown = await channels(emulator, world)
    assert "Nothing changed" in shown
    assert f"Announcements channel\n<#{world.announcements}>\nSet with `/setup channels announcements:`" in shown
    assert "Resources forum\nnot set\nSet with `/setup channels resources:`" in shown
    assert f"Facilitators' channel\n<#{world.facilitators_channel}>" in shown

    # Discord offers only the right kind of channel for each option, and refuses any other.
    options = {o["name"]: o for o in setup_channels_options(emulator)}
    assert options["resources"]["channel_types"] == [15]
    assert options["announcements"]["channel_types"] == options["facilitators"]["channel_types"] == [0, 5]
    # Should a wrong one arrive all the same (say, a command definition from before), Cwtch refuses it politely.
    for option in options.values():
        del option["channel_types"]
    not_forum = await channels(emulator, world, resources=world.general)
    assert "must be a forum channel" in not_forum
    not_text = await channels(emulator, world, facilitators=world.resources)
    assert "isn't a text channel" in not_text
    shared = await channels(emulator, world, announcements=world.facilitators_channel)
    assert "channel of its own" in shared

    shown = await channels(emulator, world)  # none of the refusals changed anything
    assert "Resources forum\nnot set" in shown
    assert f"Announcements channel\n<#{world.announcements}>" in shown
    assert f"Facilitators' channel\n<#{world.facilitators_channel}>" in shown

    saved = await channels(emulator, world, resources=world.resources)
    assert all(f"<#{c}>" in saved for c in (world.announcements, world.resources, world.facilitators_channel))


def setup_channels_options(emulator: Emulator) -> list[dict[str, Any]]:
    """The options of ``/setup channels`` as Discord stores them (the emulator's own copy, so a test can alter it)."""
    (setup,) = [command for command in emulator.commands() if command["name"] == "setup"]
    (channels_command,) = [sub for sub in setup["options"] if sub["name"] == "channels"]
    return list(channels_command["options"])


def posts(emulator: Emulator, guild_id: int) -> list[tuple[int, str]]:
    """Every message Cwtch posted in the guild's channels: (channel, content)."""
    return [
        (int(channel_id), message.get("content") or "")
        for channel_id in emulator.guild(guild_id).channels
        for message in emulator.messages(channel_id)
        if int(message["author"]["id"]) == emulator.bot_id
    ]


async def settle(emulator: Emulator, world: World) -> None:
    """Let the bot handle what the gateway sent: a command round trip, then a moment for event handlers."""
    await emulator.slash(world.guild_id, world.member, "support", {})
    await asyncio.sleep(0.3)


def writable_for_bot(emulator: Emulator, guild_id: int) -> list[dict[str, Any]]:
    bot_role = emulator.guild(guild_id).bot_role_id
    allow = P.VIEW_CHANNEL | P.SEND_MESSAGES
    return [{"id": str(bot_role), "type": 0, "allow": str(allow), "deny": "0"}]


async def test_a_new_server_is_welcomed_once_in_its_system_channel(
    emulator: Emulator, world: World, database_url: str
) -> None:
    bot, task = await start_bot(emulator, database_url)
    guild_id = int(emulator.create_guild("New care org")["id"])
    lobby = int(emulator.create_channel(guild_id, "lobby")["id"])
    await settle(emulator, world)
    assert posts(emulator, guild_id) == []  # a server that becomes available is not a new join

    emulator.bot_added(guild_id, system_channel_id=lobby)
    await emulator.wait_for_request("POST", rf"/channels/{lobby}/messages")
    assert posts(emulator, guild_id) == [(lobby, WELCOME)]
    for step in ("/setup roles", "/setup channels", "/cohort create", "/setup status"):
        assert step in WELCOME
    assert WELCOME.index("/setup roles") < WELCOME.index("/setup channels") < WELCOME.index("/cohort create")

    emulator.bot_added(guild_id, system_channel_id=lobby)  # Discord delivers the join again
    await settle(emulator, world)
    await stop_bot(bot, task)
    bot, task = await start_bot(emulator, database_url)  # a restart: GUILD_CREATE for every known server
    await settle(emulator, world)
    emulator.bot_added(guild_id, system_channel_id=lobby)
    await settle(emulator, world)
    assert posts(emulator, guild_id) == [(lobby, WELCOME)]
    await stop_bot(bot, task)


async def test_the_welcome_goes_where_cwtch_may_write_or_nowhere(
    emulator: Emulator, world: World, cwtch: CwtchBot
) -> None:
    cannot_send = DEFAULT_BOT_PERMISSIONS & ~P.SEND_MESSAGES
    everyone_reads = P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY
    guild_id = int(
        emulator.create_guild("Quiet org", bot_permissions=cannot_send, everyone_permissions=everyone_reads)["id"]
    )
    announcements = int(emulator.create_channel(guild_id, "announcements")["id"])
    cwtch_channel = int(
        emulator.create_channel(guild_id, "cwtch", permission_overwrites=writable_for_bot(emulator, guild_id))["id"]
    )
    emulator.bot_added(guild_id, system_channel_id=announcements)  # a system channel Cwtch may not write in
    await emulator.wait_for_request("POST", rf"/channels/{cwtch_channel}/messages")
    assert posts(emulator, guild_id) == [(cwtch_channel, WELCOME)]

    nowhere = int(
        emulator.create_guild("Locked org", bot_permissions=cannot_send, everyone_permissions=everyone_reads)["id"]
    )
    emulator.create_channel(nowhere, "chat")
    emulator.bot_added(nowhere)
    await settle(emulator, world)
    assert posts(emulator, nowhere) == []
    assert not [r for r in emulator.requests if r.status == 403]  # it never tried where it may not write


async def test_series_create_says_when_facilitators_have_no_channel(emulator: Emulator, configured: World) -> None:
    world = configured
    await create_seed_cohorts(emulator, world)
    options: dict[str, Any] = {
        "cohort": "Domiciliary care managers",
        "title": "Peer support",
        "cadence": "fortnightly",
        "start": "2031-03-04 10:00",
        "duration": 90,
    }
    created = await emulator.slash(world.guild_id, world.facilitator, "series create", options)
    text = visible_text(created)
    assert "Series created" in text and "no facilitators' channel yet" in text
    assert "`/setup channels facilitators:`" in text

    await channels(emulator, world, facilitators=world.facilitators_channel)
    again = await emulator.slash(
        world.guild_id, world.facilitator, "series create", dict(options, title="Peer support (evenings)")
    )
    assert "Series created" in visible_text(again) and "facilitators' channel" not in visible_text(again)
