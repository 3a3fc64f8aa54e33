"""Rendering feedback reports: the embed, the trend chart and the CSV, from hand-built summaries."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date

import pytest
from matplotlib.image import imread

from bot.domain.feedback import STATEMENTS, FeedbackSummary, StatementFigure
from bot.ui.reports import (
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    TITLE_MAX,
    ReportScope,
    feedback_chart_png,
    feedback_csv,
    feedback_embed,
    trend_series,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOT_SHOWN = "Not shown: fewer than 5 responses"
SCOPE = ReportScope(cohort="Care home managers", start=date(2027, 3, 1), end=date(2027, 5, 31), min_group=5)
ALL_SCOPE = ReportScope(cohort=None, start=date(2027, 1, 1), end=date(2027, 12, 31), min_group=5)
COLUMNS = [
    "period",
    "sessions",
    "attendees",
    "responses",
    "response_rate_percent",
    "supported_agreed",
    "supported_n",
    "supported_percent",
    "supported_others_agreed",
    "supported_others_n",
    "supported_others_percent",
    "less_isolated_agreed",
    "less_isolated_n",
    "less_isolated_percent",
]


def summary(
    shares: tuple[int | None, int | None, int | None] = (93, 50, 71),
    responses: int = 14,
    attendees: int = 20,
    sessions: int = 12,
) -> FeedbackSummary:
    """A shown summary; a None share makes that statement suppressed (all three of its numbers)."""
    figures = tuple(
        StatementFigure(
            key=statement.key,
            text=statement.text,
            agreed=None if share is None else round(share * responses / 100),
            n=None if share is None else responses,
            share=share,
        )
        for statement, share in zip(STATEMENTS, shares, strict=True)
    )
    assert len(figures) == 3
    return FeedbackSummary(
        responses=responses,
        attendees=attendees,
        sessions=sessions,
        response_rate=round(100 * responses / attendees),
        statements=(figures[0], figures[1], figures[2]),
        suppressed=False,
    )


def suppressed_summary(sessions: int = 2) -> FeedbackSummary:
    figures = tuple(
        StatementFigure(key=statement.key, text=statement.text, agreed=None, n=None, share=None)
        for statement in STATEMENTS
    )
    return FeedbackSummary(
        responses=None,
        attendees=None,
        sessions=sessions,
        response_rate=None,
        statements=(figures[0], figures[1], figures[2]),
        suppressed=True,
    )


def month(number: int) -> date:
    return date(2027, number, 1)


TREND = [(month(3), summary((80, 60, 70))), (month(4), summary((85, 65, 72))), (month(5), summary((90, 70, 75)))]


# --- scope --------------------------------------------------------------------------------------------------


def test_a_scope_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        ReportScope(cohort=None, start=date(2027, 5, 1), end=date(2027, 4, 30), min_group=5)


def test_a_scope_needs_a_positive_threshold() -> None:
    with pytest.raises(ValueError):
        ReportScope(cohort=None, start=date(2027, 5, 1), end=date(2027, 5, 1), min_group=0)


# --- embed --------------------------------------------------------------------------------------------------


def test_embed_shows_each_statement_and_the_response_rate() -> None:
    embed = feedback_embed(summary((93, 50, 71)), SCOPE)

    assert embed.title == "Feedback: Care home managers"
    assert embed.description is not None
    assert "1 Mar 2027 – 31 May 2027" in embed.description
    assert "12 sessions" in embed.description
    fields = {field.name: field.value for field in embed.fields}
    assert fields == {
        "I felt emotionally supported in this session.": "93% agreed (n=14)",
        "I was able to support others in this session.": "50% agreed (n=14)",
        "I feel less isolated in my role.": "71% agreed (n=14)",
        "Response rate": "70% (14 of 20 attendees)",
    }
    assert embed.footer.text == "agreed = Agree or Strongly agree; groups under 5 are never shown"


def test_embed_for_all_cohorts_and_a_single_session() -> None:
    embed = feedback_embed(summary(sessions=1), ALL_SCOPE)

    assert embed.title == "Feedback: All cohorts"
    assert embed.description is not None
    assert "1 session" in embed.description
    assert "1 sessions" not in embed.description


def test_suppressed_summary_shows_no_figures() -> None:
    embed = feedback_embed(suppressed_summary(), SCOPE)

    assert [field.value for field in embed.fields] == [NOT_SHOWN] * 4
    assert embed.fields[-1].name == "Response rate"
    for field in embed.fields:
        assert field.value is not None
        assert "%" not in field.value
        assert "n=" not in field.value


def test_one_suppressed_statement_hides_only_that_statement() -> None:
    embed = feedback_embed(summary((93, None, 71)), SCOPE)

    values = [field.value for field in embed.fields]
    assert values[0] == "93% agreed (n=14)"
    assert values[1] == NOT_SHOWN
    assert values[2] == "71% agreed (n=14)"


def test_a_figure_with_any_part_missing_is_not_shown_at_all() -> None:
    whole = summary()
    leaky = StatementFigure(key="supported", text=STATEMENTS[0].text, agreed=3, n=None, share=None)
    partial = FeedbackSummary(
        responses=whole.responses,
        attendees=whole.attendees,
        sessions=whole.sessions,
        response_rate=whole.response_rate,
        statements=(leaky, whole.statements[1], whole.statements[2]),
        suppressed=False,
    )

    assert feedback_embed(partial, SCOPE).fields[0].value == NOT_SHOWN


def test_suppressed_flag_wins_over_stray_numbers() -> None:
    whole = summary()
    flagged = FeedbackSummary(
        responses=whole.responses,
        attendees=whole.attendees,
        sessions=whole.sessions,
        response_rate=whole.response_rate,
        statements=whole.statements,
        suppressed=True,
    )

    assert [field.value for field in feedback_embed(flagged, SCOPE).fields] == [NOT_SHOWN] * 4


def test_embed_stays_within_discord_limits_for_a_huge_cohort_name() -> None:
    scope = ReportScope(cohort="Ŵ" * 5000, start=date(2027, 3, 1), end=date(2027, 3, 1), min_group=10)
    embed = feedback_embed(summary(), scope)

    assert embed.title is not None
    assert len(embed.title) <= TITLE_MAX
    assert embed.title.endswith("…")
    assert embed.description is not None
    assert "1 Mar 2027 ·" in embed.description
    assert len(embed) <= EMBED_TOTAL_MAX
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert field.name is not None
        assert field.value is not None
        assert len(field.name) <= FIELD_NAME_MAX
        assert len(field.value) <= FIELD_VALUE_MAX
    assert embed.footer.text is not None
    assert "groups under 10" in embed.footer.text


# --- chart --------------------------------------------------------------------------------------------------


def decoded(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    pixels = imread(io.BytesIO(png), format="png")
    height, width = pixels.shape[:2]
    return width, height


def assert_phone_sized(png: bytes) -> None:
    width, height = decoded(png)
    assert abs(width - 1080) <= 4
    assert abs(height - 1080) <= 4


def test_chart_is_a_square_png_for_a_phone() -> None:
    assert_phone_sized(feedback_chart_png(TREND, SCOPE))


def test_chart_differs_between_trends_and_repeats_exactly() -> None:
    first = feedback_chart_png(TREND, SCOPE)
    other = feedback_chart_png([(day, summary((40, 30, 20))) for day, _ in TREND], SCOPE)

    assert first != other
    assert feedback_chart_png(TREND, SCOPE) == first


def test_chart_carries_no_software_or_date_metadata() -> None:
    png = feedback_chart_png(TREND, SCOPE)

    assert b"Software" not in png
    assert b"Creation Time" not in png
    assert b"matplotlib" not in png.lower()


def test_empty_and_all_suppressed_trends_render_the_not_enough_image() -> None:
    empty = feedback_chart_png([], SCOPE)
    all_suppressed = feedback_chart_png([(month(3), suppressed_summary()), (month(4), suppressed_summary())], SCOPE)

    assert_phone_sized(empty)
    assert_phone_sized(all_suppressed)
    assert empty == all_suppressed
    assert empty != feedback_chart_png(TREND, SCOPE)


def test_a_single_month_renders() -> None:
    assert_phone_sized(feedback_chart_png(TREND[:1], SCOPE))


def test_suppressed_months_are_gaps_not_zeros() -> None:
    trend = [
        (month(3), summary((80, 60, 70))),
        (month(4), suppressed_summary()),
        (month(5), summary((90, None, 75))),
        (month(7), summary((0, 0, 0))),
    ]
    series = trend_series(trend)

    assert len(series.months) == 5  # March to July; June is missing from the trend and stays a gap
    supported, others, isolated = series.shares
    assert supported[0] == 80
    assert all(math.isnan(shares[1]) for shares in series.shares)
    assert math.isnan(others[2])
    assert isolated[2] == 75
    assert all(math.isnan(shares[3]) for shares in series.shares)
    assert supported[4] == 0  # a real zero stays a zero
    assert (series.hidden, series.partly_hidden) == (1, 1)

    with_gap = feedback_chart_png(trend, SCOPE)
    as_zero = feedback_chart_png([*trend[:1], (month(4), summary((0, 0, 0))), *trend[2:]], SCOPE)
    assert_phone_sized(with_gap)
    assert with_gap != as_zero


def test_chart_survives_awkward_names_and_long_trends() -> None:
    # Mathtext markers, glyphs the font lacks and control characters must neither break nor warn
    # (pytest turns warnings into errors).
    scope = ReportScope(cohort="$x^2$ 中文 🫶\x07 " + "long " * 40, start=SCOPE.start, end=SCOPE.end, min_group=5)
    long_trend = [
        (date(2025 + index // 12, index % 12 + 1, 15), summary((50 + index % 40, 60, 70))) for index in range(40)
    ]

    assert_phone_sized(feedback_chart_png(TREND, scope))
    assert_phone_sized(feedback_chart_png(long_trend, scope))


# --- CSV ----------------------------------------------------------------------------------------------------


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def table(data: bytes) -> tuple[dict[str, str], list[str], list[dict[str, str]]]:
    """(scope lines, header, data rows as dicts) of a report CSV."""
    rows = csv_rows(data)
    blank = rows.index([])
    meta = {row[0]: row[1] for row in rows[:blank]}
    header = rows[blank + 1]
    return meta, header, [dict(zip(header, row, strict=True)) for row in rows[blank + 2 :]]


def test_csv_is_excel_friendly() -> None:
    data = feedback_csv(summary(), TREND, SCOPE)

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    data.decode("utf-8")


def test_csv_describes_its_scope_and_has_the_agreed_columns() -> None:
    meta, header, rows = table(feedback_csv(summary(), TREND, SCOPE))

    assert meta["cohort"] == "Care home managers"
    assert meta["period_start"] == "2027-03-01"
    assert meta["period_end"] == "2027-05-31"
    assert meta["minimum_group"] == "5"
    assert header == COLUMNS
    assert [row["period"] for row in rows] == ["all", "2027-03", "2027-04", "2027-05"]
    overall = rows[0]
    assert overall["sessions"] == "12"
    assert overall["attendees"] == "20"
    assert overall["responses"] == "14"
    assert overall["response_rate_percent"] == "70"
    assert (overall["supported_agreed"], overall["supported_n"], overall["supported_percent"]) == ("13", "14", "93")
    assert rows[3]["less_isolated_percent"] == "75"


def test_csv_for_all_cohorts_sorts_months() -> None:
    meta, _, rows = table(feedback_csv(summary(), list(reversed(TREND)), ALL_SCOPE))

    assert meta["cohort"] == "All cohorts"
    assert [row["period"] for row in rows] == ["all", "2027-03", "2027-04", "2027-05"]


def test_csv_never_leaks_a_number_for_a_suppressed_month() -> None:
    trend = [(month(3), summary()), (month(4), suppressed_summary(sessions=2)), (month(5), summary((90, None, 75)))]
    _, _, rows = table(feedback_csv(suppressed_summary(sessions=4), trend, SCOPE))

    for row in (rows[0], rows[2]):  # the whole period and April are both suppressed
        figures = {column: value for column, value in row.items() if column not in ("period", "sessions")}
        assert set(figures.values()) == {"suppressed"}
        assert not any(re.search(r"\d", value) for value in figures.values())
    may = rows[3]
    assert [may[f"supported_others_{part}"] for part in ("agreed", "n", "percent")] == ["suppressed"] * 3
    assert may["supported_percent"] == "90"


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1:A9)", "\tTab"])
def test_csv_guards_the_cohort_name_against_formula_injection(name: str) -> None:
    scope = ReportScope(cohort=name, start=SCOPE.start, end=SCOPE.end, min_group=5)
    meta, _, _ = table(feedback_csv(summary(), TREND, scope))

    assert meta["cohort"] == "'" + name


def test_csv_leaves_an_ordinary_cohort_name_alone() -> None:
    scope = ReportScope(cohort='Gofal — Cymru, "North"', start=SCOPE.start, end=SCOPE.end, min_group=5)
    meta, _, _ = table(feedback_csv(summary(), [], scope))

    assert meta["cohort"] == 'Gofal — Cymru, "North"'


# --- a group big enough to show whose attendance was not (fully) taken ------------------------------------------


def without_rate(attendees: int) -> FeedbackSummary:
    whole = summary()
    return FeedbackSummary(
        responses=whole.responses,
        attendees=attendees,
        sessions=whole.sessions,
        response_rate=None,
        statements=whole.statements,
        suppressed=False,
    )


def test_a_missing_rate_is_not_passed_off_as_suppression() -> None:
    embed = feedback_embed(without_rate(attendees=9), SCOPE)

    assert embed.fields[-1].value == "Not available: 14 responses, 9 attendees recorded"
    assert embed.fields[0].value == "93% agreed (n=14)"
    _, _, rows = table(feedback_csv(without_rate(attendees=9), [], SCOPE))
    assert (rows[0]["attendees"], rows[0]["responses"], rows[0]["response_rate_percent"]) == ("9", "14", "n/a")
