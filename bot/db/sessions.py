"""Repositories of series, occurrences, RSVPs, attendance and member preferences."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, ScalarSelect, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.db.actions import shard_filter
from bot.db.chunks import by_dialect, chunks, dialect_of
from bot.db.models import (
    Attendance,
    Cohort,
    DmChannel,
    FeedbackResponse,
    MemberPreference,
    Occurrence,
    Rsvp,
    Series,
    Survey,
)
from bot.domain.lifecycle import SeriesState, SessionState
from bot.domain.shards import ShardSet

SESSION_PARTS = (  # a session with its series and cohort, to be narrowed with .where()
    select(Occurrence, Series, Cohort)
    .join(Series, Occurrence.series_id == Series.id)
    .join(Cohort, Series.cohort_id == Cohort.id)
)

# Read for every ``/session list`` and session card; built once (see ``bot.db.chunks.by_dialect``).
_CARD_ROWS = by_dialect(
    lambda among: SESSION_PARTS.where(among(Occurrence.id, "occurrences")).order_by(Occurrence.starts_at, Occurrence.id)
)
RSVP_COUNTS = by_dialect(  # how many RSVPs of each status sessions have
    lambda among: (
        select(Rsvp.occurrence_id, Rsvp.status, func.count())
        .where(among(Rsvp.occurrence_id, "occurrences"))
        .group_by(Rsvp.occurrence_id, Rsvp.status)
    )
)
_STATUSES_OF_PEOPLE = by_dialect(
    lambda among: select(Rsvp.user_id, Rsvp.occurrence_id, Rsvp.status).where(
        among(Rsvp.user_id, "users"), among(Rsvp.occurrence_id, "occurrences")
    )
)


class SeriesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, series: Series) -> Series:
        self._session.add(series)
        await self._session.flush()
        return series

    async def add_unless_duplicate(self, series: Series) -> Series | None:
        """Add a series; ``None`` when a live series of its cohort has its ``duplicate_key`` (another create won a
        race to it: the unique constraint decides, on SQLite and PostgreSQL alike)."""
        try:
            async with self._session.begin_nested():
                self._session.add(series)
        except IntegrityError:
            return None
        return series

    async def live_duplicate(self, cohort_id: int, duplicate_key: str, *, besides: int | None = None) -> Series | None:
        """The live series of a cohort holding ``duplicate_key`` (other than ``besides``), if there is one."""
        query = select(Series).where(Series.cohort_id == cohort_id, Series.duplicate_key == duplicate_key)
        if besides is not None:
            query = query.where(Series.id != besides)
        return (await self._session.scalars(query.limit(1))).one_or_none()

    async def by_id(self, series_id: int) -> Series | None:
        return await self._session.get(Series, series_id)

    async def get(self, guild_id: int, series_id: int) -> Series | None:
        series = await self._session.get(Series, series_id)
        return series if series is not None and series.guild_id == guild_id else None

    async def in_guild(self, guild_id: int, cohort_id: int | None = None) -> Sequence[tuple[Series, Cohort]]:
        query = select(Series, Cohort).join(Cohort, Series.cohort_id == Cohort.id).where(Series.guild_id == guild_id)
        if cohort_id is not None:
            query = query.where(Series.cohort_id == cohort_id)
        return (await self._session.execute(query.order_by(Cohort.name_key, Series.title, Series.id))).tuples().all()

    async def needing_occurrences(self, horizon: datetime, shards: ShardSet, limit: int = 500) -> Sequence[Series]:
        """Active series whose next occurrence to make starts by ``horizon``."""
        query = select(Series).where(
            Series.state == SeriesState.ACTIVE,
            or_(Series.next_start.is_(None), Series.next_start <= horizon),
        )
        owned = shard_filter(Series.guild_id, shards)
        if owned is not None:
            query = query.where(owned)
        return (await self._session.scalars(query.order_by(Series.id).limit(limit))).all()

    async def with_cohort(self, series_id: int) -> tuple[Series, Cohort] | None:
        query = select(Series, Cohort).join(Cohort, Series.cohort_id == Cohort.id).where(Series.id == series_id)
        return (await self._session.execute(query)).tuples().one_or_none()


class OccurrenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, occurrence: Occurrence) -> Occurrence:
        self._session.add(occurrence)
        await self._session.flush()
        return occurrence

    async def add_all(self, occurrences: Sequence[Occurrence]) -> Sequence[Occurrence]:
        """Add several occurrences in one flush (their IDs are set afterwards)."""
        self._session.add_all(occurrences)
        await self._session.flush()
        return occurrences

    async def existing(self, occurrence_ids: Iterable[int]) -> set[int]:
        return await self._session.run_sync(existing_occurrences, occurrence_ids)

    async def get(self, occurrence_id: int, *, for_update: bool = False) -> Occurrence | None:
        if for_update:
            query = select(Occurrence).where(Occurrence.id == occurrence_id).with_for_update()
            return (await self._session.scalars(query)).one_or_none()
        return await self._session.get(Occurrence, occurrence_id)

    async def of_series(self, series_id: int, *, after: datetime | None = None) -> Sequence[Occurrence]:
        query = select(Occurrence).where(Occurrence.series_id == series_id)
        if after is not None:
            query = query.where(Occurrence.starts_at > after)
        return (await self._session.scalars(query.order_by(Occurrence.sequence))).all()

    async def upcoming(
        self, guild_id: int, now: datetime, *, cohort_id: int | None = None, limit: int = 25
    ) -> Sequence[tuple[Occurrence, Series, Cohort]]:
        query = SESSION_PARTS.where(Occurrence.guild_id == guild_id, Occurrence.ends_at > now)
        if cohort_id is not None:
            query = query.where(Series.cohort_id == cohort_id)
        query = query.order_by(Occurrence.starts_at, Occurrence.id).limit(limit)
        return (await self._session.execute(query)).tuples().all()

    async def timeline(
        self, guild_id: int, now: datetime, *, cohort_ids: Sequence[int] | None = None
    ) -> Sequence[tuple[int, int, datetime, str, str]]:
        """``(occurrence, series, starts_at, state, series state)`` of every session not yet over, soonest first:
        a few columns a row, so the list can choose among a year of sessions before loading any."""
        query = (
            select(Occurrence.id, Occurrence.series_id, Occurrence.starts_at, Occurrence.state, Series.state)
            .join(Series, Occurrence.series_id == Series.id)
            .where(Occurrence.guild_id == guild_id, Occurrence.ends_at > now)
        )
        if cohort_ids is not None:
            query = query.where(Series.cohort_id.in_(cohort_ids))
        query = query.order_by(Occurrence.starts_at, Occurrence.id)
        return (await self._session.execute(query)).tuples().all()

    async def card_rows(self, occurrence_ids: Sequence[int]) -> Sequence[tuple[Occurrence, Series, Cohort]]:
        """The sessions ``occurrence_ids`` with their series and cohort, soonest first."""
        if not occurrence_ids:
            return []
        query = _CARD_ROWS[dialect_of(self._session)]
        return (await self._session.execute(query, {"occurrences": list(occurrence_ids)})).tuples().all()

    async def upcoming_labels(
        self, guild_id: int, now: datetime, *, limit: int = 2000
    ) -> Sequence[tuple[int, datetime, str, str, str, str]]:
        """``(occurrence, starts_at, state, title, zone, cohort name)`` of sessions not yet over, soonest first."""
        query = (
            select(Occurrence.id, Occurrence.starts_at, Occurrence.state, Series.title, Series.timezone, Cohort.name)
            .join(Series, Occurrence.series_id == Series.id)
            .join(Cohort, Series.cohort_id == Cohort.id)
            .where(Occurrence.guild_id == guild_id, Occurrence.ends_at > now)
            .order_by(Occurrence.starts_at, Occurrence.id)
            .limit(limit)
        )
        return (await self._session.execute(query)).tuples().all()

    async def card_parts(self, occurrence_id: int) -> tuple[Occurrence, Series, Cohort] | None:
        query = SESSION_PARTS.where(Occurrence.id == occurrence_id)
        return (await self._session.execute(query)).tuples().one_or_none()

    async def open_in_room(self, guild_id: int, room_channel_id: int) -> Occurrence | None:
        query = (
            select(Occurrence)
            .join(Series, Occurrence.series_id == Series.id)
            .where(
                Occurrence.guild_id == guild_id,
                Occurrence.state == SessionState.OPEN,
                Series.room_channel_id == room_channel_id,
            )
            .order_by(Occurrence.starts_at.desc())
            .limit(1)
        )
        return (await self._session.scalars(query)).one_or_none()

    async def changed(self, series_ids: Sequence[int]) -> Sequence[Occurrence]:
        """Occurrences of these series that were cancelled or moved (for the calendar feed)."""
        if not series_ids:
            return []
        query = select(Occurrence).where(
            Occurrence.series_id.in_(series_ids),
            or_(Occurrence.state == SessionState.CANCELLED, Occurrence.starts_at != Occurrence.scheduled_start),
        )
        return (await self._session.scalars(query)).all()

    async def mirrored_events(self, guild_id: int, now: datetime) -> list[datetime]:
        """End times of the sessions of a guild that have a live Discord event."""
        query = select(Occurrence.ends_at).where(
            Occurrence.guild_id == guild_id, Occurrence.event_id.is_not(None), Occurrence.ends_at > now
        )
        return list((await self._session.scalars(query)).all())

    async def held_since(
        self, guild_id: int, since: datetime, *, limit: int = 200
    ) -> Sequence[tuple[Occurrence, Series, Cohort]]:
        """Sessions of a guild that are running or have been held and were due to end after ``since``, the latest
        first: the ones whose attendance can still be corrected."""
        query = (
            SESSION_PARTS.where(
                Occurrence.guild_id == guild_id,
                Occurrence.state.in_((SessionState.OPEN, SessionState.CLOSED)),
                Occurrence.ends_at >= since,
            )
            .order_by(Occurrence.starts_at.desc(), Occurrence.id.desc())
            .limit(limit)
        )
        return (await self._session.execute(query)).tuples().all()


class RsvpRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, occurrence_id: int, user_id: int) -> Rsvp | None:
        query = select(Rsvp).where(Rsvp.occurrence_id == occurrence_id, Rsvp.user_id == user_id)
        return (await self._session.scalars(query)).one_or_none()

    async def add(self, rsvp: Rsvp) -> None:
        self._session.add(rsvp)
        await self._session.flush()

    async def counts(self, occurrence_ids: Sequence[int]) -> dict[tuple[int, str], int]:
        if not occurrence_ids:
            return {}
        found = await self._session.execute(
            RSVP_COUNTS[dialect_of(self._session)], {"occurrences": list(occurrence_ids)}
        )
        return {(occ, status): n for occ, status, n in found.tuples()}

    async def statuses_of_people(
        self, user_ids: Collection[int], occurrence_ids: Sequence[int]
    ) -> dict[tuple[int, int], str]:
        """``(user, occurrence) -> status`` of these people's RSVPs to these sessions, read at once."""
        found: dict[tuple[int, int], str] = {}
        if not occurrence_ids:
            return found
        query = _STATUSES_OF_PEOPLE[dialect_of(self._session)]
        for people in chunks(sorted(user_ids)):
            for sessions in chunks(occurrence_ids):
                listed = {"users": list(people), "occurrences": list(sessions)}
                for user_id, occurrence_id, status in (await self._session.execute(query, listed)).tuples():
                    found[user_id, occurrence_id] = status
        return found

    async def users(self, occurrence_id: int, status: str) -> list[int]:
        query = (
            select(Rsvp.user_id)
            .where(Rsvp.occurrence_id == occurrence_id, Rsvp.status == status)
            .order_by(Rsvp.updated_at, Rsvp.id)
        )
        return list((await self._session.scalars(query)).all())

    async def set_status(self, occurrence_id: int, user_ids: Sequence[int], status: str, now: datetime) -> None:
        if user_ids:
            await self._session.execute(
                update(Rsvp)
                .where(Rsvp.occurrence_id == occurrence_id, Rsvp.user_id.in_(user_ids))
                .values(status=status, updated_at=now)
            )


class AttendanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, occurrence_id: int, user_id: int) -> Attendance | None:
        query = select(Attendance).where(Attendance.occurrence_id == occurrence_id, Attendance.user_id == user_id)
        return (await self._session.scalars(query)).one_or_none()

    async def record(self, guild_id: int, occurrence_id: int, user_id: int, *, present: bool, source: str) -> bool:
        """Record presence; returns ``False`` if the same fact was already recorded."""
        row = await self.of(occurrence_id, user_id)
        if row is None:
            self._session.add(
                Attendance(
                    guild_id=guild_id, occurrence_id=occurrence_id, user_id=user_id, present=present, source=source
                )
            )
            await self._session.flush()
            return True
        if row.present == present:
            return False
        if row.source == "facilitator" and source != "facilitator":
            return False  # a facilitator's correction wins over presence signals
        row.present, row.source = present, source
        await self._session.flush()
        return True

    async def present(self, occurrence_id: int) -> list[int]:
        query = select(Attendance.user_id).where(
            Attendance.occurrence_id == occurrence_id, Attendance.present.is_(True)
        )
        return list((await self._session.scalars(query.order_by(Attendance.recorded_at))).all())

    async def of_occurrence(self, occurrence_id: int) -> Sequence[Attendance]:
        query = select(Attendance).where(Attendance.occurrence_id == occurrence_id).order_by(Attendance.recorded_at)
        return (await self._session.scalars(query)).all()


class PreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, guild_id: int, user_id: int) -> MemberPreference | None:
        return await self._session.get(MemberPreference, (guild_id, user_id))

    async def get_or_create(self, guild_id: int, user_id: int) -> MemberPreference:
        preference = await self.get(guild_id, user_id)
        if preference is None:
            preference = MemberPreference(guild_id=guild_id, user_id=user_id, reminders=True)
            self._session.add(preference)
            await self._session.flush()
        return preference

    async def reminders_off(self, guild_id: int, user_ids: Sequence[int]) -> set[int]:
        if not user_ids:
            return set()
        query = select(MemberPreference.user_id).where(
            MemberPreference.guild_id == guild_id,
            MemberPreference.user_id.in_(user_ids),
            MemberPreference.reminders.is_(False),
        )
        return set((await self._session.scalars(query)).all())

    async def welsh_medium_count(self, guild_id: int) -> int:
        """How many members of the guild said they would prefer Welsh-medium sessions."""
        query = select(func.count()).where(
            MemberPreference.guild_id == guild_id, MemberPreference.prefers_welsh_medium.is_(True)
        )
        return int(await self._session.scalar(query) or 0)


class DmChannelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, user_ids: Sequence[int]) -> dict[int, int]:
        if not user_ids:
            return {}
        query = select(DmChannel.user_id, DmChannel.channel_id).where(DmChannel.user_id.in_(user_ids))
        return dict((await self._session.execute(query)).tuples().all())

    async def remember(self, channels: dict[int, int]) -> None:
        known = {
            row.user_id: row
            for row in await self._session.scalars(select(DmChannel).where(DmChannel.user_id.in_(list(channels))))
        }
        for user_id, channel_id in channels.items():
            if user_id in known:
                known[user_id].channel_id = channel_id
            else:
                self._session.add(DmChannel(user_id=user_id, channel_id=channel_id))
        await self._session.flush()


