"""Session and series lifecycles: every transition from every state, allowed or refused politely."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import lifecycle
from bot.domain.errors import InvalidInput
from bot.domain.lifecycle import SeriesState, SessionState

SCHEDULED, OPEN, CLOSED, CANCELLED = SessionState
NOW = datetime(2027, 3, 28, 9, tzinfo=UTC)
LATER, EARLIER = NOW + timedelta(hours=1), NOW - timedelta(hours=1)


@pytest.mark.parametrize("state", list(SessionState))
def test_only_a_scheduled_session_is_cancelled_moved_or_started(state: SessionState) -> None:
    if state is SCHEDULED:
        assert lifecycle.cancel(state) is CANCELLED
        assert lifecycle.move(state) is SCHEDULED
        assert lifecycle.start(state) is OPEN and lifecycle.may_open(state)
        return
    assert not lifecycle.may_open(state)
    for transition, verb in ((lifecycle.cancel, "cancelled"), (lifecycle.move, "moved"), (lifecycle.start, "started")):
        with pytest.raises(InvalidInput, match=f"This session is {state}, so it can't be {verb}"):
            transition(state)


def test_ending_a_session() -> None:
    assert lifecycle.end(OPEN, EARLIER, NOW) is CLOSED
    assert lifecycle.end(SCHEDULED, EARLIER, NOW) is CLOSED  # it started without anyone opening the room
    with pytest.raises(InvalidInput, match="hasn't started yet"):
        lifecycle.end(SCHEDULED, LATER, NOW)
    for state in (CLOSED, CANCELLED):
        assert not lifecycle.may_close(state)
        with pytest.raises(InvalidInput, match=f"is {state}, so it can't be ended"):
            lifecycle.end(state, EARLIER, NOW)


def test_check_in_attendance_and_rsvps() -> None:
    lifecycle.check_in(OPEN)
    with pytest.raises(InvalidInput, match="hasn't started yet"):
        lifecycle.check_in(SCHEDULED)
    for state in (CLOSED, CANCELLED):
        with pytest.raises(InvalidInput, match="is over"):
            lifecycle.check_in(state)
    for state in (OPEN, CLOSED):
        lifecycle.correct_attendance(state)
    for state in (SCHEDULED, CANCELLED):
        with pytest.raises(InvalidInput, match="once the session has started"):
            lifecycle.correct_attendance(state)
    lifecycle.rsvp(SCHEDULED, LATER, NOW)
    with pytest.raises(InvalidInput, match="cancelled"):
        lifecycle.rsvp(CANCELLED, LATER, NOW)
    for state, starts in ((SCHEDULED, EARLIER), (SCHEDULED, NOW), (OPEN, LATER), (CLOSED, EARLIER)):
        with pytest.raises(InvalidInput, match="already started"):
            lifecycle.rsvp(state, starts, NOW)


def test_series_pause_end_and_resume() -> None:
    ACTIVE, PAUSED, ENDED = SeriesState
    assert lifecycle.stop(ACTIVE, PAUSED, "Peer support") is PAUSED
    assert lifecycle.stop(ACTIVE, ENDED, "Peer support") is ENDED
    assert lifecycle.stop(PAUSED, ENDED, "Peer support") is ENDED
    for state, to in ((PAUSED, PAUSED), (ENDED, ENDED), (ENDED, PAUSED)):
        with pytest.raises(InvalidInput, match=rf"\*\*Peer support\*\* is already {state}"):
            lifecycle.stop(state, to, "Peer support")
    with pytest.raises(ValueError):
        lifecycle.stop(PAUSED, ACTIVE, "Peer support")
    assert lifecycle.resume(PAUSED, "Peer support") is ACTIVE
    for state in (ACTIVE, ENDED):
        with pytest.raises(InvalidInput, match=f"is {state}, not paused"):
            lifecycle.resume(state, "Peer support")
