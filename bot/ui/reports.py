"""Feedback reports for coordinators: an embed, a phone-friendly chart and a tidy CSV.

Everything here renders figures the services have already added up from whole release blocks
(``bot.domain.disclosure``): each pools at least the anonymity threshold of people and never changes, so every
number may be shown as it is, with its n and a 95% interval. This module never sees answers or comments.

Every word is in the coordinator's language (``language``; English unless given): months by their Welsh names for a
Welsh reader, the CSV's header row too. The figures are the same whatever the language.

The chart is drawn with matplotlib's Agg canvas directly (``Figure`` + ``FigureCanvasAgg``), never through
``pyplot``, so it touches no global state and is safe to call from a worker thread. Rendering takes a moment,
so callers on the event loop should run it via ``asyncio.to_thread``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.domain.disclosure import Breakdown, Waiting
from bot.domain.feedback import STATEMENTS
from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.i18n import t, when
from bot.services.reports import FeedbackReport, FeedbackRow, StatementShare
from bot.ui.wording import counted, day_text, month_text

if TYPE_CHECKING:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

REPORT_COLOUR = discord.Colour(0x2E8B8B)

# Discord's limits.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
ATTACHMENT_DESCRIPTION_MAX = 1024

ALL_COHORTS = N_("All cohorts")
ROWS_IN_EMBED = 12  # breakdown rows listed in the embed; the CSV has them all

# Short labels for the chart's legend and the embed's rows, by statement key.
SHORT_LABELS: dict[str, str] = {
    "supported": N_("Emotionally supported"),
    "supported_others": N_("Supported others"),
    "less_isolated": N_("Less isolated"),
}
BREAKDOWN_NAMES: dict[Breakdown, str] = {
    Breakdown.MONTH: N_("By month"),
    Breakdown.QUARTER: N_("By quarter"),
    Breakdown.FINANCIAL_YEAR: N_("By financial year (April to March)"),
    Breakdown.COHORT: N_("By cohort"),
}

# Chart geometry: 10.8 in x 10.8 in at 100 dpi = 1080 x 1080 px, a square that fills a phone screen.
CHART_INCHES = 10.8
CHART_DPI = 100
_TITLE_PT = 26
_SUBTITLE_PT = 18
_TICK_PT = 18
_LEGEND_PT = 18
_NOTE_PT = 16
_MARKER_SIZE = 16
_CHART_TITLE_MAX = 40
_CHART_ROWS_MAX = 24  # the latest rows drawn; more would not read on a phone
# Okabe-Ito colours, which stay apart for colour-blind readers, and a different marker for each statement.
_STYLES: tuple[tuple[str, str], ...] = (("#0072B2", "o"), ("#D55E00", "s"), ("#009E73", "^"))
# Each statement sits a little to the side of the others, so equal shares never hide one another.
_DODGE = (-0.22, 0.0, 0.22)
_TEXT_COLOUR = "#222222"
_NOTE_COLOUR = "#555555"

# Cells a spreadsheet would read as a formula (or that start one after a tab or line break).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True, slots=True)
class ReportScope:
    """What a report covers: one cohort (or all of them), an inclusive period, and the anonymity threshold."""

    cohort: str | None  # None = all cohorts
    start: date
    end: date  # inclusive
    min_group: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A report period must not end before it starts.")
        if self.min_group < 1:
            raise ValueError("The minimum group size must be at least 1.")

    @property
    def cohort_label(self) -> str:
        return self.cohort if self.cohort else ALL_COHORTS

    def cohort_in(self, language: Language) -> str:
        """The cohort's name, or "All cohorts" in ``language``."""
        return self.cohort if self.cohort else t(language, ALL_COHORTS)


def scope_of(report: FeedbackReport) -> ReportScope:
    return ReportScope(report.period.cohort, report.period.start, report.period.end, report.min_group)


# --- words ------------------------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def period_text(scope: ReportScope, language: Language = DEFAULT_LANGUAGE) -> str:
    """'1 Mar 2027 – 31 May 2027' ('1 Mawrth 2027 – 31 Mai 2027'), or a single day when the period is one day
    long."""
    if scope.start == scope.end:
        return day_text(scope.start, language)
    return f"{day_text(scope.start, language)} – {day_text(scope.end, language)}"


