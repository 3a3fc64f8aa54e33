"""Fixtures: an emulator on 127.0.0.1 and a tiny real discord.py bot (2 shards) pointed at it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from bot.emulator import Emulator
from tests.openapi import assert_on_spec

NAMES = ["Dom care", "Domiciliary leads", "Residential", "Nursing"]


class PanelView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=120)

    @discord.ui.button(label="Join", custom_id="panel:join", style=discord.ButtonStyle.primary)
    async def join(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_message(f"clicked by {interaction.user.id}", ephemeral=True)

    @discord.ui.button(label="Edit", custom_id="panel:edit")
    async def edit(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content="edited", view=self)

    @discord.ui.button(label="Feedback", custom_id="panel:feedback")
    async def feedback(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @discord.ui.select(
        custom_id="panel:pick",
        max_values=2,
        options=[discord.SelectOption(label="Monday", value="mon"), discord.SelectOption(label="Friday", value="fri")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content=f"picked {','.join(select.values)}")


class FeedbackModal(discord.ui.Modal, title="Session feedback"):
    def __init__(self) -> None:
        super().__init__(custom_id="feedback:modal", timeout=120)
        self.note: discord.ui.TextInput[Any] = discord.ui.TextInput(custom_id="note", max_length=200)
        self.mood = discord.ui.RadioGroup[Any](
            custom_id="mood",
            options=[discord.RadioGroupOption(label="Good", value="good"), discord.RadioGroupOption(label="Bad")],
        )
        self.add_item(discord.ui.Label(text="What went well?", component=self.note))
        self.add_item(discord.ui.Label(text="How was it?", component=self.mood))
        self.legacy: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Anything else", custom_id="else", required=False
        )
        self.add_item(self.legacy)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = f"note={self.note.value} mood={self.mood.value} else={self.legacy.value!r}"
        await interaction.response.send_message(text, ephemeral=True)


cohort = app_commands.Group(name="cohort", description="Peer support cohorts")


@cohort.command(name="create", description="Create a cohort")
async def cohort_create(
    interaction: discord.Interaction, name: str, channel: discord.TextChannel, role: discord.Role
) -> None:
    await interaction.response.send_message(f"created {name} in {channel.id} for {role.name}", view=PanelView())


async def _names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=n, value=n) for n in NAMES if current.lower() in n.lower()]


@cohort.command(name="join", description="Join a cohort")
@app_commands.autocomplete(name=_names)
async def cohort_join(interaction: discord.Interaction, name: str, quiet: bool = True) -> None:
    await interaction.response.send_message(f"joined {name}", ephemeral=quiet)


@cohort.command(name="slow", description="Think, then answer")
async def cohort_slow(interaction: discord.Interaction, ephemeral: bool = True) -> None:
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    await asyncio.sleep(0.05)
    await interaction.followup.send("done slowly")
    await interaction.followup.send("and a second note")


@cohort.command(name="feedback", description="Give feedback")
async def cohort_feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(FeedbackModal())


@cohort.command(name="dm", description="DM someone")
async def cohort_dm(interaction: discord.Interaction, user: discord.User) -> None:
    try:
        await user.send("hello from Cwtch")
    except discord.Forbidden as exc:
        await interaction.response.send_message(f"forbidden {exc.code}", ephemeral=True)
    else:
        await interaction.response.send_message("sent", ephemeral=True)


@cohort.command(name="grant", description="Give a role")
async def cohort_grant(interaction: discord.Interaction, member: discord.Member, role: discord.Role) -> None:
    await interaction.response.defer(ephemeral=True)
    try:
        await member.add_roles(role)
    except discord.Forbidden as exc:
        await interaction.edit_original_response(content=f"forbidden {exc.code}")
    else:
        await interaction.edit_original_response(content="granted")


class TinyBot(commands.AutoShardedBot):
    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_scheduled_events = True
        intents.voice_states = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.errors: list[BaseException] = []

    async def setup_hook(self) -> None:
        self.tree.add_command(cohort)
        self.tree.on_error = self._tree_error  # type: ignore[method-assign]

    async def _tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        self.errors.append(error)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py sleeps 5 s between identifies; nothing to wait for locally


@dataclass
class World:
    guilds: list[dict[str, Any]]
    alice: dict[str, Any]
    bob: dict[str, Any]
    role: dict[str, Any]
    high_role: dict[str, Any]
    forum: dict[str, Any]

    @property
    def guild_id(self) -> int:
        return int(self.guilds[0]["id"])

    def general(self, emu: Emulator, index: int = 0) -> int:
        guild = emu.guild(self.guilds[index]["id"])
        return next(c for c, data in guild.channels.items() if data["name"] == "general")


@pytest.fixture
def off_spec() -> list[str]:
    """Requests a test sends off Discord's OpenAPI spec on purpose ("GET /nope/x"); the spec check skips them."""
    return []


@pytest.fixture
async def emu(off_spec: list[str]) -> AsyncIterator[Emulator]:
    """The emulator; afterwards every request it answered is checked against Discord's OpenAPI spec."""
    emulator = Emulator(token="test-token", shards=2)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()
    assert_on_spec(emulator.requests, off_spec=off_spec)


@pytest.fixture
def world(emu: Emulator) -> World:
    guilds = [emu.create_guild(f"Care Org {i}") for i in range(4)]
    alice, bob = emu.create_user("alice"), emu.create_user("bob")
    gid = guilds[0]["id"]
    role = emu.create_role(gid, "Facilitators", position=1)
    high = emu.create_role(gid, "Admins", position=20)
    emu.add_member(gid, alice["id"], roles=[role["id"]])
    emu.add_member(gid, bob["id"])
    forum = emu.create_channel(gid, "stories", type=15, extra={"available_tags": [{"name": "win"}]})
    return World(guilds, alice, bob, role, high, forum)


@pytest.fixture
async def bot(emu: Emulator, world: World) -> AsyncIterator[TinyBot]:
    old_base, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emu.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    client = TinyBot()
    runner = asyncio.create_task(client.start(emu.token))
    try:
        await emu.wait_ready(timeout=15)
        await asyncio.wait_for(client.wait_until_ready(), 15)
        await client.tree.sync()
        yield client
        assert not emu.internal_errors
        assert not client.errors
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(runner, 10)
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
