"""The queries a batch of RSVP and check-in clicks needs (see ``bot.services.rsvp_writer``), as plain synchronous
SQLAlchemy, so that the whole batch runs in one go (``UnitOfWorkFactory.run_sync``).

Each read fetches what the whole batch needs in one statement, and each kind of write is one executemany
statement, whatever the batch's size. The statements are built once for each database, with parameters: building
one (and its cache key) cost more than running it. On PostgreSQL their lists are arrays, so that a batch of a new
size needs no statement prepared anew (``bot.db.chunks.in_array``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from bot.db.chunks import by_dialect, dialect_of
from bot.db.models import Attendance, Cohort, CohortMembership, MemberPreference, Occurrence, Rsvp, Series
from bot.db.sessions import RSVP_COUNTS, SESSION_PARTS
from bot.domain.rsvp import RsvpStatus


@dataclass(slots=True)
class RsvpRow:
    """One member's RSVP to one session as a batch sees it; ``id`` is None until the batch inserts it."""

    id: int | None
    status: RsvpStatus
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    id: int
    present: bool
    source: str


_SESSIONS = by_dialect(
    lambda among: (
        SESSION_PARTS.where(among(Occurrence.id, "occurrences"))
        .order_by(Occurrence.id)
        # On PostgreSQL, RSVPs to a session are decided one transaction at a time (places are counted, then taken);
        # SQLite's single writer does that by itself (the clause is left out there).
        .with_for_update(of=Occurrence)
    )
)
_MEMBERS = by_dialect(
    lambda among: select(CohortMembership.cohort_id, CohortMembership.user_id).where(
        among(CohortMembership.cohort_id, "cohorts"), among(CohortMembership.user_id, "users")
    )
)
_GROUND_RULES = by_dialect(
    lambda among: select(MemberPreference.guild_id, MemberPreference.user_id).where(
        among(MemberPreference.guild_id, "guilds"),
        among(MemberPreference.user_id, "users"),
        MemberPreference.ground_rules_accepted_at.is_not(None),
    )
)
_RSVPS = by_dialect(
    lambda among: select(Rsvp.occurrence_id, Rsvp.user_id, Rsvp.id, Rsvp.status, Rsvp.updated_at).where(
        among(Rsvp.occurrence_id, "occurrences"), among(Rsvp.user_id, "users")
    )
)
_WAITLISTS = by_dialect(
    lambda among: (
        select(Rsvp.occurrence_id, Rsvp.user_id, Rsvp.id, Rsvp.updated_at)
        .where(among(Rsvp.occurrence_id, "occurrences"), Rsvp.status == RsvpStatus.WAITLISTED)
        .order_by(Rsvp.occurrence_id, Rsvp.updated_at, Rsvp.id)
    )
)
_ATTENDANCE = by_dialect(
    lambda among: select(
        Attendance.occurrence_id, Attendance.user_id, Attendance.id, Attendance.present, Attendance.source
    ).where(among(Attendance.occurrence_id, "occurrences"), among(Attendance.user_id, "users"))
)
_rsvps = Rsvp.__table__
_ADD_RSVPS = insert(Rsvp)
_CHANGE_RSVPS = (
    update(Rsvp)
    .where(Rsvp.id == bindparam("row"))
    .values(
        status=bindparam("new_status", type_=_rsvps.c.status.type),
        updated_at=bindparam("changed_at", type_=_rsvps.c.updated_at.type),
    )
)
_ADD_ATTENDANCE = insert(Attendance)
_CHECKED_IN = by_dialect(
    lambda among: update(Attendance).where(among(Attendance.id, "rows")).values(present=True, source="checkin")
)


def _read(session: Session, statements: dict[str, Any], params: dict[str, list[Any]]) -> Any:
    return session.execute(statements[dialect_of(session)], params).tuples()


def sessions_of(session: Session, occurrence_ids: Collection[int]) -> dict[int, tuple[Occurrence, Series, Cohort]]:
    """These sessions with their series and cohort (on PostgreSQL, locked until the batch commits)."""
    rows = _read(session, _SESSIONS, {"occurrences": sorted(occurrence_ids)})
    return {occurrence.id: (occurrence, series, cohort) for occurrence, series, cohort in rows}


