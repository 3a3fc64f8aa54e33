"""``/session``: everyone lists upcoming sessions; facilitators cancel, move, start, end and take attendance."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.cohorts import NAME_MAX
from bot.domain.inputs import DATE_TEXT_MAX, PICKED_TEXT_MAX
from bot.domain.language import N_
from bot.domain.sessions import REASON_MAX
from bot.i18n import t
from bot.ui.actors import actor_of
from bot.ui.attendance import attendance_view
from bot.ui.choices import attendance_session_choices, cohort_choices, picked_id, session_choices
from bot.ui.client import CwtchBot
from bot.ui.readers import language_of
from bot.ui.reply import acknowledge, reply
from bot.ui.session_embeds import attendance_embed, moment
from bot.ui.session_list import session_list_answer

# What Discord lets a member type into each option; the services check it all again.
Picked = app_commands.Range[str, 1, PICKED_TEXT_MAX]


class SessionCog(commands.Cog):
    session = app_commands.Group(name="session", description="Peer-support sessions", guild_only=True)

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @session.command(name="list", description="Upcoming sessions, with your RSVP")
    @app_commands.describe(cohort="This cohort's sessions (without it: your cohorts')")
    @app_commands.autocomplete(cohort=cohort_choices)
    async def list_(
        self, interaction: discord.Interaction[CwtchBot], cohort: app_commands.Range[str, 1, NAME_MAX] | None = None
    ) -> None:
        assert interaction.guild_id is not None
        acknowledge(interaction)  # at once: a busy moment must not pass Discord's 3 s
        page, language = await asyncio.gather(  # read side by side: a burst of lists waits on the database once
            self.bot.services.sessions.upcoming(interaction.guild_id, interaction.user.id, cohort),
            language_of(interaction),
        )
        embed, view = session_list_answer(page, language)
        await reply(interaction, embed=embed, view=view)

    @session.command(name="cancel", description="Cancel one session (facilitators); those who RSVP'd are told")
    @app_commands.describe(session="The session", reason="Shared with those who RSVP'd")
    @app_commands.autocomplete(session=session_choices)
    async def cancel(
        self,
        interaction: discord.Interaction[CwtchBot],
        session: Picked,
        reason: app_commands.Range[str, 1, REASON_MAX] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        card = await self.bot.services.sessions.cancel(
            interaction.guild_id, actor_of(interaction), picked_id(session, "session"), reason
        )
        language = await language_of(interaction)
        text = N_("Cancelled **{title}** on {when}. Those who RSVP'd were told.")
        await reply(
            interaction, t(language, text, title=card.title, when=moment(card.starts_at, card.timezone, language))
        )

    @session.command(name="move", description="Move one session to another time (facilitators)")
    @app_commands.describe(session="The session", start="New start, YYYY-MM-DD HH:MM in the cohort's time zone")
    @app_commands.autocomplete(session=session_choices)
    async def move(
        self,
        interaction: discord.Interaction[CwtchBot],
        session: Picked,
        start: app_commands.Range[str, 1, DATE_TEXT_MAX],
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        card = await self.bot.services.sessions.move(
            interaction.guild_id, actor_of(interaction), picked_id(session, "session"), start
        )
        language = await language_of(interaction)
        new = moment(card.starts_at, card.timezone, language)
        if card.moved_from:
            text = N_("Moved **{title}** from {old} to {when}. Those who RSVP'd were told.")
            old = moment(card.moved_from, card.timezone, language)
            await reply(interaction, t(language, text, title=card.title, old=old, when=new))
        else:
            text = N_("Moved **{title}** to {when}. Those who RSVP'd were told.")
            await reply(interaction, t(language, text, title=card.title, when=new))

    @session.command(name="start", description="Open a session's room now (facilitators)")
    @app_commands.autocomplete(session=session_choices)
    async def start(self, interaction: discord.Interaction[CwtchBot], session: Picked) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        card = await self.bot.services.sessions.start(
            interaction.guild_id, actor_of(interaction), picked_id(session, "session")
        )
        language = await language_of(interaction)
        await reply(
            interaction, t(language, N_("**{title}** is open: <#{thread}>."), title=card.title, thread=card.thread_id)
        )

    @session.command(name="end", description="End a session now and close its room (facilitators)")
    @app_commands.autocomplete(session=session_choices)
    async def end(self, interaction: discord.Interaction[CwtchBot], session: Picked) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        card = await self.bot.services.sessions.end(
            interaction.guild_id, actor_of(interaction), picked_id(session, "session")
        )
        language = await language_of(interaction)
        await reply(interaction, t(language, N_("**{title}** has ended and its room is closed."), title=card.title))

    @session.command(name="attendance", description="See and correct who came to a session (facilitators)")
    @app_commands.describe(session="A session on now or held in the last 30 days")
    @app_commands.autocomplete(session=attendance_session_choices)
    async def attendance(self, interaction: discord.Interaction[CwtchBot], session: Picked) -> None:
        assert interaction.guild_id is not None
        occurrence_id = picked_id(session, "session")
        sheet = await self.bot.services.sessions.attendance(interaction.guild_id, actor_of(interaction), occurrence_id)
        language = await language_of(interaction)
        await reply(interaction, embed=attendance_embed(sheet, language), view=attendance_view(occurrence_id, language))


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(SessionCog(bot))
