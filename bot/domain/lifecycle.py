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
from bot.domain.language import N_


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

# What a facilitator is told when a session's state rules out what they asked: one whole sentence for each, so
# each reads naturally in Welsh too.
_REFUSED = {
    ("cancel", SessionState.OPEN): N_("This session is open, so it can't be cancelled."),
    ("cancel", SessionState.CLOSED): N_("This session is closed, so it can't be cancelled."),
    ("cancel", SessionState.CANCELLED): N_("This session is cancelled, so it can't be cancelled."),
    ("move", SessionState.OPEN): N_("This session is open, so it can't be moved."),
    ("move", SessionState.CLOSED): N_("This session is closed, so it can't be moved."),
    ("move", SessionState.CANCELLED): N_("This session is cancelled, so it can't be moved."),
    ("start", SessionState.OPEN): N_("This session is open, so it can't be started."),
    ("start", SessionState.CLOSED): N_("This session is closed, so it can't be started."),
    ("start", SessionState.CANCELLED): N_("This session is cancelled, so it can't be started."),
    ("end", SessionState.CLOSED): N_("This session is closed, so it can't be ended."),
    ("end", SessionState.CANCELLED): N_("This session is cancelled, so it can't be ended."),
}


def _refused(action: str, state: SessionState) -> InvalidInput:
    return InvalidInput(_REFUSED[action, state])


def cancel(state: SessionState) -> SessionState:
    if state is not SessionState.SCHEDULED:
        raise _refused("cancel", state)
    return SessionState.CANCELLED


def move(state: SessionState) -> SessionState:
    if state is not SessionState.SCHEDULED:
        raise _refused("move", state)
    return SessionState.SCHEDULED


def may_open(state: SessionState) -> bool:
    """Whether the room may open (by the scheduled action or a facilitator): only a scheduled session's."""
    return state is SessionState.SCHEDULED


def start(state: SessionState) -> SessionState:
    """A facilitator opens the room now."""
    if not may_open(state):
        raise _refused("start", state)
    return SessionState.OPEN


def may_close(state: SessionState) -> bool:
    """Whether the room may close: a session that is open, or scheduled and never opened."""
    return state in (SessionState.OPEN, SessionState.SCHEDULED)


def end(state: SessionState, starts_at: datetime, now: datetime) -> SessionState:
    """A facilitator ends the session now."""
    if not may_close(state):
        raise _refused("end", state)
    if state is SessionState.SCHEDULED and starts_at > now:
        raise InvalidInput(N_("This session hasn't started yet. Start it first, or cancel it instead."))
    return SessionState.CLOSED


def check_in(state: SessionState) -> None:
    """The "I'm here" button counts only while the session runs."""
    if state is SessionState.SCHEDULED:
        raise InvalidInput(N_("Check-in is open only while the session runs, and this one hasn't started yet."))
    if state is not SessionState.OPEN:
        raise InvalidInput(N_("Check-in is open only while the session runs, and this one is over."))


def correct_attendance(state: SessionState) -> None:
    if state in (SessionState.SCHEDULED, SessionState.CANCELLED):
        raise InvalidInput(N_("Attendance can be corrected once the session has started."))


def rsvp(state: SessionState, starts_at: datetime, now: datetime) -> None:
    """RSVPs are taken until a scheduled session starts."""
    if state is SessionState.CANCELLED:
        raise InvalidInput(N_("This session was cancelled, so it no longer takes RSVPs."))
    if state is not SessionState.SCHEDULED or now >= starts_at:
        raise InvalidInput(N_("This session has already started, so RSVPs are closed. See you at the next one!"))


# --- series -----------------------------------------------------------------------------------------------


def stop(state: SeriesState, to: SeriesState, title: str) -> SeriesState:
    """Pause or end a series (``to``): an ended series stays ended, and a series is not stopped twice."""
    if to is SeriesState.ACTIVE:
        raise ValueError("stop() pauses or ends; use resume() to make a series active")
    if state is SeriesState.ENDED:
        raise InvalidInput(N_("**{title}** is already ended."), title=title)
    if state is to:
        raise InvalidInput(N_("**{title}** is already paused."), title=title)
    return to


def resume(state: SeriesState, title: str) -> SeriesState:
    if state is SeriesState.ACTIVE:
        raise InvalidInput(N_("**{title}** is active, not paused, so there is nothing to resume."), title=title)
    if state is SeriesState.ENDED:
        raise InvalidInput(N_("**{title}** is ended, not paused, so there is nothing to resume."), title=title)
    return SeriesState.ACTIVE
