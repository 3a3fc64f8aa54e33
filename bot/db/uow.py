"""The unit of work: one session per interaction or job, committed explicitly, rolled back otherwise."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.actions import ActionRepository
from bot.db.community import CommunityRepository
from bot.db.privacy import PrivacyRepository
from bot.db.reports import ReportRepository
from bot.db.repositories import (
    AuditLogRepository,
    BotStateRepository,
    CohortRepository,
    GuildSettingsRepository,
)
from bot.db.resources import ResourceRepository
from bot.db.safety import MessageReportRepository
from bot.db.sessions import (
    AttendanceRepository,
    DmChannelRepository,
    FeedbackRepository,
    OccurrenceRepository,
    PreferenceRepository,
    RsvpRepository,
    SeriesRepository,
)


class UnitOfWork:
    """``async with uow_factory() as uow: ...; await uow.commit()``; leaving without commit rolls back."""

    guild_settings: GuildSettingsRepository
    cohorts: CohortRepository
    audit: AuditLogRepository
    bot_state: BotStateRepository
    series: SeriesRepository
    occurrences: OccurrenceRepository
    rsvps: RsvpRepository
    attendance: AttendanceRepository
    preferences: PreferenceRepository
    actions: ActionRepository
    dm_channels: DmChannelRepository
    feedback: FeedbackRepository
    reports: ReportRepository
    resources: ResourceRepository
    community: CommunityRepository
    privacy: PrivacyRepository
    message_reports: MessageReportRepository

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], write_lock: asyncio.Lock | None = None
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._write_lock = write_lock

    async def __aenter__(self) -> Self:
        if self._write_lock is not None:
            await self._write_lock.acquire()
        session = self._session = self._session_factory()
        self.guild_settings = GuildSettingsRepository(session)
        self.cohorts = CohortRepository(session)
        self.audit = AuditLogRepository(session)
        self.bot_state = BotStateRepository(session)
        self.series = SeriesRepository(session)
        self.occurrences = OccurrenceRepository(session)
        self.rsvps = RsvpRepository(session)
        self.attendance = AttendanceRepository(session)
        self.preferences = PreferenceRepository(session)
        self.actions = ActionRepository(session)
        self.dm_channels = DmChannelRepository(session)
        self.feedback = FeedbackRepository(session)
        self.reports = ReportRepository(session)
        self.resources = ResourceRepository(session)
        self.community = CommunityRepository(session)
        self.privacy = PrivacyRepository(session)
        self.message_reports = MessageReportRepository(session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        # Closing rolls back whatever was not committed; unlike rollback() it leaves loaded objects readable.
        try:
            await self._session.close()
        finally:
            self._session = None
            if self._write_lock is not None:
                self._write_lock.release()

    async def commit(self) -> None:
        assert self._session is not None, "commit outside 'async with'"
        await self._session.commit()


class UnitOfWorkFactory:
    """Makes a fresh :class:`UnitOfWork` per use; services hold one of these.

    ``uow.reading()`` is for units of work that never write: on SQLite they do not queue for the write lock.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        read_session_factory: async_sessionmaker[AsyncSession] | None = None,
        *,
        serialize_writes: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._read_session_factory = read_session_factory or session_factory
        # SQLite has one writer at a time; queueing writers here, in order, is far quicker than letting them
        # meet SQLite's busy handler, which sleeps in growing steps (tens of ms) while it waits.
        self._write_lock = asyncio.Lock() if serialize_writes else None

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._session_factory, self._write_lock)

    def reading(self) -> UnitOfWork:
        return UnitOfWork(self._read_session_factory)
