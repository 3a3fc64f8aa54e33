"""``/cohort``: facilitators create cohorts; members list, join and leave them."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.cohorts import DESCRIPTION_MAX, NAME_MAX, suggest_timezones
from bot.domain.inputs import ZONE_TEXT_MAX, zone_note_message
from bot.domain.language import N_
from bot.i18n import t
from bot.ui.actors import actor_of
from bot.ui.client import CwtchBot
from bot.ui.cohorts import cohort_created_embed, cohort_list_embed
from bot.ui.readers import language_of
from bot.ui.reply import acknowledge, reply


class CohortCog(commands.Cog):
    cohort = app_commands.Group(name="cohort", description="Peer-support cohorts", guild_only=True)

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    async def _cohort_names(
        self, interaction: discord.Interaction[CwtchBot], current: str
    ) -> list[app_commands.Choice[str]]:
        assert interaction.guild_id is not None
        names = await self.bot.services.cohorts.names(interaction.guild_id, current)
        return [app_commands.Choice(name=name, value=name) for name in names]

    @cohort.command(name="create", description="Create a cohort (facilitators)")
    @app_commands.describe(
        name="For example: Domiciliary care managers",
        description="Who the cohort is for",
        channel="The cohort's home text channel",
        role="A role given to members when they join (optional)",
        timezone="Where the cohort meets, e.g. Europe/London (default: the server's default)",
    )
    async def create(
        self,
        interaction: discord.Interaction[CwtchBot],
        name: app_commands.Range[str, 1, NAME_MAX],
        description: app_commands.Range[str, 1, DESCRIPTION_MAX],
        channel: discord.TextChannel,
        role: discord.Role | None = None,
        timezone: app_commands.Range[str, 1, ZONE_TEXT_MAX] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        cohort = await self.bot.services.cohorts.create(
            interaction.guild_id,
            actor_of(interaction),
            name=name,
            description=description,
            channel_id=channel.id,
            role_id=role.id if role else None,
            timezone=timezone,
        )
        language = await language_of(interaction)
        note = zone_note_message(timezone)
        await reply(interaction, note and t(language, note[0], **note[1]), embed=cohort_created_embed(cohort, language))

    @create.autocomplete("timezone")
    async def _timezones(
        self, interaction: discord.Interaction[CwtchBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=zone, value=zone) for zone in suggest_timezones(current)]

    @cohort.command(name="list", description="The cohorts of this server")
    async def list_(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        acknowledge(interaction)  # at once: a busy moment must not pass Discord's 3 s
        cohorts = await self.bot.services.cohorts.listing(interaction.guild_id, interaction.user.id)
        await reply(interaction, embed=cohort_list_embed(cohorts, await language_of(interaction)))

    @cohort.command(name="join", description="Join a cohort")
    @app_commands.describe(name="The cohort to join")
    @app_commands.autocomplete(name=_cohort_names)
    async def join(
        self, interaction: discord.Interaction[CwtchBot], name: app_commands.Range[str, 1, NAME_MAX]
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        cohort = await self.bot.services.cohorts.join(interaction.guild_id, interaction.user.id, name)
        language = await language_of(interaction)
        if cohort.role_id:
            text = t(
                language,
                N_("Welcome to **{name}**! You now have the <@&{role_id}> role. Its home is <#{channel_id}>."),
                name=cohort.name,
                role_id=cohort.role_id,
                channel_id=cohort.channel_id,
            )
        else:
            text = t(
                language,
                N_("Welcome to **{name}**! Its home is <#{channel_id}>."),
                name=cohort.name,
                channel_id=cohort.channel_id,
            )
        await reply(interaction, text)

    @cohort.command(name="leave", description="Leave a cohort")
    @app_commands.describe(name="The cohort to leave")
    @app_commands.autocomplete(name=_cohort_names)
    async def leave(
        self, interaction: discord.Interaction[CwtchBot], name: app_commands.Range[str, 1, NAME_MAX]
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        cohort = await self.bot.services.cohorts.leave(interaction.guild_id, interaction.user.id, name)
        language = await language_of(interaction)
        await reply(
            interaction, t(language, N_("You've left **{name}**. You're welcome back any time."), name=cohort.name)
        )


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(CohortCog(bot))
