"""The :class:`Emulator` facade: a local Discord (REST + gateway on 127.0.0.1) driven from tests.

Point discord.py at it with ``discord.http.Route.BASE = emu.api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)``; then build the
world (guilds, users, roles, channels) and act as users (slash commands, clicks, modal submits).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from aiohttp import web

from . import payloads, routes_app, routes_channels, routes_guilds
from .actions import Actions
from .gateway import Gateway, Session
from .interactions import InteractionResult, InteractionStore
from .rest import Faults, RecordedRequest, RestServer
from .state import JSON, World, sid
from .world import WorldApi

log = logging.getLogger(__name__)


class Emulator(WorldApi):
    """A local Discord. All world methods are synchronous and dispatch the matching gateway event."""

    def __init__(
        self,
        token: str = "test-token",
        shards: int = 1,
        global_rate_limit: float | None = None,
        *,
        route_rate_limit: tuple[int, float] | None = (50, 1.0),
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float = 3.0,
        bot_name: str = "Cwtch",
    ) -> None:
        self.token = token
        self.shards = shards
        self.interaction_deadline = interaction_deadline
        # Seconds between Discord making an interaction and the bot receiving it (a lagging gateway, a stalled bot):
        # the interaction's ID is dated that much earlier, and its 3 seconds began then.
        self.delivery_lag = 0.0
        # When True, slash() also refuses what a real Discord client prevents: commands hidden by
        # default_member_permissions, values outside choices, min/max length or value. Off by default so
        # a bot's own checks (and guild permission overrides) can be tested.
        self.client_checks = False
        self.world = World()
        # The public user, as messages and other people see the bot; current_user() adds its private fields.
        self.bot_user: JSON = self.world.new_user(bot_name, bot=True)
        self.owner_user: JSON = self.world.new_user("app-owner")
        self.application_id = int(self.bot_user["id"])
        self.application_flags = 0
        self.rest = RestServer(token, route_rate_limit, global_rate_limit)
        self.gateway = Gateway(token, self._ready_payload, self._members_chunk, heartbeat_interval_ms)
        self.interactions = InteractionStore(self)
        self.actions = Actions(self)
        for module in (routes_app, routes_channels, routes_guilds):
            module.register(self.rest.router, self)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._sock: socket.socket | None = None

    # lifecycle ---------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self, port: int = 0) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{tail:.*}", self.rest.handle)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{channel}/{attachment}/{name}", self._attachment)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self.port = self._sock.getsockname()[1]
        self.world.base_url = self.base_url
        await web.SockSite(self._runner, self._sock).start()
        log.info("discord emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _attachment(self, request: web.Request) -> web.Response:
        stored = self.world.files.get(int(request.match_info["attachment"]))
        if stored is None:
            return web.Response(status=404, text="not found")
        return web.Response(body=stored.data, headers={"Content-Type": stored.content_type})

    # requests ----------------------------------------------------------------------------------
    @property
    def global_rate_limit(self) -> float | None:
        """Requests per second across all REST routes (interaction endpoints excluded); None: no limit."""
        return self.rest.limits.global_limit

    @global_rate_limit.setter
    def global_rate_limit(self, value: float | None) -> None:
        self.rest.limits.global_limit = value

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.rest.requests

    @property
    def faults(self) -> Faults:
        return self.rest.faults

    @property
    def internal_errors(self) -> list[str]:
        return self.rest.internal_errors

    def find_requests(self, method: str | None, path_regex: str, since: float | None = None) -> list[RecordedRequest]:
        return self.rest.find(method, path_regex, since)

    async def wait_for_request(
        self,
        method: str | None,
        path_regex: str,
        timeout: float = 10.0,  # noqa: ASYNC109
        since: float | None = None,
    ) -> RecordedRequest:
        return await self.rest.wait_for(method, path_regex, timeout, since)

    def current_user(self) -> JSON:
        """The bot's own user as ``GET /users/@me`` and READY show it: the public user and its private fields."""
        return dict(self.bot_user, verified=True, mfa_enabled=False, email=None, locale="en-US")

    # gateway -----------------------------------------------------------------------------------
    def _ready_payload(self, session: Session) -> tuple[JSON, list[JSON]]:
        count, shard = session.shard_count, session.shard_id
        mine = [g for gid, g in self.world.guilds.items() if self.gateway.shard_of(gid, count) == shard]
        ready = payloads.ready(
            self.current_user(),
            mine,
            session.id,
            self.gateway_url,
            [shard, count],
            {"id": str(self.application_id), "flags": self.application_flags},
        )
        return ready, [payloads.guild_create(self.world, g, self.bot_id) for g in mine]

    async def dispatch(self, guild_id: Any, event: str, data: Any) -> None:
        """Send a raw dispatch on the shard owning the guild (no intent filtering)."""
        if not self.gateway.dispatch_guild(sid(guild_id), event, data, raw=True):
            raise AssertionError(f"no gateway session for guild {guild_id}: {self.gateway.describe()}")

    async def gateway_reconnect(self, shard_id: int | None = None) -> None:
        self.gateway.reconnect(shard_id)

    async def gateway_invalid_session(self, resumable: bool, shard_id: int | None = None) -> None:
        self.gateway.invalid_session(resumable, shard_id)

    async def drop_gateway(self, shard_id: int | None = None) -> None:
        self.gateway.drop(shard_id)

    async def wait_ready(self, timeout: float = 15.0, shard_ids: list[int] | None = None) -> None:  # noqa: ASYNC109
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.gateway.all_ready(shard_ids):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"gateway not ready after {timeout}s: {self.gateway.describe()}")
            try:
                await self.gateway.wait_changed(remaining)
            except TimeoutError:
                continue

    # acting as users ---------------------------------------------------------------------------
    async def slash(
        self,
        guild_id: Any,
        user_id: Any,
        name: str,
        options: dict[str, Any] | None = None,
        channel_id: Any = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        locale: str = "en-US",
    ) -> InteractionResult:
        return await self.actions.slash(guild_id, user_id, name, options, channel_id, within=timeout, locale=locale)

    async def autocomplete(
        self,
        guild_id: Any,
        user_id: Any,
        name: str,
        options: dict[str, Any],
        focused: str,
        channel_id: Any = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[JSON]:
        res = await self.actions.slash(guild_id, user_id, name, options, channel_id, within=timeout, focused=focused)
        return list(res.choices or [])

    async def message_command(
        self,
        guild_id: Any,
        user_id: Any,
        name: str,
        message_id: Any,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> InteractionResult:
        """Run the message command (context menu) ``name`` on ``message_id`` as ``user_id``."""
        return await self.actions.message_command(guild_id, user_id, name, message_id, within=timeout)

    async def click(
        self,
        guild_id: Any,
        user_id: Any,
        message_id: Any,
        custom_id: str,
        values: list[Any] | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> InteractionResult:
        return await self.actions.click(guild_id, user_id, message_id, custom_id, values, within=timeout)

    async def submit_modal(
        self,
        guild_id: Any,
        user_id: Any,
        opened: InteractionResult,
        values: dict[str, Any],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> InteractionResult:
        return await self.actions.submit_modal(guild_id, user_id, opened, values, within=timeout)