def memberships(session: Session, cohort_ids: Collection[int], user_ids: Collection[int]) -> set[tuple[int, int]]:
    """``(cohort, user)`` of those among ``user_ids`` who are in those cohorts."""
    if not cohort_ids or not user_ids:
        return set()
    found = _read(session, _MEMBERS, {"cohorts": list(cohort_ids), "users": list(user_ids)})
    return set(found)


def ground_rules_accepted(
    session: Session, guild_ids: Collection[int], user_ids: Collection[int]
) -> set[tuple[int, int]]:
    """``(guild, user)`` of those among ``user_ids`` who have accepted the ground rules in those guilds."""
    if not guild_ids or not user_ids:
        return set()
    found = _read(session, _GROUND_RULES, {"guilds": list(guild_ids), "users": list(user_ids)})
    return set(found)


def rsvps(
    session: Session, occurrence_ids: Collection[int], user_ids: Collection[int]
) -> dict[tuple[int, int], RsvpRow]:
    """The RSVPs these members have made to these sessions, by ``(occurrence, user)``."""
    if not occurrence_ids or not user_ids:
        return {}
    found = _read(session, _RSVPS, {"occurrences": list(occurrence_ids), "users": list(user_ids)})
    return {(occ, user): RsvpRow(row_id, RsvpStatus(status), at) for occ, user, row_id, status, at in found}


def rsvp_counts(session: Session, occurrence_ids: Collection[int]) -> dict[tuple[int, RsvpStatus], int]:
    """How many RSVPs of each status these sessions have."""
    if not occurrence_ids:
        return {}
    found = _read(session, RSVP_COUNTS, {"occurrences": list(occurrence_ids)})
    return {(occ, RsvpStatus(status)): count for occ, status, count in found}


def waitlists(session: Session, occurrence_ids: Collection[int]) -> dict[int, dict[int, RsvpRow]]:
    """Each session's waitlist, by user, in the order it was joined (``updated_at``, then ``id``)."""
    lists: dict[int, dict[int, RsvpRow]] = {occurrence_id: {} for occurrence_id in occurrence_ids}
    if occurrence_ids:
        for occ, user, row_id, at in _read(session, _WAITLISTS, {"occurrences": list(occurrence_ids)}):
            lists[occ][user] = RsvpRow(row_id, RsvpStatus.WAITLISTED, at)
    return lists


def attendance(
    session: Session, occurrence_ids: Collection[int], user_ids: Collection[int]
) -> dict[tuple[int, int], AttendanceRow]:
    """What is recorded of these members' attendance at these sessions, by ``(occurrence, user)``."""
    if not occurrence_ids or not user_ids:
        return {}
    found = _read(session, _ATTENDANCE, {"occurrences": list(occurrence_ids), "users": list(user_ids)})
    return {(occ, user): AttendanceRow(row_id, present, source) for occ, user, row_id, present, source in found}


def add_rsvps(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Insert RSVPs (``guild_id``, ``occurrence_id``, ``user_id``, ``status``, ``updated_at``) in the order given,
    in one executemany statement, as Core: there are no objects to keep in step."""
    if rows:
        session.connection().execute(_ADD_RSVPS, list(rows))


def change_rsvps(session: Session, changes: Sequence[tuple[int, RsvpStatus, datetime]]) -> None:
    """Set ``(row id, status, updated_at)`` of existing RSVPs, in one executemany statement."""
    if changes:
        params = [{"row": row, "new_status": status, "changed_at": at} for row, status, at in changes]
        session.connection().execute(_CHANGE_RSVPS, params)


def add_attendance(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Insert attendance (``guild_id``, ``occurrence_id``, ``user_id``, ``present``, ``source``) in one statement."""
    if rows:
        session.connection().execute(_ADD_ATTENDANCE, list(rows))


def mark_checked_in(session: Session, row_ids: Collection[int]) -> None:
    """Mark these attendance rows present by check-in."""
    if row_ids:
        session.connection().execute(_CHECKED_IN[dialect_of(session)], {"rows": list(row_ids)})