@dataclass(frozen=True, slots=True)
class Eligibility:
    guild_id: int
    closes_at: datetime
    closed_at: datetime | None
    present: bool
    answered: bool


# The queries a batch of answers needs, as plain synchronous SQLAlchemy, so that the whole batch can run in one
# go (see ``UnitOfWorkFactory.run_sync``); the repository's async methods run the same functions. The statements
# are built once, with parameters: building one (and its cache key) cost more than running it. They run through
# the session, so whatever it holds unsaved is flushed first.

_SURVEYS = select(Survey.occurrence_id, Survey.guild_id, Survey.closes_at, Survey.closed_at).where(
    Survey.occurrence_id.in_(bindparam("occurrences", expanding=True))
)
_PRESENT = select(Attendance.occurrence_id, Attendance.user_id).where(
    Attendance.occurrence_id.in_(bindparam("occurrences", expanding=True)),
    Attendance.user_id.in_(bindparam("users", expanding=True)),
    Attendance.present.is_(True),
)
_ANSWERED = select(FeedbackResponse.occurrence_id, FeedbackResponse.pseudonym).where(
    FeedbackResponse.occurrence_id.in_(bindparam("occurrences", expanding=True)),
    FeedbackResponse.pseudonym.in_(bindparam("pseudonyms", expanding=True)),
)
_EXISTING = select(Occurrence.id).where(Occurrence.id.in_(bindparam("occurrences", expanding=True)))


