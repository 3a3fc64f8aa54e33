"""Rules of the wellbeing community of practice: the "what works" post a member shares, the most-used tags, when
the weekly digest is due and which posts it shows as active.

A member is someone whose latest join or leave is a join; the services record a join or leave only when it
changes that, so joins less leaves always counts the members (see ``bot.domain.community_blocks``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.actions import MAX_ATTEMPTS, retry_at
from bot.domain.errors import InvalidInput
from bot.domain.language import N_

ROLE_NAME = N_("Wellbeing community")  # the role made on the first /community join, when the server has none

WHAT_WORKS_TITLE_MAX = 100  # a forum post's name
WHAT_WORKS_TEXT_MAX = 1500
# With the text, the byline and the advice's label (in both languages on a bilingual server), the post stays within
# Discord's 2,000 characters.
WHAT_WORKS_ADVICE_MAX = 380
# The words around a member's own in a "what works" post: the reader's (the server's) language is given to
# :func:`what_works_post`.
SHARED_BY = N_("Shared by")
ADVICE_LABEL = N_("What I'd tell another manager")
MESSAGE_MAX = 2000

DIGEST_WEEKDAY = 0  # Monday
DIGEST_TIME = time(9, 0)  # wall-clock time in the configured zone
NONCE_MAX = 25


class EventKind(StrEnum):
    JOIN = "join"
    LEAVE = "leave"


@dataclass(frozen=True, slots=True)
class MembershipEvent:
    at: datetime  # aware UTC
    user_id: int
    kind: EventKind


def top_tags(tagged: Iterable[tuple[Sequence[str], int]], limit: int = 5) -> list[tuple[str, int]]:
    """The ``limit`` tags with the highest totals, from ``(tags of a resource, weight)`` pairs.

    A resource counts once per tag (its weight: 1 for "added", its openings for "opened"); ties go by name.
    """
    totals: Counter[str] = Counter()
    for tags, weight in tagged:
        for tag in dict.fromkeys(tags):
            totals[tag] += weight
    ranked = sorted(((tag, count) for tag, count in totals.items() if count > 0), key=lambda tc: (-tc[1], tc[0]))
    return ranked[:limit]


# --- "what works" -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhatWorks:
    title: str
    text: str
    advice: str | None  # "what you'd tell another manager"


def _clean(raw: str | None, limit: int, *, empty: str | None, too_long: str) -> str | None:
    """``raw`` trimmed; ``empty`` (when it is required) and ``too_long`` are the refusals."""
    text = (raw or "").strip()
    if not text and empty is not None:
        raise InvalidInput(empty)
    if len(text) > limit:
        raise InvalidInput(too_long, limit=limit, length=len(text))
    return text or None


def clean_what_works(title: str | None, text: str | None, advice: str | None) -> WhatWorks:
    """The post a member typed, trimmed; refuses an empty or overlong title or text, or overlong advice."""
    clean_title = _clean(
        " ".join((title or "").split()),
        WHAT_WORKS_TITLE_MAX,
        empty=N_("Please fill in the title."),
        too_long=N_("Please keep the title to at most {limit} characters (this one has {length})."),
    )
    clean_text = _clean(
        text,
        WHAT_WORKS_TEXT_MAX,
        empty=N_("Please fill in what worked."),
        too_long=N_("Please keep what worked to at most {limit} characters (this one has {length})."),
    )
    assert clean_title is not None and clean_text is not None
    clean_advice = _clean(
        advice,
        WHAT_WORKS_ADVICE_MAX,
        empty=None,
        too_long=N_("Please keep your advice to at most {limit} characters (this one has {length})."),
    )
    return WhatWorks(clean_title, clean_text, clean_advice)


def what_works_post(
    author_id: int, share: WhatWorks, *, shared_by: str = SHARED_BY, advice_label: str = ADVICE_LABEL
) -> str:
    """The first message of a "what works" forum post: who shared it, then their words. ``shared_by`` and
    ``advice_label`` are :data:`SHARED_BY` and :data:`ADVICE_LABEL` as the forum's readers read them."""
    parts = [f"{shared_by} <@{author_id}>", share.text]
    if share.advice:
        parts.append(f"**{advice_label}:** {share.advice}")
    content = "\n\n".join(parts)
    assert len(content) <= MESSAGE_MAX, "the limits above keep a post within one message"
    return content


# --- the weekly digest ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestWeek:
    """The week a digest covers: from ``starts_at`` (Monday 09:00 local) to ``ends_at`` (the next Monday 09:00),
    when it is posted. ``week_start`` is the local date of that first Monday."""

    week_start: date
    starts_at: datetime  # aware UTC
    ends_at: datetime  # aware UTC: when the digest is due

    @property
    def last_day(self) -> date:
        return self.week_start + timedelta(days=6)


def digest_moment(day: date, zone: ZoneInfo) -> datetime:
    """09:00 on ``day`` in ``zone``, as aware UTC (09:00 is never skipped or repeated by a clock change in the
    zones Cwtch serves; were it skipped, this is the moment the clocks reach it)."""
    return datetime.combine(day, DIGEST_TIME, tzinfo=zone).astimezone(UTC)


def due_digest(now: datetime, zone: ZoneInfo) -> DigestWeek:
    """The latest week whose digest is due at or before ``now``: posted late (after downtime) until the next one
    falls due, never a backlog of older weeks."""
    if now.tzinfo is None:
        raise ValueError("aware datetimes only")
    local = now.astimezone(zone).date()
    monday = local - timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    if digest_moment(monday, zone) > now:
        monday -= timedelta(days=7)
    week_start = monday - timedelta(days=7)
    return DigestWeek(week_start, digest_moment(week_start, zone), digest_moment(monday, zone))


def active_this_week(last_messages: Mapping[int, datetime], week: DigestWeek, new: Collection[int]) -> list[int]:
    """The threads (by ID) whose last message falls in the digest's week (``starts_at`` included, ``ends_at`` not),
    most recent first (ties by ID), leaving out ``new`` ones: those are listed as new posts already.

    ``last_messages`` maps a thread to the moment of its last message (aware UTC).
    """
    inside = [
        (at, thread_id)
        for thread_id, at in last_messages.items()
        if thread_id not in new and week.starts_at <= at < week.ends_at
    ]
    inside.sort(key=lambda item: (item[0], -item[1]), reverse=True)
    return [thread_id for _, thread_id in inside]


def may_claim_digest(
    state: str | None, attempts: int, finished_at: datetime | None, lease_until: datetime | None, now: datetime
) -> bool:
    """Whether a process may take a guild's digest for a week now.

    Nobody has (``state`` None); a claim whose lease ran out (its process died mid-send); a failed send once its
    backoff has passed, until it has been tried as often as an action is. Never one that is done.
    """
    if state is None:
        return True
    if state == "claimed":
        return attempts < MAX_ATTEMPTS and (lease_until is None or lease_until < now)
    if state == "failed":
        again = retry_at(attempts, finished_at or now)
        return again is not None and again <= now
    return False


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if not number:
            return out


def digest_nonce(guild_id: int, week_start: date) -> str:
    """The message nonce of a guild's digest for a week (at most 25 characters), so Discord posts it once even
    when a process that died mid-send is taken over."""
    if guild_id < 0:
        raise ValueError("a snowflake is never negative")
    nonce = f"dg-{_base36(guild_id)}-{week_start:%y%m%d}"
    assert len(nonce) <= NONCE_MAX
    return nonce
