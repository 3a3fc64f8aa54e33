"""The composition root: builds the engine, services, scheduler and the bot from settings."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.db.engine import create_engine, create_session_factory
from bot.db.uow import UnitOfWorkFactory
from bot.scheduling.scheduler import build_scheduler
from bot.services.container import Services
from bot.settings import Settings
from bot.ui.client import CwtchBot, point_discord_py_at
from bot.ui.roles import DiscordRoleGateway

log = logging.getLogger(__name__)


def build_bot(settings: Settings, *, guild_ready_timeout: float = 2.0) -> CwtchBot:
    """Everything one Cwtch process needs, wired together. Makes no network call."""
    if settings.discord_api_base_url:
        point_discord_py_at(settings.discord_api_base_url)
    engine = create_engine(settings.database_url)
    uow = UnitOfWorkFactory(create_session_factory(engine))
    return CwtchBot(
        settings=settings,
        services=lambda client: Services.build(
            uow, roles=DiscordRoleGateway(client), default_timezone=settings.default_timezone
        ),
        scheduler=build_scheduler(),
        on_close=engine.dispose,
        guild_ready_timeout=guild_ready_timeout,
    )


async def run_bot(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then shut down cleanly (scheduler stopped, engine disposed)."""
    assert settings.discord_token is not None
    bot = build_bot(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(settings.discord_token))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("shutting down")
        else:
            stopper.cancel()
        await bot.close()
        await runner  # re-raises what made the bot stop, if anything
    log.info("stopped")
