"""Catch-up after downtime: which overdue actions still make sense (``skip_reason``), and who is sent the survey
when attendance is corrected after the fact. Pure rules, no clock, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.actions import (
    AFTER_THE_SESSION,
    SURVEY_OPEN,
    ActionKind,
    SurveyWindow,
    due_times,
    late_survey_nonce,
    skip_reason,
    survey_window,
)
from bot.domain.attendance import SURVEY_OFFERED, Mark, absent_source, offer_when_present, was_offered

START = datetime(2027, 3, 16, 10, 0, tzinfo=UTC)
END = START + timedelta(minutes=90)
CLOSES = END + SURVEY_OPEN
STATES = ("scheduled", "open", "closed", "cancelled")
BEFORE_THE_START = (ActionKind.ANNOUNCE, ActionKind.REMIND_24H, ActionKind.REMIND_1H)
SURVEY_MESSAGES = (ActionKind.SEND_SURVEY, ActionKind.SURVEY_REMINDER)

NOT_SENT = SurveyWindow(closes_at=CLOSES)
SENT = SurveyWindow(closes_at=CLOSES, sent=True)
CLOSED = SurveyWindow(closes_at=CLOSES, sent=True, closed=True)

moments = st.integers(min_value=-40 * 24 * 60, max_value=40 * 24 * 60).map(lambda m: START + timedelta(minutes=m))
windows = st.builds(
    SurveyWindow,
    closes_at=st.integers(min_value=0, max_value=30 * 24 * 60).map(lambda m: END + timedelta(minutes=m)),
    sent=st.booleans(),
    closed=st.booleans(),
)


@pytest.mark.parametrize(
    ("kind", "state", "now", "survey", "reason"),
    [
        # Three days down across the session: nothing before the start is sent after it.
        (ActionKind.ANNOUNCE, "closed", END + timedelta(days=2), None, "session already ended"),
        (ActionKind.ANNOUNCE, "scheduled", START + timedelta(minutes=1), None, "session already started"),
        (ActionKind.REMIND_24H, "scheduled", START + timedelta(days=1), None, "session already started"),
        (ActionKind.REMIND_24H, "scheduled", START - timedelta(minutes=59), None, "the 1-hour reminder covers it"),
        (ActionKind.REMIND_24H, "scheduled", START - timedelta(hours=2), None, None),
        (ActionKind.REMIND_1H, "scheduled", START, None, "session already started"),
        (ActionKind.REMIND_1H, "open", START + timedelta(minutes=5), None, "session already started"),
        (ActionKind.REMIND_1H, "scheduled", START - timedelta(minutes=1), None, None),
        (ActionKind.OPEN_ROOM, "scheduled", END, None, "session already ended"),
        (ActionKind.OPEN_ROOM, "scheduled", END - timedelta(minutes=1), None, None),
        (ActionKind.MIRROR_EVENT, "scheduled", END + timedelta(days=1), None, "session already ended"),
        # The survey goes out late while it is still open, never once its close time passed.
        (ActionKind.SEND_SURVEY, "closed", END + timedelta(days=3), NOT_SENT, None),
        (ActionKind.SEND_SURVEY, "scheduled", END + timedelta(days=3), NOT_SENT, None),
        (ActionKind.SEND_SURVEY, "closed", CLOSES - timedelta(seconds=1), NOT_SENT, None),
        (ActionKind.SEND_SURVEY, "closed", CLOSES, NOT_SENT, "survey already closed"),
        (ActionKind.SEND_SURVEY, "closed", END + timedelta(days=1), CLOSED, "survey already closed"),
        (ActionKind.SURVEY_REMINDER, "closed", END + timedelta(days=4), SENT, None),
        (ActionKind.SURVEY_REMINDER, "closed", CLOSES + timedelta(days=2), SENT, "survey already closed"),
        (ActionKind.SURVEY_REMINDER, "closed", END + timedelta(days=4), CLOSED, "survey already closed"),
        (ActionKind.SURVEY_REMINDER, "closed", END + timedelta(days=4), NOT_SENT, "survey never went out"),
        # Closing always runs: closing the survey releases the report blocks.
        (ActionKind.CLOSE_SURVEY, "closed", CLOSES + timedelta(days=30), CLOSED, None),
        (ActionKind.CLOSE_SURVEY, "scheduled", CLOSES + timedelta(days=3), None, None),
        (ActionKind.CLOSE_ROOM, "open", END + timedelta(days=3), None, None),
        (ActionKind.CLOSE_ROOM, "scheduled", END + timedelta(days=3), None, None),
        (ActionKind.SEND_SURVEY, "cancelled", END, SENT, "session cancelled"),
    ],
)
def test_what_catch_up_skips(
    kind: ActionKind, state: str, now: datetime, survey: SurveyWindow | None, reason: str | None
) -> None:
    assert skip_reason(kind, state, START, END, now, survey) == reason


def test_without_a_window_the_survey_closes_after_the_default_time() -> None:
    assert skip_reason(ActionKind.SEND_SURVEY, "closed", START, END, CLOSES - timedelta(seconds=1)) is None
    assert skip_reason(ActionKind.SEND_SURVEY, "closed", START, END, CLOSES) == "survey already closed"


@given(kind=st.sampled_from(ActionKind), now=moments, survey=st.none() | windows)
def test_a_cancelled_session_runs_nothing(kind: ActionKind, now: datetime, survey: SurveyWindow | None) -> None:
    assert skip_reason(kind, "cancelled", START, END, now, survey) == "session cancelled"


@given(kind=st.sampled_from(SURVEY_MESSAGES), state=st.sampled_from(STATES[:3]), now=moments, survey=windows)
def test_no_survey_message_once_it_closed(kind: ActionKind, state: str, now: datetime, survey: SurveyWindow) -> None:
    reason = skip_reason(kind, state, START, END, now, survey)
    if survey.closed or now >= survey.closes_at:
        assert reason == "survey already closed"
    elif kind is ActionKind.SURVEY_REMINDER and not survey.sent:
        assert reason == "survey never went out"
    if reason is None:
        assert now < survey.closes_at and not survey.closed


@given(kind=st.sampled_from(SURVEY_MESSAGES), state=st.sampled_from(STATES[:3]), now=moments)
def test_an_open_survey_is_sent_and_reminded_however_late(kind: ActionKind, state: str, now: datetime) -> None:
    survey = SENT if kind is ActionKind.SURVEY_REMINDER else NOT_SENT
    assert (skip_reason(kind, state, START, END, now, survey) is None) == (now < CLOSES)


@given(
    kind=st.sampled_from((ActionKind.CLOSE_ROOM, ActionKind.CLOSE_SURVEY)),
    state=st.sampled_from(STATES[:3]),
    now=moments,
    survey=st.none() | windows,
)
def test_closing_always_runs(kind: ActionKind, state: str, now: datetime, survey: SurveyWindow | None) -> None:
    assert skip_reason(kind, state, START, END, now, survey) is None


@given(kind=st.sampled_from(BEFORE_THE_START), state=st.sampled_from(STATES), now=moments)
def test_nothing_meant_for_before_the_start_is_sent_after_it(kind: ActionKind, state: str, now: datetime) -> None:
    if now >= START or state in ("closed", "cancelled"):
        assert skip_reason(kind, state, START, END, now) is not None


@given(kind=st.sampled_from(ActionKind), state=st.sampled_from(STATES), now=moments, survey=st.none() | windows)
def test_every_reason_fits_the_ledger(kind: ActionKind, state: str, now: datetime, survey: SurveyWindow | None) -> None:
    reason = skip_reason(kind, state, START, END, now, survey)
    assert reason is None or 0 < len(reason) <= 200  # the ledger's note column


@given(minutes=st.integers(min_value=15, max_value=600), open_days=st.integers(min_value=1, max_value=30))
def test_on_time_every_action_runs(minutes: int, open_days: int) -> None:
    """The session's ordinary life, each action at its own due time, in the state the session is in then."""
    end = START + timedelta(minutes=minutes)
    due = due_times(START, end, timedelta(days=open_days))
    state_then = {kind: "closed" if kind in AFTER_THE_SESSION else "scheduled" for kind in ActionKind}
    state_then[ActionKind.CLOSE_ROOM] = "open"
    window = survey_window(end, close_due=due[ActionKind.CLOSE_SURVEY])
    for kind in ActionKind:
        survey = SurveyWindow(window.closes_at, sent=kind is not ActionKind.SEND_SURVEY)
        assert skip_reason(kind, state_then[kind], START, end, due[kind], survey) is None, kind


