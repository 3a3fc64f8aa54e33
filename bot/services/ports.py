"""What services need from Discord, as protocols; the Discord-facing layer implements them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class RoleGateway(Protocol):
    """Gives and takes member roles. Raises ``BotLacksPermission`` when Discord refuses the bot."""

    async def check_assignable(self, guild_id: int, role_id: int) -> None:
        """Raise ``InvalidInput`` or ``BotLacksPermission`` if the bot could not give this role to members."""

    async def add_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None: ...

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class SessionCard:
    """Everything the Discord side needs to show or run one session."""

    occurrence_id: int
    guild_id: int
    series_id: int
    title: str
    cohort_name: str
    cohort_channel_id: int
    timezone: str
    starts_at: datetime
    ends_at: datetime
    state: str
    capacity: int | None = None
    going: int = 0
    waitlisted: int = 0
    room_channel_id: int | None = None
    link: str | None = None
    cancel_reason: str | None = None
    announcement_channel_id: int | None = None
    announcement_message_id: int | None = None
    thread_id: int | None = None
    event_id: int | None = None


class Notice(StrEnum):
    """What a member is told about a session they RSVP'd to."""

    REMIND_24H = "remind_24h"
    REMIND_1H = "remind_1h"
    CANCELLED = "cancelled"
    MOVED = "moved"
    PROMOTED = "promoted"
    SURVEY = "survey"
    SURVEY_REMINDER = "survey_reminder"


@dataclass(frozen=True, slots=True)
class Announcement:
    channel_id: int
    message_id: int
    thread_id: int | None


@dataclass(frozen=True, slots=True)
class RoomOpened:
    thread_id: int | None
    in_voice: tuple[int, ...] = ()  # members already in the session's voice channel when it opened


class SessionGateway(Protocol):
    """The Discord side of running sessions. Methods raise on failures worth retrying."""

    async def announce(self, card: SessionCard, *, nonce: str) -> Announcement: ...

    async def refresh_announcement(self, card: SessionCard) -> None: ...

    async def upsert_event(self, card: SessionCard) -> int | None: ...

    async def cancel_event(self, card: SessionCard) -> None: ...

    async def open_room(self, card: SessionCard, *, nonce: str) -> RoomOpened: ...

    async def close_room(self, card: SessionCard) -> None: ...

    async def notify(
        self, card: SessionCard, user_id: int, notice: Notice, *, nonce: str | None = None, dm_channel_id: int | None
    ) -> int | None:
        """Tell one member by DM (in ``dm_channel_id`` when known). Returns the DM channel used, or ``None``
        when their DMs are closed."""
        ...

    async def post_survey(self, card: SessionCard, *, nonce: str) -> None:
        """Offer the survey (a "Give feedback" button) in the session thread."""
        ...

    async def alert_facilitators(self, card: SessionCard, channel_id: int) -> None:
        """Tell the facilitators privately that a feedback comment suggests someone may be at risk, without
        naming anyone."""
        ...

    async def open_dm(self, user_id: int) -> int:
        """The DM channel of a user (Discord makes it on first use)."""
        ...

    async def notify_in_thread(
        self, card: SessionCard, user_ids: Sequence[int], notice: Notice, *, nonce: str | None = None
    ) -> None:
        """Mention members in the session thread (the fallback for closed DMs)."""
        ...
