"""Builders for Discord payloads (roles, channels, threads, members, guilds, messages, events).

Shapes follow Discord's OpenAPI spec (vendored in ``tests/openapi``, which checks every answer against it) and
what discord.py 2.7 reads without ``.get``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from .state import JSON, THREAD_TYPES, Guild, World, now_iso, sid

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_SELECT_TYPES = frozenset({3, 5, 6, 7, 8})


def role(
    role_id: int, name: str, *, permissions: int, position: int, managed: bool = False, bot_id: int | None = None
) -> JSON:
    data: JSON = {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }
    if bot_id is not None:
        data["tags"] = {"bot_id": str(bot_id)}
    return data


def channel(
    channel_id: int,
    guild_id: int,
    name: str,
    ctype: int,
    *,
    position: int = 0,
    parent_id: Any = None,
    extra: JSON | None = None,
) -> JSON:
    data: JSON = {
        "id": str(channel_id),
        "type": ctype,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "parent_id": None if parent_id is None else str(sid(parent_id)),
        "nsfw": False,
        "flags": 0,
    }
    if ctype in (0, 5, 15, 16):
        data.update(
            topic=None,
            last_message_id=None,
            rate_limit_per_user=0,
            default_auto_archive_duration=1440,
            default_thread_rate_limit_per_user=0,
        )
    if ctype in (2, 13):
        data.update(
            bitrate=64000,
            user_limit=0,
            rtc_region=None,
            video_quality_mode=1,
            last_message_id=None,
            rate_limit_per_user=0,
        )
    if ctype in (15, 16):
        data.update(available_tags=[], default_reaction_emoji=None, default_sort_order=None, default_forum_layout=0)
    if extra:
        for key, value in extra.items():
            if key in ("permission_overwrites",):
                data[key] = [normalise_overwrite(o) for o in value or []]
            elif key not in ("id", "guild_id", "type"):
                data[key] = value
    return data


def normalise_overwrite(ow: JSON) -> JSON:
    return {
        "id": str(ow["id"]),
        "type": int(ow.get("type", 0)),
        "allow": str(ow.get("allow", 0)),
        "deny": str(ow.get("deny", 0)),
    }


def thread(
    thread_id: int,
    guild_id: int,
    parent: JSON,
    owner_id: int,
    name: str,
    ctype: int,
    *,
    auto_archive: int = 1440,
    applied_tags: list[str] | None = None,
    invitable: bool = True,
) -> JSON:
    stamp = now_iso()
    data: JSON = {
        "id": str(thread_id),
        "type": ctype,
        "guild_id": str(guild_id),
        "parent_id": parent["id"],
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "rate_limit_per_user": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": auto_archive,
            "archive_timestamp": stamp,
            "locked": False,
            "create_timestamp": stamp,
        },
    }
    if ctype == 12:
        data["thread_metadata"]["invitable"] = invitable
    if parent.get("type") in (15, 16):
        data["applied_tags"] = list(applied_tags or [])
    return data


def thread_member(thread_id: int, user_id: int) -> JSON:
    return {"id": str(thread_id), "user_id": str(user_id), "join_timestamp": now_iso(), "flags": 0}


def member(world: World, guild: Guild, user_id: int, *, with_user: bool = True, permissions: int | None = None) -> JSON:
    data = dict(guild.member(user_id))
    data["roles"] = list(data["roles"])
    if with_user:
        data["user"] = dict(world.user(user_id))
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def new_member(roles: list[int], nick: str | None = None) -> JSON:
    return {
        "roles": [str(r) for r in roles],
        "nick": nick,
        "avatar": None,
        "banner": None,
        "joined_at": now_iso(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def guild_summary(guild: Guild) -> JSON:
    """The guild object (REST ``GET /guilds/{id}``) without gateway-only fields."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [copy.deepcopy(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "incidents_data": None,
    }


def guild_create(world: World, guild: Guild, bot_id: int) -> JSON:
    data = guild_summary(guild)
    in_voice = set(guild.voice_states)
    members = [member(world, guild, uid) for uid in guild.members if uid == bot_id or uid in in_voice]
    data.update(
        joined_at=guild.members[bot_id]["joined_at"] if bot_id in guild.members else guild.created_at,
        large=False,
        unavailable=False,
        member_count=len(guild.members),
        voice_states=[copy.deepcopy(v) for v in guild.voice_states.values()],
        members=members,
        channels=[copy.deepcopy(c) for c in guild.channels.values()],
        threads=[copy.deepcopy(t) for t in guild.threads.values() if not t["thread_metadata"]["archived"]],
        presences=[],
        stage_instances=[],
        guild_scheduled_events=[copy.deepcopy(e) for e in guild.scheduled_events.values()],
        soundboard_sounds=[],
        embedded_activities=[],
        lazy=True,
    )
    return data


