"""``/series``: facilitators create and manage recurring peer-support series."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.sessions import DURATION_MAX, DURATION_MIN, TITLE_MAX
from bot.services.series import SeriesRequest
from bot.ui.actors import actor_of
from bot.ui.choices import cohort_choices, picked_id, series_choices
from bot.ui.client import CwtchBot
from bot.ui.reply import reply
from bot.ui.session_embeds import series_embed

Cadence = Literal["once", "weekly", "fortnightly", "monthly", "bimonthly"]
MonthlyBy = Literal["weekday", "last_weekday", "day"]


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
        capacity="Places per session (empty: no limit)",
        room="A Discord voice or stage channel to meet in",
        link="Or an https:// meeting link (Teams, Zoom…)",
        monthly_by="Monthly/bimonthly: same weekday (default), last weekday, or same day of month",
        until="Last date, YYYY-MM-DD (or use count)",
        count="Number of sessions (or use until)",
    )
    @app_commands.autocomplete(cohort=cohort_choices)
    async def create(
        self,
        interaction: discord.Interaction[CwtchBot],
        cohort: str,
        title: app_commands.Range[str, 1, TITLE_MAX],
        cadence: Cadence,
        start: str,
        duration: int,
        capacity: int | None = None,
        room: discord.VoiceChannel | discord.StageChannel | None = None,
        link: str | None = None,
        monthly_by: MonthlyBy | None = None,
        until: str | None = None,
        count: int | None = None,
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
        await reply(
            interaction, "Series created. Sessions are announced a week ahead.", embed=series_embed([info], info.title)
        )

    @series.command(name="list", description="The series of this server")
    @app_commands.describe(cohort="Only this cohort's series")
    @app_commands.autocomplete(cohort=cohort_choices)
    async def list_(self, interaction: discord.Interaction[CwtchBot], cohort: str | None = None) -> None:
        assert interaction.guild_id is not None
        infos = await self.bot.services.series.listing(interaction.guild_id, cohort)
        await reply(interaction, embed=series_embed(infos))

    @series.command(name="pause", description="Pause a series: upcoming sessions are cancelled until you resume")
    @app_commands.autocomplete(series=series_choices)
    async def pause(self, interaction: discord.Interaction[CwtchBot], series: str) -> None:
        await self._stop(interaction, series, pause=True)

    @series.command(name="end", description="End a series: upcoming sessions are cancelled")
    @app_commands.autocomplete(series=series_choices)
    async def end(self, interaction: discord.Interaction[CwtchBot], series: str) -> None:
        await self._stop(interaction, series, pause=False)

    @series.command(name="resume", description="Resume a paused series")
    @app_commands.autocomplete(series=series_choices)
    async def resume(self, interaction: discord.Interaction[CwtchBot], series: str) -> None:
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
