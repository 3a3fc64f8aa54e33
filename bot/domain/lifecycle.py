"""The lifecycles of sessions and series: their states, and the pure transitions between them.

A session is *scheduled*, then *open* (its room is open), then *closed*; a scheduled session may instead be
*cancelled*. A series is *active*, *paused* (its upcoming sessions cancelled until it resumes) or *ended* (for
good). Each transition either returns the new state or raises the polite refusal a member or facilitator sees;
services load, call these, save and notify. The scheduled actions use the ``may_*`` forms, which say whether a
transition applies instead of refusing (an action that finds its work already done simply does nothing).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.domain.errors import InvalidInput


class SessionState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class SeriesState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


# --- sessions ---------------------------------------------------------------------------------------------


def cancel(state: SessionState) -> SessionState:
    if state is not SessionState.SCHEDULED:
        raise InvalidInput(f"This session is {state}, so it can't be cancelled.")
    return SessionState.CANCELLED


def move(state: SessionState) -> SessionState:
    if state is not SessionState.SCHEDULED:
        raise InvalidInput(f"This session is {state}, so it can't be moved.")
    return SessionState.SCHEDULED


def may_open(state: SessionState) -> bool:
    """Whether the room may open (by the scheduled action or a facilitator): only a scheduled session's."""
    return state is SessionState.SCHEDULED


def start(state: SessionState) -> SessionState:
    """A facilitator opens the room now."""
    if not may_open(state):
        raise InvalidInput(f"This session is {state}, so it can't be started.")
    return SessionState.OPEN


def may_close(state: SessionState) -> bool:
    """Whether the room may close: a session that is open, or scheduled and never opened."""
    return state in (SessionState.OPEN, SessionState.SCHEDULED)


def end(state: SessionState, starts_at: datetime, now: datetime) -> SessionState:
    """A facilitator ends the session now."""
    if not may_close(state):
        raise InvalidInput(f"This session is {state}, so it can't be ended.")
    if state is SessionState.SCHEDULED and starts_at > now:
        raise InvalidInput("This session hasn't started yet. Start it first, or cancel it instead.")
    return SessionState.CLOSED


def check_in(state: SessionState) -> None:
    """The "I'm here" button counts only while the session runs."""
    if state is not SessionState.OPEN:
        when = "hasn't started yet" if state is SessionState.SCHEDULED else "is over"
        raise InvalidInput(f"Check-in is open only while the session runs, and this one {when}.")


def correct_attendance(state: SessionState) -> None:
    if state in (SessionState.SCHEDULED, SessionState.CANCELLED):
        raise InvalidInput("Attendance can be corrected once the session has started.")


def rsvp(state: SessionState, starts_at: datetime, now: datetime) -> None:
    """RSVPs are taken until a scheduled session starts."""
    if state is SessionState.CANCELLED:
        raise InvalidInput("This session was cancelled, so it no longer takes RSVPs.")
    if state is not SessionState.SCHEDULED or now >= starts_at:
        raise InvalidInput("This session has already started, so RSVPs are closed. See you at the next one!")


# --- series -----------------------------------------------------------------------------------------------


def stop(state: SeriesState, to: SeriesState, title: str) -> SeriesState:
    """Pause or end a series (``to``): an ended series stays ended, and a series is not stopped twice."""
    if to is SeriesState.ACTIVE:
        raise ValueError("stop() pauses or ends; use resume() to make a series active")
    if state is SeriesState.ENDED or state is to:
        raise InvalidInput(f"**{title}** is already {state}.")
    return to


def resume(state: SeriesState, title: str) -> SeriesState:
    if state is not SeriesState.PAUSED:
        raise InvalidInput(f"**{title}** is {state}, not paused, so there is nothing to resume.")
    return SeriesState.ACTIVE
