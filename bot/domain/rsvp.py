"""RSVP rules: places, the waitlist, who is promoted when a place frees, and who may answer for a session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from bot.domain.errors import InvalidInput, UserFacingError
from bot.domain.language import N_


class RsvpStatus(StrEnum):
    GOING = "going"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"


class Choice(StrEnum):
    YES = "yes"
    NO = "no"


class JoinCohortFirst(UserFacingError):
    """A session is for its cohort: someone outside it is offered to join first, and nothing is recorded yet."""

    def __init__(self, cohort_name: str) -> None:
        super().__init__(
            N_("This session is for members of **{cohort}**. Please join that cohort first."), cohort=cohort_name
        )
        self.cohort_name = cohort_name


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


def open_for_rsvp(state: str, starts_at: datetime, now: datetime) -> bool:
    """Whether a session still takes RSVPs: any session made, however far ahead, until it starts (the refusals
    are ``bot.domain.lifecycle.rsvp``'s)."""
    return state == "scheduled" and now < starts_at


def require_in_cohort(
    is_member: bool, cohort_name: str, choice: Choice | None = None, current: RsvpStatus | None = None
) -> None:
    """Only a session's cohort RSVPs to it or checks in (``choice`` None); facilitators too, for simplicity.

    Someone outside the cohort is asked to join first (:class:`JoinCohortFirst`). One exception: a member who
    answered before leaving the cohort may still say they can't make it, which frees their place.
    """
    if is_member:
        return
    if choice is Choice.NO:
        if current is not None:
            return
        raise InvalidInput(
            N_(
                "Thanks for letting us know. You're not in **{cohort}**, so there is no RSVP to change. "
                "If you'd like to come to its sessions, join it with `/cohort join`."
            ),
            cohort=cohort_name,
        )
    raise JoinCohortFirst(cohort_name)
