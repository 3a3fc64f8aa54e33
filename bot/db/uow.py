"""The unit of work: one session per interaction or job, committed explicitly, rolled back otherwise."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.actions import ActionRepository
from bot.db.reports import ReportRepository
from bot.db.repositories import (
    AuditLogRepository,
    BotStateRepository,
    CohortRepository,
    GuildSettingsRepository,
)
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

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
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
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        # Closing rolls back whatever was not committed; unlike rollback() it leaves loaded objects readable.
        await self._session.close()
        self._session = None

    async def commit(self) -> None:
        assert self._session is not None, "commit outside 'async with'"
        await self._session.commit()


class UnitOfWorkFactory:
    """Makes a fresh :class:`UnitOfWork` per use; services hold one of these."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._session_factory)