def test_the_survey_window_closes_at_the_first_of_its_close_times() -> None:
    planned = END + SURVEY_OPEN
    assert survey_window(END, close_due=None) == SurveyWindow(planned)
    assert survey_window(END, close_due=planned - timedelta(days=1)).closes_at == planned - timedelta(days=1)
    given_when_sent = planned + timedelta(days=2)  # sent two days late: given a week from then
    window = survey_window(END, close_due=planned, survey_closes_at=given_when_sent, sent=True)
    assert window == SurveyWindow(planned, sent=True)
    closed = survey_window(END, close_due=planned, survey_closes_at=planned, survey_closed_at=planned, sent=True)
    assert closed.closed and closed.is_over(END)


@given(st.integers(min_value=1, max_value=2**63 - 1), st.integers(min_value=1, max_value=2**64 - 1))
def test_late_survey_nonces_fit_discord_and_differ_per_member(occurrence_id: int, user_id: int) -> None:
    mine = late_survey_nonce(occurrence_id, user_id)
    assert len(mine) <= 25 and mine == late_survey_nonce(occurrence_id, user_id)
    assert mine != late_survey_nonce(occurrence_id, user_id + 1)


# --- attendance corrected after the fact ----------------------------------------------------------------------

NOW = END + timedelta(days=1)


