"""The emulator's world: snowflakes, permissions, users, guilds, channels, messages, commands.

Everything is stored in Discord's own payload shapes (string ids) so REST answers and gateway
events can be built by copying; ints are used only as dictionary keys.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .validation import ApiError

JSON = dict[str, Any]
DISCORD_EPOCH_MS = 1420070400000


class P:
    """Permission bits used by the emulator."""

    CREATE_INSTANT_INVITE = 1 << 0
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 51) - 1


DEFAULT_BOT_PERMISSIONS = (
    P.MANAGE_ROLES
    | P.SEND_MESSAGES
    | P.VIEW_CHANNEL
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.CREATE_PUBLIC_THREADS
    | P.SEND_MESSAGES_IN_THREADS
    | P.MANAGE_THREADS
    | P.MANAGE_EVENTS
    | P.MANAGE_CHANNELS
    | P.READ_MESSAGE_HISTORY
    | P.CONNECT
)
DEFAULT_EVERYONE_PERMISSIONS = (
    P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.READ_MESSAGE_HISTORY
    | P.ADD_REACTIONS
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.USE_EXTERNAL_EMOJIS
    | P.CONNECT
    | P.SPEAK
    | P.CHANGE_NICKNAME
    | P.USE_APPLICATION_COMMANDS
    | P.CREATE_PUBLIC_THREADS
    | P.SEND_MESSAGES_IN_THREADS
)
THREAD_TYPES = frozenset({10, 11, 12})


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def sid(value: Any) -> int:
    """A snowflake from an int, str or payload dict with an ``id``."""
    if isinstance(value, dict):
        value = value["id"]
    return int(value)


class Snowflakes:
    """Timestamp-based snowflakes; guild ids are spread round-robin over ``spread`` shards."""

    def __init__(self) -> None:
        self._last_ms = 0
        self._inc = 0
        self._guilds = 0
        self._dated: dict[int, int] = {}  # ms -> snowflakes made by at() in that millisecond

    @staticmethod
    def _now_ms() -> int:
        return int(time.time() * 1000) - DISCORD_EPOCH_MS

    def _make(self, ms: int) -> int:
        return (ms << 22) | (1 << 17) | (1 << 12) | self._inc

    def next(self) -> int:
        ms = max(self._now_ms(), self._last_ms)
        if ms == self._last_ms:
            self._inc += 1
            if self._inc >= 4096:
                ms, self._inc = ms + 1, 0
        else:
            self._inc = 0
        self._last_ms = ms
        return self._make(ms)

    def at(self, moment: datetime) -> int:
        """A snowflake whose timestamp is ``moment`` (aware), e.g. a message a test dates by its own clock.

        Made with another process ID than :meth:`next`, so the two never collide.
        """
        if moment.tzinfo is None:
            raise ValueError("aware datetimes only")
        ms = int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS
        if ms < 0:
            raise ValueError("a snowflake cannot predate the Discord epoch (2015)")
        inc = self._dated.get(ms, 0)
        if inc >= 4096:
            raise ValueError(f"more than 4096 snowflakes at {moment.isoformat()}")
        self._dated[ms] = inc + 1
        return (ms << 22) | (1 << 17) | (2 << 12) | inc

    def next_guild(self, spread: int) -> int:
        ms = max(self._now_ms(), self._last_ms + 1)
        spread = max(spread, 1)
        while ms % spread != self._guilds % spread:
            ms += 1
        self._guilds += 1
        self._last_ms, self._inc = ms, 0
        return self._make(ms)


@dataclass
class StoredFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    bot_role_id: int = 0
    created_at: str = field(default_factory=now_iso)
    roles: dict[int, JSON] = field(default_factory=dict)
    channels: dict[int, JSON] = field(default_factory=dict)
    threads: dict[int, JSON] = field(default_factory=dict)
    members: dict[int, JSON] = field(default_factory=dict)
    scheduled_events: dict[int, JSON] = field(default_factory=dict)
    voice_states: dict[int, JSON] = field(default_factory=dict)

    def role(self, role_id: Any) -> JSON:
        try:
            return self.roles[sid(role_id)]
        except (KeyError, ValueError):
            raise ApiError(404, 10011, "Unknown Role") from None

    def member(self, user_id: Any) -> JSON:
        try:
            return self.members[sid(user_id)]
        except (KeyError, ValueError):
            raise ApiError(404, 10007, "Unknown Member") from None

    def member_role_ids(self, user_id: int) -> list[int]:
        return [int(r) for r in self.members[user_id]["roles"]] if user_id in self.members else []

    def top_position(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return 1 << 30
        return max([self.roles[r]["position"] for r in self.member_role_ids(user_id) if r in self.roles] + [0])

    def base_permissions(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return P.ALL
        perms = int(self.roles[self.id]["permissions"])
        for rid in self.member_role_ids(user_id):
            if rid in self.roles:
                perms |= int(self.roles[rid]["permissions"])
        return P.ALL if perms & P.ADMINISTRATOR else perms

    def permissions_in(self, user_id: int, channel: JSON | None) -> int:
        """Discord's permission algorithm: base, then @everyone, role and member overwrites."""
        perms = self.base_permissions(user_id)
        if perms == P.ALL or channel is None:
            return perms
        if channel.get("type") in THREAD_TYPES:
            channel = self.channels.get(sid(channel["parent_id"]), channel)
        overwrites = {sid(o): o for o in channel.get("permission_overwrites") or []}
        everyone = overwrites.get(self.id)
        if everyone:
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for rid in self.member_role_ids(user_id):
            ow = overwrites.get(rid)
            if ow and int(ow.get("type", 0)) == 0:
                allow |= int(ow["allow"])
                deny |= int(ow["deny"])
        perms = (perms & ~deny) | allow
        own = overwrites.get(user_id)
        if own and int(own.get("type", 0)) == 1:
            perms = (perms & ~int(own["deny"])) | int(own["allow"])
        return perms if perms & P.VIEW_CHANNEL else 0


