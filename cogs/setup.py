"""``/setup``: admins choose the facilitator and coordinator roles and the bot's channels, and see what is missing;
a new server gets a short welcome with these steps."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui.actors import actor_of
from bot.ui.client import CwtchBot
from bot.ui.embeds import setup_embed
from bot.ui.reply import reply
from bot.ui.setup import ForumOption, TextChannelOption, channels_help_embed, post_welcome, status_embed


class SetupCog(commands.Cog):
    setup = app_commands.Group(
        name="setup",
        description="Set Cwtch up for this server (admins)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        # discord.py fires this only for a server joined while running, never for known servers on (re)connect;
        # the service still lets the welcome out once per server, ever.
        await post_welcome(guild, self.bot.services.setup)

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

    @setup.command(name="channels", description="Choose any of the announcements, resources and facilitators channels")
    @app_commands.describe(
        announcements="A text channel where Cwtch posts news and digests",
        resources="The forum where wellbeing resources live",
        facilitators="A private text channel for facilitator alerts and reviews",
    )
    async def channels(
        self,
        interaction: discord.Interaction[CwtchBot],
        announcements: TextChannelOption | None = None,
        resources: ForumOption | None = None,
        facilitators: TextChannelOption | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        config = await self.bot.services.setup.set_channels(
            interaction.guild_id,
            actor_of(interaction),
            announcements_channel_id=announcements.id if announcements else None,
            resources_channel_id=resources.id if resources else None,
            facilitators_channel_id=facilitators.id if facilitators else None,
        )
        if announcements is None and resources is None and facilitators is None:
            await reply(interaction, embed=channels_help_embed(config))
            return
        await reply(interaction, "Channels saved.", embed=setup_embed(config))

    @setup.command(name="status", description="What is set up, what is missing, and the command that fixes each")
    async def status(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        status = await self.bot.services.setup.status(interaction.guild_id, actor_of(interaction))
        await reply(interaction, embed=status_embed(status))


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(SetupCog(bot))
