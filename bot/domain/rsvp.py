"""RSVP rules: places, the waitlist, and who is promoted when a place frees."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from bot.domain.errors import InvalidInput


class RsvpStatus(StrEnum):
    GOING = "going"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"


class Choice(StrEnum):
    YES = "yes"
    NO = "no"


def status_for(choice: Choice, current: RsvpStatus | None, going: int, capacity: int | None) -> RsvpStatus:
    """The status a member gets for ``choice``; ``going`` counts others already going (not this member)."""
    if choice is Choice.NO:
        return RsvpStatus.DECLINED
    if current is RsvpStatus.GOING:
        return RsvpStatus.GOING
    if capacity is None or going < capacity:
        return RsvpStatus.GOING
    return RsvpStatus.WAITLISTED


def promotions(capacity: int | None, going: int, waitlist: Sequence[int]) -> list[int]:
    """Who moves from the waitlist (in the order they joined it) into the places now free."""
    if capacity is None:
        return list(waitlist)
    free = max(capacity - going, 0)
    return list(waitlist[:free])


def require_open_for_rsvp(state: str, starts_at: datetime, now: datetime) -> None:
    if state == "cancelled":
        raise InvalidInput("This session was cancelled, so it no longer takes RSVPs.")
    if state != "scheduled" or now >= starts_at:
        raise InvalidInput("This session has already started, so RSVPs are closed. See you at the next one!")
