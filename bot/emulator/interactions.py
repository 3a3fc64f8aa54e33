"""Interactions in flight: what the bot answered (callback, followups, @original edits) and results.

Discord's rules: one callback per interaction, within 3 seconds of dispatch (404 10062 after,
400 40060 for a second one); the first followup after a type-5 deferral fills the deferred message
(keeping its ephemeral flag); tokens work for 15 minutes.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import messages, payloads
from .rest import Reply, UploadedFile
from .state import JSON, World, sid
from .validation import ApiError, Errors, validate_choices, validate_message, validate_modal

if TYPE_CHECKING:
    from .emulator import Emulator

TOKEN_TTL = 15 * 60.0
_ALLOWED = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
# Callback types whose answer has a ``resource``: the message they sent (4) or updated (7).
_WITH_RESOURCE = frozenset({4, 7})


@dataclass
class Pending:
    id: int
    token: str
    type: int
    guild_id: int
    channel_id: int
    user_id: int
    payload: JSON
    source_message_id: int | None = None
    trigger: Pending | None = None  # for a modal submit: the interaction that opened the modal
    dispatched_at: float = 0.0
    answer_by: float | None = None  # loop time after which Discord refuses a first answer (the app says it failed)
    callback_type: int | None = None
    original_id: int | None = None
    loading: bool = False
    resolved_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: JSON | None = None
    modal_submitted: bool = False
    choices: list[JSON] | None = None
    error: str | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    @property
    def resolved(self) -> bool:
        if self.callback_type is None:
            return False
        if self.callback_type == 5:
            return not self.loading
        if self.callback_type == 6:
            return self.resolved_id is not None
        return True

    async def wait(self, done: Any, within: float, what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not done():
            if self.error:
                raise AssertionError(f"interaction {self.id}: {self.error}")
            now = loop.time()
            answer_by = self.answer_by if self.callback_type is None else None
            if answer_by is not None and now > answer_by:
                raise InteractionFailed(f"interaction {self.id}: not answered within Discord's deadline")
            remaining = deadline - now
            if remaining <= 0:
                state = f"callback={self.callback_type}, loading={self.loading}, followups={len(self.followup_ids)}"
                raise AssertionError(f"interaction {self.id}: no {what} within {within:.1f}s ({state})")
            if answer_by is not None:
                remaining = min(remaining, answer_by - now + 0.001)
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                continue


class InteractionFailed(AssertionError):
    """Nothing answered the interaction within Discord's deadline: the member's app shows that it failed, and Discord
    would refuse an answer now."""


class InteractionResult:
    """What the user saw: the callback, the visible message after deferral, followups, a modal."""

    def __init__(self, world: World, pending: Pending) -> None:
        self._world = world
        self._pending = pending

    def __repr__(self) -> str:
        return (
            f"<InteractionResult id={self._pending.id} callback_type={self.callback_type} "
            f"ephemeral={self.ephemeral} content={self.content!r} custom_ids={self.custom_ids()}>"
        )

    @property
    def interaction(self) -> JSON:
        return self._pending.payload

    @property
    def id(self) -> int:
        return self._pending.id

    @property
    def callback_type(self) -> int | None:
        return self._pending.callback_type

    @property
    def message(self) -> JSON | None:
        mid = self._pending.resolved_id
        return None if mid is None else self._world.any_message(mid)

    @property
    def ephemeral(self) -> bool:
        msg = self.message
        return bool(msg and int(msg.get("flags", 0)) & messages.EPHEMERAL)

    @property
    def content(self) -> str:
        msg = self.message
        return str(msg.get("content") or "") if msg else ""

    @property
    def embeds(self) -> list[JSON]:
        msg = self.message
        return list(msg.get("embeds") or []) if msg else []

    @property
    def components(self) -> list[JSON]:
        msg = self.message
        return list(msg.get("components") or []) if msg else []

    @property
    def modal(self) -> JSON | None:
        return self._pending.modal

    @property
    def choices(self) -> list[JSON] | None:
        return self._pending.choices

    @property
    def followups(self) -> list[JSON]:
        found = (self._world.any_message(mid) for mid in self._pending.followup_ids)
        return [m for m in found if m is not None]

    async def wait_followups(self, n: int, timeout: float = 10.0) -> list[JSON]:  # noqa: ASYNC109
        await self._pending.wait(lambda: len(self._pending.followup_ids) >= n, timeout, f"{n} followup(s)")
        return self.followups

    def custom_ids(self, message: JSON | None = None) -> list[str]:
        msg = message if message is not None else self.message
        comps = (msg or {}).get("components") or []
        return [str(c["custom_id"]) for c in payloads.walk_components(comps) if c.get("custom_id")]


class InteractionStore:
    """Pending interactions by id and token, and Discord's answers to the bot's responses."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.by_id: dict[int, Pending] = {}
        self.by_token: dict[str, Pending] = {}

    def add(self, pending: Pending) -> None:
        self.by_id[pending.id] = pending
        self.by_token[pending.token] = pending

    def for_callback(self, interaction_id: str, token: str) -> Pending:
        pending = self.by_id.get(sid(interaction_id))
        if pending is None or pending.token != token:
            raise ApiError(404, 10062, "Unknown interaction")
        return pending

    def for_webhook(self, app_id: str, token: str) -> Pending:
        pending = self.by_token.get(token)
        if pending is None or sid(app_id) != self.emu.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        if asyncio.get_running_loop().time() - pending.dispatched_at > TOKEN_TTL:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if pending.callback_type is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        return pending

    @staticmethod
    def _fail(pending: Pending, exc: ApiError, what: str) -> None:
        pending.error = f"{what} rejected: {exc.status} {exc.body()}"
        pending.notify()

    def _metadata(self, pending: Pending) -> JSON:
        """The ``interaction_metadata`` of a message the interaction made; its fields depend on the interaction type:
        a message command names its target, a click the message clicked, a modal submit what opened the modal."""
        meta: JSON = {
            "id": str(pending.id),
            "type": pending.type,
            "user": dict(self.emu.world.user(pending.user_id)),
            "authorizing_integration_owners": {"0": str(pending.guild_id)},
        }
        data = pending.payload.get("data") or {}
        if pending.type == 2 and data.get("type") == 3:
            meta["target_message_id"] = str(data["target_id"])
        elif pending.type == 3 and pending.source_message_id is not None:
            meta["interacted_message_id"] = str(pending.source_message_id)
        elif pending.type == 5:
            meta["triggering_interaction_metadata"] = (
                self._metadata(pending.trigger) if pending.trigger is not None else self._forged_trigger(pending)
            )
        return meta

    def _forged_trigger(self, pending: Pending) -> JSON:
        """What opened a modal that no interaction opened (a test forging a submit): an unknown slash command, so
        the metadata keeps the shape Discord always gives it."""
        return {
            "id": str(self.emu.world.ids.next()),
            "type": 2,
            "user": dict(self.emu.world.user(pending.user_id)),
            "authorizing_integration_owners": {"0": str(pending.guild_id)},
        }

    def _extra(self, pending: Pending) -> JSON:
        app = str(self.emu.application_id)
        return {"webhook_id": app, "application_id": app, "interaction_metadata": self._metadata(pending)}

    def _post(self, pending: Pending, body: JSON, files: list[UploadedFile], channel_id: int | None = None) -> JSON:
        eph = int(body.get("flags") or 0) & messages.EPHEMERAL
        return messages.create(
            self.emu,
            channel_id or pending.channel_id,
            body,
            files,
            check=False,
            msg_type=20 if pending.type == 2 else 0,
            extra=self._extra(pending),
            ephemeral_to=pending.user_id if eph else None,
            extra_flags=eph,
        )

    # callback ----------------------------------------------------------------------------------
    def callback(self, pending: Pending, body: JSON, files: list[UploadedFile], with_response: bool) -> Any:
        try:
            return self._callback(pending, body, files, with_response)
        except ApiError as exc:
            self._fail(pending, exc, "callback")
            raise

    def _callback(self, pending: Pending, body: JSON, files: list[UploadedFile], with_response: bool) -> Any:
        if pending.callback_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if asyncio.get_running_loop().time() - pending.dispatched_at > self.emu.interaction_deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        ctype = body.get("type")
        data = body.get("data") or {}
        if ctype not in _ALLOWED.get(pending.type, set()) or (ctype == 7 and pending.source_message_id is None):
            errs = Errors()
            errs.add(
                ("type",),
                "INTERACTION_CALLBACK_TYPE_INVALID",
                f"Callback type {ctype} is not valid for interaction type {pending.type}",
            )
            errs.raise_if_any()
        msg: JSON | None = None
        eph = int(data.get("flags") or 0) & messages.EPHEMERAL
        if ctype == 4:
            msg = self._post(pending, data, files)
            pending.original_id = pending.resolved_id = sid(msg)
        elif ctype == 5:
            msg = payloads.message(
                self.emu.world,
                message_id=self.emu.world.ids.next(),
                channel_id=pending.channel_id,
                author=self.emu.bot_user,
                body={},
                attachments=[],
                msg_type=20 if pending.type == 2 else 0,
                flags=messages.LOADING | eph,
                extra=self._extra(pending),
            )
            self.emu.world.store_message(msg, ephemeral_to=pending.user_id if eph else None)
            pending.original_id, pending.loading = sid(msg), True
        elif ctype == 7:
            source = self.emu.world.messages[pending.source_message_id or 0]
            msg = messages.edit(self.emu, source, data, files)
            pending.resolved_id = sid(source)
        elif ctype == 8:
            validate_choices(data.get("choices"))
            pending.choices = list(data["choices"])
        elif ctype == 9:
            validate_modal(data)
            pending.modal = copy.deepcopy(data)
        pending.callback_type = int(ctype or 0)
        pending.notify()
        if not with_response:
            return Reply(None, 204)
        info: JSON = {"id": str(pending.id), "type": pending.type}
        if msg is not None:
            info.update(
                response_message_id=msg["id"],
                response_message_loading=ctype == 5,
                response_message_ephemeral=bool(int(msg["flags"]) & messages.EPHEMERAL),
            )
        if ctype not in _WITH_RESOURCE or msg is None:
            return {"interaction": info}
        return {"interaction": info, "resource": {"type": ctype, "message": msg}}

    # webhooks ----------------------------------------------------------------------------------
    def followup(self, pending: Pending, body: JSON, files: list[UploadedFile], thread_id: str | None) -> JSON:
        try:
            if pending.callback_type == 5 and pending.loading and pending.original_id is not None:
                validate_message(body, file_count=len(files))
                return self._finish_loading(pending, body, files)
            msg = self._post(pending, body, files, sid(thread_id) if thread_id else None)
        except ApiError as exc:
            self._fail(pending, exc, "followup")
            raise
        pending.followup_ids.append(sid(msg))
        if pending.callback_type == 6 and pending.resolved_id is None:
            pending.resolved_id = sid(msg)
        pending.notify()
        return msg

    def _finish_loading(self, pending: Pending, body: JSON, files: list[UploadedFile]) -> JSON:
        original = self.emu.world.messages[pending.original_id or 0]
        keep = int(original["flags"]) & messages.EPHEMERAL
        body = dict(body, flags=int(body.get("flags") or 0) & ~messages.EPHEMERAL)
        msg = messages.edit(self.emu, original, body, files, keep_flags=keep)
        msg["flags"] = int(msg["flags"]) & ~messages.LOADING
        msg["edited_timestamp"] = None
        pending.loading = False
        pending.resolved_id = sid(msg)
        pending.notify()
        return msg

    def message(self, pending: Pending, message_id: str) -> JSON:
        if message_id == "@original":
            if pending.callback_type in (4, 5):
                mid = pending.original_id
            elif pending.callback_type in (6, 7):
                mid = pending.source_message_id
            else:
                mid = None
        else:
            mid = sid(message_id)
            if mid not in pending.followup_ids and mid not in (pending.original_id, pending.source_message_id):
                mid = None
        msg = self.emu.world.messages.get(mid or 0)
        if msg is None:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def edit(self, pending: Pending, message_id: str, body: JSON, files: list[UploadedFile]) -> JSON:
        try:
            msg = self.message(pending, message_id)
            if pending.loading and sid(msg) == pending.original_id:
                return self._finish_loading(pending, body, files)
            msg = messages.edit(self.emu, msg, body, files)
        except ApiError as exc:
            self._fail(pending, exc, "edit")
            raise
        if message_id == "@original" and pending.callback_type == 6 and pending.resolved_id is None:
            pending.resolved_id = sid(msg)
        pending.notify()
        return msg

    def delete(self, pending: Pending, message_id: str) -> None:
        msg = self.message(pending, message_id)
        messages.delete(self.emu, msg)
        pending.notify()
