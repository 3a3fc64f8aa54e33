"""What services need from Discord, as protocols; the Discord-facing layer implements them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.language import DEFAULT_LANGUAGE, ChannelPosts, Language, SessionMedium
from bot.domain.lifecycle import SessionState


class RoleGateway(Protocol):
    """Gives and takes member roles. Raises ``BotLacksPermission`` when Discord refuses the bot."""

    async def check_assignable(self, guild_id: int, role_id: int) -> None:
        """Raise ``InvalidInput`` or ``BotLacksPermission`` if the bot could not give this role to members."""

    async def add_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None: ...

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None: ...

    async def has_role(self, guild_id: int, role_id: int) -> bool:
        """Whether the role still exists in the guild (an admin may have deleted it)."""
        ...

    async def create_role(self, guild_id: int, name: str, *, reason: str) -> int:
        """Make a plain role (no permissions, not mentionable, not hoisted) and return its ID."""
        ...


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
    state: SessionState
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
    moved_from: datetime | None = None  # the start before a move, for the notice that tells people of it
    medium: SessionMedium | None = None  # held in Welsh or bilingually; None: in English


class Notice(StrEnum):
    """What a member is told about a session they RSVP'd to."""

    REMIND_24H = "remind_24h"
    REMIND_1H = "remind_1h"
    CANCELLED = "cancelled"
    MOVED = "moved"
    CHANGED = "changed"  # where it meets or how long it lasts changed (its series was edited)
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

    async def close_room(self, card: SessionCard, *, was_open: bool) -> None:
        """Archive the session's thread; thank those who came only if its room was open (not after downtime
        that spanned the whole session)."""
        ...

    async def rename_thread(self, card: SessionCard) -> None:
        """Name the session thread (``card.thread_id``) after the session's title and time, e.g. after a move."""
        ...

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
        """Tell one member by DM (in ``dm_channel_id`` when known), in their ``language``; at their
        ``first_contact`` with Cwtch, offer them the choice of language too. Returns the DM channel used, or
        ``None`` when their DMs are closed."""
        ...

    async def post_survey(self, card: SessionCard, *, nonce: str) -> None:
        """Offer the survey (a "Give feedback" button) in the session thread."""
        ...

    async def open_dm(self, user_id: int) -> int:
        """The DM channel of a user (Discord makes it on first use)."""
        ...

    async def notify_in_thread(
        self, card: SessionCard, user_ids: Sequence[int], notice: Notice, *, nonce: str | None = None
    ) -> None:
        """Mention members in the session thread (the fallback for closed DMs)."""
        ...


class SafetyGateway(Protocol):
    """Posts safety alerts to a guild's private facilitators' channel."""

    async def message_reported(self, guild_id: int, channel_id: int, jump_url: str, reporter_id: int) -> None:
        """Tell the facilitators (in ``channel_id``) which message a member reported, by its link and the
        reporter's mention, never its text. Raises ``BotLacksPermission`` when Discord refuses the bot."""
        ...


@dataclass(frozen=True, slots=True)
class PostLink:
    """A forum post to link to in the digest: a resource or a "what works" thread."""

    title: str
    thread_id: int


@dataclass(frozen=True, slots=True)
class WeeklyDigest:
    """What was new in a guild's community in one week (Monday to Sunday, local dates), and the older "what
    works" posts that members wrote in that week (``active``, the most recent first)."""

    guild_id: int
    first_day: date
    last_day: date
    resources: tuple[PostLink, ...]
    what_works: tuple[PostLink, ...]
    joins: int
    active: tuple[PostLink, ...] = ()


class CommunityGateway(Protocol):
    """The Discord side of the community: "what works" forum posts and the weekly digest."""

    async def post_what_works(self, guild_id: int, forum_id: int, title: str, content: str) -> int:
        """Start a post tagged "What works" in the resources forum; returns its thread ID. Raises
        ``NotConfigured`` when the forum is gone and ``BotLacksPermission`` when Discord refuses the bot."""
        ...

    async def post_digest(
        self, channel_id: int, digest: WeeklyDigest, *, nonce: str, posts: ChannelPosts = ChannelPosts.EN
    ) -> None:
        """Post the digest in the announcements channel, written as the server's ``posts`` say; raises on failures
        worth retrying."""
        ...

    async def thread_activity(self, guild_id: int, thread_ids: Collection[int]) -> dict[int, datetime]:
        """When the last message of each of ``thread_ids`` that is still active (not archived) was posted (aware
        UTC), in one request for the whole guild; archived or deleted threads are left out. Raises on failure."""
        ...

    async def delete_post(self, thread_id: int) -> None:
        """Delete a "what works" post (its author erased their data); a post already gone is not an error."""
        ...


@dataclass(frozen=True, slots=True)
class ResourceCard:
    """A wellbeing resource as Discord shows it: a forum post, a search result, a facilitators' review card."""

    id: int
    guild_id: int
    title: str
    url: str
    summary: str
    tags: tuple[str, ...]
    thread_id: int | None = None
    suggested_by: int | None = None


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """What a facilitator decided about a member's suggestion."""

    approved: bool
    reviewer_id: int
    reason: str | None = None  # why it was declined, when the facilitator said


class ResourceGateway(Protocol):
    """The Discord side of resources: forum posts, review cards and the suggester's DM."""

    async def check_forum(self, guild_id: int, channel_id: int) -> None:
        """Raise ``NotConfigured`` unless ``channel_id`` is a forum channel of the guild that the bot can see."""
        ...

    async def post_resource(self, forum_id: int, card: ResourceCard, *, posts: ChannelPosts = ChannelPosts.EN) -> int:
        """Make the forum post with its tags (created on the forum if missing) and its Open button, written as the
        server's ``posts`` say; returns the post's thread ID. Raises ``BotLacksPermission`` or ``NotConfigured``
        when Discord refuses."""
        ...

    async def post_review(self, channel_id: int, card: ResourceCard, *, posts: ChannelPosts = ChannelPosts.EN) -> int:
        """Post a suggestion's review card (Approve / Decline) in the facilitators' channel; returns its ID."""
        ...

    async def close_review(
        self,
        channel_id: int,
        message_id: int,
        card: ResourceCard,
        outcome: ReviewOutcome,
        *,
        member_told: bool,
        posts: ChannelPosts = ChannelPosts.EN,
    ) -> None:
        """Show on the review card what was decided, without its buttons."""
        ...

    async def tell_suggester(
        self,
        card: ResourceCard,
        outcome: ReviewOutcome,
        *,
        dm_channel_id: int | None,
        language: Language = DEFAULT_LANGUAGE,
    ) -> int | None:
        """DM the member who suggested the resource, in their ``language``. Returns the DM channel used, or
        ``None`` when their DMs are closed."""
        ...

    async def thank_in_post(self, card: ResourceCard, user_id: int, *, posts: ChannelPosts = ChannelPosts.EN) -> None:
        """The fallback for closed DMs: thank the member, by mention, in the resource's forum post."""
        ...