class World:
    """All emulated Discord data."""

    def __init__(self, base_url: str = "") -> None:
        self.base_url = base_url
        self.ids = Snowflakes()
        self.users: dict[int, JSON] = {}
        self.guilds: dict[int, Guild] = {}
        self.channel_guild: dict[int, int | None] = {}
        self.dm_channels: dict[int, JSON] = {}
        self.dm_by_user: dict[int, int] = {}
        self.closed_dms: set[int] = set()
        self.messages: dict[int, JSON] = {}
        self.deleted_messages: dict[int, JSON] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.ephemeral_owner: dict[int, int] = {}
        self.nonces: dict[tuple[int, int, str], tuple[int, float]] = {}
        self.files: dict[int, StoredFile] = {}
        self.thread_members: dict[int, set[int]] = {}
        self.commands: dict[int | None, list[JSON]] = {}
        self.command_ids: dict[tuple[int | None, int, str], int] = {}

    # users -------------------------------------------------------------------------------------
    def new_user(self, username: str, *, bot: bool = False, global_name: str | None = None) -> JSON:
        user: JSON = {
            "id": str(self.ids.next()),
            "username": username,
            "global_name": global_name if global_name is not None else (None if bot else username),
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
        }
        self.users[int(user["id"])] = user
        return user

    def user(self, user_id: Any) -> JSON:
        try:
            return self.users[sid(user_id)]
        except (KeyError, ValueError):
            raise ApiError(404, 10013, "Unknown User") from None

    # lookups -----------------------------------------------------------------------------------
    def guild(self, guild_id: Any) -> Guild:
        try:
            return self.guilds[sid(guild_id)]
        except (KeyError, ValueError):
            raise ApiError(404, 10004, "Unknown Guild") from None

    def channel(self, channel_id: Any) -> tuple[Guild | None, JSON]:
        """The channel (guild channel, thread or DM) and its guild; 404 10003 when unknown."""
        try:
            cid = sid(channel_id)
        except ValueError:
            raise ApiError(404, 10003, "Unknown Channel") from None
        if cid in self.dm_channels:
            return None, self.dm_channels[cid]
        gid = self.channel_guild.get(cid)
        if gid is None or gid not in self.guilds:
            raise ApiError(404, 10003, "Unknown Channel")
        guild = self.guilds[gid]
        data = guild.channels.get(cid) or guild.threads.get(cid)
        if data is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return guild, data

    def message(self, channel_id: Any, message_id: Any) -> JSON:
        try:
            msg = self.messages[sid(message_id)]
        except (KeyError, ValueError):
            raise ApiError(404, 10008, "Unknown Message") from None
        if sid(msg["channel_id"]) != sid(channel_id):
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def any_message(self, message_id: int) -> JSON | None:
        return self.messages.get(message_id) or self.deleted_messages.get(message_id)

    # messages ----------------------------------------------------------------------------------
    def attachment(self, channel_id: int, upload: StoredFile, meta: JSON) -> JSON:
        att_id = self.ids.next()
        self.files[att_id] = upload
        url = f"{self.base_url}/attachments/{channel_id}/{att_id}/{upload.filename}"
        out: JSON = {
            "id": str(att_id),
            "filename": meta.get("filename") or upload.filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type,
        }
        if meta.get("description"):
            out["description"] = meta["description"]
        return out

    def store_message(self, msg: JSON, *, ephemeral_to: int | None = None) -> JSON:
        mid = int(msg["id"])
        self.messages[mid] = msg
        if ephemeral_to is not None:
            self.ephemeral_owner[mid] = ephemeral_to
        else:
            self.channel_messages.setdefault(int(msg["channel_id"]), []).append(mid)
        return msg

    def delete_message(self, message_id: int) -> JSON:
        msg = self.messages.pop(message_id)
        self.deleted_messages[message_id] = msg
        ids = self.channel_messages.get(int(msg["channel_id"]), [])
        if message_id in ids:
            ids.remove(message_id)
        return msg

    def channel_history(self, channel_id: int) -> list[JSON]:
        return [self.messages[m] for m in self.channel_messages.get(channel_id, []) if m in self.messages]

    # commands ----------------------------------------------------------------------------------
    def command_id(self, guild_id: int | None, ctype: int, name: str) -> int:
        key = (guild_id, ctype, name)
        if key not in self.command_ids:
            self.command_ids[key] = self.ids.next()
        return self.command_ids[key]

    def find_command(self, guild_id: int | None, name: str, ctype: int = 1) -> JSON | None:
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and int(cmd.get("type", 1)) == ctype:
                    return cmd
        return None

    def describe_commands(self, guild_id: int | None) -> str:
        def walk(prefix: str, options: list[JSON]) -> list[str]:
            out: list[str] = []
            for opt in options:
                if opt.get("type") in (1, 2):
                    out += walk(f"{prefix} {opt['name']}", opt.get("options") or []) or [f"{prefix} {opt['name']}"]
            return out

        names: list[str] = []
        for scope in ([guild_id] if guild_id is not None else []) + [None]:
            for cmd in self.commands.get(scope, []):
                label = "global" if scope is None else f"guild {scope}"
                subs = walk(f"/{cmd['name']}", cmd.get("options") or []) or [f"/{cmd['name']}"]
                names += [f"{s} ({label})" for s in subs]
        return ", ".join(names) or "no commands registered"
