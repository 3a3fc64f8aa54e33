"""``/setup``: admins choose the facilitator and coordinator roles and the bot's channels."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui.actors import actor_of
from bot.ui.client import CwtchBot
from bot.ui.embeds import setup_embed
from bot.ui.reply import reply


class SetupCog(commands.Cog):
    setup = app_commands.Group(
        name="setup",
        description="Set Cwtch up for this server (admins)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @setup.command(name="roles", description="Choose the facilitator and coordinator roles")
    @app_commands.describe(
        facilitator="Members with this role run sessions", coordinator="Members with this role read reports"
    )
    async def roles(
        self, interaction: discord.Interaction[CwtchBot], facilitator: discord.Role, coordinator: discord.Role
    ) -> None:
        assert interaction.guild_id is not None
        config = await self.bot.services.setup.set_roles(
            interaction.guild_id,
            actor_of(interaction),
            facilitator_role_id=facilitator.id,
            coordinator_role_id=coordinator.id,
        )
        await reply(interaction, "Roles saved.", embed=setup_embed(config))

    @setup.command(name="channels", description="Choose the announcements, resources and facilitators channels")
    @app_commands.describe(
        announcements="Where Cwtch posts news and digests",
        resources="The forum where wellbeing resources live",
        facilitators="A private channel for facilitator alerts and reports",
    )
    async def channels(
        self,
        interaction: discord.Interaction[CwtchBot],
        announcements: discord.TextChannel,
        resources: discord.ForumChannel,
        facilitators: discord.TextChannel,
    ) -> None:
        assert interaction.guild_id is not None
        config = await self.bot.services.setup.set_channels(
            interaction.guild_id,
            actor_of(interaction),
            announcements_channel_id=announcements.id,
            resources_channel_id=resources.id,
            facilitators_channel_id=facilitators.id,
        )
        await reply(interaction, "Channels saved.", embed=setup_embed(config))


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(SetupCog(bot))
