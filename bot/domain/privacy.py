"""Privacy rules: what the notice says, how long things are kept, and how erasure anonymises shared records.

Erasure deletes the rows that are a member's own (their RSVPs, attendance, memberships, preferences, feedback
found through their pseudonym...) and, in rows that are also other people's records (a cohort a facilitator
created, an audit entry, a resource they added), replaces their Discord ID with :data:`ERASED_USER`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.errors import InvalidInput
from bot.domain.language import N_

ERASED_USER = 0  # stands in for an erased member's Discord ID where the row itself must stay
CONFIRM_WINDOW = timedelta(minutes=10)  # how long a "Yes, erase my data" button stays valid


@dataclass(frozen=True, slots=True)
class Retention:
    """How long Cwtch keeps what, in days (from settings)."""

    survey_open_days: int
    comment_retention_days: int


@dataclass(frozen=True, slots=True)
class NoticeSection:
    """One part of the notice: its title and text are English, marked for the catalogue, with ``values`` to fill
    in once translated."""

    title: str
    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The English text, filled in."""
        return self.template.format(**self.values)


def privacy_notice(retention: Retention) -> tuple[NoticeSection, ...]:
    """What is held about a member, why, and for how long: the ``/privacy notice`` text."""
    return (
        NoticeSection(
            N_("Sessions"),
            N_(
                "Your cohort memberships, RSVPs (going, waitlist, can't make it) and attendance (from voice, the "
                '"I\'m here" check-in or a facilitator). Why: to run sessions, send your reminders and count '
                "attendance. Kept until you erase them."
            ),
        ),
        NoticeSection(
            N_("Feedback"),
            N_(
                "Your survey answers are stored under a pseudonym (a keyed code made from your ID and the session, "
                "with a secret kept outside the database), never your Discord ID. A survey stays open {survey} "
                "days. Facilitators can read comments, without names or times, once a survey has closed; comments "
                "are deleted {days} days after they were written. Reports count answers only in fixed groups of "
                "sessions with enough people that no one can be picked out."
            ),
            {"survey": retention.survey_open_days, "days": retention.comment_retention_days},
        ),
        NoticeSection(
            N_("Settings"),
            N_(
                "Whether you want reminders, when you accepted the ground rules, the language you chose for Cwtch "
                "(Cymraeg or English), and the ID of our direct-message channel with you (so a reminder costs one "
                "message). Kept until you erase them: your language goes with the rest."
            ),
        ),
        NoticeSection(
            N_("Community and safety"),
            N_(
                "When you joined or left the community of practice, resources you suggested or added, the "
                '"what works" threads you started, and messages you reported to the facilitators (the link only, '
                "never the text). Kept until you erase them."
            ),
        ),
        NoticeSection(
            N_("Facilitators' records"),
            N_(
                "Actions of admins, facilitators and coordinators go to an audit log, for accountability, and "
                "safeguarding alerts record which facilitator they were sent to and who took them on (never who "
                "wrote a comment). Reports to coordinators are counts only."
            ),
        ),
        NoticeSection(
            N_("Your rights"),
            N_(
                "`/privacy export` sends you a copy of everything Cwtch holds about you in this server. "
                "`/privacy delete` erases it (you'll be asked to confirm): your own records are deleted, and your "
                "ID is removed from records that are also other people's. Message text is never stored. Figures "
                "already released in reports are anonymous sums and stay as they are (if they count you in the "
                "community, your erasure counts as a leave, without your name)."
            ),
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
        raise InvalidInput(
            N_(
                "That confirmation has expired (it lasts {minutes} minutes), so nothing was erased. "
                "Run `/privacy delete` again if you still want to."
            ),
            minutes=int(CONFIRM_WINDOW.total_seconds() // 60),
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