def row_label(row: FeedbackRow, language: Language = DEFAULT_LANGUAGE, breakdown: Breakdown = Breakdown.MONTH) -> str:
    """A row's label as people read it: "Mar 2027" ("Maw 2027"), "2027 Q1" ("2027 Ch1"), "2027-28" (a financial
    year), or the cohort's name."""
    label = row.label
    if breakdown in (Breakdown.FINANCIAL_YEAR, Breakdown.COHORT):
        return label
    if (
        len(label) == 7
        and label[4] == "-"
        and label[:4].isdigit()
        and label[5:].isdigit()
        and 1 <= int(label[5:]) <= 12
    ):
        return month_text(date(int(label[:4]), int(label[5:]), 1), language)
    if len(label) == 7 and label[:4].isdigit() and label[4:6] == " Q" and label[6:].isdigit():
        return t(language, N_("{year} Q{quarter}"), year=label[:4], quarter=label[6:])
    return label


def share_text(share: StatementShare, language: Language = DEFAULT_LANGUAGE) -> str:
    """'93% agreed (27 of 29; 95% interval 78–98%)', or that nobody answered."""
    if share.share is None or share.interval is None:
        return t(language, N_("No answers counted yet"))
    low, high = share.interval
    return t(
        language,
        N_("{share}% agreed ({agreed} of {n}; 95% interval {low}–{high}%)"),
        share=share.share,
        agreed=share.agreed,
        n=share.n,
        low=low,
        high=high,
    )


def rate_text(row: FeedbackRow, language: Language = DEFAULT_LANGUAGE) -> str:
    tally = row.tally
    responses = counted(language, tally.responses, N_("{count} response"), N_("{count} responses"))
    if row.response_rate is None:
        return t(language, N_("{responses}; no attendance recorded"), responses=responses)
    attendances = counted(language, tally.attendees, N_("{count} attendance"), N_("{count} attendances"))
    return t(
        language,
        N_("{rate}%: {responses} from {attendances}"),
        rate=row.response_rate,
        responses=responses,
        attendances=attendances,
    )


def _moment(moment: datetime, zone: ZoneInfo, language: Language) -> str:
    """A date for the reader: Discord's own timestamp for English readers; written out in Welsh (in the report's
    zone) for a Welsh reader, since Discord shows its timestamps in the app's language, never Welsh."""
    if language is Language.EN:
        return f"<t:{int(moment.timestamp())}:D>"
    return when(moment, zone.key, language)


def waiting_text(
    waiting: Waiting, min_group: int, language: Language = DEFAULT_LANGUAGE, zone: ZoneInfo | None = None
) -> str | None:
    """What is not counted yet, in sessions (never people), and when it will count."""
    parts = []
    if waiting.open_surveys:
        sessions = counted(language, waiting.open_surveys, N_("{count} session"), N_("{count} sessions"))
        if waiting.next_close:
            closes = _moment(waiting.next_close, zone or ZoneInfo("Europe/London"), language)
            parts.append(
                t(language, N_("{sessions} still open for answers, the next on {date}"), sessions=sessions, date=closes)
            )
        else:
            parts.append(t(language, N_("{sessions} still open for answers"), sessions=sessions))
    if waiting.sessions:
        sessions = counted(language, waiting.sessions, N_("{count} closed session"), N_("{count} closed sessions"))
        parts.append(
            t(
                language,
                N_("{sessions} waiting until their cohort's next group of sessions reaches {min_group} people"),
                sessions=sessions,
                min_group=min_group,
            )
        )
    if not parts:
        return None
    return t(language, N_("Not counted yet: {parts}."), parts="; ".join(parts))


# --- embed --------------------------------------------------------------------------------------------------


def _row_line(row: FeedbackRow, language: Language, breakdown: Breakdown) -> str:
    shares = " · ".join(f"{s.share}%" if s.share is not None else "–" for s in row.statements)
    return f"**{row_label(row, language, breakdown)}**: {shares} (n={row.tally.responses})"


