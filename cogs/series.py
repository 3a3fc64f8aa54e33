"""``/series``: facilitators create and manage recurring peer-support series."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.cohorts import NAME_MAX
from bot.domain.inputs import DATE_TEXT_MAX, PICKED_TEXT_MAX
from bot.domain.sessions import CAPACITY_MAX, COUNT_MAX, DURATION_MAX, DURATION_MIN, LINK_MAX, TITLE_MAX
from bot.services.series import SeriesRequest
from bot.ui.actors import actor_of
from bot.ui.choices import cohort_choices, picked_id, series_choices
from bot.ui.client import CwtchBot
from bot.ui.reply import reply
from bot.ui.session_embeds import series_embed
from bot.ui.setup import facilitators_note

Cadence = Literal["once", "weekly", "fortnightly", "monthly", "bimonthly"]
MonthlyBy = Literal["weekday", "last_weekday", "day"]
# What Discord lets a member type into each option; the services check it all again.
CohortName = app_commands.Range[str, 1, NAME_MAX]
Picked = app_commands.Range[str, 1, PICKED_TEXT_MAX]
DateText = app_commands.Range[str, 1, DATE_TEXT_MAX]


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
    )
    @app_commands.autocomplete(cohort=cohort_choices)
    async def create(
        self,
        interaction: discord.Interaction[CwtchBot],
        cohort: CohortName,
        title: app_commands.Range[str, 1, TITLE_MAX],
        cadence: Cadence,
        start: DateText,
        duration: app_commands.Range[int, DURATION_MIN, DURATION_MAX],
        capacity: app_commands.Range[int, 1, CAPACITY_MAX] | None = None,
        room: discord.VoiceChannel | discord.StageChannel | None = None,
        link: app_commands.Range[str, 1, LINK_MAX] | None = None,
        monthly_by: MonthlyBy | None = None,
        until: DateText | None = None,
        count: app_commands.Range[int, 1, COUNT_MAX] | None = None,
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
        )
        info = await self.bot.services.series.create(interaction.guild_id, actor_of(interaction), request)
        self.bot.runtime.wake()
        note = facilitators_note(await self.bot.services.setup.config(interaction.guild_id))
        text = "Series created. Sessions are announced a week ahead." + (f"\n{note}" if note else "")
        await reply(interaction, text, embed=series_embed([info], info.title))

    @series.command(name="list", description="The series of this server (facilitators)")
    @app_commands.describe(cohort="Only this cohort's series")
    @app_commands.autocomplete(cohort=cohort_choices)
    async def list_(self, interaction: discord.Interaction[CwtchBot], cohort: CohortName | None = None) -> None:
        assert interaction.guild_id is not None
        infos = await self.bot.services.series.listing(interaction.guild_id, actor_of(interaction), cohort)
        await reply(interaction, embed=series_embed(infos))

    @series.command(name="pause", description="Pause a series: upcoming sessions are cancelled until you resume")
    @app_commands.autocomplete(series=series_choices)
    async def pause(self, interaction: discord.Interaction[CwtchBot], series: Picked) -> None:
        await self._stop(interaction, series, pause=True)

    @series.command(name="end", description="End a series: upcoming sessions are cancelled")
    @app_commands.autocomplete(series=series_choices)
    async def end(self, interaction: discord.Interaction[CwtchBot], series: Picked) -> None:
        await self._stop(interaction, series, pause=False)

    @series.command(name="resume", description="Resume a paused series")
    @app_commands.autocomplete(series=series_choices)
    async def resume(self, interaction: discord.Interaction[CwtchBot], series: Picked) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        info, restored = await self.bot.services.series.resume(
            interaction.guild_id, actor_of(interaction), picked_id(series, "series")
        )
        await self.bot.services.sessions.refresh_announcements(restored)
        self.bot.runtime.wake()
        await reply(interaction, "Series resumed.", embed=series_embed([info], info.title))

    async def _stop(self, interaction: discord.Interaction[CwtchBot], series: str, *, pause: bool) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        service = self.bot.services.series
        stop = service.pause if pause else service.end
        info, cancelled = await stop(interaction.guild_id, actor_of(interaction), picked_id(series, "series"))
        await self.bot.services.sessions.announce_cancellations(cancelled)
        verb = "paused" if pause else "ended"
        await reply(interaction, f"**{info.title}** is {verb}; {len(cancelled)} upcoming session(s) cancelled.")


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(SeriesCog(bot))
