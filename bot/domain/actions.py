"""The actions of a session and when each is due; what to do with one whose moment passed while we were down.

Every occurrence gets one action of each kind, each with a due time. After downtime an overdue action runs if
it still makes sense and is skipped (with the reason recorded) otherwise.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class ActionKind(StrEnum):
    ANNOUNCE = "announce"
    MIRROR_EVENT = "mirror_event"
    REMIND_24H = "remind_24h"
    REMIND_1H = "remind_1h"
    OPEN_ROOM = "open_room"
    CLOSE_ROOM = "close_room"
    SEND_SURVEY = "send_survey"
    SURVEY_REMINDER = "survey_reminder"
    CLOSE_SURVEY = "close_survey"


AFTER_THE_SESSION = (ActionKind.CLOSE_ROOM, ActionKind.SEND_SURVEY, ActionKind.SURVEY_REMINDER, ActionKind.CLOSE_SURVEY)
SURVEY_OPEN = timedelta(days=7)


class ActionState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


ANNOUNCE_HORIZON = timedelta(days=7)
EVENT_HORIZON = timedelta(days=28)
MAX_EVENTS_PER_GUILD = 100
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
_RETRY_BASE = timedelta(seconds=15)
_RETRY_CAP = timedelta(minutes=30)


def due_times(
    starts_at: datetime, ends_at: datetime, survey_open: timedelta = SURVEY_OPEN
) -> dict[ActionKind, datetime]:
    """When each action of a session is due (may be in the past: the scheduler then runs it at once)."""
    return {
        ActionKind.SEND_SURVEY: ends_at,
        ActionKind.SURVEY_REMINDER: ends_at + survey_open / 2,
        ActionKind.CLOSE_SURVEY: ends_at + survey_open,
        ActionKind.MIRROR_EVENT: starts_at - EVENT_HORIZON,
        ActionKind.ANNOUNCE: starts_at - ANNOUNCE_HORIZON,
        ActionKind.REMIND_24H: starts_at - timedelta(hours=24),
        ActionKind.REMIND_1H: starts_at - timedelta(hours=1),
        ActionKind.OPEN_ROOM: starts_at,
        ActionKind.CLOSE_ROOM: ends_at,
    }


@dataclass(frozen=True, slots=True)
class SurveyWindow:
    """Where a session's survey stands, for catch-up: when it closes (or will, if it has not gone out yet),
    whether it went out, whether it has been closed."""

    closes_at: datetime
    sent: bool = False
    closed: bool = False

    def is_over(self, now: datetime) -> bool:
        return self.closed or now >= self.closes_at


def survey_window(
    ends_at: datetime,
    *,
    close_due: datetime | None,
    survey_closes_at: datetime | None = None,
    survey_closed_at: datetime | None = None,
    sent: bool = False,
) -> SurveyWindow:
    """The survey's window from what is stored: it closes when its closing action runs (``close_due``) or at the
    close time it was given when it went out, whichever comes first."""
    candidates = [when for when in (close_due, survey_closes_at) if when is not None]
    closes_at = min(candidates) if candidates else ends_at + SURVEY_OPEN
    return SurveyWindow(closes_at=closes_at, sent=sent, closed=survey_closed_at is not None)


_BEFORE_THE_START = (ActionKind.ANNOUNCE, ActionKind.REMIND_24H, ActionKind.REMIND_1H)


def skip_reason(
    kind: ActionKind,
    state: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    survey: SurveyWindow | None = None,
) -> str | None:
    """Why running ``kind`` now would no longer make sense, or ``None`` if it should run.

    ``survey`` is where the session's survey stands (needed for the survey's invitation and reminder); without
    it the survey is taken to close ``SURVEY_OPEN`` after the end and not to have gone out.
    """
    if state == "cancelled":
        return "session cancelled"
    if kind in (ActionKind.SEND_SURVEY, ActionKind.SURVEY_REMINDER):
        window = survey or SurveyWindow(closes_at=ends_at + SURVEY_OPEN)
        if window.is_over(now):
            return "survey already closed"  # no invitation or "still open" for a survey nobody can answer
        if kind is ActionKind.SURVEY_REMINDER and not window.sent:
            return "survey never went out"
        return None  # a survey is sent late while it is still open
    if kind in AFTER_THE_SESSION:
        return None  # closing the room and the survey always run: closing releases the report blocks
    if state == "closed":
        return "session already ended"
    if state == "open" and kind is ActionKind.OPEN_ROOM:
        return "room already open"
    if kind in _BEFORE_THE_START and now >= starts_at:
        return "session already started"
    if kind is ActionKind.REMIND_24H and now >= starts_at - timedelta(hours=1):
        return "the 1-hour reminder covers it"
    if kind in (ActionKind.MIRROR_EVENT, ActionKind.OPEN_ROOM) and now >= ends_at:
        return "session already ended"
    return None


def rearm_after_move(kind: ActionKind, state: ActionState, new_due: datetime, now: datetime) -> bool:
    """Whether a moved session's action should run (again) at its new time.

    The announcement and the event are edited in place when a session moves, never posted twice; reminders
    and the room follow the new time if it is still ahead.
    """
    if state is ActionState.CLAIMED:
        return False
    if kind in (ActionKind.ANNOUNCE, ActionKind.MIRROR_EVENT):
        return state is not ActionState.DONE
    return new_due > now or state is ActionState.PENDING


def rearm_after_resume(kind: ActionKind, state: ActionState) -> bool:
    """Whether a session restored by resuming its series should run this action (again).

    Its announcement is edited back rather than posted twice; its event was cancelled with it, so a new one
    is made; whatever the pause skipped runs as planned.
    """
    if kind is ActionKind.MIRROR_EVENT:
        return True
    return state is ActionState.SKIPPED


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries (exponential backoff), or ``None`` to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + min(_RETRY_BASE * 2 ** (attempts - 1), _RETRY_CAP)


def nonce(action_id: int) -> str:
    """The message nonce of an action (at most 25 characters): Discord then refuses to post it twice."""
    return f"cwtch-{action_id}"[:25]


def room_nonce(occurrence_id: int) -> str:
    """The nonce of the "room is open" message when a facilitator opens the room by hand."""
    return f"cwtch-room-{occurrence_id}"[:25]


def late_survey_nonce(occurrence_id: int, user_id: int) -> str:
    """The nonce of the survey sent to one member marked present after it went out (at most 25 characters): the
    same member marked by two facilitators at once gets one message."""
    digest = hashlib.blake2b(f"{occurrence_id}:{user_id}".encode(), digest_size=7).hexdigest()
    return f"cwtch-sv-{digest}"[:25]
