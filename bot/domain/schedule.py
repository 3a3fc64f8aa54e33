"""Which upcoming sessions ``/session list`` shows, and how they are paged.

Per series: every session of the next 90 days, and at least its next three that take RSVPs, however far ahead
(a series meeting every other month shows half a year). A cancelled session inside that span is shown, said to be
cancelled, so nobody wonders where it went; the sessions a paused or ended series cancelled are not (they are
noise). Sessions that ended, or were ended early, are left out. Pages never cut silently: each says "page 2 of 3".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.rsvp import open_for_rsvp

LIST_AHEAD = timedelta(days=90)
LIST_AT_LEAST = 3
PAGE_SIZE = 10  # sessions a page: an embed holds 25 fields and 6,000 characters, a select 25 options


@dataclass(frozen=True, slots=True)
class Slot:
    """One session not yet over, as the list needs to place it."""

    occurrence_id: int
    series_id: int
    starts_at: datetime
    state: str  # scheduled | cancelled | open | closed
    series_state: str = "active"  # active | paused | ended


@dataclass(frozen=True, slots=True)
class Page:
    """Page ``number`` (1-based) of ``count``: the items ``[start, stop)`` of ``total``."""

    number: int
    count: int
    start: int
    stop: int
    total: int


def listed(
    slots: Sequence[Slot], now: datetime, *, ahead: timedelta = LIST_AHEAD, at_least: int = LIST_AT_LEAST
) -> list[Slot]:
    """The slots ``/session list`` shows, soonest first."""
    ordered = sorted(slots, key=lambda slot: (slot.starts_at, slot.occurrence_id))
    horizon = now + ahead
    reach: dict[int, datetime] = {}  # per series: the start of its `at_least`-th session that takes RSVPs
    counted: dict[int, int] = {}
    for slot in ordered:
        if open_for_rsvp(slot.state, slot.starts_at, now) and counted.get(slot.series_id, 0) < at_least:
            counted[slot.series_id] = counted.get(slot.series_id, 0) + 1
            reach[slot.series_id] = slot.starts_at
    shown = []
    for slot in ordered:
        if slot.state == "closed" or (slot.state == "cancelled" and slot.series_state != "active"):
            continue
        if slot.starts_at <= max(horizon, reach.get(slot.series_id, horizon)):
            shown.append(slot)
    return shown


def page_of(total: int, wanted: int, size: int = PAGE_SIZE) -> Page:
    """Page ``wanted`` of ``total`` items, moved into range (an old button may ask for a page no longer there)."""
    count = max(1, -(-total // size))
    number = min(max(wanted, 1), count)
    start = (number - 1) * size
    return Page(number=number, count=count, start=start, stop=min(start + size, total), total=total)