def feedback_embed(report: FeedbackReport, language: Language = DEFAULT_LANGUAGE) -> discord.Embed:
    """The report as an embed that stays within Discord's limits."""
    scope, total = scope_of(report), report.total
    sessions = counted(language, total.tally.sessions, N_("{count} session"), N_("{count} sessions"))
    lines = [t(language, N_("{period} · {sessions} counted"), period=period_text(scope, language), sessions=sessions)]
    if not total.blocks:
        lines.append(
            t(
                language,
                N_(
                    "No answers can be shown yet. Answers count once a survey has closed and its cohort's sessions "
                    "hold answers from at least {min_group} people, so that no one can be picked out."
                ),
                min_group=report.min_group,
            )
        )
    waiting = waiting_text(report.waiting, report.min_group, language, report.period.zone)
    if waiting:
        lines.append(waiting)
    embed = discord.Embed(
        title=clip(t(language, N_("Feedback: {cohort}"), cohort=scope.cohort_in(language)), TITLE_MAX),
        description=clip("\n".join(lines), DESCRIPTION_MAX),
        colour=REPORT_COLOUR,
    )
    if total.blocks:
        for share in total.statements:
            embed.add_field(
                name=clip(t(language, share.text), FIELD_NAME_MAX), value=share_text(share, language), inline=False
            )
        embed.add_field(name=t(language, N_("Response rate")), value=rate_text(total, language), inline=False)
    if report.rows and report.breakdown in BREAKDOWN_NAMES:
        shown = report.rows[-ROWS_IN_EMBED:]
        listed = "\n".join(_row_line(row, language, report.breakdown) for row in shown)
        if len(report.rows) > len(shown):
            listed = (
                t(
                    language,
                    N_("(latest {shown} of {total}; all are in the CSV)"),
                    shown=len(shown),
                    total=len(report.rows),
                )
                + "\n"
                + listed
            )
        labels = " · ".join(t(language, SHORT_LABELS[s.key]) for s in STATEMENTS)
        name = t(language, BREAKDOWN_NAMES[report.breakdown]) + ": " + labels
        embed.add_field(name=clip(name, FIELD_NAME_MAX), value=clip(listed, FIELD_VALUE_MAX), inline=False)
    footer = N_(
        "agreed = Agree or Strongly agree. A response is one person's answers about one session. Figures add "
        "up whole groups of sessions with at least {min_group} people, so no one can be picked out."
    )
    embed.set_footer(text=clip(t(language, footer, min_group=report.min_group), FOOTER_MAX))
    # Only the cohort name is free text and the title caps it, so this holds by construction.
    assert len(embed) <= EMBED_TOTAL_MAX
    return embed


# --- chart --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _chart_font_path() -> str:
    from matplotlib.font_manager import FontProperties, findfont

    return str(findfont(FontProperties()))


def drawable(text: str) -> str:
    """``text`` without characters the chart's font cannot draw (which would otherwise draw boxes and warn)."""
    from matplotlib.font_manager import get_font  # matplotlib loads only when a chart is drawn: it is big

    font = get_font(_chart_font_path())
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char)[0] != "C" and font.get_char_index(ord(char)) != 0:
            kept.append(char)
    return " ".join("".join(kept).split())


def _percent(value: float, _position: int | None = None) -> str:
    return f"{value:.0f}%"


def _new_figure() -> tuple[Figure, FigureCanvasAgg]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(CHART_INCHES, CHART_INCHES), dpi=CHART_DPI, facecolor="white", layout="constrained")
    return figure, FigureCanvasAgg(figure)


def _png(figure: Figure, canvas: FigureCanvasAgg) -> bytes:
    out = io.BytesIO()
    # No "Software" entry (and PNGs carry no dates), so the same trend always gives the same bytes.
    canvas.print_png(out, metadata={"Software": None})
    figure.clear()
    return out.getvalue()


def _chart_rows(report: FeedbackReport) -> list[FeedbackRow]:
    """The rows the chart draws: the breakdown's (latest first cut), or the total alone; only rows with answers."""
    rows = report.rows if report.rows else [report.total]
    return [row for row in rows if row.tally.responses][-_CHART_ROWS_MAX:]


