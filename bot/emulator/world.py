"""The emulator's world-building API (a mixin of :class:`~bot.emulator.Emulator`).

Synchronous methods that change guilds, users, roles, channels and voice, each dispatching the matching
gateway event when a bot is connected, plus read helpers tests assert on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from . import messages, payloads
from .gateway import Gateway
from .state import DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, JSON, Guild, World, sid

if TYPE_CHECKING:
    from .emulator import Emulator


class WorldApi:
    """Guilds, members, roles, channels, messages and voice, as a test sets them up and reads them."""

    world: World
    gateway: Gateway
    bot_user: JSON
    shards: int

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    def emit(self, guild_id: int, event: str, data: Any) -> bool:
        """Queue a world event for the shard owning the guild (filtered by the session's intents)."""
        return self.gateway.dispatch_guild(guild_id, event, data)

    def create_user(self, username: str, global_name: str | None = None, *, bot: bool = False) -> JSON:
        return self.world.new_user(username, bot=bot, global_name=global_name)

    def create_guild(
        self,
        name: str,
        owner_id: Any = None,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        bot_role_position: int = 10,
        *,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
    ) -> JSON:
        world = self.world
        gid = world.ids.next_guild(self.shards)
        owner = sid(owner_id) if owner_id is not None else sid(world.new_user(f"{name} owner"))
        world.user(owner)
        guild = Guild(gid, name, owner)
        guild.roles[gid] = payloads.role(gid, "@everyone", permissions=everyone_permissions, position=0)
        bot_role = payloads.role(
            world.ids.next(),
            self.bot_user["username"],
            permissions=bot_permissions,
            position=bot_role_position,
            managed=True,
            bot_id=self.bot_id,
        )
        guild.bot_role_id = sid(bot_role)
        guild.roles[guild.bot_role_id] = bot_role
        guild.members[self.bot_id] = payloads.new_member([guild.bot_role_id])
        guild.members[owner] = payloads.new_member([])
        world.guilds[gid] = guild
        self._add_channel(guild, "general", 0, None, None)
        self.emit(gid, "GUILD_CREATE", payloads.guild_create(world, guild, self.bot_id))
        return payloads.guild_summary(guild)

    def bot_added(self, guild_id: Any, *, system_channel_id: Any = None) -> None:
        """Dispatch GUILD_CREATE for ``guild_id`` as Discord does when the bot is added to a server while connected.

        It carries no ``unavailable`` field, so discord.py fires ``on_guild_join``; the GUILD_CREATE of
        :meth:`create_guild` (and of READY) carries ``unavailable: false``, a known server becoming available.
        ``system_channel_id`` names the server's system channel in this payload only.
        """
        guild = self.guild(guild_id)
        data = payloads.guild_create(self.world, guild, self.bot_id)
        del data["unavailable"]
        if system_channel_id is not None:
            data["system_channel_id"] = str(sid(system_channel_id))
        if not self.emit(guild.id, "GUILD_CREATE", data):
            raise AssertionError(f"no gateway session for guild {guild.id}: {self.gateway.describe()}")

    def guild(self, guild_id: Any) -> Guild:
        return self.world.guild(guild_id)

    def set_owner(self, guild_id: Any, user_id: Any) -> None:
        guild = self.guild(guild_id)
        guild.owner_id = sid(user_id)
        if guild.owner_id not in guild.members:
            guild.members[guild.owner_id] = payloads.new_member([])
        self.emit(guild.id, "GUILD_UPDATE", payloads.guild_summary(guild))

    def add_member(self, guild_id: Any, user_id: Any, roles: list[Any] | None = None, nick: str | None = None) -> JSON:
        guild = self.guild(guild_id)
        uid = sid(self.world.user(user_id))
        role_ids = [sid(guild.role(r)) for r in roles or []]
        guild.members[uid] = payloads.new_member(role_ids, nick)
        data = payloads.member(self.world, guild, uid)
        self.emit(guild.id, "GUILD_MEMBER_ADD", dict(data, guild_id=str(guild.id)))
        return data

    def remove_member(self, guild_id: Any, user_id: Any) -> None:
        guild = self.guild(guild_id)
        uid = sid(user_id)
        guild.members.pop(uid, None)
        guild.voice_states.pop(uid, None)
        self.emit(guild.id, "GUILD_MEMBER_REMOVE", {"guild_id": str(guild.id), "user": self.world.user(uid)})

    def set_member_roles(self, guild_id: Any, user_id: Any, roles: list[Any]) -> None:
        guild = self.guild(guild_id)
        member = guild.member(user_id)
        member["roles"] = [str(sid(guild.role(r))) for r in roles]
        self.member_updated(guild.id, sid(user_id))

    def member_updated(self, guild_id: int, user_id: int) -> None:
        guild = self.guild(guild_id)
        data = dict(payloads.member(self.world, guild, user_id), guild_id=str(guild.id))
        # Discord sends the current user's own member updates regardless of intents.
        self.gateway.dispatch_guild(guild.id, "GUILD_MEMBER_UPDATE", data, raw=user_id == self.bot_id)

    def member_roles(self, guild_id: Any, user_id: Any) -> list[int]:
        return self.guild(guild_id).member_role_ids(sid(user_id))

    def create_role(
        self,
        guild_id: Any,
        name: str,
        permissions: int = 0,
        position: int = 1,
        *,
        managed: bool = False,
        mentionable: bool = False,
    ) -> JSON:
        guild = self.guild(guild_id)
        role = payloads.role(self.world.ids.next(), name, permissions=permissions, position=position, managed=managed)
        role["mentionable"] = mentionable
        guild.roles[sid(role)] = role
        self.emit(guild.id, "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role})
        return role

    def create_channel(
        self,
        guild_id: Any,
        name: str,
        type: int = 0,
        parent_id: Any = None,
        *,
        extra: JSON | None = None,
        permission_overwrites: list[JSON] | None = None,
    ) -> JSON:
        guild = self.guild(guild_id)
        extra = dict(extra or {})
        if permission_overwrites is not None:
            extra["permission_overwrites"] = permission_overwrites
        data = self._add_channel(guild, name, type, parent_id, extra)
        self.emit(guild.id, "CHANNEL_CREATE", data)
        return data

    def _add_channel(self, guild: Guild, name: str, ctype: int, parent_id: Any, extra: JSON | None) -> JSON:
        extra = {k: v for k, v in (extra or {}).items() if k not in ("name", "type", "parent_id")}
        tags = extra.pop("available_tags", None) or []
        position = extra.pop("position", None)
        if position is None:
            position = len([c for c in guild.channels.values() if c["type"] == ctype])
        data = payloads.channel(
            self.world.ids.next(), guild.id, name, ctype, position=int(position), parent_id=parent_id, extra=extra
        )
        if ctype in (15, 16):
            data["available_tags"] = [
                {
                    "id": str(self.world.ids.next()),
                    "name": t["name"],
                    "moderated": bool(t.get("moderated", False)),
                    "emoji_id": t.get("emoji_id"),
                    "emoji_name": t.get("emoji_name"),
                }
                for t in tags
            ]
        guild.channels[sid(data)] = data
        self.world.channel_guild[sid(data)] = guild.id
        return data

    def delete_channel(self, guild_id: Any, channel_id: Any) -> JSON:
        """An admin deletes a channel (not a thread); CHANNEL_DELETE is dispatched."""
        guild = self.guild(guild_id)
        data = guild.channels.pop(sid(channel_id))
        self.world.channel_guild.pop(sid(channel_id), None)
        self.emit(guild.id, "CHANNEL_DELETE", data)
        return data

    def close_dms(self, user_id: Any) -> None:
        self.world.closed_dms.add(sid(user_id))

    def open_dms(self, user_id: Any) -> None:
        self.world.closed_dms.discard(sid(user_id))

    def user_message(
        self, channel_id: Any, user_id: Any, content: str, *, at: datetime | None = None, **fields: Any
    ) -> JSON:
        """A message written by a user (no permission checks) in a channel or thread; dispatched as MESSAGE_CREATE
        if intents allow. Like Discord, it becomes the channel's ``last_message_id``, counts in a thread's
        ``message_count`` and ``total_message_sent``, and brings an archived (unlocked) thread back.

        ``at`` (aware) dates it: its snowflake and timestamp carry that moment instead of the real time, so a test
        with its own clock can say when a member wrote.
        """
        body = dict(fields, content=content)
        emu = cast("Emulator", self)
        guild, channel = self.world.channel(sid(channel_id))
        meta = channel.get("thread_metadata")
        if guild is not None and meta and meta.get("archived"):
            if meta.get("locked"):
                raise AssertionError(f"thread {channel['id']} is locked; a member cannot write in it")
            meta["archived"] = False
            meta["archive_timestamp"] = (at or datetime.now(UTC)).astimezone(UTC).isoformat()
            self.emit(guild.id, "THREAD_UPDATE", channel)
        dated = None if at is None else self.world.ids.at(at)
        extra = None if at is None else {"timestamp": at.astimezone(UTC).isoformat()}
        return messages.create(
            emu, sid(channel_id), body, [], check=False, author=self.world.user(user_id), message_id=dated, extra=extra
        )

    def messages(self, channel_id: Any) -> list[JSON]:
        return self.world.channel_history(sid(channel_id))

    def message(self, message_id: Any) -> JSON | None:
        return self.world.any_message(sid(message_id))

    def dm_messages(self, user_id: Any) -> list[JSON]:
        cid = self.world.dm_by_user.get(sid(user_id))
        return [] if cid is None else self.world.channel_history(cid)

    def scheduled_events(self, guild_id: Any) -> list[JSON]:
        return list(self.guild(guild_id).scheduled_events.values())

    def commands(self, guild_id: Any = None) -> list[JSON]:
        return list(self.world.commands.get(None if guild_id is None else sid(guild_id), []))

    # voice -------------------------------------------------------------------------------------
    async def voice_join(self, guild_id: Any, user_id: Any, channel_id: Any) -> None:
        guild = self.guild(guild_id)
        uid, cid = sid(user_id), sid(channel_id)
        if guild.channels.get(cid, {}).get("type") not in (2, 13):
            raise AssertionError(f"channel {cid} is not a voice or stage channel of guild {guild.id}")
        state = payloads.voice_state(guild.id, cid, uid)
        guild.voice_states[uid] = state
        self.emit(guild.id, "VOICE_STATE_UPDATE", dict(state, member=payloads.member(self.world, guild, uid)))

    async def voice_leave(self, guild_id: Any, user_id: Any) -> None:
        guild = self.guild(guild_id)
        uid = sid(user_id)
        state = guild.voice_states.pop(uid, None)
        if state is None:
            return
        state = dict(state, channel_id=None)
        self.emit(guild.id, "VOICE_STATE_UPDATE", dict(state, member=payloads.member(self.world, guild, uid)))

    def _members_chunk(self, request: JSON) -> list[JSON]:
        """Answer op 8 (request guild members) with one GUILD_MEMBERS_CHUNK per guild."""
        ids = request.get("guild_id")
        chunks = []
        for gid in ids if isinstance(ids, list) else [ids]:
            guild = self.world.guilds.get(sid(gid))
            if guild is None:
                continue
            wanted = {sid(u) for u in request.get("user_ids") or []}
            query = str(request.get("query") or "").lower()
            found = [
                payloads.member(self.world, guild, uid)
                for uid in guild.members
                if (uid in wanted if wanted else self.world.users[uid]["username"].lower().startswith(query))
            ]
            limit = int(request.get("limit") or 0)
            chunk = {
                "guild_id": str(guild.id),
                "members": found[:limit] if limit else found,
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [str(u) for u in wanted - set(guild.members)],
            }
            if request.get("nonce"):
                chunk["nonce"] = request["nonce"]
            chunks.append(chunk)
        return chunks
