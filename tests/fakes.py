"""Fakes of the service ports, for service tests that run without Discord."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.domain.errors import BotLacksPermission, InvalidInput
from bot.domain.language import DEFAULT_LANGUAGE, ChannelPosts, Language
from bot.services.ports import Announcement, Notice, RoomOpened, SessionCard, WeeklyDigest


class FakeRoleGateway:
    """Records role changes; roles in ``unassignable`` are refused like Discord refuses a too-high role."""

    def __init__(self, *, known_roles: set[int] | None = None, unassignable: set[int] | None = None) -> None:
        self.known_roles = known_roles
        self.unassignable = unassignable or set()
        self.members: dict[tuple[int, int], set[int]] = {}
        self.created: list[tuple[int, str]] = []
        self.may_answer = asyncio.Event()  # clear it to hold role changes "at Discord" until it is set again
        self.may_answer.set()
        self.answering = asyncio.Event()  # set while a role change waits for Discord

    async def _discord(self) -> None:
        self.answering.set()
        await self.may_answer.wait()

    async def check_assignable(self, guild_id: int, role_id: int) -> None:
        if self.known_roles is not None and role_id not in self.known_roles:
            raise InvalidInput("I can't find that role in this server.")
        if role_id in self.unassignable:
            raise BotLacksPermission("My role is below that role.")

    async def add_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None:
        await self._discord()
        if role_id in self.unassignable:
            raise BotLacksPermission("Discord didn't let me give you this cohort's role.")
        self.members.setdefault((guild_id, user_id), set()).add(role_id)

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None:
        await self._discord()
        if role_id in self.unassignable:
            raise BotLacksPermission("Discord didn't let me take this cohort's role away.")
        self.members.get((guild_id, user_id), set()).discard(role_id)

    def roles_of(self, guild_id: int, user_id: int) -> set[int]:
        return self.members.get((guild_id, user_id), set())

    async def has_role(self, guild_id: int, role_id: int) -> bool:
        return self.known_roles is None or role_id in self.known_roles

    async def create_role(self, guild_id: int, name: str, *, reason: str) -> int:
        role_id = 800000 + len(self.created)
        self.created.append((guild_id, name))
        if self.known_roles is not None:
            self.known_roles.add(role_id)
        return role_id


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def set(self, now: datetime) -> None:
        self.now = now


class FakeSessionGateway:
    """Records what the services asked Discord to do; DMs to ``closed_dms`` are refused."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, Any]] = []
        self.closed_dms: set[int] = set()
        self.fail_next: int = 0
        self.in_voice: list[int] = []
        self.dm_languages: list[tuple[int, Notice, Language]] = []  # each DM's recipient, notice and language
        self.first_contacts: list[int] = []  # those offered the choice of language in a DM
        self._ids = 5000

    def _next(self) -> int:
        self._ids += 1
        return self._ids

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("Discord is having a moment")

    def of(self, name: str) -> list[tuple[int, Any]]:
        return [(occurrence_id, detail) for call, occurrence_id, detail in self.calls if call == name]

    async def announce(self, card: SessionCard, *, nonce: str) -> Announcement:
        self._maybe_fail()
        self.calls.append(("announce", card.occurrence_id, nonce))
        return Announcement(channel_id=card.cohort_channel_id, message_id=self._next(), thread_id=self._next())

    async def refresh_announcement(self, card: SessionCard) -> None:
        self.calls.append(("refresh", card.occurrence_id, (card.state, card.going, card.waitlisted)))

    async def upsert_event(self, card: SessionCard) -> int | None:
        self._maybe_fail()
        self.calls.append(("event", card.occurrence_id, card.starts_at))
        return card.event_id or self._next()

    async def cancel_event(self, card: SessionCard) -> None:
        self.calls.append(("cancel_event", card.occurrence_id, card.event_id))

    async def open_room(self, card: SessionCard, *, nonce: str) -> RoomOpened:
        self._maybe_fail()
        self.calls.append(("open", card.occurrence_id, nonce))
        return RoomOpened(card.thread_id or self._next(), tuple(self.in_voice))

    async def close_room(self, card: SessionCard, *, was_open: bool) -> None:
        self.calls.append(("close", card.occurrence_id, "thanked" if was_open else None))

    async def rename_thread(self, card: SessionCard) -> None:
        self.calls.append(("rename", card.occurrence_id, (card.thread_id, card.starts_at)))

    async def notify(
        self,
        card: SessionCard,
        user_id: int,
        notice: Notice,
        *,
        nonce: str | None = None,
        dm_channel_id: int | None,
        language: Language = DEFAULT_LANGUAGE,
        first_contact: bool = False,
    ) -> int | None:
        self._maybe_fail()
        if user_id in self.closed_dms:
            return None
        self.calls.append(("dm", card.occurrence_id, (user_id, notice)))
        self.dm_languages.append((user_id, notice, language))
        if first_contact:
            self.first_contacts.append(user_id)
        return dm_channel_id or await self.open_dm(user_id)

    async def post_survey(self, card: SessionCard, *, nonce: str) -> None:
        self.calls.append(("survey", card.occurrence_id, nonce))

    async def open_dm(self, user_id: int) -> int:
        self.calls.append(("open_dm", 0, user_id))
        return 700000 + user_id

    async def notify_in_thread(
        self, card: SessionCard, user_ids: Sequence[int], notice: Notice, *, nonce: str | None = None
    ) -> None:
        self.calls.append(("thread", card.occurrence_id, (tuple(user_ids), notice)))


class FakeCommunityGateway:
    """Records "what works" posts and digests; ``fail_digests`` makes the next digest sends fail.

    ``last_messages`` (thread ID to the time of its last message) are the guilds' active threads;
    ``fail_activity`` makes asking for them fail; ``activity_requests`` records each ask (guild, thread IDs).
    """

    def __init__(self) -> None:
        self.posts: list[tuple[int, int, str, str]] = []  # guild, forum, title, content
        self.digests: list[tuple[int, WeeklyDigest, str]] = []  # channel, digest, nonce
        self.fail_digests = 0
        self.slow_digest = 0.0
        self.deleted: list[int] = []  # thread IDs of deleted posts
        self.last_messages: dict[int, datetime] = {}
        self.fail_activity = False
        self.activity_requests: list[tuple[int, set[int]]] = []
        self.written: list[ChannelPosts] = []  # how each digest asked for was written

    async def post_what_works(self, guild_id: int, forum_id: int, title: str, content: str) -> int:
        self.posts.append((guild_id, forum_id, title, content))
        return 600000 + len(self.posts)

    async def delete_post(self, thread_id: int) -> None:
        self.deleted.append(thread_id)

    async def post_digest(
        self, channel_id: int, digest: WeeklyDigest, *, nonce: str, posts: ChannelPosts = ChannelPosts.EN
    ) -> None:
        self.written.append(posts)
        if self.slow_digest:
            await asyncio.sleep(self.slow_digest)
        if self.fail_digests:
            self.fail_digests -= 1
            raise RuntimeError("Discord is having a moment")
        self.digests.append((channel_id, digest, nonce))

    async def thread_activity(self, guild_id: int, thread_ids: Collection[int]) -> dict[int, datetime]:
        self.activity_requests.append((guild_id, set(thread_ids)))
        if self.fail_activity:
            raise RuntimeError("Discord is having a moment")
        return {thread_id: at for thread_id, at in self.last_messages.items() if thread_id in thread_ids}