def feedback_chart_png(report: FeedbackReport, language: Language = DEFAULT_LANGUAGE) -> bytes | None:
    """A 1080 x 1080 PNG: per row, the share agreeing with each statement as a dot with its 95% interval.

    The three statements sit side by side in each row, so equal values never hide one another. None when no
    answers are counted in the report: an empty chart says nothing the embed does not.
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter

    rows = _chart_rows(report)
    if not rows:
        return None
    scope = scope_of(report)
    figure, canvas = _new_figure()
    axes = figure.add_subplot()
    figure.suptitle(
        drawable(clip(t(language, N_("Feedback: {cohort}"), cohort=scope.cohort_in(language)), _CHART_TITLE_MAX)),
        fontsize=_TITLE_PT,
        color=_TEXT_COLOUR,
        parse_math=False,
    )
    subtitle = t(language, N_("% who agreed, with 95% intervals, {period}"), period=period_text(scope, language))
    axes.set_title(subtitle, fontsize=_SUBTITLE_PT, color=_NOTE_COLOUR, pad=16, parse_math=False)
    places = range(len(rows))
    for index, (statement, (colour, marker), dodge) in enumerate(zip(STATEMENTS, _STYLES, _DODGE, strict=True)):
        shares = [row.statements[index] for row in rows]
        xs = [place + dodge for place in places]
        ys = [float(share.share or 0) for share in shares]
        low = [y - (share.interval or (0, 0))[0] for y, share in zip(ys, shares, strict=True)]
        high = [(share.interval or (0, 0))[1] - y for y, share in zip(ys, shares, strict=True)]
        axes.errorbar(
            xs,
            ys,
            yerr=[low, high],
            fmt=marker,
            color=colour,
            markersize=_MARKER_SIZE if len(rows) <= 8 else _MARKER_SIZE * 0.6,
            elinewidth=2.5,
            capsize=6,
            label=t(language, SHORT_LABELS[statement.key]),
            clip_on=False,
            zorder=3,
        )
    axes.set_ylim(0, 100)
    axes.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    axes.yaxis.set_major_formatter(FuncFormatter(_percent))
    axes.grid(axis="y", color="#dddddd", linewidth=1.2)
    axes.set_xlim(-0.6, len(rows) - 0.4)
    step = max(1, -(-len(rows) // 8))  # at most eight labels, so none overlap on a phone
    ticks = [place for place in places if place % step == 0]
    labels = [
        f"{drawable(clip(row_label(rows[place], language, report.breakdown), 20))}\nn={rows[place].tally.responses}"
        for place in ticks
    ]
    axes.set_xticks(ticks, labels)
    axes.tick_params(axis="both", labelsize=_TICK_PT, colors=_TEXT_COLOUR, length=8, width=1.5)
    if len(ticks) > 4:
        axes.tick_params(axis="x", labelrotation=45)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    note = t(
        language,
        N_("n = responses; each figure adds up groups of at least {min_group} people"),
        min_group=report.min_group,
    )
    axes.set_xlabel(note, fontsize=_NOTE_PT, color=_NOTE_COLOUR, labelpad=14, parse_math=False)
    figure.legend(loc="outside lower center", ncols=2, fontsize=_LEGEND_PT, frameon=False, handlelength=1.5)
    return _png(figure, canvas)


def chart_description(report: FeedbackReport, language: Language = DEFAULT_LANGUAGE) -> str:
    """The chart in words (its alt text), within Discord's 1,024 characters."""
    rows = _chart_rows(report)
    period = period_text(scope_of(report), language)
    parts = [t(language, N_("Chart: % who agreed with each statement, {period}."), period=period)]
    for row in rows:
        shares = ", ".join(
            f"{t(language, SHORT_LABELS[s.key]).lower()} {s.share}% ({s.interval[0]}–{s.interval[1]}%)"
            for s in row.statements
            if s.share is not None and s.interval is not None
        )
        parts.append(f"{row_label(row, language, report.breakdown)}: {shares}; n={row.tally.responses}.")
    return clip(" ".join(parts), ATTACHMENT_DESCRIPTION_MAX)


# --- CSV ----------------------------------------------------------------------------------------------------


def safe_text(text: str) -> str:
    """``text`` made inert for spreadsheets: a leading ' stops =, +, -, @ (and friends) starting a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


CSV_HEADER = (
    N_("Period"),
    N_("Cohort"),
    N_("Measure"),
    N_("Agreed or answered"),
    N_("Out of"),
    N_("Share %"),
    N_("95% interval low %"),
    N_("95% interval high %"),
)


def _csv_rows(label: str, cohort: str, row: FeedbackRow, language: Language) -> list[list[str]]:
    lines = []
    for share in row.statements:
        low, high = share.interval if share.interval else ("", "")
        share_cell = "" if share.share is None else str(share.share)
        measure = t(language, share.text)
        lines.append([label, cohort, measure, str(share.agreed), str(share.n), share_cell, str(low), str(high)])
    rate = "" if row.response_rate is None else str(row.response_rate)
    lines.append(
        [
            label,
            cohort,
            t(language, N_("Response rate (responses of attendances)")),
            str(row.tally.responses),
            str(row.tally.attendees),
            rate,
            "",
            "",
        ]
    )
    lines.append([label, cohort, t(language, N_("Sessions counted")), str(row.tally.sessions), "", "", "", ""])
    return [[safe_text(cell) for cell in line] for line in lines]


def feedback_csv(report: FeedbackReport, language: Language = DEFAULT_LANGUAGE) -> bytes:
    """The report as an Excel-friendly CSV (UTF-8 with BOM, CRLF line ends) in a tidy long format: one header
    row (in ``language``), then one row per period (or cohort), cohort and measure. Aggregates of whole release
    blocks only."""
    scope = scope_of(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t(language, heading) for heading in CSV_HEADER])
    whole, everyone = period_text(scope, language), scope.cohort_in(language)
    writer.writerows(_csv_rows(whole, everyone, report.total, language))
    for row in report.rows:
        if report.breakdown is Breakdown.COHORT:
            writer.writerows(_csv_rows(whole, row.label, row, language))
        else:
            writer.writerows(_csv_rows(row_label(row, language, report.breakdown), everyone, row, language))
    return out.getvalue().encode("utf-8-sig")
