"""REST routes for channels, messages, threads, forum posts and DMs."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import messages, payloads
from .rest import Call, Reply, Router
from .state import JSON, THREAD_TYPES, Guild, P, sid
from .validation import ApiError, Errors, validate_message

if TYPE_CHECKING:
    from .emulator import Emulator

_CHANNEL_FIELDS = (
    "name",
    "topic",
    "nsfw",
    "rate_limit_per_user",
    "position",
    "parent_id",
    "bitrate",
    "user_limit",
    "default_auto_archive_duration",
    "default_thread_rate_limit_per_user",
    "flags",
    "default_reaction_emoji",
    "default_sort_order",
    "default_forum_layout",
    "rtc_region",
)


def _require(guild: Guild, emu: Emulator, channel: JSON | None, bit: int) -> None:
    perms = guild.permissions_in(emu.bot_id, channel)
    if channel is not None and not perms & P.VIEW_CHANNEL:
        raise ApiError(403, 50001, "Missing Access")
    if not perms & bit:
        raise ApiError(403, 50013, "Missing Permissions")


def _tags(channel: JSON, tags: list[JSON], world_next: Any) -> list[JSON]:
    errs = Errors()
    if len(tags) > 20:
        errs.add(("available_tags",), "BASE_TYPE_MAX_LENGTH", "Must be 20 or fewer in length.")
    known = {t["id"] for t in channel.get("available_tags", [])}
    out = []
    for i, tag in enumerate(tags):
        errs.max_len(("available_tags", i, "name"), tag.get("name"), 20, minimum=1)
        tag_id = str(tag["id"]) if tag.get("id") and str(tag["id"]) in known else str(world_next())
        out.append(
            {
                "id": tag_id,
                "name": tag.get("name"),
                "moderated": bool(tag.get("moderated", False)),
                "emoji_id": tag.get("emoji_id"),
                "emoji_name": tag.get("emoji_name"),
            }
        )
    errs.raise_if_any()
    return out


def register(router: Router, emu: Emulator) -> None:
    world = emu.world

    async def get_channel(call: Call) -> Any:
        return world.channel(call.params[0])[1]

    async def patch_channel(call: Call) -> Any:
        guild, channel = world.channel(call.params[0])
        if guild is None:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        body = call.body()
        is_thread = channel["type"] in THREAD_TYPES
        if not (is_thread and sid(channel["owner_id"]) == emu.bot_id):
            _require(guild, emu, channel, P.MANAGE_THREADS if is_thread else P.MANAGE_CHANNELS)
        errs = Errors()
        if "name" in body:
            errs.max_len(("name",), body["name"], 100, minimum=1)
        errs.raise_if_any()
        for key in _CHANNEL_FIELDS:
            if key in body:
                channel[key] = body[key]
        if "permission_overwrites" in body:
            channel["permission_overwrites"] = [payloads.normalise_overwrite(o) for o in body["permission_overwrites"]]
        if "available_tags" in body and channel["type"] in (15, 16):
            channel["available_tags"] = _tags(channel, body["available_tags"] or [], world.ids.next)
        if is_thread:
            meta = channel["thread_metadata"]
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    meta[key] = body[key]
            if "archived" in body:
                meta["archive_timestamp"] = payloads.now_iso()
            if "applied_tags" in body:
                channel["applied_tags"] = [str(t) for t in body["applied_tags"]]
        emu.emit(guild.id, "THREAD_UPDATE" if is_thread else "CHANNEL_UPDATE", channel)
        return channel

    async def delete_channel(call: Call) -> Any:
        guild, channel = world.channel(call.params[0])
        if guild is None:
            return channel
        is_thread = channel["type"] in THREAD_TYPES
        _require(guild, emu, channel, P.MANAGE_THREADS if is_thread else P.MANAGE_CHANNELS)
        cid = sid(channel)
        (guild.threads if is_thread else guild.channels).pop(cid, None)
        world.channel_guild.pop(cid, None)
        if is_thread:
            emu.emit(guild.id, "THREAD_DELETE", {k: channel[k] for k in ("id", "guild_id", "parent_id", "type")})
        else:
            emu.emit(guild.id, "CHANNEL_DELETE", channel)
        return channel

    async def list_messages(call: Call) -> Any:
        guild, channel = world.channel(call.params[0])
        if guild is not None:
            _require(guild, emu, channel, P.READ_MESSAGE_HISTORY)
        history = list(reversed(world.channel_history(sid(channel))))
        limit = max(1, min(100, int(call.query.get("limit", 50))))
        if "before" in call.query:
            history = [m for m in history if int(m["id"]) < int(call.query["before"])]
        if "after" in call.query:
            history = sorted(
                (m for m in history if int(m["id"]) > int(call.query["after"])), key=lambda m: int(m["id"])
            )
            return list(reversed(history[:limit]))
        return history[:limit]

    async def post_message(call: Call) -> Any:
        return messages.create(emu, sid(call.params[0]), call.body(), call.files)

    async def get_message(call: Call) -> Any:
        return world.message(call.params[0], call.params[1])

    async def patch_message(call: Call) -> Any:
        msg = world.message(call.params[0], call.params[1])
        if sid(msg["author"]) != emu.bot_id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        return messages.edit(emu, msg, call.body(), call.files)

    async def delete_message(call: Call) -> Any:
        guild, channel = world.channel(call.params[0])
        msg = world.message(call.params[0], call.params[1])
        if sid(msg["author"]) != emu.bot_id and guild is not None:
            _require(guild, emu, channel, P.MANAGE_MESSAGES)
        messages.delete(emu, msg)
        return Reply(None, 204)

    def _new_thread(guild: Guild, parent: JSON, body: JSON, ctype: int, thread_id: int | None = None) -> JSON:
        errs = Errors()
        errs.max_len(("name",), body.get("name"), 100, minimum=1)
        applied = [str(t) for t in body.get("applied_tags") or []]
        if parent["type"] in (15, 16):
            known = {t["id"] for t in parent.get("available_tags", [])}
            if len(applied) > 5:
                errs.add(("applied_tags",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
            for i, tag in enumerate(applied):
                if tag not in known:
                    errs.add(("applied_tags", i), "UNKNOWN_TAG", f"Unknown tag {tag}")
            if int(parent.get("flags", 0)) & (1 << 4) and not applied:
                errs.add(("applied_tags",), "BASE_TYPE_REQUIRED", "A tag is required to create a forum post")
        errs.raise_if_any()
        if parent["type"] not in (0, 5, 15, 16):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        bit = P.CREATE_PRIVATE_THREADS if ctype == 12 else P.CREATE_PUBLIC_THREADS
        if parent["type"] in (15, 16):
            bit = P.SEND_MESSAGES
        _require(guild, emu, parent, bit)
        data = payloads.thread(
            thread_id or world.ids.next(),
            guild.id,
            parent,
            emu.bot_id,
            str(body["name"]),
            ctype,
            auto_archive=int(body.get("auto_archive_duration") or 1440),
            applied_tags=applied,
            invitable=bool(body.get("invitable", True)),
        )
        data["member"] = payloads.thread_member(sid(data), emu.bot_id)
        data["rate_limit_per_user"] = int(body.get("rate_limit_per_user") or 0)
        guild.threads[sid(data)] = data
        world.channel_guild[sid(data)] = guild.id
        world.thread_members[sid(data)] = {emu.bot_id}
        emu.emit(guild.id, "THREAD_CREATE", dict(data, newly_created=True))
        return data

    async def create_thread(call: Call) -> Any:
        guild, parent = world.channel(call.params[0])
        if guild is None:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        body = call.body()
        if parent["type"] in (15, 16):
            first = body.get("message")
            if not isinstance(first, dict):
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {"message": {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "required"}]}},
                )
            validate_message(first, file_count=len(call.files))
            thread = _new_thread(guild, parent, body, 11)
            msg = messages.create(emu, sid(thread), first, call.files, check=False)
            thread["last_message_id"] = msg["id"]
            return Reply(dict(thread, message=msg), 201)
        ctype = int(body.get("type") or 12)
        return Reply(_new_thread(guild, parent, body, ctype), 201)

    async def thread_from_message(call: Call) -> Any:
        guild, parent = world.channel(call.params[0])
        msg = world.message(call.params[0], call.params[1])
        if guild is None:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        if msg.get("thread"):
            raise ApiError(400, 160004, "A thread has already been created for this message")
        thread = _new_thread(guild, parent, call.body(), 10 if parent["type"] == 5 else 11, thread_id=sid(msg))
        msg["thread"] = copy.deepcopy(thread)
        return Reply(thread, 201)

    async def thread_member(call: Call) -> Any:
        guild, thread = world.channel(call.params[0])
        if guild is None or thread["type"] not in THREAD_TYPES:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        user = emu.bot_id if call.params[1] == "@me" else sid(call.params[1])
        guild.member(user)
        members = world.thread_members.setdefault(sid(thread), set())
        if call.method == "PUT":
            members.add(user)
        else:
            members.discard(user)
        thread["member_count"] = len(members)
        emu.emit(
            guild.id,
            "THREAD_MEMBERS_UPDATE",
            {"id": thread["id"], "guild_id": str(guild.id), "member_count": thread["member_count"]},
        )
        return Reply(None, 204)

    async def open_dm(call: Call) -> Any:
        recipient = call.body().get("recipient_id")
        try:
            user = world.user(recipient)
        except ApiError:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {"recipient_id": {"_errors": [{"code": "USER_NOT_FOUND", "message": "Unknown user"}]}},
            ) from None
        uid = sid(user)
        if uid not in world.dm_by_user:
            cid = world.ids.next()
            world.dm_channels[cid] = {
                "id": str(cid),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [copy.deepcopy(user)],
            }
            world.dm_by_user[uid] = cid
        return world.dm_channels[world.dm_by_user[uid]]

    async def archived_threads(call: Call) -> Any:
        guild, parent = world.channel(call.params[0])
        if guild is None:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        found = [
            t
            for t in guild.threads.values()
            if t["parent_id"] == parent["id"] and t["type"] == 11 and t["thread_metadata"]["archived"]
        ]
        return {"threads": found, "members": [], "has_more": False}

    router.add("GET", "/channels/{id}/threads/archived/public", archived_threads)
    router.add("GET", "/channels/{id}", get_channel)
    router.add("PATCH", "/channels/{id}", patch_channel)
    router.add("DELETE", "/channels/{id}", delete_channel)
    router.add("GET", "/channels/{id}/messages", list_messages)
    router.add("POST", "/channels/{id}/messages", post_message)
    router.add("GET", "/channels/{id}/messages/{id}", get_message)
    router.add("PATCH", "/channels/{id}/messages/{id}", patch_message)
    router.add("DELETE", "/channels/{id}/messages/{id}", delete_message)
    router.add("POST", "/channels/{id}/threads", create_thread)
    router.add("POST", "/channels/{id}/messages/{id}/threads", thread_from_message)
    router.add("PUT", "/channels/{id}/thread-members/{user}", thread_member)
    router.add("DELETE", "/channels/{id}/thread-members/{user}", thread_member)
    router.add("POST", "/users/@me/channels", open_dm)
