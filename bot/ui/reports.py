"""Feedback reports for coordinators: an embed, a phone-friendly trend chart and a CSV of aggregates.

Everything here renders figures the domain has already aggregated and suppressed (``FeedbackSummary``); it
never sees individual answers or comments. On top of that, a figure is only ever shown whole: if any of its
parts is suppressed, or the whole summary is, every part of it is treated as suppressed, so no number that
could be worked back to a small group slips out.

The chart is drawn with matplotlib's Agg canvas directly (``Figure`` + ``FigureCanvasAgg``), never through
``pyplot``, so it touches no global state (no backend switch, no rcParams) and is safe to call from a worker
thread. Rendering takes a moment, so callers on the event loop should run it via ``asyncio.to_thread``.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

import discord

from bot.domain.feedback import STATEMENTS, FeedbackSummary, StatementFigure

if TYPE_CHECKING:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

REPORT_COLOUR = discord.Colour(0x2E8B8B)

# Discord's embed limits.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000

SUPPRESSED = "suppressed"
NOT_AVAILABLE = "n/a"
ALL_COHORTS = "All cohorts"

# Short legend labels for the chart, by statement key; unknown keys fall back to the statement's text.
SHORT_LABELS: dict[str, str] = {
    "supported": "Emotionally supported",
    "supported_others": "Supported others",
    "less_isolated": "Less isolated",
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
_EMPTY_PT = 30
_LINE_WIDTH = 4.5
_MARKER_SIZE = 14
_CHART_TITLE_MAX = 40
# Okabe-Ito colours, which stay apart for colour-blind readers; markers and dashes differ too.
_STYLES: tuple[tuple[str, str, str], ...] = (
    ("#0072B2", "o", "-"),
    ("#D55E00", "s", "--"),
    ("#009E73", "^", "-."),
)
_TEXT_COLOUR = "#222222"
_NOTE_COLOUR = "#555555"

# Cells a spreadsheet would read as a formula (or that start one after a tab or line break).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True, slots=True)
class ReportScope:
    """What a report covers: one cohort (or all of them), an inclusive period, and the suppression threshold."""

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


# --- shared helpers -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shown:
    """A statement figure that may be shown: every part present and the summary not suppressed."""

    agreed: int
    n: int
    share: int


def _shown(summary: FeedbackSummary, figure: StatementFigure | None) -> _Shown | None:
    if summary.suppressed or figure is None:
        return None
    if figure.agreed is None or figure.n is None or figure.share is None:
        return None
    return _Shown(agreed=figure.agreed, n=figure.n, share=figure.share)


def _figures_by_key(summary: FeedbackSummary) -> dict[str, StatementFigure]:
    return {figure.key: figure for figure in summary.statements}


def _rate_text(summary: FeedbackSummary, scope: ReportScope) -> str:
    responses, attendees, rate = summary.responses, summary.attendees, summary.response_rate
    if summary.suppressed or responses is None or attendees is None:
        return _not_shown(scope)
    if rate is None:
        # Not a small group: attendance was not taken (fully), so there is no sensible rate.
        return (
            f"Not available: {_plural(responses, 'response', 'responses')}, "
            f"{_plural(attendees, 'attendee', 'attendees')} recorded"
        )
    return f"{rate}% ({responses} of {_plural(attendees, 'attendee', 'attendees')})"


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _month(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.year}"


def period_text(scope: ReportScope) -> str:
    """'1 Mar 2027 – 31 May 2027', or a single day when the period is one day long."""
    if scope.start == scope.end:
        return _day(scope.start)
    return f"{_day(scope.start)} – {_day(scope.end)}"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _not_shown(scope: ReportScope) -> str:
    return f"Not shown: fewer than {scope.min_group} responses"


# --- embed --------------------------------------------------------------------------------------------------


def feedback_embed(summary: FeedbackSummary, scope: ReportScope) -> discord.Embed:
    """The feedback summary for ``scope`` as an embed that stays within Discord's limits."""
    lines = [f"{period_text(scope)} · {_plural(summary.sessions, 'session', 'sessions')}"]
    if summary.suppressed:
        lines.append(
            f"Fewer than {scope.min_group} people answered or attended in this period, so no figures about "
            "people are shown. Try a longer period or all cohorts."
        )
    embed = discord.Embed(
        title=_clip(f"Feedback: {scope.cohort_label}", TITLE_MAX),
        description=_clip("\n".join(lines), DESCRIPTION_MAX),
        colour=REPORT_COLOUR,
    )
    figures = _figures_by_key(summary)
    for statement in STATEMENTS:
        shown = _shown(summary, figures.get(statement.key))
        value = f"{shown.share}% agreed (n={shown.n})" if shown else _not_shown(scope)
        embed.add_field(name=_clip(statement.text, FIELD_NAME_MAX), value=_clip(value, FIELD_VALUE_MAX), inline=False)
    embed.add_field(name="Response rate", value=_clip(_rate_text(summary, scope), FIELD_VALUE_MAX), inline=False)
    embed.set_footer(
        text=_clip(f"agreed = Agree or Strongly agree; groups under {scope.min_group} are never shown", FOOTER_MAX)
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


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _index_month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _percent(value: float, _position: int | None = None) -> str:
    return f"{value:.0f}%"


def _label_step(months: int) -> int:
    """Label every month, quarter, half-year… whichever keeps it to eight labels, so none overlap on a phone."""
    wanted = math.ceil(months / 8)
    for step in (1, 2, 3, 4, 6):
        if step >= wanted:
            return step
    return 12 * math.ceil(wanted / 12)


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


def _empty_chart(title: str, subtitle: str, scope: ReportScope) -> bytes:
    figure, canvas = _new_figure()
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(f"{title}\n{subtitle}", fontsize=_TITLE_PT, color=_TEXT_COLOUR, parse_math=False)
    axes.text(
        0.5,
        0.55,
        "Not enough responses to show",
        fontsize=_EMPTY_PT,
        fontweight="bold",
        color=_TEXT_COLOUR,
        ha="center",
        va="center",
        transform=axes.transAxes,
        parse_math=False,
    )
    axes.text(
        0.5,
        0.42,
        f"Groups under {scope.min_group} responses are never shown.\nTry a longer period or all cohorts.",
        fontsize=_SUBTITLE_PT,
        color=_NOTE_COLOUR,
        ha="center",
        va="center",
        linespacing=1.5,
        transform=axes.transAxes,
        parse_math=False,
    )
    return _png(figure, canvas)


def _hidden_note(hidden: int, partly: int, scope: ReportScope) -> str:
    parts = []
    if hidden:
        parts.append(f"{_plural(hidden, 'month', 'months')} hidden")
    if partly:
        parts.append(f"{partly} partly hidden" if hidden else f"{_plural(partly, 'month', 'months')} partly hidden")
    if not parts:
        return ""
    return f"{', '.join(parts)}: fewer than {scope.min_group} responses"


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """What the chart plots: every month from the first to the last, and one share per statement per month.

    A share is NaN where it may not be shown (or the trend has no entry for that month), so its line has a gap
    there rather than a dip to zero. ``hidden`` counts months with nothing shown, ``partly_hidden`` months
    with some statements shown and some not.
    """

    months: tuple[int, ...]  # year * 12 + month - 1
    shares: tuple[tuple[float, ...], ...]  # one tuple per statement of STATEMENTS, aligned with months
    hidden: int
    partly_hidden: int

    @property
    def any_shown(self) -> bool:
        return any(not math.isnan(share) for shares in self.shares for share in shares)


def trend_series(trend: Sequence[tuple[date, FeedbackSummary]]) -> TrendSeries:
    by_month = {_month_index(day): summary for day, summary in trend}
    if not by_month:
        return TrendSeries(months=(), shares=tuple(() for _ in STATEMENTS), hidden=0, partly_hidden=0)
    months = tuple(range(min(by_month), max(by_month) + 1))
    shares: list[list[float]] = [[] for _ in STATEMENTS]
    hidden = partly_hidden = 0
    for month in months:
        summary = by_month.get(month)
        figures = _figures_by_key(summary) if summary else {}
        shown_count = 0
        for values, statement in zip(shares, STATEMENTS, strict=True):
            shown = _shown(summary, figures.get(statement.key)) if summary else None
            values.append(float(shown.share) if shown else math.nan)
            shown_count += shown is not None
        if summary is None or shown_count == len(STATEMENTS):
            continue
        if shown_count == 0:
            hidden += 1
        else:
            partly_hidden += 1
    return TrendSeries(
        months=months, shares=tuple(tuple(values) for values in shares), hidden=hidden, partly_hidden=partly_hidden
    )


def feedback_chart_png(trend: Sequence[tuple[date, FeedbackSummary]], scope: ReportScope) -> bytes:
    """A 1080 x 1080 PNG of the monthly share agreeing with each statement.

    ``trend`` holds one summary per month, keyed by any day in that month. Suppressed figures are gaps in
    their line, never zeros, and months the trend skips are gaps too. When nothing at all may be shown the
    image says so plainly instead of drawing empty axes.
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter

    title = drawable(_clip(f"Feedback: {scope.cohort_label}", _CHART_TITLE_MAX))
    subtitle = f"% who agreed, {period_text(scope)}"

    series = trend_series(trend)
    if not series.any_shown:
        return _empty_chart(title, subtitle, scope)
    months = series.months
    first, last = months[0], months[-1]

    figure, canvas = _new_figure()
    axes = figure.add_subplot()
    figure.suptitle(title, fontsize=_TITLE_PT, color=_TEXT_COLOUR, parse_math=False)
    axes.set_title(subtitle, fontsize=_SUBTITLE_PT, color=_NOTE_COLOUR, pad=16, parse_math=False)
    for values, statement, (colour, marker, dashes) in zip(series.shares, STATEMENTS, _STYLES, strict=True):
        axes.plot(
            months,
            values,
            color=colour,
            marker=marker,
            linestyle=dashes,
            linewidth=_LINE_WIDTH,
            markersize=_MARKER_SIZE if len(months) <= 12 else _MARKER_SIZE * 0.7,
            label=SHORT_LABELS.get(statement.key, _clip(statement.text, 24)),
            clip_on=False,
            zorder=3,
        )

    axes.set_ylim(0, 100)
    axes.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    axes.yaxis.set_major_formatter(FuncFormatter(_percent))
    axes.grid(axis="y", color="#dddddd", linewidth=1.2)
    axes.set_xlim(first - 0.5, last + 0.5)
    step = _label_step(len(months))
    ticks = [month for month in months if month % step == 0]
    axes.set_xticks(ticks, [_month(_index_month(month)) for month in ticks])
    axes.tick_params(axis="both", labelsize=_TICK_PT, colors=_TEXT_COLOUR, length=8, width=1.5)
    if len(ticks) > 4:
        axes.tick_params(axis="x", labelrotation=45)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    note = _hidden_note(series.hidden, series.partly_hidden, scope)
    if note:
        axes.set_xlabel(note, fontsize=_NOTE_PT, color=_NOTE_COLOUR, labelpad=14, parse_math=False)
    figure.legend(
        loc="outside lower center",
        ncols=2,
        fontsize=_LEGEND_PT,
        frameon=False,
        handlelength=2.5,
        columnspacing=1.5,
    )
    return _png(figure, canvas)


# --- CSV ----------------------------------------------------------------------------------------------------


def _safe_text(text: str) -> str:
    """``text`` made inert for spreadsheets: a leading ' stops =, +, -, @ (and friends) starting a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_columns() -> list[str]:
    columns = ["period", "sessions", "attendees", "responses", "response_rate_percent"]
    for statement in STATEMENTS:
        columns += [f"{statement.key}_agreed", f"{statement.key}_n", f"{statement.key}_percent"]
    return columns


def _csv_row(period: str, summary: FeedbackSummary) -> list[str]:
    if summary.suppressed or summary.responses is None or summary.attendees is None:
        people = [SUPPRESSED] * 3
    else:
        # A group big enough to show without a rate had attendance missing: that cell is "n/a", not hidden.
        rate = NOT_AVAILABLE if summary.response_rate is None else str(summary.response_rate)
        people = [str(summary.attendees), str(summary.responses), rate]
    row = [period, str(summary.sessions), *people]
    figures = _figures_by_key(summary)
    for statement in STATEMENTS:
        shown = _shown(summary, figures.get(statement.key))
        row += [str(shown.agreed), str(shown.n), str(shown.share)] if shown else [SUPPRESSED] * 3
    return row


def feedback_csv(summary: FeedbackSummary, trend: Sequence[tuple[date, FeedbackSummary]], scope: ReportScope) -> bytes:
    """Aggregates for ``scope`` as an Excel-friendly CSV (UTF-8 with BOM, CRLF line ends).

    A few ``name,value`` lines describe the scope, then a blank line, then one header row and one row per
    period: ``all`` for the whole scope and ``YYYY-MM`` per month of ``trend``. Suppressed cells read
    ``suppressed``; a response rate that cannot be worked out (attendance not taken) reads ``n/a``. There are
    never individual answers or comments in it.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["report", "Cwtch feedback (aggregates only)"])
    writer.writerow(["cohort", _safe_text(scope.cohort_label)])
    writer.writerow(["period_start", scope.start.isoformat()])
    writer.writerow(["period_end", scope.end.isoformat()])
    writer.writerow(["minimum_group", str(scope.min_group)])
    writer.writerow(["agreed_means", "Agree or Strongly agree"])
    for statement in STATEMENTS:
        writer.writerow([f"statement_{statement.key}", _safe_text(statement.text)])
    writer.writerow([])
    writer.writerow(csv_columns())
    writer.writerow(_csv_row("all", summary))
    for day, month_summary in sorted(trend, key=lambda item: item[0]):
        writer.writerow(_csv_row(f"{day.year:04d}-{day.month:02d}", month_summary))
    return out.getvalue().encode("utf-8-sig")
