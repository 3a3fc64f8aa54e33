"""``/feedback give`` and the coordinators' ``/report feedback``, ``/report attendance`` and ``/report community``."""

from __future__ import annotations

import asyncio
import io
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.cohorts import NAME_MAX
from bot.domain.disclosure import Breakdown
from bot.domain.inputs import DATE_TEXT_MAX, PICKED_TEXT_MAX
from bot.domain.language import N_
from bot.i18n import t
from bot.ui.actors import actor_of
from bot.ui.choices import cohort_choices, picked_id, released_session_choices
from bot.ui.client import CwtchBot
from bot.ui.community_reports import CHART as COMMUNITY_CHART
from bot.ui.community_reports import TABLE as COMMUNITY_TABLE
from bot.ui.community_reports import TABLE_ALT, community_chart_png, community_csv, community_embed
from bot.ui.community_reports import chart_description as community_chart_description
from bot.ui.feedback import comments_reply, open_survey
from bot.ui.readers import language_of
from bot.ui.reply import reply
from bot.ui.reports import chart_description, feedback_chart_png, feedback_csv, feedback_embed, waiting_text
from bot.ui.session_embeds import attendance_report_embed

DATE_HELP = "YYYY-MM-DD, YYYY-MM, YYYY-Qn or FY2027 (default: the last 12 months)"
END_HELP = "YYYY-MM-DD, YYYY-MM, YYYY-Qn or FY2027 (default: today)"
CHART = N_("feedback-chart.png")
TABLE = N_("feedback.csv")
CSV_ALT = N_("The report's figures as a table: period, cohort, measure, agreed, out of, share and 95% interval.")
BreakdownName = Literal["month", "quarter", "financial_year", "cohort", "none"]
# What Discord lets a coordinator type into each option; the services check it all again.
CohortName = app_commands.Range[str, 1, NAME_MAX]
DateText = app_commands.Range[str, 1, DATE_TEXT_MAX]
Picked = app_commands.Range[str, 1, PICKED_TEXT_MAX]


class FeedbackCog(commands.Cog):
    feedback = app_commands.Group(name="feedback", description="Post-session feedback", guild_only=True)
    report = app_commands.Group(name="report", description="Reports for coordinators", guild_only=True)

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @feedback.command(name="give", description="Answer the survey about the latest session you attended")
    async def give(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        occurrence_id = await self.bot.services.surveys.latest_open(interaction.guild_id, interaction.user.id)
        await open_survey(interaction, occurrence_id)

    @feedback.command(name="comments", description="Read a closed session's comments, without names (facilitators)")
    @app_commands.describe(session="A session whose survey has closed and been counted")
    @app_commands.autocomplete(session=released_session_choices)
    async def comments(self, interaction: discord.Interaction[CwtchBot], session: Picked) -> None:
        assert interaction.guild_id is not None
        result = await self.bot.services.surveys.comments(
            interaction.guild_id, actor_of(interaction), picked_id(session, "session")
        )
        embed, attachment = comments_reply(result, await language_of(interaction))
        await reply(interaction, embed=embed, file=attachment)

    @report.command(name="feedback", description="How sessions felt: shares who agreed, by cohort and period")
    @app_commands.describe(
        cohort="One cohort (default: all)",
        start=DATE_HELP,
        end=END_HELP,
        breakdown="Rows by month (default), quarter, financial year or cohort",
    )
    @app_commands.autocomplete(cohort=cohort_choices)
    async def report_feedback(
        self,
        interaction: discord.Interaction[CwtchBot],
        cohort: CohortName | None = None,
        start: DateText | None = None,
        end: DateText | None = None,
        breakdown: BreakdownName = "month",
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.bot.services.reports.feedback(
            interaction.guild_id, actor_of(interaction), cohort, start, end, Breakdown(breakdown)
        )
        language = await language_of(interaction)
        chart = await asyncio.to_thread(feedback_chart_png, report, language)  # drawing takes a moment
        table, alt = feedback_csv(report, language), t(language, CSV_ALT)
        files = [discord.File(io.BytesIO(table), filename=t(language, TABLE), description=alt)]
        embed = feedback_embed(report, language)
        if chart is not None:
            named, described = t(language, CHART), chart_description(report, language)
            files.insert(0, discord.File(io.BytesIO(chart), named, description=described))
            embed.set_image(url=f"attachment://{named}")
        await reply(interaction, embed=embed, files=files)

    @report.command(name="attendance", description="Sessions held, RSVPs, attendance, waitlist and no-shows")
    @app_commands.describe(cohort="One cohort (default: all)", start=DATE_HELP, end=END_HELP)
    @app_commands.autocomplete(cohort=cohort_choices)
    async def report_attendance(
        self,
        interaction: discord.Interaction[CwtchBot],
        cohort: CohortName | None = None,
        start: DateText | None = None,
        end: DateText | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        report = await self.bot.services.reports.attendance(
            interaction.guild_id, actor_of(interaction), cohort, start, end
        )
        language = await language_of(interaction)
        waiting = waiting_text(report.waiting, report.min_group, language, report.period.zone)
        await reply(interaction, embed=attendance_report_embed(report, waiting, language))

    @report.command(name="community", description="Members over time, joins and leaves, resources and top tags")
    @app_commands.describe(start=DATE_HELP, end=END_HELP)
    async def report_community(
        self,
        interaction: discord.Interaction[CwtchBot],
        start: DateText | None = None,
        end: DateText | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.bot.services.community_reports.report(
            interaction.guild_id, actor_of(interaction), start, end
        )
        language = await language_of(interaction)
        chart = await asyncio.to_thread(community_chart_png, report, language)  # drawing takes a moment
        table, alt = community_csv(report, language), t(language, TABLE_ALT)
        files = [discord.File(io.BytesIO(table), filename=t(language, COMMUNITY_TABLE), description=alt)]
        embed = community_embed(report, language)
        if chart is not None:
            named, described = t(language, COMMUNITY_CHART), community_chart_description(report, language)
            files.insert(0, discord.File(io.BytesIO(chart), named, description=described))
            embed.set_image(url=f"attachment://{named}")
        await reply(interaction, embed=embed, files=files)


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(FeedbackCog(bot))