def _eligibility_from_arrays() -> Any:
    """On PostgreSQL the three reads as one statement over the wanted (occurrence, user, pseudonym) triples, sent as
    three arrays: one round trip, prepared once whatever the batch's size. Under a burst each round trip waits its
    turn behind the interactions the event loop is still taking in."""
    columns = (
        bindparam("occurrences", type_=ARRAY(Survey.__table__.c.occurrence_id.type)),
        bindparam("users", type_=ARRAY(Attendance.__table__.c.user_id.type)),
        bindparam("pseudonyms", type_=ARRAY(FeedbackResponse.__table__.c.pseudonym.type)),
    )
    wanted = func.unnest(*columns).table_valued("occurrence_id", "user_id", "pseudonym").render_derived()
    present = (
        select(Attendance.id)
        .where(
            Attendance.occurrence_id == wanted.c.occurrence_id,
            Attendance.user_id == wanted.c.user_id,
            Attendance.present.is_(True),
        )
        .exists()
    )
    answered = (
        select(FeedbackResponse.id)
        .where(
            FeedbackResponse.occurrence_id == wanted.c.occurrence_id,
            FeedbackResponse.pseudonym == wanted.c.pseudonym,
        )
        .exists()
    )
    return select(
        wanted.c.occurrence_id,
        wanted.c.user_id,
        wanted.c.pseudonym,
        Survey.guild_id,
        Survey.closes_at,
        Survey.closed_at,
        present,
        answered,
    ).join_from(wanted, Survey, Survey.occurrence_id == wanted.c.occurrence_id)


_ELIGIBILITY_FROM_ARRAYS = _eligibility_from_arrays()


_RESPONSE_COLUMNS = (
    "guild_id",
    "occurrence_id",
    "pseudonym",
    "supported",
    "supported_others",
    "less_isolated",
    "comment",
    "submitted_at",
    "updated_at",
)


def _upsert_responses(statement: Any) -> Executable:
    changed = {
        name: statement.excluded[name]
        for name in ("supported", "supported_others", "less_isolated", "comment", "updated_at")
    }
    upsert: Executable = statement.on_conflict_do_update(index_elements=["occurrence_id", "pseudonym"], set_=changed)
    return upsert


