"""The real discord.py client against the emulator: login, sharding, sync and user interactions."""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.emulator import Emulator

from .conftest import TinyBot, World


async def test_login_spreads_guilds_over_two_shards_and_syncs(emu: Emulator, world: World, bot: TinyBot) -> None:
    assert {g.id for g in bot.guilds} == {int(g["id"]) for g in world.guilds}
    assert {g.shard_id for g in bot.guilds} == {0, 1}
    assert bot.user is not None and bot.user.id == emu.bot_id
    assert emu.find_requests("GET", "/users/@me") and emu.find_requests("GET", "/gateway/bot")
    assert [c["name"] for c in emu.commands()] == ["cohort"]
    gid = world.guild_id
    bot.tree.copy_global_to(guild=discord.Object(gid))
    synced = await bot.tree.sync(guild=discord.Object(gid))
    assert [c.name for c in synced] == ["cohort"]
    assert emu.commands(gid)[0]["guild_id"] == str(gid)
    fetched = await bot.tree.fetch_commands(guild=discord.Object(gid))
    assert fetched[0].id == synced[0].id
    guild = bot.get_guild(gid)
    assert guild is not None and guild.me is not None
    assert guild.default_role.id == gid and guild.me.top_role.name == "Cwtch"


async def test_slash_command_with_resolved_options_and_button_clicks(emu: Emulator, world: World, bot: TinyBot) -> None:
    gid, alice = world.guild_id, world.alice["id"]
    channel = world.general(emu)
    res = await emu.slash(
        gid, alice, "cohort create", {"name": "Dom care", "channel": channel, "role": world.role["id"]}
    )
    assert res.callback_type == 4 and not res.ephemeral
    assert res.content == f"created Dom care in {channel} for Facilitators"
    assert res.custom_ids() == ["panel:join", "panel:edit", "panel:feedback", "panel:pick"]
    assert res.message is not None and emu.messages(channel)[-1]["id"] == res.message["id"]

    click = await emu.click(gid, alice, res.message["id"], "panel:join")
    assert click.ephemeral and click.content == f"clicked by {alice}"

    edited = await emu.click(gid, world.bob["id"], res.message["id"], "panel:edit")
    assert edited.callback_type == 7 and edited.message is not None
    assert edited.message["id"] == res.message["id"] and edited.content == "edited"

    picked = await emu.click(gid, alice, res.message["id"], "panel:pick", values=["fri", "mon"])
    assert picked.callback_type == 6 and picked.message is not None
    assert picked.message["id"] == res.message["id"] and picked.content == "picked fri,mon"
    with pytest.raises(AssertionError, match="not among options"):
        await emu.click(gid, alice, res.message["id"], "panel:pick", values=["sun"])

    with pytest.raises(AssertionError, match="no component 'nope'"):
        await emu.click(gid, alice, res.message["id"], "nope")
    with pytest.raises(AssertionError, match="unknown command /nope; registered: /cohort create"):
        await emu.slash(gid, alice, "nope")
    with pytest.raises(AssertionError, match="unknown option"):
        await emu.slash(gid, alice, "cohort join", {"name": "x", "colour": "red"})


async def test_ephemeral_reply_and_deferred_followups(emu: Emulator, world: World, bot: TinyBot) -> None:
    gid, alice = world.guild_id, world.alice["id"]
    joined = await emu.slash(gid, alice, "cohort join", {"name": "Residential"})
    assert joined.ephemeral and joined.content == "joined Residential"
    assert joined.message is not None and joined.message not in emu.messages(world.general(emu))
    public = await emu.slash(gid, alice, "cohort join", {"name": "Nursing", "quiet": False})
    assert not public.ephemeral

    slow = await emu.slash(gid, alice, "cohort slow")
    assert slow.callback_type == 5 and slow.ephemeral and slow.content == "done slowly"
    followups = await slow.wait_followups(1)
    assert [m["content"] for m in followups] == ["and a second note"]

    public_slow = await emu.slash(gid, alice, "cohort slow", {"ephemeral": False})
    assert not public_slow.ephemeral and public_slow.content == "done slowly"


async def test_modal_submit_from_command_and_from_button(emu: Emulator, world: World, bot: TinyBot) -> None:
    gid, alice = world.guild_id, world.alice["id"]
    opened = await emu.slash(gid, alice, "cohort feedback")
    assert opened.callback_type == 9 and opened.modal is not None
    assert opened.modal["title"] == "Session feedback"
    done = await emu.submit_modal(gid, alice, opened, {"note": "kind group", "mood": ["good"]})
    assert done.ephemeral and done.content == "note=kind group mood=good else=''"
    with pytest.raises(AssertionError, match="already submitted"):
        await emu.submit_modal(gid, alice, opened, {"note": "again", "mood": "good"})

    channel = world.general(emu)
    panel = await emu.slash(gid, alice, "cohort create", {"name": "A", "channel": channel, "role": world.role["id"]})
    assert panel.message is not None
    from_button = await emu.click(gid, alice, panel.message["id"], "panel:feedback")
    assert from_button.modal is not None
    submitted = await emu.submit_modal(gid, alice, from_button, {"note": "ok", "mood": "Bad", "else": "more"})
    assert submitted.interaction["message"]["id"] == panel.message["id"]
    assert submitted.content == "note=ok mood=Bad else='more'"
    with pytest.raises(AssertionError, match="required"):
        await emu.submit_modal(gid, alice, await emu.slash(gid, alice, "cohort feedback"), {"mood": "good"})


