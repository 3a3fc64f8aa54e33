"""The queries behind release blocks: the closed sessions of a cohort waiting for a block, with their counts and
who attended, and the write that releases a block (once, whichever process gets there first).

Who attended is read here only so that the service can match attendees to the pseudonyms of the answers; it is
held in memory for one release and never stored with a block, nor logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.actions import shard_filter
from bot.db.chunks import chunks, dialect_of
from bot.db.models import (
    Attendance,
    Cohort,
    FeedbackResponse,
    Occurrence,
    ReleaseBlock,
    ReleaseMonth,
    Rsvp,
    Series,
    Survey,
)
from bot.domain.feedback import agreed
from bot.domain.shards import ShardSet


@dataclass(frozen=True, slots=True)
class PendingSession:
    """A held session whose survey closed and which no block counts yet, with its counts (answers counted from
    the rows themselves, not the survey's running tallies, so that they and ``pseudonyms`` are one reading).
    ``present`` (user IDs) and ``pseudonyms`` (of its answers) are for matching respondents in memory, never to be
    kept."""

    occurrence_id: int
    guild_id: int
    cohort_id: int
    starts_at: datetime
    responses: int
    agreed: tuple[int, int, int]
    rsvps: int
    waitlisted: int
    no_shows: int
    present: frozenset[int]
    pseudonyms: frozenset[str]


@dataclass(frozen=True, slots=True)
class NewBlock:
    """A block to release: its sessions, dates and frozen counts (``people``: distinct respondents)."""

    guild_id: int
    cohort_id: int
    occurrence_ids: tuple[int, ...]
    first_start: datetime
    last_start: datetime
    dated: date
    sessions: int
    responses: int
    agreed: tuple[int, int, int]
    attendees: int
    rsvps: int
    waitlisted: int
    no_shows: int
    people: int
    released_at: datetime


class ReleaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def cohort_zone(self, cohort_id: int) -> tuple[int, str] | None:
        """The cohort's guild and time zone (blocks are dated in it)."""
        row = (
            await self._session.execute(select(Cohort.guild_id, Cohort.timezone).where(Cohort.id == cohort_id))
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    async def cohort_of(self, occurrence_id: int) -> int | None:
        query = (
            select(Series.cohort_id)
            .join(Occurrence, Occurrence.series_id == Series.id)
            .where(Occurrence.id == occurrence_id)
        )
        return await self._session.scalar(query)

    async def cohorts_waiting(self, shards: ShardSet) -> list[int]:
        """Cohorts (of the guilds on these shards) with a closed survey that no block counts yet."""
        query = (
            select(Series.cohort_id)
            .join(Occurrence, Occurrence.series_id == Series.id)
            .join(Survey, Survey.occurrence_id == Occurrence.id)
            .where(Survey.closed_at.is_not(None), Survey.block_id.is_(None))
            .distinct()
        )
        owned = shard_filter(Survey.guild_id, shards)
        if owned is not None:
            query = query.where(owned)
        return sorted((await self._session.scalars(query)).all())

    async def close_overdue(self, before: datetime, shards: ShardSet) -> int:
        """Close the surveys (of the guilds on these shards) that should have closed before ``before`` but never
        were (their close-survey action failed for good), as of when they should have closed; returns how many."""
        statement = (
            update(Survey)
            .where(Survey.closed_at.is_(None), Survey.closes_at <= before)
            .values(closed_at=Survey.closes_at)
            .execution_options(synchronize_session=False)
        )
        owned = shard_filter(Survey.guild_id, shards)
        if owned is not None:
            statement = statement.where(owned)
        return int(getattr(await self._session.execute(statement), "rowcount", 0) or 0)

    async def waiting_sessions(self, cohort_id: int) -> list[tuple[int, int, datetime]]:
        """The cohort's closed sessions that no block counts yet, as (occurrence, guild, start) in start order, up
        to (not including) its first session whose survey is still open: blocks are runs of consecutive sessions."""
        rows = (
            await self._session.execute(
                select(Occurrence.id, Occurrence.guild_id, Occurrence.starts_at, Survey.closed_at)
                .join(Survey, Survey.occurrence_id == Occurrence.id)
                .join(Series, Series.id == Occurrence.series_id)
                .where(Series.cohort_id == cohort_id, Survey.block_id.is_(None))
                .order_by(Occurrence.starts_at, Occurrence.id)
            )
        ).tuples()
        closed = []
        for occurrence_id, guild_id, starts_at, closed_at in rows:
            if closed_at is None:
                break
            closed.append((occurrence_id, guild_id, starts_at))
        return closed

    async def pending(self, cohort_id: int, closed: Sequence[tuple[int, int, datetime]]) -> list[PendingSession]:
        """These sessions of the cohort (from :meth:`waiting_sessions`) with their counts and who attended."""
        if not closed:
            return []
        ids = [occurrence_id for occurrence_id, _, _ in closed]
        present = await self._present(ids)
        answers = await self._answers(ids)
        rsvps = await self._rsvp_counts(ids)
        sessions = []
        for occurrence_id, guild_id, starts_at in closed:
            answered = answers.get(occurrence_id, [])
            going, waitlisted, no_shows = rsvps[occurrence_id]
            sessions.append(
                PendingSession(
                    occurrence_id=occurrence_id,
                    guild_id=guild_id,
                    cohort_id=cohort_id,
                    starts_at=starts_at,
                    responses=len(answered),
                    agreed=(
                        sum(1 for _, agreed in answered if agreed[0]),
                        sum(1 for _, agreed in answered if agreed[1]),
                        sum(1 for _, agreed in answered if agreed[2]),
                    ),
                    rsvps=going,
                    waitlisted=waitlisted,
                    no_shows=no_shows,
                    present=frozenset(present.get(occurrence_id, ())),
                    pseudonyms=frozenset(pseudonym for pseudonym, _ in answered),
                )
            )
        return sessions

    async def release(self, block: NewBlock) -> bool:
        """Store the block and point its sessions' surveys at it, only if no block counts any of them yet; returns
        whether it did. On ``False`` the caller must roll back: another process released these sessions first
        (its update made ours miss their rows)."""
        block_id = await self._session.scalar(
            insert(ReleaseBlock)
            .values(
                guild_id=block.guild_id,
                cohort_id=block.cohort_id,
                first_start=block.first_start,
                last_start=block.last_start,
                dated=block.dated,
                sessions=block.sessions,
                responses=block.responses,
                agreed_supported=block.agreed[0],
                agreed_supported_others=block.agreed[1],
                agreed_less_isolated=block.agreed[2],
                attendees=block.attendees,
                rsvps=block.rsvps,
                waitlisted=block.waitlisted,
                no_shows=block.no_shows,
                people=block.people,
                released_at=block.released_at,
            )
            .returning(ReleaseBlock.id)
        )
        claimed = await self._session.execute(
            update(Survey)
            .where(Survey.occurrence_id.in_(block.occurrence_ids), Survey.block_id.is_(None))
            .values(block_id=block_id)
            .execution_options(synchronize_session=False)
        )
        if int(getattr(claimed, "rowcount", 0) or 0) != len(block.occurrence_ids):
            return False
        assert block_id is not None  # RETURNING the new row's id
        await self._add_to_month(block_id, block)
        return True

    async def _add_to_month(self, block_id: int, block: NewBlock) -> None:
        """Add the block to its cohort's month in ``release_months`` (made if it is the month's first)."""
        figures = {
            "sessions": block.sessions,
            "responses": block.responses,
            "agreed_supported": block.agreed[0],
            "agreed_supported_others": block.agreed[1],
            "agreed_less_isolated": block.agreed[2],
            "attendees": block.attendees,
            "rsvps": block.rsvps,
            "waitlisted": block.waitlisted,
            "no_shows": block.no_shows,
        }
        insert_ = sqlite_insert if dialect_of(self._session) == "sqlite" else postgresql_insert
        statement = insert_(ReleaseMonth).values(
            cohort_id=block.cohort_id,
            month_start=block.dated.replace(day=1),
            guild_id=block.guild_id,
            earliest=block.dated,
            latest=block.dated,
            block_ids=str(block_id),
            **figures,
        )
        month = ReleaseMonth.__table__.c
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["cohort_id", "month_start"],
                set_={
                    "earliest": case(
                        (statement.excluded.earliest < month.earliest, statement.excluded.earliest),
                        else_=month.earliest,
                    ),
                    "latest": case(
                        (statement.excluded.latest > month.latest, statement.excluded.latest), else_=month.latest
                    ),
                    "block_ids": month.block_ids + "," + statement.excluded.block_ids,
                    **{name: month[name] + statement.excluded[name] for name in figures},
                },
            )
        )

    async def _present(self, occurrence_ids: Sequence[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for chunk in chunks(occurrence_ids):
            query = select(Attendance.occurrence_id, Attendance.user_id).where(
                Attendance.occurrence_id.in_(chunk), Attendance.present.is_(True)
            )
            for occurrence_id, user_id in (await self._session.execute(query)).tuples():
                found.setdefault(occurrence_id, []).append(user_id)
        return found

    async def _answers(self, occurrence_ids: Sequence[int]) -> dict[int, list[tuple[str, tuple[bool, bool, bool]]]]:
        """Per session: each answer's pseudonym and whether it agreed with each statement. The counts and the
        pseudonyms come from the same rows, read once, so a block never counts a person whose answer it lacks."""
        found: dict[int, list[tuple[str, tuple[bool, bool, bool]]]] = {}
        for chunk in chunks(occurrence_ids):
            query = select(
                FeedbackResponse.occurrence_id,
                FeedbackResponse.pseudonym,
                FeedbackResponse.supported,
                FeedbackResponse.supported_others,
                FeedbackResponse.less_isolated,
            ).where(FeedbackResponse.occurrence_id.in_(chunk))
            for occurrence_id, pseudonym, a, b, c in (await self._session.execute(query)).tuples():
                found.setdefault(occurrence_id, []).append((pseudonym, (agreed(a), agreed(b), agreed(c))))
        return found

    async def _rsvp_counts(self, occurrence_ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
        """Per session: RSVPs (going), waitlisted, and no-shows (said going, not present), as the attendance
        report has always counted them."""
        going: dict[int, int] = {}
        waitlisted: dict[int, int] = {}
        came: dict[int, int] = {}
        for chunk in chunks(occurrence_ids):
            statuses = await self._session.execute(
                select(Rsvp.occurrence_id, Rsvp.status, func.count())
                .where(Rsvp.occurrence_id.in_(chunk), Rsvp.status.in_(("going", "waitlisted")))
                .group_by(Rsvp.occurrence_id, Rsvp.status)
            )
            for occurrence_id, status, count in statuses.tuples():
                (going if status == "going" else waitlisted)[occurrence_id] = count
            present_going = await self._session.execute(
                select(Attendance.occurrence_id, func.count())
                .join(
                    Rsvp,
                    (Rsvp.occurrence_id == Attendance.occurrence_id)
                    & (Rsvp.user_id == Attendance.user_id)
                    & (Rsvp.status == "going"),
                )
                .where(Attendance.occurrence_id.in_(chunk), Attendance.present.is_(True))
                .group_by(Attendance.occurrence_id)
            )
            came.update(present_going.tuples().all())
        return {
            occurrence_id: (
                going.get(occurrence_id, 0),
                waitlisted.get(occurrence_id, 0),
                going.get(occurrence_id, 0) - came.get(occurrence_id, 0),
            )
            for occurrence_id in occurrence_ids
        }
