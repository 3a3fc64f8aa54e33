"""The composition root: builds the engine, services, scheduler and the bot from settings."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.db.engine import create_engine
from bot.db.settings_feed import change_feed_for
from bot.db.uow import UnitOfWorkFactory
from bot.domain.shards import ShardSet
from bot.heap import Heap
from bot.scheduling.runtime import SchedulingRuntime
from bot.scheduling.scheduler import build_scheduler
from bot.secret_key import load_or_create_key
from bot.services.container import Services
from bot.settings import Settings
from bot.ui.client import CwtchBot, point_discord_py_at
from bot.ui.community_gateway import DiscordCommunityGateway
from bot.ui.resource_gateway import DiscordResourceGateway
from bot.ui.roles import DiscordRoleGateway
from bot.ui.safety import DiscordSafetyGateway
from bot.ui.session_gateway import DiscordSessionGateway

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_bot(
    settings: Settings, *, guild_ready_timeout: float = 2.0, clock: Callable[[], datetime] = utc_now
) -> CwtchBot:
    """Everything one Cwtch process needs, wired together. Makes no network call."""
    if settings.discord_api_base_url:
        point_discord_py_at(settings.discord_api_base_url)
    engine = create_engine(settings.database_url)
    uow = UnitOfWorkFactory.for_engine(engine)
    settings_feed = change_feed_for(settings.database_url)  # connects on first use, not here
    shards = ShardSet(settings.shard_count, settings.shard_ids)
    key = load_or_create_key(settings.secret_key_file)
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def services(client: CwtchBot) -> Services:
        return Services.build(
            uow,
            roles=DiscordRoleGateway(client),
            sessions=DiscordSessionGateway(client),
            resources=DiscordResourceGateway(client),
            clock=clock,
            default_timezone=settings.default_timezone,
            worker=worker,
            shards=shards,
            pseudonym_key=key,
            survey_open=timedelta(days=settings.survey_open_days),
            min_group=settings.feedback_min_group,
            safety=DiscordSafetyGateway(client),
            comment_retention=timedelta(days=settings.comment_retention_days),
            community=DiscordCommunityGateway(client),
            settings_feed=settings_feed,
        )

    def runtime(built: Services) -> SchedulingRuntime:
        made = SchedulingRuntime(
            build_scheduler(),
            built.series,
            built.actions,
            clock=clock,
            privacy=built.privacy,
            digests=built.digests,
            releases=built.releases,
            community_releases=built.community_releases,
            safety=built.safety,
        )
        built.schedule_changed.listen(made.wake)
        return made

    async def close_database() -> None:
        if settings_feed is not None:
            await settings_feed.close()
        uow.dispose()
        await engine.dispose()

    return CwtchBot(
        settings=settings,
        services=services,
        runtime=runtime,
        on_close=close_database,
        guild_ready_timeout=guild_ready_timeout,
    )


async def run_bot(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then shut down cleanly (scheduler stopped, engine disposed)."""
    assert settings.discord_token is not None
    bot = build_bot(settings)
    heap = Heap()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        bot.add_listener(heap.settle, "on_ready")
        runner = asyncio.create_task(bot.start(settings.discord_token))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("shutting down")
        else:
            stopper.cancel()
        heap.close()
        await bot.close()
        await runner  # re-raises what made the bot stop, if anything
    log.info("stopped")
