"""Message commands (the Apps menu of a message): INTERACTION_CREATE type 2 with data.type 3, target_id and
resolved.messages, as Discord sends them, reaching a real discord.py ContextMenu."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot.emulator import Emulator
from bot.ui.links import message_url

from .conftest import TinyBot, World


async def test_a_message_command_receives_the_target_message(emu: Emulator, world: World, bot: TinyBot) -> None:
    seen: list[discord.Message] = []

    async def flag(interaction: discord.Interaction, message: discord.Message) -> None:
        seen.append(message)
        await interaction.response.send_message(f"flagged {message.id}: {message.jump_url}", ephemeral=True)

    bot.tree.add_command(app_commands.ContextMenu(name="Flag message", callback=flag))
    await bot.tree.sync()
    [menu] = [c for c in emu.commands() if c["type"] == 3]
    assert menu["name"] == "Flag message" and menu["description"] == ""

    gid, channel = world.guild_id, world.general(emu)
    written = emu.user_message(channel, world.bob["id"], "something worrying")
    result = await emu.message_command(gid, world.alice["id"], "Flag message", written["id"])

    data = result.interaction["data"]
    assert data["type"] == 3 and data["target_id"] == written["id"] and data["name"] == "Flag message"
    assert data["resolved"]["messages"][written["id"]]["content"] == "something worrying"
    [message] = seen
    assert message.id == int(written["id"]) and message.content == "something worrying"
    assert message.author.id == int(world.bob["id"]) and message.channel.id == channel
    assert message.guild is not None and message.guild.id == gid
    assert result.ephemeral
    assert result.content == f"flagged {written['id']}: {message_url(gid, channel, int(written['id']))}"

    with pytest.raises(AssertionError, match="no message command 'Nope'; registered message commands"):
        await emu.message_command(gid, world.alice["id"], "Nope", written["id"])
    with pytest.raises(AssertionError, match="does not exist"):
        await emu.message_command(gid, world.alice["id"], "Flag message", 12345)
    with pytest.raises(AssertionError, match="not a member"):
        await emu.message_command(gid, int(emu.create_user("stranger")["id"]), "Flag message", written["id"])


async def test_client_checks_hide_an_admins_only_message_command(emu: Emulator, world: World, bot: TinyBot) -> None:
    async def purge(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message("purged", ephemeral=True)

    menu = app_commands.ContextMenu(name="Purge", callback=purge)
    menu.default_permissions = discord.Permissions.none()  # "0": administrators only
    bot.tree.add_command(menu)
    await bot.tree.sync()
    written = emu.user_message(world.general(emu), world.bob["id"], "hello")
    emu.client_checks = True
    with pytest.raises(AssertionError, match="cannot see 'Purge'"):
        await emu.message_command(world.guild_id, world.alice["id"], "Purge", written["id"])
    emu.client_checks = False
    result = await emu.message_command(world.guild_id, world.alice["id"], "Purge", written["id"])
    assert result.content == "purged"  # without the client's checks, Discord itself delivers it
