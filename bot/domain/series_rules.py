"""Managing a series safely: what makes two series the same, options that contradict each other, the confirmation
a pause or an end waits for, and a change of the time of day from a date on.

A series' rule is its first date, its time of day and its cadence. When the time changes from a date on, the rule
takes the new time and the sessions before that date keep the time they had: each becomes a moved instance of the
new rule (its ``scheduled_start`` is what the new rule says, its ``starts_at`` stays), which is exactly how the
calendar feed and Discord already show a session moved by hand. The rule's dates never change with its time, so
a session keeps its sequence number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.errors import InvalidInput
from bot.domain.language import N_, SessionMedium
from bot.domain.recurrence import Cadence, Recurrence, local_dates, to_utc

CONFIRM_WINDOW = timedelta(minutes=10)  # how long a Confirm button of /series pause or end stays valid
RETIME_REACH = timedelta(days=366)  # how far ahead a time change may start
PAUSED = N_("series paused")  # the cancel reason of the sessions a pause cancelled (resume restores them)


class StopAction(StrEnum):
    """What a facilitator asked to do to a series, pending their confirmation."""

    PAUSE = "pause"
    END = "end"


def title_key(title: str) -> str:
    """The form in which two titles count as the same (case and spacing ignored)."""
    return " ".join(title.split()).casefold()


def duplicate_key(title: str, first_local: datetime) -> str:
    """What two series of one cohort must not share while both live: the title and the first start."""
    return f"{title_key(title)}|{first_local:%Y-%m-%dT%H:%M}"


def rekeyed(key: str, title: str, first_local: datetime | None = None) -> str:
    """``key`` for a new title, and a new first start when given (else the one it has)."""
    first = key.rpartition("|")[2] if first_local is None else f"{first_local:%Y-%m-%dT%H:%M}"
    return f"{title_key(title)}|{first}"


def require_one_place(room_channel_id: int | None, link: str | None) -> None:
    """A series meets in a Discord room or at a link, never both."""
    if room_channel_id is not None and link is not None and link.strip():
        raise InvalidInput(
            N_(
                "A series meets either in a Discord voice or stage channel (`room`) or at an online meeting link "
                "(`link`), not both. Please choose one and try again."
            )
        )


def require_monthly_by_fits(cadence: Cadence, monthly_by: str | None) -> None:
    """``monthly_by`` means something only for monthly and bimonthly series; elsewhere it is refused, not ignored."""
    if monthly_by is not None and cadence not in (Cadence.MONTHLY, Cadence.BIMONTHLY):
        raise InvalidInput(
            N_(
                "`monthly_by` is only for monthly and bimonthly series, and this one is {cadence}. "
                "Leave `monthly_by` empty and try again."
            ),
            cadence=cadence.value,
        )


def require_fresh(issued_at: int, now: datetime, command: str) -> None:
    """Refuse a confirmation pressed long after it was offered (``issued_at`` in UNIX seconds); ``command`` is
    the one that asks once more (``/series pause``)."""
    age = now.timestamp() - issued_at
    if age < -60 or age > CONFIRM_WINDOW.total_seconds():
        raise InvalidInput(
            N_(
                "That confirmation has expired (it lasts {minutes} minutes), so nothing was changed. "
                "Run `{command}` again if you still want to."
            ),
            minutes=int(CONFIRM_WINDOW.total_seconds() // 60),
            command=command,
        )


@dataclass(frozen=True, slots=True)
class Slot:
    """What a time change needs to know of one session of the series."""

    sequence: int
    state: str  # scheduled | cancelled | open | closed
    cancel_reason: str | None
    scheduled_start: datetime  # what the rule said (aware UTC)
    starts_at: datetime  # when it is (moved by hand if it differs)


@dataclass(frozen=True, slots=True)
class Retime:
    """A time change worked out: the new rule, and what happens to each session already made."""

    rule: Recurrence
    from_date: date
    scheduled: dict[int, datetime]  # sequence -> the new rule's start, for every session made
    moved: dict[int, datetime]  # sequence -> new start, for the sessions that move with the rule
    kept: tuple[int, ...]  # sequences on or after from_date kept at a time a facilitator chose by hand


def retime(rule: Recurrence, new_time: time, from_date: date, slots: Sequence[Slot], now: datetime) -> Retime:
    """Sessions from ``from_date`` on start at ``new_time`` (wall clock); earlier ones keep their time.

    Moved with the rule: sessions on or after ``from_date`` that are still to come, scheduled (or cancelled by a
    pause, so a resume brings them back at the new time), and not moved by hand. ``slots`` must hold every
    session of the rule before ``from_date`` (those become moved instances of the new rule). Refuses a date in
    the past, beyond a year, with no session on or after it, or a change that would put a session in the past.
    """
    today = now.astimezone(rule.zone).date()
    if from_date < today:
        raise InvalidInput(N_("`from_date` is in the past. Pick today or a later date (`YYYY-MM-DD`)."))
    if from_date > today + RETIME_REACH:
        raise InvalidInput(
            N_("`from_date` can be at most a year ahead. Pick an earlier date, or change it nearer then.")
        )
    new_rule = replace(rule, first_local=datetime.combine(rule.first_local.date(), new_time))
    dates = dict(enumerate(local.date() for local in local_dates(rule)))
    if not any(day >= from_date for day in dates.values()):
        raise InvalidInput(N_("The series has no sessions on or after that date, so there is nothing to change."))
    made = {slot.sequence for slot in slots}
    if any(sequence not in made for sequence, day in dates.items() if day < from_date):
        raise ValueError("every session before from_date must be made before the time changes")
    scheduled, moved, kept = {}, {}, []
    for slot in slots:
        day = dates[slot.sequence]
        scheduled[slot.sequence] = new_start = to_utc(datetime.combine(day, new_time), rule.zone)
        if day < from_date or slot.starts_at <= now or slot.state not in ("scheduled", "cancelled"):
            continue
        if slot.state == "cancelled" and slot.cancel_reason != PAUSED:
            continue
        if slot.starts_at != slot.scheduled_start:
            kept.append(slot.sequence)
            continue
        if new_start <= now:
            raise InvalidInput(
                N_(
                    "The session on {date} would then start in the past. "
                    "Give a later `from_date`, or move that one session with `/session move`."
                ),
                date=f"{day:%Y-%m-%d}",
            )
        moved[slot.sequence] = new_start
    return Retime(new_rule, from_date, scheduled, moved, tuple(kept))


def sessions_before(rule: Recurrence, from_date: date) -> int:
    """How many sessions the rule has before ``from_date`` (the ones that must be made before a time change)."""
    count = 0
    for local in local_dates(rule):
        if local.date() >= from_date:
            break
        count += 1
    return count


# What ``/series create`` and ``/series edit`` take as a series' ``language`` ("en": held in English, the default).
MEDIUM_CHOICES = {"cy": SessionMedium.WELSH, "bilingual": SessionMedium.BILINGUAL, "en": None}


def parse_medium(raw: str) -> SessionMedium | None:
    """The language a series is held in, from the ``language`` option: Welsh-medium, bilingual, or English
    (``None``)."""
    key = raw.strip().casefold()
    if key not in MEDIUM_CHOICES:
        raise InvalidInput(N_("Choose the language sessions are held in from the list: Cymraeg, bilingual or English."))
    return MEDIUM_CHOICES[key]


def welsh_medium_demand(count: int, min_group: int) -> int | None:
    """How many members of a server said they would prefer Welsh-medium sessions, as facilitators may see it:
    the number when at least ``min_group`` did, otherwise ``None`` ("fewer than ``min_group``"), so that a small
    number cannot point at anyone."""
    return count if count >= min_group else None
