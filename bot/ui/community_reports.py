"""The community report for coordinators: an embed, a phone-friendly chart of members over time (stepping at
released blocks, the only moments it may show), and a CSV with a row per block. Like the feedback chart, it draws
on matplotlib's Agg canvas directly (no ``pyplot``), so it is safe in a worker thread; callers on the event loop
run it via ``asyncio.to_thread``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

import discord

from bot.services.community_reports import CommunityReport
from bot.ui.reports import (
    ATTACHMENT_DESCRIPTION_MAX,
    CHART_DPI,
    CHART_INCHES,
    REPORT_COLOUR,
    ReportScope,
    clip,
    period_text,
)

CHART = "community-members.png"
TABLE = "community.csv"
TABLE_ALT = (
    "The community's figures as a table: one row per block of activity, with the date it counts to, joins, "
    "leaves, members after it, resources opened and what works posts."
)
CSV_HEADER = (
    "Block counted to",
    "Joined",
    "Left",
    "Members after",
    "Resources opened",
    "What works posts",
)
_TITLE_PT = 26
_SUBTITLE_PT = 18
_TICK_PT = 18
_LINE_COLOUR = "#0072B2"  # Okabe-Ito blue, as in the feedback chart
_FILL_COLOUR = "#56B4E9"
_TEXT_COLOUR = "#222222"
_NOTE_COLOUR = "#555555"


def _period(report: CommunityReport) -> str:
    return period_text(ReportScope(None, report.start, report.end, report.min_group))


def _tags(tags: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{tag} ({count})" for tag, count in tags) if tags else "None in this period"


def _date(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:D>"


def how_counted(report: CommunityReport) -> str:
    """Why the newest activity may not show yet, and how far the figures go."""
    rule = (
        f"People figures are added up from blocks of activity by at least {report.min_group} people, so nobody "
        "can be picked out; the newest activity counts once its block is full."
    )
    if report.counted_to is None:
        return f"Nothing counted yet. {rule}"
    return f"Counted to {_date(report.counted_to)}. {rule}"


def community_embed(report: CommunityReport) -> discord.Embed:
    counts = report.counts
    embed = discord.Embed(
        title="Community of practice", description=f"{_period(report)}\n{how_counted(report)}", colour=REPORT_COLOUR
    )
    embed.add_field(name="Members", value=str(report.members_now))
    after = report.points[-1].members if report.points else report.members_before
    embed.add_field(name="Members over the period", value=f"{report.members_before} → {after}")
    embed.add_field(name="Joined / left", value=f"{counts.joins} joined, {counts.leaves} left")
    embed.add_field(name="Resources opened", value=str(counts.opens))
    embed.add_field(name="What works posts", value=str(counts.posts))
    embed.add_field(name="Resources added", value=str(report.resources_added))
    embed.add_field(name="Top tags (resources added)", value=_tags(report.top_tags_added), inline=False)
    embed.add_field(name="Top tags (resources opened)", value=_tags(report.top_tags_opened), inline=False)
    return embed


def chart_description(report: CommunityReport) -> str:
    """The chart in words (its alt text), within Discord's 1,024 characters."""
    steps = ", ".join(f"{point.day.day} {point.day:%b %Y}: {point.members}" for point in report.points)
    text = f"Chart: community members, {_period(report)}. At the start: {report.members_before}."
    return clip(f"{text} After each counted block: {steps}." if steps else text, ATTACHMENT_DESCRIPTION_MAX)


def community_chart_png(report: CommunityReport) -> bytes | None:
    """A 1080 x 1080 PNG of members over the period, stepping at each released block; None when no block has
    been released yet (an empty chart says nothing)."""
    if report.counted_to is None:
        return None
    import matplotlib.dates as mdates  # matplotlib loads only when a chart is drawn: it is big
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(CHART_INCHES, CHART_INCHES), dpi=CHART_DPI, facecolor="white", layout="constrained")
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    figure.suptitle("Community members", fontsize=_TITLE_PT, color=_TEXT_COLOUR)
    axes.set_title(_period(report), fontsize=_SUBTITLE_PT, color=_NOTE_COLOUR, pad=16)
    last = report.points[-1].day if report.points else report.start
    days = mdates.date2num([report.start, *(point.day for point in report.points), max(last, report.end)])
    members = [report.members_before, *(point.members for point in report.points)]
    members.append(members[-1])
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
    counts = report.counts
    axes.set_xlabel(
        f"{counts.joins} joined, {counts.leaves} left · steps where a block of activity was counted",
        fontsize=_SUBTITLE_PT,
        color=_NOTE_COLOUR,
        labelpad=14,
    )
    out = io.BytesIO()
    canvas.print_png(out, metadata={"Software": None})
    figure.clear()
    return out.getvalue()


def community_csv(report: CommunityReport) -> bytes:
    """One plain-English header row, then a row per released block of the period, as an Excel-friendly CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for block, point in zip(report.blocks, report.points, strict=True):
        counts = block.counts
        writer.writerow(
            [
                point.day.isoformat(),
                str(counts.joins),
                str(counts.leaves),
                str(point.members),
                str(counts.opens),
                str(counts.posts),
            ]
        )
    return out.getvalue().encode("utf-8-sig")
