"""Rendering the coordinators' feedback report: the embed, the chart (and its words) and the tidy CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from matplotlib.image import imread

from bot.domain.disclosure import Breakdown, ReportRow, Tally, Waiting
from bot.domain.language import Language
from bot.services.reports import FeedbackReport, FeedbackRow, Period, _feedback_row
from bot.ui.reports import (
    _STYLES,
    ATTACHMENT_DESCRIPTION_MAX,
    CSV_HEADER,
    EMBED_TOTAL_MAX,
    ReportScope,
    chart_description,
    feedback_chart_png,
    feedback_csv,
    feedback_embed,
    waiting_text,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LONDON = ZoneInfo("Europe/London")
NOTHING_WAITS = Waiting(0, 0)


def row(label: str, responses: int, agreed: tuple[int, int, int], attendees: int, block: int = 1) -> FeedbackRow:
    tally = Tally(sessions=2, responses=responses, agreed=agreed, attendees=attendees, rsvps=attendees)
    return _feedback_row(ReportRow(label, (block,), tally), {})


def report(
    rows: list[FeedbackRow],
    *,
    cohort: str | None = "Domiciliary care managers",
    breakdown: Breakdown = Breakdown.MONTH,
    waiting: Waiting = NOTHING_WAITS,
) -> FeedbackReport:
    tally = sum((r.tally for r in rows), Tally())
    blocks = tuple(b for r in rows for b in r.blocks)
    total = _feedback_row(ReportRow("all", blocks, tally), {})
    period = Period(cohort, date(2027, 1, 1), date(2027, 12, 31), LONDON)
    return FeedbackReport(period, breakdown, total, rows, waiting, 5)


MONTHS = [
    row("2027-03", 29, (27, 25, 20), 40, 1),
    row("2027-04", 12, (10, 9, 6), 15, 2),
    row("2027-05", 7, (7, 7, 7), 9, 3),
]
REPORT = report(MONTHS)


def test_a_scope_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        ReportScope("Dom", date(2027, 5, 1), date(2027, 4, 1), 5)


def test_embed_gives_each_share_with_its_n_and_interval() -> None:
    embed = feedback_embed(report([MONTHS[0]]))
    values = {field.name: field.value for field in embed.fields}
    assert values["I felt emotionally supported in this session."] == "93% agreed (27 of 29; 95% interval 78–98%)"
    assert values["Response rate"] == "73%: 29 responses from 40 attendances"
    assert "2 sessions counted" in (embed.description or "")
    assert "A response is one person's answers about one session" in (embed.footer.text or "")


def test_embed_lists_the_breakdown_rows() -> None:
    by_month = next(field for field in feedback_embed(REPORT).fields if (field.name or "").startswith("By month"))
    assert by_month.value == "**Mar 2027**: 93% · 86% · 69% (n=29)\n**Apr 2027**: 83% · 75% · 50% (n=12)\n" + (
        "**May 2027**: 100% · 100% · 100% (n=7)"
    )


def test_embed_with_nothing_released_says_why_and_what_waits() -> None:
    closes = datetime(2027, 6, 8, 9, tzinfo=UTC)
    empty = report([], waiting=Waiting(2, 1, closes))
    embed = feedback_embed(empty)
    text = embed.description or ""
    assert "No answers can be shown yet" in text and "at least 5 people" in text
    assert f"1 session still open for answers, the next on <t:{int(closes.timestamp())}:D>" in text
    assert "2 closed sessions waiting" in text
    assert not embed.fields


def test_waiting_speaks_of_sessions_never_of_people() -> None:
    assert waiting_text(NOTHING_WAITS, 5) is None
    text = waiting_text(Waiting(3, 0), 5) or ""
    assert "3 closed sessions" in text and "answer" not in text.split("waiting")[0]


def test_embed_stays_within_discord_limits_for_a_huge_cohort_name_and_many_rows() -> None:
    many = [row(f"{2000 + n // 12}-{n % 12 + 1:02d}", 9, (5, 5, 5), 9, n) for n in range(60)]
    embed = feedback_embed(report(many, cohort="C" * 5000))
    assert len(embed) <= EMBED_TOTAL_MAX and len(embed.title or "") <= 256
    assert "(latest 12 of 60; all are in the CSV)" in str(embed.fields[-1].value)


def pixels(png: bytes) -> np.ndarray:
    assert png.startswith(PNG_SIGNATURE)
    return imread(io.BytesIO(png), format="png")


def test_chart_is_a_square_png_for_a_phone_and_repeats_exactly() -> None:
    png = feedback_chart_png(REPORT)
    assert png is not None
    height, width = pixels(png).shape[:2]
    assert abs(width - 1080) <= 4 and abs(height - 1080) <= 4
    assert feedback_chart_png(REPORT) == png
    assert b"Software" not in png and b"matplotlib" not in png.lower()


def colour_count(png: bytes, hex_colour: str) -> int:
    image = pixels(png)[:, :, :3]
    wanted = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image - wanted).max(axis=2) < 0.02).sum())


def test_equal_shares_stay_visible_side_by_side() -> None:
    """Every statement at 100%: the first statement's points show as fully as when the others are far away,
    because the three sit side by side instead of on top of one another."""
    together = feedback_chart_png(report([MONTHS[2]]))
    apart = feedback_chart_png(report([row("2027-05", 7, (7, 0, 0), 9, 3)]))
    assert together is not None and apart is not None
    first_colour = _STYLES[0][0]
    assert colour_count(together, first_colour) >= 0.9 * colour_count(apart, first_colour) > 200


def test_no_chart_when_nothing_is_counted() -> None:
    assert feedback_chart_png(report([], waiting=Waiting(1, 2))) is None


def test_chart_description_reads_every_row_within_the_limit() -> None:
    words = chart_description(REPORT)
    assert "Mar 2027: emotionally supported 93% (78–98%)" in words and "May 2027" in words
    many = [row(f"{2000 + n // 12}-{n % 12 + 1:02d}", 9, (5, 5, 5), 9, n) for n in range(60)]
    assert len(chart_description(report(many))) <= ATTACHMENT_DESCRIPTION_MAX


def table(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_is_tidy_with_one_plain_header() -> None:
    rows = table(feedback_csv(REPORT))
    assert rows[0] == list(CSV_HEADER)
    assert sum(1 for line in rows if line == list(CSV_HEADER)) == 1
    body = rows[1:]
    assert len(body) == 4 * 5  # the total and three months; three statements, response rate, sessions
    first = dict(zip(CSV_HEADER, body[0], strict=True))
    assert first["Period"] == "1 Jan 2027 – 31 Dec 2027" and first["Cohort"] == "Domiciliary care managers"
    assert (first["Agreed or answered"], first["Out of"], first["Share %"]) == ("44", "48", "92")
    march = [dict(zip(CSV_HEADER, line, strict=True)) for line in body if line[0] == "Mar 2027"]
    assert march[0]["95% interval low %"] == "78" and march[0]["95% interval high %"] == "98"


def test_csv_by_cohort_names_the_cohort_in_its_column() -> None:
    cohorts = [row("Care home managers", 14, (13, 12, 9), 20, 1), row("Dom", 6, (5, 5, 4), 8, 2)]
    rows = table(feedback_csv(report(cohorts, cohort=None, breakdown=Breakdown.COHORT)))
    assert {line[1] for line in rows[1:]} == {"All cohorts", "Care home managers", "Dom"}


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"])
def test_csv_guards_the_cohort_name_against_formula_injection(name: str) -> None:
    rows = table(feedback_csv(report(MONTHS, cohort=name)))
    assert {line[1] for line in rows[1:]} == {"'" + name}


# --- in Welsh -----------------------------------------------------------------------------------------------


def digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


@pytest.mark.parametrize("breakdown", [Breakdown.MONTH, Breakdown.QUARTER, Breakdown.FINANCIAL_YEAR])
def test_the_figures_are_the_same_in_welsh_and_in_english(breakdown: Breakdown) -> None:
    rows = [row(label, 9, (8, 5, 4), 11, n) for n, label in enumerate(("2027-03", "2027 Q2", "2027-28"))]
    shown = report(rows, breakdown=breakdown, waiting=Waiting(2, 1, datetime(2027, 6, 8, 9, tzinfo=UTC)))
    english, welsh = feedback_embed(shown, Language.EN), feedback_embed(shown, Language.CY)
    assert [digits(f.value or "") for f in english.fields] == [digits(f.value or "") for f in welsh.fields]
    assert "Cyfradd ymateb" in [f.name for f in welsh.fields]
    english_csv, welsh_csv = table(feedback_csv(shown, Language.EN)), table(feedback_csv(shown, Language.CY))
    assert [line[3:] for line in english_csv][1:] == [line[3:] for line in welsh_csv][1:]
    assert welsh_csv[0][:6] == ["Cyfnod", "Carfan", "Mesur", "Wedi cytuno neu ateb", "Allan o", "Cyfran %"]
    assert digits(chart_description(shown, Language.EN)) == digits(chart_description(shown, Language.CY))
    assert feedback_chart_png(shown, Language.CY) is not None


def test_a_welsh_reader_reads_welsh_months_and_dates() -> None:
    closes = datetime(2027, 6, 8, 9, tzinfo=UTC)
    embed = feedback_embed(report(MONTHS, waiting=Waiting(0, 1, closes)), Language.CY)
    text = embed.description or ""
    assert text.startswith("1 Ionawr 2027 – 31 Rhagfyr 2027 · wedi cyfrif 6 sesiwn")
    assert "y nesaf yn cau: Dydd Mawrth 8 Mehefin 2027, 10:00" in text and "<t:" not in text  # 10:00 BST
    listed = str(embed.fields[-1].value)
    assert listed.startswith("**Maw 2027**: 93% · 86% · 69% (n=29)\n**Ebr 2027**")
    assert embed.title == "Adborth: Domiciliary care managers"
    assert table(feedback_csv(REPORT, Language.CY))[1][0] == "1 Ionawr 2027 – 31 Rhagfyr 2027"
    english = feedback_embed(report(MONTHS, waiting=Waiting(0, 1, closes)))
    assert f"<t:{int(closes.timestamp())}:D>" in (english.description or "")  # Discord's own, for English