def _rows_from_arrays() -> Any:
    """On PostgreSQL the rows come as one array per column, unnested: one statement (prepared once, whatever the
    number of rows) instead of one execution per row."""
    columns = FeedbackResponse.__table__.c
    arrays = [bindparam(name, type_=ARRAY(columns[name].type)) for name in _RESPONSE_COLUMNS]
    rows = func.unnest(*arrays).table_valued(*_RESPONSE_COLUMNS).render_derived()
    return postgresql_insert(FeedbackResponse).from_select(_RESPONSE_COLUMNS, select(*rows.c))


_UPSERT_RESPONSES = {
    "sqlite": _upsert_responses(sqlite_insert(FeedbackResponse)),
    "postgresql": _upsert_responses(_rows_from_arrays()),
}


def _agreed(column: InstrumentedAttribute[int]) -> ScalarSelect[int]:
    of_survey = FeedbackResponse.occurrence_id == bindparam("survey")
    return select(func.count()).where(of_survey, column >= 4).scalar_subquery()


_RECOUNT = (
    update(Survey)
    .where(Survey.occurrence_id == bindparam("survey"))
    .values(
        responses=select(func.count()).where(FeedbackResponse.occurrence_id == bindparam("survey")).scalar_subquery(),
        agreed_supported=_agreed(FeedbackResponse.supported),
        agreed_supported_others=_agreed(FeedbackResponse.supported_others),
        agreed_less_isolated=_agreed(FeedbackResponse.less_isolated),
    )
    .execution_options(synchronize_session=False)
)


def eligibilities(session: Session, wanted: Sequence[tuple[int, int, str]]) -> dict[tuple[int, int, str], Eligibility]:
    """For each (occurrence, user, pseudonym): the survey's state, whether that member attended, whether they
    answered already; in one query on PostgreSQL, three on SQLite (run in-process), for any number of members.
    Sessions without a survey are left out."""
    if dialect_of(session) == "postgresql":
        arrays: dict[str, list[object]] = {"occurrences": [], "users": [], "pseudonyms": []}
        for occurrence_id, user_id, pseudonym in wanted:
            arrays["occurrences"].append(occurrence_id)
            arrays["users"].append(user_id)
            arrays["pseudonyms"].append(pseudonym)
        rows = session.execute(_ELIGIBILITY_FROM_ARRAYS, arrays).tuples()
        return {
            (occurrence_id, user_id, pseudonym): Eligibility(guild_id, closes_at, closed_at, present, answered)
            for occurrence_id, user_id, pseudonym, guild_id, closes_at, closed_at, present, answered in rows
        }
    occurrences = {occurrence_id for occurrence_id, _, _ in wanted}
    surveys = {row[0]: row[1:] for row in session.execute(_SURVEYS, {"occurrences": list(occurrences)}).tuples()}
    if not surveys:
        return {}
    users = list({user_id for _, user_id, _ in wanted})
    attended = set(session.execute(_PRESENT, {"occurrences": list(surveys), "users": users}).tuples())
    pseudonyms = list({pseudonym for _, _, pseudonym in wanted})
    answered = set(session.execute(_ANSWERED, {"occurrences": list(surveys), "pseudonyms": pseudonyms}).tuples())
    return {
        (occurrence_id, user_id, pseudonym): Eligibility(
            *surveys[occurrence_id],
            present=(occurrence_id, user_id) in attended,
            answered=(occurrence_id, pseudonym) in answered,
        )
        for occurrence_id, user_id, pseudonym in wanted
        if occurrence_id in surveys
    }


def existing_occurrences(session: Session, occurrence_ids: Iterable[int]) -> set[int]:
    """Which of these sessions exist."""
    return set(session.scalars(_EXISTING, {"occurrences": list(set(occurrence_ids))}))


