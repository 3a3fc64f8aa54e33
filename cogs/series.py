"""``/series``: facilitators create and manage recurring peer-support series."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.cohorts import NAME_MAX
from bot.domain.inputs import DATE_TEXT_MAX, PICKED_TEXT_MAX, TIME_TEXT_MAX
from bot.domain.language import N_
from bot.domain.series_rules import StopAction
from bot.domain.sessions import CAPACITY_MAX, COUNT_MAX, DURATION_MAX, DURATION_MIN, LINK_MAX, TITLE_MAX
from bot.i18n import t
from bot.services.series import SeriesRequest
from bot.services.series_edit import SeriesChanges
from bot.ui.actors import actor_of
from bot.ui.choices import cohort_choices, picked_id, series_choices
from bot.ui.client import CwtchBot
from bot.ui.readers import language_of
from bot.ui.reply import reply
from bot.ui.series_items import edit_summary, stop_question, stop_view
from bot.ui.session_embeds import series_embed
from bot.ui.setup import facilitators_note

Cadence = Literal["once", "weekly", "fortnightly", "monthly", "bimonthly"]
MonthlyBy = Literal["weekday", "last_weekday", "day"]
# What Discord lets a member type into each option; the services check it all again.
CohortName = app_commands.Range[str, 1, NAME_MAX]
Picked = app_commands.Range[str, 1, PICKED_TEXT_MAX]
DateText = app_commands.Range[str, 1, DATE_TEXT_MAX]
Room = discord.VoiceChannel | discord.StageChannel
# The language a series' sessions are held in (none: English); names are shown as written, in both languages.
MEDIUMS = [
    app_commands.Choice(name="Cymraeg", value="cy"),
    app_commands.Choice(name="Dwyieithog – Bilingual", value="bilingual"),
]
MEDIUM_HELP = "Held in Welsh or bilingually (empty: English)"


class SeriesCog(commands.Cog):
    series = app_commands.Group(
        name="series", description="Recurring peer-support series (facilitators)", guild_only=True
    )

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @series.command(name="create", description="Create a recurring series of sessions for a cohort")
    @app_commands.describe(
        cohort="The cohort it is for",
        title="For example: Peer support",
        cadence="How often it meets",
        start="First session, YYYY-MM-DD HH:MM in the cohort's time zone",
        duration=f"Minutes, {DURATION_MIN}-{DURATION_MAX}",
        capacity=f"Places per session, 1-{CAPACITY_MAX} (empty: no limit)",
        room="A Discord voice or stage channel to meet in",
        link="Or an https:// meeting link (Teams, Zoom…)",
        monthly_by="Monthly/bimonthly: same weekday (default), last weekday, or same day of month",
        until="Last date, YYYY-MM-DD (or use count)",
        count=f"Number of sessions, 1-{COUNT_MAX} (or use until)",
        language=MEDIUM_HELP,
    )
    @app_commands.autocomplete(cohort=cohort_choices)
    @app_commands.choices(language=MEDIUMS)
    async def create(
        self,
        interaction: discord.Interaction[CwtchBot],
        cohort: CohortName,
        title: app_commands.Range[str, 1, TITLE_MAX],
        cadence: Cadence,
        start: DateText,
        duration: app_commands.Range[int, DURATION_MIN, DURATION_MAX],
        capacity: app_commands.Range[int, 1, CAPACITY_MAX] | None = None,
        room: Room | None = None,
        link: app_commands.Range[str, 1, LINK_MAX] | None = None,
        monthly_by: MonthlyBy | None = None,
        until: DateText | None = None,
        count: app_commands.Range[int, 1, COUNT_MAX] | None = None,
        language: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        request = SeriesRequest(
            cohort=cohort,
            title=title,
            cadence=cadence,
            start=start,
            duration=duration,
            capacity=capacity,
            room_channel_id=room.id if room else None,
            link=link,
            monthly_by=monthly_by,
            until=until,
            count=count,
            medium=language,
        )
        info = await self.bot.services.series.create(interaction.guild_id, actor_of(interaction), request)
        reader = await language_of(interaction)
        note = facilitators_note(await self.bot.services.setup.config(interaction.guild_id), reader)
        text = t(reader, N_("Series created. Sessions are announced a week ahead.")) + (f"\n{note}" if note else "")
        await reply(interaction, text, embed=series_embed([info], info.title, language=reader))

    @series.command(name="list", description="The series of this server (facilitators)")
    @app_commands.describe(cohort="Only this cohort's series")
    @app_commands.autocomplete(cohort=cohort_choices)
    async def list_(self, interaction: discord.Interaction[CwtchBot], cohort: CohortName | None = None) -> None:
        assert interaction.guild_id is not None
        infos = await self.bot.services.series.listing(interaction.guild_id, actor_of(interaction), cohort)
        demand = await self.bot.services.series.welsh_medium_demand(interaction.guild_id, actor_of(interaction))
        language = await language_of(interaction)
        await reply(interaction, embed=series_embed(infos, language=language, demand=demand))

    @series.command(name="pause", description="Pause a series: upcoming sessions are cancelled until you resume")
    @app_commands.autocomplete(series=series_choices)
    async def pause(self, interaction: discord.Interaction[CwtchBot], series: Picked) -> None:
        await self._ask_to_stop(interaction, series, StopAction.PAUSE)

    @series.command(name="end", description="End a series: upcoming sessions are cancelled")
    @app_commands.autocomplete(series=series_choices)
    async def end(self, interaction: discord.Interaction[CwtchBot], series: Picked) -> None:
        await self._ask_to_stop(interaction, series, StopAction.END)

    @series.command(name="edit", description="Change a series; those who RSVP'd to sessions that change are told")
    @app_commands.describe(
        series="The series to change",
        title="A new title",
        duration=f"Minutes, {DURATION_MIN}-{DURATION_MAX}",
        capacity=f"Places per session, 1-{CAPACITY_MAX}",
        room="Meet in this Discord voice or stage channel from now on",
        link="Or meet at this https:// link from now on",
        start_time="New time of day, HH:MM in the cohort's time zone",
        from_date="The new time applies from this date, YYYY-MM-DD (default: the next session)",
        language="Held in Welsh, bilingually, or in English from now on",
    )
    @app_commands.autocomplete(series=series_choices)
    @app_commands.choices(language=[*MEDIUMS, app_commands.Choice(name="English", value="en")])
    async def edit(
        self,
        interaction: discord.Interaction[CwtchBot],
        series: Picked,
        title: app_commands.Range[str, 1, TITLE_MAX] | None = None,
        duration: app_commands.Range[int, DURATION_MIN, DURATION_MAX] | None = None,
        capacity: app_commands.Range[int, 1, CAPACITY_MAX] | None = None,
        room: Room | None = None,
        link: app_commands.Range[str, 1, LINK_MAX] | None = None,
        start_time: app_commands.Range[str, 1, TIME_TEXT_MAX] | None = None,
        from_date: DateText | None = None,
        language: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        changes = SeriesChanges(
            title=title,
            duration=duration,
            capacity=capacity,
            room_channel_id=room.id if room else None,
            link=link,
            start_time=start_time,
            from_date=from_date,
            medium=language,
        )
        outcome = await self.bot.services.series.edit(
            interaction.guild_id, actor_of(interaction), picked_id(series, "series"), changes
        )
        reader = await language_of(interaction)
        await reply(
            interaction,
            edit_summary(outcome, reader),
            embed=series_embed([outcome.info], outcome.info.title, language=reader),
        )

    @series.command(name="resume", description="Resume a paused series")
    @app_commands.autocomplete(series=series_choices)
    async def resume(self, interaction: discord.Interaction[CwtchBot], series: Picked) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        info, _ = await self.bot.services.series.resume(
            interaction.guild_id, actor_of(interaction), picked_id(series, "series")
        )
        language = await language_of(interaction)
        await reply(
            interaction, t(language, N_("Series resumed.")), embed=series_embed([info], info.title, language=language)
        )

    async def _ask_to_stop(self, interaction: discord.Interaction[CwtchBot], series: str, action: StopAction) -> None:
        """Say what a pause or an end will do; the buttons do it (``bot/ui/series_items.py``)."""
        assert interaction.guild_id is not None
        preview = await self.bot.services.series.preview_stop(
            interaction.guild_id, actor_of(interaction), picked_id(series, "series"), action
        )
        language = await language_of(interaction)
        await reply(interaction, stop_question(preview, language), view=stop_view(preview, language))


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(SeriesCog(bot))
