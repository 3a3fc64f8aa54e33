"""Feedback reports for coordinators: an embed, a phone-friendly chart and a tidy CSV.

Everything here renders figures the services have already added up from whole release blocks
(``bot.domain.disclosure``): each pools at least the anonymity threshold of people and never changes, so every
number may be shown as it is, with its n and a 95% interval. This module never sees answers or comments.

The chart is drawn with matplotlib's Agg canvas directly (``Figure`` + ``FigureCanvasAgg``), never through
``pyplot``, so it touches no global state and is safe to call from a worker thread. Rendering takes a moment,
so callers on the event loop should run it via ``asyncio.to_thread``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

import discord

from bot.domain.disclosure import Breakdown, Waiting
from bot.domain.feedback import STATEMENTS
from bot.services.reports import FeedbackReport, FeedbackRow, StatementShare

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

ALL_COHORTS = "All cohorts"
ROWS_IN_EMBED = 12  # breakdown rows listed in the embed; the CSV has them all

# Short labels for the chart's legend and the embed's rows, by statement key.
SHORT_LABELS: dict[str, str] = {
    "supported": "Emotionally supported",
    "supported_others": "Supported others",
    "less_isolated": "Less isolated",
}
BREAKDOWN_NAMES: dict[Breakdown, str] = {
    Breakdown.MONTH: "By month",
    Breakdown.QUARTER: "By quarter",
    Breakdown.FINANCIAL_YEAR: "By financial year (April to March)",
    Breakdown.COHORT: "By cohort",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

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


def scope_of(report: FeedbackReport) -> ReportScope:
    return ReportScope(report.period.cohort, report.period.start, report.period.end, report.min_group)


# --- words ------------------------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def period_text(scope: ReportScope) -> str:
    """'1 Mar 2027 – 31 May 2027', or a single day when the period is one day long."""
    if scope.start == scope.end:
        return _day(scope.start)
    return f"{_day(scope.start)} – {_day(scope.end)}"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def row_label(row: FeedbackRow) -> str:
    """A row's label as people read it: "Mar 2027", "2027 Q1", "2027-28", or the cohort's name."""
    label = row.label
    if len(label) == 7 and label[4] == "-" and label[:4].isdigit() and label[5:].isdigit():
        return f"{_MONTHS[int(label[5:]) - 1]} {label[:4]}"
    return label


def share_text(share: StatementShare) -> str:
    """'93% agreed (27 of 29; 95% interval 78–98%)', or that nobody answered."""
    if share.share is None or share.interval is None:
        return "No answers counted yet"
    low, high = share.interval
    return f"{share.share}% agreed ({share.agreed} of {share.n}; 95% interval {low}–{high}%)"


def rate_text(row: FeedbackRow) -> str:
    tally = row.tally
    responses = _plural(tally.responses, "response", "responses")
    attendances = _plural(tally.attendees, "attendance", "attendances")
    if row.response_rate is None:
        return f"{responses}; no attendance recorded"
    return f"{row.response_rate}%: {responses} from {attendances}"


def waiting_text(waiting: Waiting, min_group: int) -> str | None:
    """What is not counted yet, in sessions (never people), and when it will count."""
    parts = []
    if waiting.open_surveys:
        closes = f", the next on <t:{int(waiting.next_close.timestamp())}:D>" if waiting.next_close else ""
        parts.append(f"{_plural(waiting.open_surveys, 'session', 'sessions')} still open for answers{closes}")
    if waiting.sessions:
        parts.append(
            f"{_plural(waiting.sessions, 'closed session', 'closed sessions')} waiting until their cohort's next "
            f"group of sessions reaches {min_group} people"
        )
    if not parts:
        return None
    return "Not counted yet: " + "; ".join(parts) + "."


# --- embed --------------------------------------------------------------------------------------------------


def _row_line(row: FeedbackRow) -> str:
    shares = " · ".join(f"{s.share}%" if s.share is not None else "–" for s in row.statements)
    return f"**{row_label(row)}**: {shares} (n={row.tally.responses})"


def feedback_embed(report: FeedbackReport) -> discord.Embed:
    """The report as an embed that stays within Discord's limits."""
    scope, total = scope_of(report), report.total
    lines = [f"{period_text(scope)} · {_plural(total.tally.sessions, 'session', 'sessions')} counted"]
    if not total.blocks:
        lines.append(
            f"No answers can be shown yet. Answers count once a survey has closed and its cohort's sessions hold "
            f"answers from at least {report.min_group} people, so that no one can be picked out."
        )
    waiting = waiting_text(report.waiting, report.min_group)
    if waiting:
        lines.append(waiting)
    embed = discord.Embed(
        title=clip(f"Feedback: {scope.cohort_label}", TITLE_MAX),
        description=clip("\n".join(lines), DESCRIPTION_MAX),
        colour=REPORT_COLOUR,
    )
    if total.blocks:
        for share in total.statements:
            embed.add_field(name=clip(share.text, FIELD_NAME_MAX), value=share_text(share), inline=False)
        embed.add_field(name="Response rate", value=rate_text(total), inline=False)
    if report.rows and report.breakdown in BREAKDOWN_NAMES:
        shown = report.rows[-ROWS_IN_EMBED:]
        listed = "\n".join(_row_line(row) for row in shown)
        if len(report.rows) > len(shown):
            listed = f"(latest {len(shown)} of {len(report.rows)}; all are in the CSV)\n" + listed
        name = BREAKDOWN_NAMES[report.breakdown] + ": " + " · ".join(SHORT_LABELS[s.key] for s in STATEMENTS)
        embed.add_field(name=clip(name, FIELD_NAME_MAX), value=clip(listed, FIELD_VALUE_MAX), inline=False)
    embed.set_footer(
        text=clip(
            f"agreed = Agree or Strongly agree. A response is one person's answers about one session. Figures add "
            f"up whole groups of sessions with at least {report.min_group} people, so no one can be picked out.",
            FOOTER_MAX,
        )
    )
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


