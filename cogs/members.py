"""Members' own settings and tools: ``/reminders on|off``, ``/calendar``, and voice attendance."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.cohorts import NAME_MAX
from bot.domain.language import N_
from bot.i18n import t
from bot.ui.choices import cohort_choices
from bot.ui.client import CwtchBot
from bot.ui.readers import language_of
from bot.ui.reply import reply

log = logging.getLogger(__name__)


class MembersCog(commands.Cog):
    reminders = app_commands.Group(name="reminders", description="Session reminders by DM", guild_only=True)

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @reminders.command(name="on", description="Get reminders 24 hours and 1 hour before sessions you RSVP'd to")
    async def reminders_on(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        await self.bot.services.rsvp.set_reminders(interaction.guild_id, interaction.user.id, True)
        text = N_("Reminders are on: I'll DM you 24 hours and 1 hour before sessions you RSVP'd to.")
        await reply(interaction, t(await language_of(interaction), text))

    @reminders.command(name="off", description="Stop session reminders")
    async def reminders_off(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        await self.bot.services.rsvp.set_reminders(interaction.guild_id, interaction.user.id, False)
        text = N_("Reminders are off. Turn them back on any time with `/reminders on`.")
        await reply(interaction, t(await language_of(interaction), text))

    @app_commands.command(name="calendar", description="A calendar file (.ics) of the sessions, for your calendar app")
    @app_commands.describe(cohort="Only this cohort's sessions")
    @app_commands.autocomplete(cohort=cohort_choices)
    @app_commands.guild_only()
    async def calendar(
        self, interaction: discord.Interaction[CwtchBot], cohort: app_commands.Range[str, 1, NAME_MAX] | None = None
    ) -> None:
        assert interaction.guild is not None
        language = await language_of(interaction)
        filename, body = await self.bot.services.calendar.ics(
            interaction.guild.id,
            cohort,
            name=t(language, N_("{server} peer support"), server=interaction.guild.name),
            language=language,
        )
        await reply(
            interaction,
            t(
                language,
                N_("Open this file to add the sessions to your calendar; times follow your calendar's time zone."),
            ),
            file=discord.File(io.BytesIO(body), filename=filename),
        )

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        if after.channel is None or (before.channel is not None and before.channel.id == after.channel.id):
            return
        try:
            await self.bot.services.rsvp.voice_presence(member.guild.id, member.id, after.channel.id)
        except Exception:
            log.exception("could not record voice attendance of user %s in guild %s", member.id, member.guild.id)


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(MembersCog(bot))