async def test_autocomplete_returns_choices(emu: Emulator, world: World, bot: TinyBot) -> None:
    choices = await emu.autocomplete(world.guild_id, world.alice["id"], "cohort join", {"name": "Dom"}, focused="name")
    assert [c["value"] for c in choices] == ["Dom care", "Domiciliary leads"]


async def test_dm_to_closed_user_is_forbidden(emu: Emulator, world: World, bot: TinyBot) -> None:
    gid, alice, bob = world.guild_id, world.alice["id"], world.bob["id"]
    emu.close_dms(bob)
    res = await emu.slash(gid, alice, "cohort dm", {"user": bob})
    assert res.content == "forbidden 50007"
    assert emu.dm_messages(bob) == []
    res = await emu.slash(gid, bob, "cohort dm", {"user": alice})
    assert res.content == "sent"
    assert [m["content"] for m in emu.dm_messages(alice)] == ["hello from Cwtch"]


async def test_role_changes_follow_discord_permission_rules(emu: Emulator, world: World, bot: TinyBot) -> None:
    gid, alice, bob = world.guild_id, world.alice["id"], world.bob["id"]
    res = await emu.slash(gid, alice, "cohort grant", {"member": bob, "role": world.role["id"]})
    assert res.content == "granted" and int(world.role["id"]) in emu.member_roles(gid, bob)
    res = await emu.slash(gid, alice, "cohort grant", {"member": bob, "role": world.high_role["id"]})
    assert res.content == "forbidden 50013" and int(world.high_role["id"]) not in emu.member_roles(gid, bob)

    guild = bot.get_guild(gid)
    assert guild is not None
    member = await guild.fetch_member(int(bob))
    with pytest.raises(discord.Forbidden) as managed:
        await member.add_roles(guild.me.top_role)
    assert managed.value.code == 50013

    weak_id = int(emu.create_guild("No perms", bot_permissions=0)["id"])
    emu.add_member(weak_id, bob)
    low = emu.create_role(weak_id, "Low", position=1)
    await asyncio.sleep(0.05)
    with pytest.raises(discord.Forbidden):
        await bot.http.add_role(weak_id, int(bob), int(low["id"]))


async def test_world_changes_reach_the_bot(emu: Emulator, world: World, bot: TinyBot) -> None:
    gid = world.guild_id
    role = emu.create_role(gid, "Coordinators", position=2)
    voice = emu.create_channel(gid, "Drop-in", type=2)
    new_guild = emu.create_guild("Late joiner")
    await emu.voice_join(gid, world.alice["id"], voice["id"])
    await asyncio.sleep(0.1)
    guild = bot.get_guild(gid)
    assert guild is not None and guild.get_role(int(role["id"])) is not None
    channel = guild.get_channel(int(voice["id"]))
    assert isinstance(channel, discord.VoiceChannel)
    assert int(world.alice["id"]) in channel.voice_states
    assert bot.get_guild(int(new_guild["id"])) is not None
    await emu.voice_leave(gid, world.alice["id"])
    await asyncio.sleep(0.05)
    assert int(world.alice["id"]) not in channel.voice_states


async def test_client_checks_refuse_what_discord_clients_prevent(emu: Emulator, world: World, bot: TinyBot) -> None:
    gid, alice, channel = world.guild_id, world.alice["id"], world.general(emu)
    voice = emu.create_channel(gid, "Drop-in", type=2)
    emu.client_checks = True
    with pytest.raises(AssertionError, match="channel type 2"):
        await emu.slash(gid, alice, "cohort create", {"name": "x", "channel": voice["id"], "role": world.role["id"]})
    await bot.http.bulk_upsert_global_commands(
        emu.application_id,
        [{"name": "admin", "description": "Admins only", "default_member_permissions": "32"}],
    )
    with pytest.raises(AssertionError, match="cannot see /admin"):
        await emu.slash(gid, alice, "admin")
    emu.client_checks = False
    with pytest.raises(AssertionError, match="unknown command /cohort"):
        await emu.slash(gid, alice, "cohort join", {"name": "x"}, channel_id=channel)


async def test_user_messages_and_history(emu: Emulator, world: World, bot: TinyBot) -> None:
    channel = world.general(emu)
    written = emu.user_message(channel, world.alice["id"], f"hello <@{emu.bot_id}>")
    assert written["mentions"][0]["id"] == str(emu.bot_id)
    text = bot.get_channel(channel)
    assert isinstance(text, discord.TextChannel)
    [fetched] = [m async for m in text.history(limit=5)]
    assert fetched.author.id == int(world.alice["id"]) and bot.user in fetched.mentions