def test_marking_present_late_offers_the_survey_once_while_open() -> None:
    assert offer_when_present(None, SENT, NOW)  # joined by phone: never marked, not offered at the end
    assert offer_when_present(Mark(False, "facilitator"), SENT, NOW)  # marked absent before the survey went out
    assert not offer_when_present(Mark(True, "voice"), SENT, NOW)  # was there: got it at the end
    assert not offer_when_present(Mark(False, SURVEY_OFFERED), SENT, NOW)  # got it, then marked absent by mistake
    assert not offer_when_present(None, NOT_SENT, NOW)  # it goes to everyone present when it goes out
    assert not offer_when_present(None, CLOSED, NOW)
    assert not offer_when_present(None, SENT, CLOSES)  # its close time passed


def test_an_absent_mark_remembers_the_survey_was_offered() -> None:
    assert absent_source(Mark(True, "checkin"), SENT) == SURVEY_OFFERED
    assert absent_source(Mark(False, SURVEY_OFFERED), SENT) == SURVEY_OFFERED
    assert absent_source(Mark(True, "checkin"), NOT_SENT) == "facilitator"
    assert absent_source(None, SENT) == "facilitator"
    assert not was_offered(Mark(True, "voice"), None)


events = st.lists(st.sampled_from(("present", "absent", "voice", "send", "close")), max_size=12)


@given(events)
def test_however_often_a_member_is_marked_they_are_sent_the_survey_at_most_once(steps: list[str]) -> None:
    """A member marked present and absent in any order, around the survey going out and closing: sent it at most
    once, and exactly once if they were present at any moment while it was open."""
    mark: Mark | None = None
    survey: SurveyWindow | None = None
    sent_to_them = 0
    present_while_open = False
    for step in steps:
        if step == "send" and survey is None:
            survey = SurveyWindow(closes_at=CLOSES, sent=True)
            sent_to_them += bool(mark and mark.present)  # the survey goes to everyone present
        elif step == "close" and survey is not None:
            survey = SurveyWindow(closes_at=CLOSES, sent=True, closed=True)
        elif step == "voice" and survey is None and (mark is None or mark.source != "facilitator"):
            mark = Mark(True, "voice")  # presence signals count only while the room is open, before the survey
        elif step == "present":
            sent_to_them += offer_when_present(mark, survey, NOW)
            mark = mark if mark is not None and mark.present else Mark(True, "facilitator")
        elif step == "absent":
            mark = Mark(False, absent_source(mark, survey))
        if mark is not None and mark.present and survey is not None and not survey.closed:
            present_while_open = True
    assert sent_to_them <= 1
    assert sent_to_them == int(present_while_open)
