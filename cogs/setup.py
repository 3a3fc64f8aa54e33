"""``/setup``: admins choose the facilitator and coordinator roles, the bot's channels and the server's languages,
and see what is missing; a new server gets a short welcome with these steps."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.language import N_, ChannelPosts, Language
from bot.i18n import t
from bot.ui.actors import actor_of
from bot.ui.client import CwtchBot
from bot.ui.readers import language_of
from bot.ui.reply import reply
from bot.ui.setup import (
    ForumOption,
    TextChannelOption,
    channels_help_embed,
    languages_embed,
    post_welcome,
    setup_embed,
    status_embed,
)

DEFAULT_CHOICES = [app_commands.Choice(name=language.name_in_itself, value=language.value) for language in Language]
POSTS_CHOICES = [
    app_commands.Choice(name="Cymraeg", value=ChannelPosts.CY.value),
    app_commands.Choice(name="English", value=ChannelPosts.EN.value),
    app_commands.Choice(name="Dwyieithog – Bilingual", value=ChannelPosts.BILINGUAL.value),
]


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
        language = await language_of(interaction)
        await reply(interaction, t(language, N_("Roles saved.")), embed=setup_embed(config, language))

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
        language = await language_of(interaction)
        if announcements is None and resources is None and facilitators is None:
            await reply(interaction, embed=channels_help_embed(config, language))
            return
        await reply(interaction, t(language, N_("Channels saved.")), embed=setup_embed(config, language))

    @setup.command(name="language", description="The language of members who haven't chosen, and of channel posts")
    @app_commands.describe(
        default="What members who haven't chosen with /language read (Cymraeg or English)",
        channel_posts="How announcements, session threads and digests are written: Cymraeg, English or both",
    )
    @app_commands.choices(default=DEFAULT_CHOICES, channel_posts=POSTS_CHOICES)
    async def language(
        self,
        interaction: discord.Interaction[CwtchBot],
        default: str | None = None,
        channel_posts: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        chosen = Language(default) if default in set(Language) else None
        posts = ChannelPosts(channel_posts) if channel_posts in set(ChannelPosts) else None
        config = await self.bot.services.setup.set_languages(
            interaction.guild_id, actor_of(interaction), language=chosen, channel_posts=posts
        )
        # Read after the change: an admin who never chose a language reads the server's new default.
        changed = chosen is not None or posts is not None
        language = await language_of(interaction)
        await reply(interaction, embed=languages_embed(config, language, changed=changed))

    @setup.command(name="status", description="What is set up, what is missing, and the command that fixes each")
    async def status(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        status = await self.bot.services.setup.status(interaction.guild_id, actor_of(interaction))
        await reply(interaction, embed=status_embed(status, await language_of(interaction)))


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(SetupCog(bot))
