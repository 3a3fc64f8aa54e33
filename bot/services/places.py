"""Places in a session: when places free (someone declines, is erased, or the capacity grows), the first on the
waitlist move up. Written once here for every service that frees places."""

from __future__ import annotations

from datetime import datetime

from bot.db.uow import UnitOfWork
from bot.domain.rsvp import RsvpStatus, promotions


async def fill_free_places(
    uow: UnitOfWork, occurrence_id: int, capacity: int | None, now: datetime, *, leaving: int | None = None
) -> list[int]:
    """Move the first on the waitlist into the places free (``leaving``: someone whose place is being given up in
    this same unit of work, counted as gone); returns who moved up, in order. Telling them is the caller's."""
    going = [user for user in await uow.rsvps.users(occurrence_id, RsvpStatus.GOING) if user != leaving]
    waitlist = [user for user in await uow.rsvps.users(occurrence_id, RsvpStatus.WAITLISTED) if user != leaving]
    moved = promotions(capacity, len(going), waitlist)
    await uow.rsvps.set_status(occurrence_id, moved, RsvpStatus.GOING, now)
    return moved
