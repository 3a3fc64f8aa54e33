"""World changes an admin makes by hand reach the bot's cache through the gateway."""

from __future__ import annotations

import asyncio

import discord

from bot.emulator import Emulator
from tests.emulator.conftest import TinyBot, World


async def test_a_deleted_channel_leaves_the_bots_cache(emu: Emulator, world: World, bot: TinyBot) -> None:
    forum_id = int(world.forum["id"])
    assert isinstance(bot.get_channel(forum_id), discord.ForumChannel)
    gone = asyncio.create_task(bot.wait_for("guild_channel_delete", check=lambda c: c.id == forum_id, timeout=5))
    deleted = emu.delete_channel(world.guild_id, forum_id)
    assert deleted["id"] == world.forum["id"]
    assert (await gone).id == forum_id
    assert bot.get_channel(forum_id) is None and forum_id not in emu.guild(world.guild_id).channels
