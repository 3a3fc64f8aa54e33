"""The community report for coordinators: an embed, a phone-friendly chart of members over time (stepping at
released blocks, the only moments it may show), and a CSV with a row per block. Like the feedback chart, it draws
on matplotlib's Agg canvas directly (no ``pyplot``), so it is safe in a worker thread; callers on the event loop
run it via ``asyncio.to_thread``.

Every word is in the coordinator's language (English unless ``language`` says otherwise), tags by their names in it;
the figures are the same in every language."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.i18n import t, when
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
from bot.ui.wording import day_text, theme_name

CHART = N_("community-members.png")  # file names, in the coordinator's language too
TABLE = N_("community.csv")
TABLE_ALT = N_(
    "The community's figures as a table: one row per block of activity, with the date it counts to, joins, "
    "leaves, members after it, resources opened and what works posts."
)
CSV_HEADER = (
    N_("Block counted to"),
    N_("Joined"),
    N_("Left"),
    N_("Members after"),
    N_("Resources opened"),
    N_("What works posts"),
)
_TITLE_PT = 26
_SUBTITLE_PT = 18
_TICK_PT = 18
_LINE_COLOUR = "#0072B2"  # Okabe-Ito blue, as in the feedback chart
_FILL_COLOUR = "#56B4E9"
_TEXT_COLOUR = "#222222"
_NOTE_COLOUR = "#555555"


def _period(report: CommunityReport, language: Language) -> str:
    return period_text(ReportScope(None, report.start, report.end, report.min_group), language)


def _tags(tags: Sequence[tuple[str, int]], language: Language) -> str:
    if not tags:
        return t(language, N_("None in this period"))
    return ", ".join(f"{theme_name(tag, language)} ({count})" for tag, count in tags)


def _date(moment: datetime, zone: ZoneInfo, language: Language) -> str:
    """Discord's own timestamp for an English reader; written out in Welsh (in the report's zone) for a Welsh
    reader, since Discord shows its timestamps in the app's language, never Welsh."""
    if language is Language.EN:
        return f"<t:{int(moment.timestamp())}:D>"
    return when(moment, zone.key, language)


def how_counted(report: CommunityReport, language: Language = DEFAULT_LANGUAGE) -> str:
    """Why the newest activity may not show yet, and how far the figures go."""
    rule = t(
        language,
        N_(
            "People figures are added up from blocks of activity by at least {min_group} people, so nobody "
            "can be picked out; the newest activity counts once its block is full."
        ),
        min_group=report.min_group,
    )
    if report.counted_to is None:
        return t(language, N_("Nothing counted yet. {rule}"), rule=rule)
    counted_to = _date(report.counted_to, report.zone, language)
    return t(language, N_("Counted to {date}. {rule}"), date=counted_to, rule=rule)


def community_embed(report: CommunityReport, language: Language = DEFAULT_LANGUAGE) -> discord.Embed:
    counts = report.counts
    embed = discord.Embed(
        title=t(language, N_("Community of practice")),
        description=f"{_period(report, language)}\n{how_counted(report, language)}",
        colour=REPORT_COLOUR,
    )
    after = report.points[-1].members if report.points else report.members_before
    joined_left = t(language, N_("{joins} joined, {leaves} left"), joins=counts.joins, leaves=counts.leaves)
    for name, value, inline in (
        (N_("Members"), str(report.members_now), True),
        (N_("Members over the period"), f"{report.members_before} → {after}", True),
        (N_("Joined / left"), joined_left, True),
        (N_("Resources opened"), str(counts.opens), True),
        (N_("What works posts"), str(counts.posts), True),
        (N_("Resources added"), str(report.resources_added), True),
        (N_("Top tags (resources added)"), _tags(report.top_tags_added, language), False),
        (N_("Top tags (resources opened)"), _tags(report.top_tags_opened, language), False),
    ):
        embed.add_field(name=t(language, name), value=value, inline=inline)
    return embed


def chart_description(report: CommunityReport, language: Language = DEFAULT_LANGUAGE) -> str:
    """The chart in words (its alt text), within Discord's 1,024 characters."""
    steps = ", ".join(f"{day_text(point.day, language)}: {point.members}" for point in report.points)
    text = t(
        language,
        N_("Chart: community members, {period}. At the start: {members}."),
        period=_period(report, language),
        members=report.members_before,
    )
    if steps:
        text += " " + t(language, N_("After each counted block: {steps}."), steps=steps)
    return clip(text, ATTACHMENT_DESCRIPTION_MAX)


def community_chart_png(report: CommunityReport, language: Language = DEFAULT_LANGUAGE) -> bytes | None:
    """A 1080 x 1080 PNG of members over the period, stepping at each released block; None when no block has
    been released yet (an empty chart says nothing)."""
    if report.counted_to is None:
        return None
    import matplotlib.dates as mdates  # matplotlib loads only when a chart is drawn: it is big
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(CHART_INCHES, CHART_INCHES), dpi=CHART_DPI, facecolor="white", layout="constrained")
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    figure.suptitle(t(language, N_("Community members")), fontsize=_TITLE_PT, color=_TEXT_COLOUR)
    axes.set_title(_period(report, language), fontsize=_SUBTITLE_PT, color=_NOTE_COLOUR, pad=16)
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
    if language is Language.EN:
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    else:  # the day and the month's name in the reader's language (the year is in the title above)
        axes.xaxis.set_major_formatter(
            FuncFormatter(lambda value, _position: day_text(mdates.num2date(value).date(), language, year=False))
        )
    axes.tick_params(axis="both", labelsize=_TICK_PT, colors=_TEXT_COLOUR, length=8, width=1.5)
    axes.xaxis.get_offset_text().set_fontsize(_TICK_PT)
    axes.grid(axis="y", color="#dddddd", linewidth=1.2)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    counts = report.counts
    axes.set_xlabel(
        t(
            language,
            N_("{joins} joined, {leaves} left · steps where a block of activity was counted"),
            joins=counts.joins,
            leaves=counts.leaves,
        ),
        fontsize=_SUBTITLE_PT,
        color=_NOTE_COLOUR,
        labelpad=14,
    )
    out = io.BytesIO()
    canvas.print_png(out, metadata={"Software": None})
    figure.clear()
    return out.getvalue()


def community_csv(report: CommunityReport, language: Language = DEFAULT_LANGUAGE) -> bytes:
    """One plain header row in ``language``, then a row per released block of the period, as an Excel-friendly
    CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t(language, heading) for heading in CSV_HEADER])
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
