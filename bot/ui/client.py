"""The Discord client of Cwtch: an ``AutoShardedBot`` with the error funnel and change-only command sync."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
import yarl
from discord.ext import commands

from bot.scheduling.runtime import SchedulingRuntime
from bot.services.container import Services
from bot.settings import Settings
from bot.ui.errors import CwtchTree
from bot.ui.persistent import answer_unclaimed
from bot.ui.registry import DYNAMIC_ITEMS, FORMS

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "cogs.setup",
    "cogs.support",
    "cogs.cohorts",
    "cogs.series",
    "cogs.sessions",
    "cogs.members",
    "cogs.feedback",
    "cogs.community",
    "cogs.privacy",
    "cogs.resources",
    "cogs.language",
)


def cwtch_intents() -> discord.Intents:
    """No privileged intents: guilds, scheduled events and voice states are all Cwtch needs."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_scheduled_events = True
    intents.voice_states = True
    return intents


def point_discord_py_at(api_base_url: str) -> None:
    """Send discord.py's REST calls to ``api_base_url`` (a proxy or the local emulator) instead of Discord."""
    discord.http.Route.BASE = api_base_url


class CwtchBot(commands.AutoShardedBot):
    """Built only by the composition root (``bot.app``), which hands it settings and a services factory."""

    def __init__(
        self,
        *,
        settings: Settings,
        services: Callable[[CwtchBot], Services],
        runtime: Callable[[Services], SchedulingRuntime],
        on_close: Callable[[], Awaitable[None]] | None = None,
        extensions: Sequence[str] = EXTENSIONS,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        sharding: dict[str, Any] = {} if settings.shard_ids is None else {"shard_ids": list(settings.shard_ids)}
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=cwtch_intents(),
            tree_cls=CwtchTree,
            shard_count=settings.shard_count,
            **sharding,
            guild_ready_timeout=guild_ready_timeout,
            max_messages=None,
            chunk_guilds_at_startup=False,
            # User-written text (titles, names, comments) never pings anyone; a message that must mention
            # someone (a safeguarding alert's role, a reminder's members) names them explicitly.
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.settings = settings
        self.services: Services = services(self)
        self.runtime = runtime(self.services)
        self._on_close = on_close
        self._extensions = extensions

    async def setup_hook(self) -> None:
        if self.settings.discord_api_base_url:
            # The gateway URL then comes from the same base, also when SHARD_COUNT is fixed or a session
            # is invalidated (discord.py falls back to DEFAULT_GATEWAY in both cases).
            _, url, _ = await self.http.get_bot_gateway()
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        for extension in self._extensions:
            await self.load_extension(extension)
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        self.add_listener(self._answer_unclaimed, "on_interaction")
        await self.sync_commands_if_changed()

    async def _answer_unclaimed(self, interaction: discord.Interaction[Any]) -> None:
        await answer_unclaimed(interaction, FORMS, DYNAMIC_ITEMS)

    async def sync_commands_if_changed(self) -> bool:
        """Sync the command tree to ``DEV_GUILD_ID`` (or globally) only when it differs from the last sync."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        scope = f"guild:{guild.id}" if guild else "global"
        key = f"command_tree:{self.application_id}:{scope}"
        if await self.services.state.get(key) == digest:
            log.info("command tree unchanged (%s), not syncing", scope)
            return False
        synced = await self.tree.sync(guild=guild)
        await self.services.state.set(key, digest)
        log.info("synced %d commands (%s)", len(synced), scope)
        return True

    async def on_ready(self) -> None:
        log.info("ready as %s in %d guilds (%s shards)", self.user, len(self.guilds), self.shard_count)
        if not self.runtime.started:
            self.runtime.start()  # after the guild cache is filled: actions may need it

    async def close(self) -> None:
        await self.runtime.stop()
        try:  # the announcements' last counts go out while the connection is still open
            await asyncio.wait_for(self.services.announcements.idle(), timeout=10)
        except TimeoutError:
            log.warning("closing with announcement edits still waiting")
        await super().close()
        if self._on_close is not None:
            await self._on_close()