def channel_for_interaction(guild: Guild, data: JSON, user_id: int) -> JSON:
    """A resolved channel: the channel plus the user's ``permissions`` in it."""
    out = dict(data)
    out["permissions"] = str(guild.permissions_in(user_id, data))
    if data.get("type") not in THREAD_TYPES:
        out.pop("permission_overwrites", None)
    return out


def mentions(world: World, content: str | None) -> tuple[list[JSON], list[str]]:
    users = [dict(world.users[int(m)]) for m in _USER_MENTION.findall(content or "") if int(m) in world.users]
    roles = list(dict.fromkeys(_ROLE_MENTION.findall(content or "")))
    return users, roles


def clone(value: Any) -> Any:
    """A copy of a JSON tree (dicts, lists and plain values): what ``copy.deepcopy`` gives for one, several times
    quicker. The emulator copies every message it hands out or stores, and a burst of interactions does thousands."""
    if isinstance(value, dict):
        return {key: clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clone(item) for item in value]
    return value


def walk_components(components: list[JSON]) -> Iterator[JSON]:
    """Every component, depth first in reading order: rows, their children, labels' and sections' parts."""
    for comp in components or []:
        yield comp
        yield from walk_components(comp.get("components") or [])
        if isinstance(comp.get("component"), dict):
            yield from walk_components([comp["component"]])
        if isinstance(comp.get("accessory"), dict):
            yield comp["accessory"]


def message_components(components: list[JSON] | None) -> list[JSON]:
    """A message's components as Discord answers them.

    Each has a numeric ``id``: the bot's own, or else the next number not yet used in the message, in reading
    order. A select loses ``required``, which only means something in a modal and is not in a message's answer.
    """
    out = clone(list(components or []))
    used = {c["id"] for c in walk_components(out) if isinstance(c.get("id"), int)}
    next_id = 1
    for comp in walk_components(out):
        if comp.get("type") in _SELECT_TYPES:
            comp.pop("required", None)
        if comp.get("id") is None:
            while next_id in used:
                next_id += 1
            comp["id"] = next_id
            used.add(next_id)
    return out


def message(
    world: World,
    *,
    message_id: int,
    channel_id: int,
    author: JSON,
    body: JSON,
    attachments: list[JSON],
    msg_type: int = 0,
    flags: int = 0,
    extra: JSON | None = None,
) -> JSON:
    content = body.get("content") or ""
    users, roles = mentions(world, content)
    data: JSON = {
        "id": str(message_id),
        "type": msg_type,
        "channel_id": str(channel_id),
        "author": dict(author),
        "content": content,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": False,
        "mentions": users,
        "mention_roles": roles,
        "attachments": attachments,
        "embeds": list(body.get("embeds") or []),
        "components": message_components(body.get("components")),
        "pinned": False,
        "flags": flags,
    }
    if body.get("nonce") is not None:
        data["nonce"] = body["nonce"]
    if body.get("message_reference"):
        data["message_reference"] = dict(body["message_reference"], channel_id=str(channel_id))
    if extra:
        data.update(extra)
    return data


def scheduled_event(event_id: int, guild_id: int, creator: JSON, body: JSON) -> JSON:
    channel_id = body.get("channel_id")
    return {
        "id": str(event_id),
        "guild_id": str(guild_id),
        "channel_id": None if channel_id is None else str(channel_id),
        "creator_id": creator["id"],
        "creator": copy.deepcopy(creator),
        "name": body.get("name"),
        "description": body.get("description"),
        "scheduled_start_time": body.get("scheduled_start_time"),
        "scheduled_end_time": body.get("scheduled_end_time"),
        "privacy_level": int(body.get("privacy_level", 2)),
        "status": 1,
        "entity_type": int(body.get("entity_type", 3)),
        "entity_id": None,
        "entity_metadata": body.get("entity_metadata"),
        "user_count": 0,
        "image": None,
        "recurrence_rule": body.get("recurrence_rule"),
        "guild_scheduled_event_exceptions": [],
    }


def ready(
    bot_user: JSON, guilds: list[Guild], session_id: str, resume_url: str, shard: list[int], application: JSON
) -> JSON:
    return {
        "v": 10,
        "user": copy.deepcopy(bot_user),
        "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
        "session_id": session_id,
        "resume_gateway_url": resume_url,
        "shard": shard,
        "application": application,
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "session_type": "normal",
    }


def voice_state(guild_id: int, channel_id: int, user_id: int) -> JSON:
    return {
        "guild_id": str(guild_id),
        "channel_id": str(channel_id),
        "user_id": str(user_id),
        "session_id": f"voice-{user_id}",
        "deaf": False,
        "mute": False,
        "self_deaf": False,
        "self_mute": False,
        "self_video": False,
        "self_stream": False,
        "suppress": False,
        "request_to_speak_timestamp": None,
    }
