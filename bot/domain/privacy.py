"""Privacy rules: what the notice says, how long things are kept, and how erasure anonymises shared records.

Erasure deletes the rows that are a member's own (their RSVPs, attendance, memberships, preferences, feedback
found through their pseudonym...) and, in rows that are also other people's records (a cohort a facilitator
created, an audit entry, a resource they added), replaces their Discord ID with :data:`ERASED_USER`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain.errors import InvalidInput

ERASED_USER = 0  # stands in for an erased member's Discord ID where the row itself must stay
CONFIRM_WINDOW = timedelta(minutes=10)  # how long a "Yes, erase my data" button stays valid


@dataclass(frozen=True, slots=True)
class Retention:
    """How long Cwtch keeps what, in days (from settings)."""

    survey_open_days: int
    comment_retention_days: int


@dataclass(frozen=True, slots=True)
class NoticeSection:
    title: str
    text: str


def privacy_notice(retention: Retention) -> tuple[NoticeSection, ...]:
    """What is held about a member, why, and for how long: the ``/privacy notice`` text."""
    days = retention.comment_retention_days
    survey = retention.survey_open_days
    return (
        NoticeSection(
            "Sessions",
            "Your cohort memberships, RSVPs (going, waitlist, can't make it) and attendance (from voice, the "
            '"I\'m here" check-in or a facilitator). Why: to run sessions, send your reminders and count '
            "attendance. Kept until you erase them.",
        ),
        NoticeSection(
            "Feedback",
            "Your survey answers are stored under a pseudonym (a keyed code made from your ID and the session, "
            f"with a secret kept outside the database), never your Discord ID. A survey stays open {survey} "
            f"days. Facilitators can read comments, without names or times, once a survey has closed; comments "
            f"are deleted {days} days after they were written. Reports count answers only in fixed groups of "
            "sessions with enough people that no one can be picked out.",
        ),
        NoticeSection(
            "Settings",
            "Whether you want reminders, when you accepted the ground rules, and the ID of our direct-message "
            "channel with you (so a reminder costs one message). Kept until you erase them.",
        ),
        NoticeSection(
            "Community and safety",
            "When you joined or left the community of practice, resources you suggested or added, the "
            '"what works" threads you started, and messages you reported to the facilitators (the link only, '
            "never the text). Kept until you erase them.",
        ),
        NoticeSection(
            "Facilitators' records",
            "Actions of admins, facilitators and coordinators go to an audit log, for accountability, and "
            "safeguarding alerts record which facilitator they were sent to and who took them on (never who "
            "wrote a comment). Reports to coordinators are counts only.",
        ),
        NoticeSection(
            "Your rights",
            "`/privacy export` sends you a copy of everything Cwtch holds about you in this server. "
            "`/privacy delete` erases it (you'll be asked to confirm): your own records are deleted, and your ID "
            "is removed from records that are also other people's. Message text is never stored. Figures already "
            "released in reports are anonymous sums and stay as they are (if they count you in the community, "
            "your erasure counts as a leave, without your name).",
        ),
    )


def comment_cutoff(now: datetime, retention_days: int) -> datetime:
    """Comments last written before this moment are due for deletion."""
    if retention_days < 1:
        raise ValueError("comments are kept at least one day")
    return now - timedelta(days=retention_days)


def require_fresh_confirmation(issued_at: int, now: datetime) -> None:
    """Refuse an erasure confirmation pressed long after it was offered (``issued_at`` in UNIX seconds)."""
    age = now.timestamp() - issued_at
    if age < -60 or age > CONFIRM_WINDOW.total_seconds():
        minutes = int(CONFIRM_WINDOW.total_seconds() // 60)
        raise InvalidInput(
            f"That confirmation has expired (it lasts {minutes} minutes), so nothing was erased. "
            "Run `/privacy delete` again if you still want to."
        )


def scrub(value: Any, user_id: int, marker: int = ERASED_USER) -> Any:
    """``value`` (JSON-like) with every occurrence of ``user_id`` (as a number or a string of digits, or inside a
    mention) replaced by ``marker``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return marker if value == user_id else value
    if isinstance(value, str):
        return re.sub(rf"(?<!\d){user_id}(?!\d)", str(marker), value)
    if isinstance(value, Mapping):
        return {scrub(key, user_id, marker): scrub(item, user_id, marker) for key, item in value.items()}
    if isinstance(value, Sequence):
        return [scrub(item, user_id, marker) for item in value]
    return value
