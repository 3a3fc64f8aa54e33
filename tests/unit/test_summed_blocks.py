"""Blocks a database summed by cohort and month (as reports read them, to stay fast) still count as the whole blocks
they hold: in one row, never cut apart by a period, each listed by ID."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.disclosure import Breakdown, ReleasedBlock, Tally, report_rows


def tally(sessions: int, responses: int) -> Tally:
    return Tally(sessions=sessions, responses=responses, agreed=(responses, 0, 0), attendees=responses)


# Blocks 1, 2 and 5 of cohort 1 in March, summed; blocks 3 and 4 of cohort 2 in March; block 6 of cohort 1 in April.
MARCH_ONE = ReleasedBlock(1, 1, date(2027, 3, 30), tally(3, 15), merged=(5, 2), earliest=date(2027, 3, 2))
MARCH_TWO = ReleasedBlock(3, 2, date(2027, 3, 31), tally(2, 11), merged=(4,), earliest=date(2027, 3, 31))
APRIL_ONE = ReleasedBlock(6, 1, date(2027, 4, 1), tally(1, 7))
SUMMED = [MARCH_ONE, MARCH_TWO, APRIL_ONE]
YEAR = (date(2027, 1, 1), date(2027, 12, 31))


def test_summed_blocks_count_as_every_block_they_hold_in_one_row() -> None:
    total, rows = report_rows(SUMMED, date(2027, 3, 1), date(2027, 4, 30), None, Breakdown.MONTH)
    assert total.blocks == (1, 2, 3, 4, 5, 6) and total.tally == tally(6, 33)
    assert [(row.label, row.blocks, row.tally) for row in rows] == [
        ("2027-03", (1, 2, 3, 4, 5), tally(5, 26)),
        ("2027-04", (6,), tally(1, 7)),
    ]
    total, rows = report_rows(SUMMED, date(2027, 1, 1), date(2027, 12, 31), frozenset({1}), Breakdown.QUARTER)
    assert total.blocks == (1, 2, 5, 6) and [(row.label, row.blocks) for row in rows] == [
        ("2027 Q1", (1, 2, 5)),
        ("2027 Q2", (6,)),
    ]
    _, rows = report_rows(SUMMED, date(2027, 3, 1), date(2027, 3, 31), None, Breakdown.COHORT)
    assert [(row.label, row.blocks) for row in rows] == [("1", (1, 2, 5)), ("2", (3, 4))]


def test_a_period_holds_summed_blocks_whole_or_not_at_all() -> None:
    assert report_rows(SUMMED, date(2027, 3, 31), date(2027, 4, 30), frozenset({2}), Breakdown.NONE)[0].blocks == (3, 4)
    assert report_rows(SUMMED, date(2027, 4, 1), date(2027, 4, 30), None, Breakdown.NONE)[0].blocks == (6,)
    assert report_rows(SUMMED, date(2027, 2, 1), date(2027, 3, 1), None, Breakdown.NONE)[0].blocks == ()
    # A period ending on the 15th would take some of cohort 1's March blocks and leave others: refused.
    with pytest.raises(ValueError, match="cut summed blocks apart"):
        report_rows(SUMMED, date(2027, 3, 1), date(2027, 3, 15), None, Breakdown.MONTH)
    with pytest.raises(ValueError, match="cut summed blocks apart"):
        report_rows(SUMMED, date(2027, 3, 10), date(2027, 4, 30), None, Breakdown.NONE)


def test_only_blocks_of_one_month_are_summed_together() -> None:
    with pytest.raises(ValueError, match="one month"):
        ReleasedBlock(1, 1, date(2027, 4, 1), tally(2, 10), merged=(2,), earliest=date(2027, 3, 31))
    with pytest.raises(ValueError, match="one month"):
        ReleasedBlock(1, 1, date(2027, 3, 1), tally(2, 10), merged=(2,), earliest=date(2027, 3, 2))
    with pytest.raises(ValueError, match="counted once"):
        report_rows([MARCH_ONE, ReleasedBlock(5, 1, date(2027, 3, 2), tally(1, 5))], *YEAR, None, Breakdown.NONE)
