"""REST routes for guilds, channels in guilds, roles, members and guild scheduled events."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import payloads
from .rest import Call, Reply, Router
from .state import JSON, Guild, P, sid
from .validation import ApiError, Errors

if TYPE_CHECKING:
    from .emulator import Emulator

_EVENT_TRANSITIONS = {(1, 2), (1, 4), (2, 3)}


def _need(guild: Guild, emu: Emulator, bit: int) -> None:
    if not guild.base_permissions(emu.bot_id) & bit:
        raise ApiError(403, 50013, "Missing Permissions")


def check_role_change(emu: Emulator, guild: Guild, role_id: Any) -> JSON:
    """Discord's rules for giving or taking a role: MANAGE_ROLES and a higher top role."""
    role = guild.role(role_id)
    _need(guild, emu, P.MANAGE_ROLES)
    if sid(role) == guild.id:
        raise ApiError(400, 50028, "Invalid Role")
    if role.get("managed"):
        raise ApiError(403, 50013, "Missing Permissions")
    if guild.top_position(emu.bot_id) <= int(role["position"]):
        raise ApiError(403, 50013, "Missing Permissions")
    return role


def _parse_time(value: Any, path: str, errs: Errors) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        errs.add((path,), "DATE_TIME_TYPE_PARSE", "Could not parse datetime")
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _check_event(guild: Guild, body: JSON, current: JSON | None) -> None:
    errs = Errors()
    merged = dict(current or {}, **body)
    if current is None or "name" in body:
        errs.max_len(("name",), merged.get("name"), 100, minimum=1)
    errs.max_len(("description",), merged.get("description"), 1000)
    if int(merged.get("privacy_level", 2)) != 2:
        errs.add(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of (2,).")
    etype = int(merged.get("entity_type", 0))
    start = _parse_time(merged.get("scheduled_start_time"), "scheduled_start_time", errs)
    end = _parse_time(merged.get("scheduled_end_time"), "scheduled_end_time", errs)
    if start is None:
        errs.add(("scheduled_start_time",), "BASE_TYPE_REQUIRED", "This field is required")
    elif (current is None or "scheduled_start_time" in body) and start <= datetime.now(UTC):
        errs.add(("scheduled_start_time",), "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past.")
    if start and end and end <= start:
        errs.add(("scheduled_end_time",), "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "End time must be after start")
    if etype == 3:
        location = (merged.get("entity_metadata") or {}).get("location")
        errs.max_len(("entity_metadata", "location"), location, 100, minimum=1)
        if end is None:
            errs.add(("scheduled_end_time",), "BASE_TYPE_REQUIRED", "This field is required")
        if merged.get("channel_id") is not None:
            errs.add(("channel_id",), "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL", "Channel must be null")
    elif etype in (1, 2):
        cid = merged.get("channel_id")
        channel = guild.channels.get(sid(cid)) if cid is not None else None
        if channel is None or channel["type"] != (13 if etype == 1 else 2):
            errs.add(("channel_id",), "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL", "Invalid channel for this entity type")
    else:
        errs.add(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3).")
    errs.raise_if_any()


def register(router: Router, emu: Emulator) -> None:
    world = emu.world

    async def get_guild(call: Call) -> Any:
        guild = world.guild(call.params[0])
        data = payloads.guild_summary(guild)
        if call.flag("with_counts"):
            data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return data

    async def list_channels(call: Call) -> Any:
        return list(world.guild(call.params[0]).channels.values())

    async def create_channel(call: Call) -> Any:
        guild = world.guild(call.params[0])
        _need(guild, emu, P.MANAGE_CHANNELS)
        body = call.body()
        errs = Errors()
        errs.max_len(("name",), body.get("name"), 100, minimum=1)
        ctype = int(body.get("type") or 0)
        if ctype not in (0, 2, 4, 5, 13, 15, 16):
            errs.add(("type",), "BASE_TYPE_CHOICES", "Invalid channel type")
        parent = body.get("parent_id")
        if parent is not None and (guild.channels.get(sid(parent)) or {}).get("type") != 4:
            errs.add(("parent_id",), "CHANNEL_PARENT_INVALID_TYPE", "Parent must be a category")
        errs.raise_if_any()
        data = emu.create_channel(guild.id, str(body["name"]), type=ctype, parent_id=parent, extra=body)
        return Reply(data, 201)

    async def list_roles(call: Call) -> Any:
        return list(world.guild(call.params[0]).roles.values())

    async def get_role(call: Call) -> Any:
        return world.guild(call.params[0]).role(call.params[1])

    async def create_role(call: Call) -> Any:
        guild = world.guild(call.params[0])
        _need(guild, emu, P.MANAGE_ROLES)
        body = call.body()
        errs = Errors()
        errs.max_len(("name",), body.get("name"), 100)
        errs.raise_if_any()
        perms = int(body.get("permissions") or 0)
        if perms & ~guild.base_permissions(emu.bot_id):
            raise ApiError(403, 50013, "Missing Permissions")
        shifted = [r for r in guild.roles.values() if sid(r) != guild.id and int(r["position"]) >= 1]
        for other in shifted:
            other["position"] = int(other["position"]) + 1
        role = payloads.role(world.ids.next(), str(body.get("name") or "new role"), permissions=perms, position=1)
        for key in ("color", "hoist", "mentionable", "unicode_emoji"):
            if key in body:
                role[key] = body[key]
        guild.roles[sid(role)] = role
        emu.emit(guild.id, "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role})
        for other in shifted:
            emu.emit(guild.id, "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": other})
        return role

    async def edit_role(call: Call) -> Any:
        guild = world.guild(call.params[0])
        role = guild.role(call.params[1])
        _need(guild, emu, P.MANAGE_ROLES)
        if guild.top_position(emu.bot_id) <= int(role["position"]) and sid(role) != guild.id:
            raise ApiError(403, 50013, "Missing Permissions")
        body = call.body()
        for key in ("name", "color", "hoist", "mentionable", "unicode_emoji"):
            if key in body:
                role[key] = body[key]
        if "permissions" in body:
            role["permissions"] = str(int(body["permissions"]))
        emu.emit(guild.id, "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role})
        return role

    async def delete_role(call: Call) -> Any:
        guild = world.guild(call.params[0])
        role = check_role_change(emu, guild, call.params[1])
        del guild.roles[sid(role)]
        for member in guild.members.values():
            if role["id"] in member["roles"]:
                member["roles"].remove(role["id"])
        emu.emit(guild.id, "GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": role["id"]})
        return Reply(None, 204)

    async def get_member(call: Call) -> Any:
        guild = world.guild(call.params[0])
        return payloads.member(world, guild, emu.bot_id if call.params[1] == "@me" else sid(call.params[1]))

    async def list_members(call: Call) -> Any:
        guild = world.guild(call.params[0])
        after = int(call.query.get("after", 0))
        limit = max(1, min(1000, int(call.query.get("limit", 1))))
        ids = sorted(uid for uid in guild.members if uid > after)[:limit]
        return [payloads.member(world, guild, uid) for uid in ids]

    async def edit_member(call: Call) -> Any:
        guild = world.guild(call.params[0])
        user_id = emu.bot_id if call.params[1] == "@me" else sid(call.params[1])
        member = guild.member(user_id)
        body = call.body()
        if "roles" in body:
            wanted = {str(r) for r in body["roles"] or []}
            for role_id in wanted.symmetric_difference(member["roles"]):
                check_role_change(emu, guild, role_id)
            member["roles"] = sorted(wanted)
        if "nick" in body:
            if user_id != emu.bot_id:
                _need(guild, emu, 1 << 27)
            member["nick"] = body["nick"]
        emu.member_updated(guild.id, user_id)
        return payloads.member(world, guild, user_id)

    async def member_role(call: Call) -> Any:
        guild = world.guild(call.params[0])
        user_id = sid(call.params[1])
        member = guild.member(user_id)
        role = check_role_change(emu, guild, call.params[2])
        if call.method == "PUT" and role["id"] not in member["roles"]:
            member["roles"].append(role["id"])
        elif call.method == "DELETE" and role["id"] in member["roles"]:
            member["roles"].remove(role["id"])
        emu.member_updated(guild.id, user_id)
        return Reply(None, 204)

    def _event_out(event: JSON, call: Call) -> JSON:
        out = copy.deepcopy(event)
        if not call.flag("with_user_count"):
            out.pop("user_count", None)
        return out

    async def list_events(call: Call) -> Any:
        guild = world.guild(call.params[0])
        return [_event_out(e, call) for e in guild.scheduled_events.values() if e["status"] in (1, 2)]

    async def get_event(call: Call) -> Any:
        guild = world.guild(call.params[0])
        return _event_out(_event(guild, call.params[1]), call)

    def _event(guild: Guild, event_id: str) -> JSON:
        event = guild.scheduled_events.get(sid(event_id))
        if event is None:
            raise ApiError(404, 10070, "Unknown Guild Scheduled Event")
        return event

    async def create_event(call: Call) -> Any:
        guild = world.guild(call.params[0])
        _need(guild, emu, P.MANAGE_EVENTS)
        body = call.body()
        _check_event(guild, body, None)
        event = payloads.scheduled_event(world.ids.next(), guild.id, emu.bot_user, body)
        guild.scheduled_events[sid(event)] = event
        emu.emit(guild.id, "GUILD_SCHEDULED_EVENT_CREATE", event)
        return event

    async def edit_event(call: Call) -> Any:
        guild = world.guild(call.params[0])
        _need(guild, emu, P.MANAGE_EVENTS)
        event = _event(guild, call.params[1])
        body = call.body()
        if event["status"] in (3, 4):
            raise ApiError(400, 180000, "Cannot modify a finished event")
        new_status = int(body.get("status") or event["status"])
        if new_status != event["status"] and (event["status"], new_status) not in _EVENT_TRANSITIONS:
            errors = {
                "status": {
                    "_errors": [
                        {
                            "code": "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                            "message": "Invalid status transition",
                        }
                    ]
                }
            }
            raise ApiError(400, 50035, "Invalid Form Body", errors)
        fields = {k: v for k, v in body.items() if k != "status"}
        if fields:
            _check_event(guild, fields, event)
        for key in (
            "name",
            "description",
            "scheduled_start_time",
            "scheduled_end_time",
            "entity_metadata",
            "channel_id",
            "privacy_level",
            "entity_type",
            "recurrence_rule",
        ):
            if key in body:
                event[key] = body[key]
        if "status" in body:
            event["status"] = int(body["status"])
        emu.emit(guild.id, "GUILD_SCHEDULED_EVENT_UPDATE", event)
        return event

    async def delete_event(call: Call) -> Any:
        guild = world.guild(call.params[0])
        _need(guild, emu, P.MANAGE_EVENTS)
        event = guild.scheduled_events.pop(sid(_event(guild, call.params[1])))
        emu.emit(guild.id, "GUILD_SCHEDULED_EVENT_DELETE", event)
        return Reply(None, 204)

    async def event_users(call: Call) -> Any:
        _event(world.guild(call.params[0]), call.params[1])
        return []

    async def active_threads(call: Call) -> Any:
        guild = world.guild(call.params[0])
        threads = [t for t in guild.threads.values() if not t["thread_metadata"]["archived"]]
        members = [
            payloads.thread_member(int(t["id"]), emu.bot_id)
            for t in threads
            if emu.bot_id in world.thread_members.get(int(t["id"]), set())
        ]
        return {"threads": threads, "members": members, "has_more": False}

    router.add("GET", "/guilds/{id}/threads/active", active_threads)
    router.add("GET", "/guilds/{id}", get_guild)
    router.add("GET", "/guilds/{id}/channels", list_channels)
    router.add("POST", "/guilds/{id}/channels", create_channel)
    router.add("GET", "/guilds/{id}/roles", list_roles)
    router.add("POST", "/guilds/{id}/roles", create_role)
    router.add("GET", "/guilds/{id}/roles/{id}", get_role)
    router.add("PATCH", "/guilds/{id}/roles/{id}", edit_role)
    router.add("DELETE", "/guilds/{id}/roles/{id}", delete_role)
    router.add("GET", "/guilds/{id}/members", list_members)
    router.add("GET", "/guilds/{id}/members/{user}", get_member)
    router.add("PATCH", "/guilds/{id}/members/{user}", edit_member)
    router.add("PUT", "/guilds/{id}/members/{id}/roles/{id}", member_role)
    router.add("DELETE", "/guilds/{id}/members/{id}/roles/{id}", member_role)
    router.add("GET", "/guilds/{id}/scheduled-events", list_events)
    router.add("POST", "/guilds/{id}/scheduled-events", create_event)
    router.add("GET", "/guilds/{id}/scheduled-events/{id}", get_event)
    router.add("PATCH", "/guilds/{id}/scheduled-events/{id}", edit_event)
    router.add("DELETE", "/guilds/{id}/scheduled-events/{id}", delete_event)
    router.add("GET", "/guilds/{id}/scheduled-events/{id}/users", event_users)
