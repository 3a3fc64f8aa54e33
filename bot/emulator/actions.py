"""Acting as users: build real INTERACTION_CREATE payloads, send them on the right shard, await answers."""

from __future__ import annotations

import asyncio
import copy
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import payloads
from .interactions import InteractionResult, Pending
from .options import Resolver, build_options, modal_answers, nest, resolve_path, select_values
from .state import JSON, Guild, P, sid

if TYPE_CHECKING:
    from .emulator import Emulator


# What a bot may do in a DM: view, send, embed, attach, read history, use external emoji.
DM_APP_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18)


class Actions:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def _guild_member(self, guild_id: Any, user_id: Any) -> tuple[Guild, int]:
        guild = self.emu.world.guild(guild_id)
        uid = sid(user_id)
        if uid not in guild.members:
            raise AssertionError(f"user {uid} is not a member of guild {guild.id}; use emu.add_member first")
        return guild, uid

    def _channel(self, guild: Guild, channel_id: Any) -> JSON:
        if channel_id is None:
            text = [c for c in guild.channels.values() if c["type"] == 0]
            if not text:
                raise AssertionError(f"guild {guild.id} has no text channel; pass channel_id")
            return min(text, key=lambda c: (c["position"], int(c["id"])))
        cid = sid(channel_id)
        data = guild.channels.get(cid) or guild.threads.get(cid) or self.emu.world.dm_channels.get(cid)
        if data is None:
            raise AssertionError(f"channel {cid} is not in guild {guild.id}")
        return data

    def _payload(
        self,
        itype: int,
        guild: Guild,
        user_id: int,
        channel: JSON,
        data: JSON,
        iid: int,
        token: str,
        message: JSON | None,
        locale: str,
    ) -> JSON:
        world = self.emu.world
        if channel["type"] == 1:  # a DM with the bot: no guild, a user instead of a member (context 1, BOT_DM)
            return self._dm_payload(itype, user_id, channel, data, iid, token, message, locale)
        perms = guild.permissions_in(user_id, channel)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.emu.application_id),
            "type": itype,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": channel["id"],
            "channel": payloads.channel_for_interaction(guild, channel, user_id),
            "member": payloads.member(world, guild, user_id, permissions=perms),
            "token": token,
            "version": 1,
            "app_permissions": str(guild.permissions_in(self.emu.bot_id, channel)),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = payloads.clone(message)
        return payload

    def _dm_payload(
        self,
        itype: int,
        user_id: int,
        channel: JSON,
        data: JSON,
        iid: int,
        token: str,
        message: JSON | None,
        locale: str,
    ) -> JSON:
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.emu.application_id),
            "type": itype,
            "data": data,
            "channel_id": channel["id"],
            "channel": copy.deepcopy(channel),
            "user": dict(self.emu.world.user(user_id)),
            "token": token,
            "version": 1,
            "app_permissions": str(DM_APP_PERMISSIONS),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = payloads.clone(message)
        return payload

    async def run(
        self,
        itype: int,
        guild: Guild,
        user_id: int,
        channel: JSON,
        data: JSON,
        *,
        source_message_id: int | None = None,
        trigger: Pending | None = None,
        within: float = 10.0,
        locale: str = "en-US",
        wait: bool = True,
    ) -> InteractionResult:
        emu = self.emu
        lag = emu.delivery_lag
        iid = emu.world.ids.at(datetime.now(UTC) - timedelta(seconds=lag)) if lag else emu.world.ids.next()
        token = f"aW50ZXJhY3Rpb24{secrets.token_urlsafe(48)}"
        message = emu.world.messages.get(source_message_id) if source_message_id else None
        payload = self._payload(itype, guild, user_id, channel, data, iid, token, message, locale)
        pending = Pending(iid, token, itype, guild.id, sid(channel), user_id, payload, source_message_id, trigger)
        emu.interactions.add(pending)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while emu.gateway.session_for_guild(guild.id) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no gateway session for guild {guild.id}: {emu.gateway.describe()}")
            try:
                await emu.gateway.wait_changed(remaining)
            except TimeoutError:
                continue
        pending.dispatched_at = loop.time() - lag
        pending.answer_by = pending.dispatched_at + emu.interaction_deadline
        emu.gateway.dispatch_guild(guild.id, "INTERACTION_CREATE", payload, raw=True)
        result = InteractionResult(emu.world, pending)
        if wait:
            remaining = max(0.0, deadline - loop.time())
            await pending.wait(lambda: pending.resolved, remaining, "response")
        return result

    def _require_visible(self, guild: Guild, uid: int, cmd: JSON, shown: str) -> None:
        """Refuse, as the Discord client would (with client checks on), a command this member cannot see: one whose
        default_member_permissions they lack ("0" shows it to administrators only)."""
        required = cmd.get("default_member_permissions")
        if required is None or not self.emu.client_checks:
            return
        perms, needed = guild.base_permissions(uid), int(required)
        if perms != P.ALL and (needed == 0 or perms & needed != needed):
            raise AssertionError(f"user {uid} cannot see {shown} (default_member_permissions={required})")

    def _message_seen_by(self, uid: int, message_id: Any) -> tuple[int, JSON]:
        """The message this member acts on: it must exist, and an ephemeral one must be theirs."""
        mid = sid(message_id)
        msg = self.emu.world.messages.get(mid)
        if msg is None:
            raise AssertionError(f"message {mid} does not exist (deleted or never sent)")
        owner = self.emu.world.ephemeral_owner.get(mid)
        if owner is not None and owner != uid:
            raise AssertionError(f"message {mid} is ephemeral to user {owner}, not {uid}")
        return mid, msg

    async def slash(
        self,
        guild_id: Any,
        user_id: Any,
        name: str,
        options: dict[str, Any] | None,
        channel_id: Any,
        *,
        within: float,
        focused: str | None = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        guild, uid = self._guild_member(guild_id, user_id)
        channel = self._channel(guild, channel_id)
        cmd, path, leaf = resolve_path(self.emu.world, guild.id, name)
        self._require_visible(guild, uid, cmd, f"/{cmd['name']}")
        res = Resolver(self.emu.world, guild, uid, strict=self.emu.client_checks)
        leaf_options = build_options(leaf, dict(options or {}), res, sid(channel), focused=focused)
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": nest(cmd, path, leaf_options)}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if res.data and focused is None:
            data["resolved"] = res.data
        return await self.run(4 if focused else 2, guild, uid, channel, data, within=within, locale=locale)

    async def message_command(
        self, guild_id: Any, user_id: Any, name: str, message_id: Any, *, within: float, locale: str = "en-US"
    ) -> InteractionResult:
        """A user picks ``name`` from the Apps menu of a message (a message command, type 3)."""
        guild, uid = self._guild_member(guild_id, user_id)
        world = self.emu.world
        mid, msg = self._message_seen_by(uid, message_id)
        channel = self._channel(guild, msg["channel_id"])
        cmd = world.find_command(guild.id, name, ctype=3)
        if cmd is None:
            menus = [c["name"] for scope in (guild.id, None) for c in world.commands.get(scope, []) if c["type"] == 3]
            raise AssertionError(f"no message command {name!r}; registered message commands: {menus}")
        self._require_visible(guild, uid, cmd, repr(name))
        data: JSON = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 3,
            "target_id": str(mid),
            "resolved": {"messages": {str(mid): copy.deepcopy(msg)}},
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return await self.run(2, guild, uid, channel, data, within=within, locale=locale)

    async def click(
        self, guild_id: Any, user_id: Any, message_id: Any, custom_id: str, values: list[Any] | None, *, within: float
    ) -> InteractionResult:
        guild, uid = self._guild_member(guild_id, user_id)
        world = self.emu.world
        mid, msg = self._message_seen_by(uid, message_id)
        comps = list(payloads.walk_components(msg.get("components") or []))
        comp = next((c for c in comps if c.get("custom_id") == custom_id), None)
        if comp is None:
            known = [c["custom_id"] for c in comps if c.get("custom_id")]
            raise AssertionError(f"message {mid} has no component {custom_id!r}; custom_ids: {known}")
        if comp.get("disabled"):
            raise AssertionError(f"component {custom_id!r} on message {mid} is disabled")
        channel = self._channel(guild, msg["channel_id"])
        data: JSON = {"custom_id": custom_id, "component_type": comp["type"]}
        if comp.get("id") is not None:
            data["id"] = comp["id"]
        if comp["type"] != 2:
            res = Resolver(world, guild, uid)
            data["values"] = select_values(comp, list(values or []), res)
            if res.data:
                data["resolved"] = res.data
        elif values:
            raise AssertionError("values only apply to select menus")
        return await self.run(3, guild, uid, channel, data, source_message_id=mid, within=within)

    async def submit_modal(
        self, guild_id: Any, user_id: Any, opened: InteractionResult, values: dict[str, Any], *, within: float
    ) -> InteractionResult:
        guild, uid = self._guild_member(guild_id, user_id)
        source = self.emu.interactions.by_id.get(opened.id)
        if source is None or source.modal is None:
            raise AssertionError(
                f"interaction {opened.id} was answered with callback type {opened.callback_type}, not a modal (type 9)"
            )
        if source.user_id != uid:
            raise AssertionError(f"the modal was opened for user {source.user_id}, not {uid}")
        if source.modal_submitted:
            raise AssertionError("this modal was already submitted")
        res = Resolver(self.emu.world, guild, uid)
        answers = modal_answers(source.modal, values, res)
        source.modal_submitted = True
        data: JSON = {"custom_id": source.modal["custom_id"], "components": answers}
        if res.data:
            data["resolved"] = res.data
        channel = self._channel(guild, source.channel_id)
        return await self.run(
            5, guild, uid, channel, data, source_message_id=source.source_message_id, trigger=source, within=within
        )
