"""The community report for coordinators: an embed, a phone-friendly chart of members over time, and a CSV of the
daily figures. Like the feedback chart, it draws on matplotlib's Agg canvas directly (no ``pyplot``), so it is
safe in a worker thread; callers on the event loop run it via ``asyncio.to_thread``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import discord

from bot.domain.community import DayFigures
from bot.services.reports import CommunityReport
from bot.ui.reports import ALL_COHORTS, CHART_DPI, CHART_INCHES, REPORT_COLOUR, ReportScope, drawable, period_text

TITLE_MAX = 256
_TITLE_PT = 26
_SUBTITLE_PT = 18
_TICK_PT = 18
_NOTE_PT = 30
_LINE_COLOUR = "#0072B2"  # Okabe-Ito blue, as in the feedback chart
_FILL_COLOUR = "#56B4E9"
_TEXT_COLOUR = "#222222"
_NOTE_COLOUR = "#555555"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def community_scope(report: CommunityReport) -> ReportScope:
    period = report.period
    return ReportScope(period.cohort, period.start, period.end, min_group=1)


def _label(scope: ReportScope) -> str:
    return scope.cohort or ALL_COHORTS


def _tags(tags: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{tag} ({count})" for tag, count in tags) if tags else "None in this period"


def _members_at_start(days: Sequence[DayFigures]) -> int:
    first = days[0]
    return first.members - first.joins + first.leaves


def community_embed(report: CommunityReport) -> discord.Embed:
    scope = community_scope(report)
    embed = discord.Embed(
        title=f"Community: {_label(scope)}"[:TITLE_MAX],
        description=period_text(scope),
        colour=REPORT_COLOUR,
    )
    embed.add_field(name="Members now", value=str(report.members_now))
    if report.days:
        start, end = _members_at_start(report.days), report.days[-1].members
        embed.add_field(name="Members over the period", value=f"{start} → {end}")
    embed.add_field(name="Joined / left", value=f"{report.joins} joined, {report.leaves} left")
    embed.add_field(name="Resources added", value=str(report.resources_added))
    embed.add_field(name="Resources opened", value=str(report.resources_opened))
    embed.add_field(name="What works posts", value=str(report.what_works))
    embed.add_field(name="Top tags (resources added)", value=_tags(report.top_tags_added), inline=False)
    embed.add_field(name="Top tags (resources opened)", value=_tags(report.top_tags_opened), inline=False)
    if scope.cohort:
        embed.set_footer(text=f"People figures count members of {scope.cohort}; resources are the whole server's.")
    return embed


def community_chart_png(report: CommunityReport) -> bytes:
    """A 1080 x 1080 PNG of the number of members at the end of each day of the period."""
    import matplotlib.dates as mdates  # matplotlib loads only when a chart is drawn: it is big
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    scope = community_scope(report)
    figure = Figure(figsize=(CHART_INCHES, CHART_INCHES), dpi=CHART_DPI, facecolor="white", layout="constrained")
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # Names are people's text: never read as matplotlib's mathtext ("$...$").
    title = drawable(f"Community members: {_label(scope)}"[:48])
    figure.suptitle(title, fontsize=_TITLE_PT, color=_TEXT_COLOUR, parse_math=False)
    axes.set_title(period_text(scope), fontsize=_SUBTITLE_PT, color=_NOTE_COLOUR, pad=16, parse_math=False)
    if not report.days:
        axes.set_axis_off()
        axes.text(0.5, 0.5, "No days to show yet", fontsize=_NOTE_PT, ha="center", va="center", color=_TEXT_COLOUR)
    else:
        days = mdates.date2num([day.day for day in report.days])
        members = [day.members for day in report.days]
        axes.step(days, members, where="post", color=_LINE_COLOUR, linewidth=4.5)
        axes.fill_between(days, members, step="post", color=_FILL_COLOUR, alpha=0.25)
        axes.set_ylim(0, max(5, max(members) * 1.15))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes.tick_params(axis="both", labelsize=_TICK_PT, colors=_TEXT_COLOUR, length=8, width=1.5)
        axes.xaxis.get_offset_text().set_fontsize(_TICK_PT)
        axes.grid(axis="y", color="#dddddd", linewidth=1.2)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.set_xlabel(
            f"Now {report.members_now} members · {report.joins} joined, {report.leaves} left in this period",
            fontsize=_SUBTITLE_PT,
            color=_NOTE_COLOUR,
            labelpad=14,
        )
    out = io.BytesIO()
    canvas.print_png(out, metadata={"Software": None})
    figure.clear()
    return out.getvalue()


def _safe_text(text: str) -> str:
    """``text`` made inert for spreadsheets (a leading ' stops a formula)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def community_csv(report: CommunityReport) -> bytes:
    """The report's totals, then one row per day (date, joins, leaves, members), as an Excel-friendly CSV."""
    scope = community_scope(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["report", "Cwtch community"])
    writer.writerow(["cohort", _safe_text(_label(scope))])
    writer.writerow(["period_start", scope.start.isoformat()])
    writer.writerow(["period_end", scope.end.isoformat()])
    writer.writerow(["members_now", str(report.members_now)])
    writer.writerow(["joins", str(report.joins)])
    writer.writerow(["leaves", str(report.leaves)])
    writer.writerow(["resources_added", str(report.resources_added)])
    writer.writerow(["resources_opened", str(report.resources_opened)])
    writer.writerow(["what_works_posts", str(report.what_works)])
    for name, tags in (("top_tags_added", report.top_tags_added), ("top_tags_opened", report.top_tags_opened)):
        writer.writerow([name, *(f"{tag} ({count})" for tag, count in tags)])
    writer.writerow([])
    writer.writerow(["date", "joins", "leaves", "members"])
    for day in report.days:
        writer.writerow([day.day.isoformat(), str(day.joins), str(day.leaves), str(day.members)])
    return out.getvalue().encode("utf-8-sig")