def feedback_chart_png(report: FeedbackReport) -> bytes | None:
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
        drawable(clip(f"Feedback: {scope.cohort_label}", _CHART_TITLE_MAX)),
        fontsize=_TITLE_PT,
        color=_TEXT_COLOUR,
        parse_math=False,
    )
    subtitle = f"% who agreed, with 95% intervals, {period_text(scope)}"
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
            label=SHORT_LABELS.get(statement.key, clip(statement.text, 24)),
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
    labels = [f"{drawable(clip(row_label(rows[place]), 20))}\nn={rows[place].tally.responses}" for place in ticks]
    axes.set_xticks(ticks, labels)
    axes.tick_params(axis="both", labelsize=_TICK_PT, colors=_TEXT_COLOUR, length=8, width=1.5)
    if len(ticks) > 4:
        axes.tick_params(axis="x", labelrotation=45)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    note = f"n = responses; each figure adds up groups of at least {report.min_group} people"
    axes.set_xlabel(note, fontsize=_NOTE_PT, color=_NOTE_COLOUR, labelpad=14, parse_math=False)
    figure.legend(loc="outside lower center", ncols=2, fontsize=_LEGEND_PT, frameon=False, handlelength=1.5)
    return _png(figure, canvas)


def chart_description(report: FeedbackReport) -> str:
    """The chart in words (its alt text), within Discord's 1,024 characters."""
    rows = _chart_rows(report)
    parts = [f"Chart: % who agreed with each statement, {period_text(scope_of(report))}."]
    for row in rows:
        shares = ", ".join(
            f"{SHORT_LABELS[s.key].lower()} {s.share}% ({s.interval[0]}–{s.interval[1]}%)"
            for s in row.statements
            if s.share is not None and s.interval is not None
        )
        parts.append(f"{row_label(row)}: {shares}; n={row.tally.responses}.")
    return clip(" ".join(parts), ATTACHMENT_DESCRIPTION_MAX)


# --- CSV ----------------------------------------------------------------------------------------------------


def safe_text(text: str) -> str:
    """``text`` made inert for spreadsheets: a leading ' stops =, +, -, @ (and friends) starting a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


CSV_HEADER = (
    "Period",
    "Cohort",
    "Measure",
    "Agreed or answered",
    "Out of",
    "Share %",
    "95% interval low %",
    "95% interval high %",
)


def _csv_rows(label: str, cohort: str, row: FeedbackRow) -> list[list[str]]:
    lines = []
    for share in row.statements:
        low, high = share.interval if share.interval else ("", "")
        share_cell = "" if share.share is None else str(share.share)
        lines.append([label, cohort, share.text, str(share.agreed), str(share.n), share_cell, str(low), str(high)])
    rate = "" if row.response_rate is None else str(row.response_rate)
    lines.append(
        [
            label,
            cohort,
            "Response rate (responses of attendances)",
            str(row.tally.responses),
            str(row.tally.attendees),
            rate,
            "",
            "",
        ]
    )
    lines.append([label, cohort, "Sessions counted", str(row.tally.sessions), "", "", "", ""])
    return [[safe_text(cell) for cell in line] for line in lines]


def feedback_csv(report: FeedbackReport) -> bytes:
    """The report as an Excel-friendly CSV (UTF-8 with BOM, CRLF line ends) in a tidy long format: one header
    row, then one row per period (or cohort), cohort and measure. Aggregates of whole release blocks only."""
    scope = scope_of(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    whole = period_text(scope)
    writer.writerows(_csv_rows(whole, scope.cohort_label, report.total))
    for row in report.rows:
        if report.breakdown is Breakdown.COHORT:
            writer.writerows(_csv_rows(whole, row.label, row))
        else:
            writer.writerows(_csv_rows(row_label(row), scope.cohort_label, row))
    return out.getvalue().encode("utf-8-sig")
