"""The unit of work: one session per interaction or job, committed explicitly, rolled back otherwise."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot.db.actions import ActionRepository
from bot.db.community import CommunityRepository
from bot.db.community_blocks import CommunityBlockRepository
from bot.db.engine import create_inline_engine, create_session_factory
from bot.db.languages import LanguageRepository
from bot.db.privacy import PrivacyRepository
from bot.db.releases import ReleaseRepository
from bot.db.reports import ReportRepository
from bot.db.repositories import (
    AuditLogRepository,
    BotStateRepository,
    CohortRepository,
    GuildSettingsRepository,
)
from bot.db.resources import ResourceRepository
from bot.db.safety import AlertRepository, MessageReportRepository
from bot.db.sessions import (
    AttendanceRepository,
    DmChannelRepository,
    FeedbackRepository,
    OccurrenceRepository,
    PreferenceRepository,
    RsvpRepository,
    SeriesRepository,
)

log = logging.getLogger(__name__)
SyncSession = Session  # what ``run_sync`` work is given: services name it from here, never from SQLAlchemy

T = TypeVar("T")


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
    releases: ReleaseRepository
    resources: ResourceRepository
    community: CommunityRepository
    community_blocks: CommunityBlockRepository
    privacy: PrivacyRepository
    message_reports: MessageReportRepository
    alerts: AlertRepository
    languages: LanguageRepository

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
        self.releases = ReleaseRepository(session)
        self.resources = ResourceRepository(session)
        self.community = CommunityRepository(session)
        self.community_blocks = CommunityBlockRepository(session)
        self.privacy = PrivacyRepository(session)
        self.message_reports = MessageReportRepository(session)
        self.alerts = AlertRepository(session)
        self.languages = LanguageRepository(session)
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

    async def run_sync(self, work: Callable[[Session], T]) -> T:
        """Run plain synchronous SQLAlchemy code in this unit of work's transaction."""
        assert self._session is not None, "run_sync outside 'async with'"
        return await self._session.run_sync(work)


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
        inline_engine: Engine | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._read_session_factory = read_session_factory or session_factory
        # SQLite has one writer at a time; queueing writers here, in order, is far quicker than letting them
        # meet SQLite's busy handler, which sleeps in growing steps (tens of ms) while it waits.
        self._write_lock = asyncio.Lock() if serialize_writes or inline_engine is not None else None
        self._inline_engine = inline_engine

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> UnitOfWorkFactory:
        """Units of work as the bot makes them: reads never queue for a write; on SQLite, writes queue in the
        process and ``run_sync`` runs on the event loop."""
        return cls(
            create_session_factory(engine),
            create_session_factory(engine, read_only=True),
            serialize_writes=engine.dialect.name == "sqlite",
            inline_engine=create_inline_engine(engine.url.render_as_string(hide_password=False)),
        )

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._session_factory, self._write_lock)

    def reading(self) -> UnitOfWork:
        return UnitOfWork(self._read_session_factory)

    async def run_sync(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` (plain synchronous SQLAlchemy code, free of other side effects) in one write transaction,
        committed if it returns; returns what it returned.

        With an inline engine (a SQLite file), ``work`` runs on the event loop itself, as one short synchronous
        transaction. Through aiosqlite, every statement costs several round trips between the event loop and the
        driver's thread, each waiting its turn behind whatever else the loop is doing, so under a burst a
        transaction of a few milliseconds' work took tens. If another process holds SQLite's write lock, the
        inline attempt fails at once, and ``work`` runs again the ordinary way, waiting off the loop.
        """
        if self._inline_engine is not None:
            assert self._write_lock is not None
            async with self._write_lock:
                try:
                    with Session(self._inline_engine) as session:
                        result = work(session)
                        session.commit()
                        return result
                except OperationalError as error:
                    if not _is_busy(error):
                        raise
                    log.info("another process is writing to the database; waiting for it off the event loop")
        async with self() as uow:
            result = await uow.run_sync(work)
            await uow.commit()
        return result

    @property
    def batch_linger(self) -> bool:
        """Whether a batch of writes should wait a moment for more to join (see ``GroupCommit``): yes, unless
        ``run_sync`` runs on the event loop in one go."""
        return self._inline_engine is None

    def dispose(self) -> None:
        """Close the inline engine's connections (the async engine is disposed by its owner)."""
        if self._inline_engine is not None:
            self._inline_engine.dispose()


def _is_busy(error: OperationalError) -> bool:
    orig = error.orig
    return isinstance(orig, sqlite3.OperationalError) and orig.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
