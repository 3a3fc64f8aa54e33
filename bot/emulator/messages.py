"""Creating and editing messages the way Discord does (validation, permissions, nonces, files).

Shared by channel routes, interaction callbacks and webhook followups.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from . import payloads
from .rest import UploadedFile
from .state import JSON, THREAD_TYPES, P, StoredFile, now_iso, sid
from .validation import ApiError, validate_message

if TYPE_CHECKING:
    from .emulator import Emulator

NONCE_TTL = 300.0
_FILE_FIELD = re.compile(r"files\[(\d+)\]")
EPHEMERAL = 1 << 6
LOADING = 1 << 7
_SETTABLE_FLAGS = (1 << 2) | (1 << 12) | (1 << 15)
TEXT_TYPES = frozenset({0, 1, 2, 3, 5, 10, 11, 12, 13})


def _uploads(files: list[UploadedFile]) -> dict[int, UploadedFile]:
    out: dict[int, UploadedFile] = {}
    for position, upload in enumerate(files):
        m = _FILE_FIELD.fullmatch(upload.field)
        out[int(m.group(1)) if m else position] = upload
    return out


def attachments(
    emu: Emulator, channel_id: int, body: JSON, files: list[UploadedFile], existing: list[JSON] | None = None
) -> list[JSON]:
    """New uploads become attachments; on edit an ``attachments`` list says which existing ones stay."""
    uploads = _uploads(files)
    metas = body.get("attachments")
    out: list[JSON] = []
    used: set[int] = set()
    if metas is None:
        out = list(existing or [])
    else:
        known = {a["id"]: a for a in existing or []}
        for meta in metas:
            key = str(meta.get("id"))
            if key in known:
                out.append(known[key])
            elif key.isdigit() and int(key) in uploads:
                up = uploads[int(key)]
                used.add(int(key))
                out.append(emu.world.attachment(channel_id, StoredFile(up.filename, up.content_type, up.data), meta))
    for index, up in sorted(uploads.items()):
        if index not in used:
            out.append(emu.world.attachment(channel_id, StoredFile(up.filename, up.content_type, up.data), {}))
    return out


def check_send(emu: Emulator, channel_id: int, has_files: bool) -> None:
    """The bot's right to post in a channel (403s as Discord answers them)."""
    guild, channel = emu.world.channel(channel_id)
    if guild is None:
        recipient = sid(channel["recipients"][0])
        if recipient in emu.world.closed_dms:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        return
    if channel["type"] not in TEXT_TYPES:
        raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
    perms = guild.permissions_in(emu.bot_id, channel)
    if not perms & P.VIEW_CHANNEL:
        raise ApiError(403, 50001, "Missing Access")
    needed = P.SEND_MESSAGES_IN_THREADS if channel["type"] in THREAD_TYPES else P.SEND_MESSAGES
    if not perms & needed or (has_files and not perms & P.ATTACH_FILES):
        raise ApiError(403, 50013, "Missing Permissions")
    meta = channel.get("thread_metadata")
    if meta and meta.get("archived"):
        if meta.get("locked") and not perms & P.MANAGE_THREADS:
            raise ApiError(403, 50083, "Thread is archived")
        meta["archived"] = False


def create(
    emu: Emulator,
    channel_id: int,
    body: JSON,
    files: list[UploadedFile],
    *,
    check: bool = True,
    msg_type: int = 0,
    extra: JSON | None = None,
    ephemeral_to: int | None = None,
    extra_flags: int = 0,
    author: JSON | None = None,
    message_id: int | None = None,
) -> JSON:
    """Validate and store a message by the bot (or ``author``, with ``message_id`` when given); dispatch
    MESSAGE_CREATE."""
    world = emu.world
    guild, channel = world.channel(channel_id)
    validate_message(body, file_count=len(files))
    if check:
        check_send(emu, channel_id, bool(files))
    author = author or emu.bot_user
    nonce = body.get("nonce")
    key = (channel_id, sid(author), str(nonce))
    if nonce is not None and body.get("enforce_nonce"):
        seen = world.nonces.get(key)
        if seen and time.monotonic() - seen[1] < NONCE_TTL and seen[0] in world.messages:
            return world.messages[seen[0]]
    flags = (int(body.get("flags") or 0) & _SETTABLE_FLAGS) | extra_flags
    msg = payloads.message(
        world,
        message_id=world.ids.next() if message_id is None else message_id,
        channel_id=channel_id,
        author=author,
        body=body,
        attachments=attachments(emu, channel_id, body, files),
        msg_type=msg_type,
        flags=flags,
        extra=extra,
    )
    world.store_message(msg, ephemeral_to=ephemeral_to)
    if nonce is not None:
        world.nonces[key] = (int(msg["id"]), time.monotonic())
    if ephemeral_to is None:
        channel["last_message_id"] = msg["id"]
        if channel.get("type") in THREAD_TYPES:
            channel["message_count"] = channel.get("message_count", 0) + 1
            channel["total_message_sent"] = channel.get("total_message_sent", 0) + 1
        if guild is not None:
            event = dict(msg, guild_id=str(guild.id))
            if sid(author) in guild.members:
                event["member"] = payloads.member(world, guild, sid(author), with_user=False)
            emu.emit(guild.id, "MESSAGE_CREATE", event)
    return msg


def _guild_id(emu: Emulator, msg: JSON) -> int | None:
    """The guild of a message seen by others (None for a DM or an ephemeral message).

    A message's REST answer carries no ``guild_id``; its gateway events do.
    """
    if sid(msg["id"]) in emu.world.ephemeral_owner:
        return None
    return emu.world.channel_guild.get(sid(msg["channel_id"]))


def edit(emu: Emulator, msg: JSON, body: JSON, files: list[UploadedFile], *, keep_flags: int = 0) -> JSON:
    """Apply a PATCH body to a stored message; refuses an edit that leaves it empty."""
    validate_message(body, file_count=len(files), creating=False)
    channel_id = sid(msg["channel_id"])
    new = payloads.clone(msg)
    for field in ("content", "embeds", "components"):
        if field in body:
            default: Any = "" if field == "content" else []
            new[field] = payloads.clone(body[field]) if body[field] is not None else default
    new["components"] = payloads.message_components(new["components"])
    if "flags" in body and body["flags"] is not None:
        new["flags"] = (int(body["flags"]) & _SETTABLE_FLAGS) | (int(msg.get("flags", 0)) & EPHEMERAL) | keep_flags
    if "attachments" in body or files:
        new["attachments"] = attachments(emu, channel_id, body, files, existing=msg.get("attachments"))
    if "content" in body:
        users, roles = payloads.mentions(emu.world, new["content"])
        new["mentions"], new["mention_roles"] = users, roles
    if not (new["content"] or new["embeds"] or new["components"] or new["attachments"] or new.get("poll")):
        raise ApiError(400, 50006, "Cannot send an empty message")
    new["edited_timestamp"] = now_iso()
    msg.clear()
    msg.update(new)
    guild_id = _guild_id(emu, msg)
    if guild_id is not None:
        emu.emit(guild_id, "MESSAGE_UPDATE", dict(msg, guild_id=str(guild_id)))
    return msg


def delete(emu: Emulator, msg: JSON) -> None:
    guild_id = _guild_id(emu, msg)
    emu.world.delete_message(sid(msg["id"]))
    if guild_id is not None:
        emu.emit(
            guild_id,
            "MESSAGE_DELETE",
            {"id": msg["id"], "channel_id": msg["channel_id"], "guild_id": str(guild_id)},
        )