def save_responses(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Insert or update people's answers (keyed by occurrence and pseudonym, each at most once) in one statement,
    as Core: the ORM's bulk insert would cost more per row and there are no objects to keep in step. On SQLite, one
    executemany (run in-process); on PostgreSQL, the rows as arrays."""
    session.flush()
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        columns = {name: [row[name] for row in rows] for name in _RESPONSE_COLUMNS}
        connection.execute(_UPSERT_RESPONSES[dialect], columns)
    else:
        connection.execute(_UPSERT_RESPONSES[dialect], rows)


def recount(session: Session, occurrence_id: int) -> None:
    """Set a survey's tallies from its responses (one session's rows, read through the unique index)."""
    session.execute(_RECOUNT, {"survey": occurrence_id})


class FeedbackRepository:
    """Surveys and responses. Responses are found by pseudonym only; their text is never logged."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def survey(self, occurrence_id: int) -> Survey | None:
        return await self._session.get(Survey, occurrence_id)

    async def open_survey(self, survey: Survey) -> None:
        self._session.add(survey)
        await self._session.flush()

    async def response(self, occurrence_id: int, pseudonym: str) -> FeedbackResponse | None:
        query = select(FeedbackResponse).where(
            FeedbackResponse.occurrence_id == occurrence_id, FeedbackResponse.pseudonym == pseudonym
        )
        return (await self._session.scalars(query)).one_or_none()

    async def eligibilities(self, wanted: Sequence[tuple[int, int, str]]) -> dict[tuple[int, int, str], Eligibility]:
        return await self._session.run_sync(eligibilities, wanted)

    async def recount(self, occurrence_id: int) -> None:
        await self._session.run_sync(recount, occurrence_id)

    async def recount_attendees(self, occurrence_id: int) -> None:
        present = (
            select(func.count())
            .where(Attendance.occurrence_id == occurrence_id, Attendance.present.is_(True))
            .scalar_subquery()
        )
        await self._session.execute(
            update(Survey)
            .where(Survey.occurrence_id == occurrence_id)
            .values(attendees=present)
            .execution_options(synchronize_session=False)
        )

    async def pseudonyms(self, occurrence_id: int) -> set[str]:
        query = select(FeedbackResponse.pseudonym).where(FeedbackResponse.occurrence_id == occurrence_id)
        return set((await self._session.scalars(query)).all())

    async def comments(self, occurrence_id: int) -> list[str]:
        """The comments left about one session: their text only, in no meaningful order."""
        query = select(FeedbackResponse.comment).where(
            FeedbackResponse.occurrence_id == occurrence_id, FeedbackResponse.comment.is_not(None)
        )
        return [comment for comment in (await self._session.scalars(query)).all() if comment]

    async def released(self, guild_id: int, limit: int) -> Sequence[tuple[Occurrence, Series, Cohort]]:
        """Sessions whose survey has closed and been released in a block, newest first (their comments may be read)."""
        query = (
            select(Occurrence, Series, Cohort)
            .join(Survey, Survey.occurrence_id == Occurrence.id)
            .join(Series, Series.id == Occurrence.series_id)
            .join(Cohort, Cohort.id == Series.cohort_id)
            .where(Survey.guild_id == guild_id, Survey.block_id.is_not(None))
            .order_by(Occurrence.starts_at.desc())
            .limit(limit)
        )
        return [(o, s, c) for o, s, c in (await self._session.execute(query)).all()]

    async def open_surveys_attended(self, guild_id: int, user_id: int, now: datetime) -> Sequence[int]:
        """Occurrences, newest first, whose survey is open and which this member attended."""
        query = (
            select(Survey.occurrence_id)
            .join(Attendance, Attendance.occurrence_id == Survey.occurrence_id)
            .join(Occurrence, Occurrence.id == Survey.occurrence_id)
            .where(
                Survey.guild_id == guild_id,
                Survey.closed_at.is_(None),
                Survey.closes_at > now,
                Attendance.user_id == user_id,
                Attendance.present.is_(True),
            )
            .order_by(Occurrence.starts_at.desc())
        )
        return (await self._session.scalars(query)).all()
