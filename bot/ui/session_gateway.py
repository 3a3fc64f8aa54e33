"""The Discord side of running sessions (implements ``SessionGateway``): announcements with RSVP buttons,
scheduled events, session threads, DMs with a thread fallback. Fan-out is paced under Discord's global limit.

DMs are in their recipient's language (the services say which); what a channel shows (announcements, scheduled
events, the session thread) is written as the server's channel posts ask: Welsh, English, or both, Welsh first."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

import discord
from babel.dates import format_datetime

from bot.domain.language import DEFAULT_LANGUAGE, N_, ChannelPosts, Language
from bot.domain.lifecycle import SessionState
from bot.services.ports import Announcement, Notice, RoomOpened, SessionCard
from bot.ui.feedback import feedback_view
from bot.ui.language import OFFER, language_view
from bot.ui.session_embeds import MEDIUM_WORDS, announcement_embed, in_voice, notice_text, say
from bot.ui.session_items import check_in_view, rsvp_view

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week
EVENT_EXTERNAL, EVENT_STAGE, EVENT_VOICE = 3, 1, 2
EVENT_SCHEDULED, EVENT_CANCELLED = 1, 4
GUILD_ONLY = 2
THREAD_ALREADY_CREATED = 160004  # Discord's code for starting a second thread on one message
EVENT_ALREADY_FINISHED = 180000  # Discord's code for editing an event that ended or was cancelled
THREAD_ARCHIVED = 50083  # Discord's code for editing an archived thread
MENTIONS_PER_MESSAGE = 50
MESSAGE_MAX = 2000  # characters of a message's content
MENTION_MAX = 23  # "<@" + a snowflake of up to 20 digits + ">" and a space
SURVEY_NOTICES = (Notice.SURVEY, Notice.SURVEY_REMINDER)


class Pacer:
    """Spaces requests so a burst stays under ``per_second`` (Discord's global limit is 50/s per bot)."""

    def __init__(self, per_second: float = 45.0) -> None:
        self._interval = 1.0 / per_second
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            await asyncio.sleep(delay)


class DiscordSessionGateway:
    def __init__(self, client: CwtchBot, pacer: Pacer | None = None) -> None:
        self._client = client
        self._pacer = pacer or Pacer()

    def _channel(self, channel_id: int, guild_id: int | None = None) -> discord.PartialMessageable:
        return self._client.get_partial_messageable(channel_id, guild_id=guild_id)

    async def _posts(self, guild_id: int) -> ChannelPosts:
        """How the server's channel posts are written (kept in memory by its settings, so this costs nothing)."""
        return await self._client.services.languages.channel_posts(guild_id)

    async def announce(self, card: SessionCard, *, nonce: str) -> Announcement:
        posts = await self._posts(card.guild_id)
        await self._pacer.wait()
        message = await self._channel(card.cohort_channel_id, card.guild_id).send(
            embed=announcement_embed(card, posts), view=rsvp_view(card.occurrence_id, posts), nonce=nonce
        )
        thread_id = card.thread_id
        if thread_id is None:
            try:
                thread = await self._client.http.start_thread_with_message(
                    message.channel.id,
                    message.id,
                    name=_thread_name(card, posts),
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                    reason=f"session {card.occurrence_id}",
                )
                thread_id = int(thread["id"])
            except discord.HTTPException as error:
                # A process that died after starting the thread, before recording it: the thread is there, and
                # a thread started from a message has the message's ID.
                if error.code != THREAD_ALREADY_CREATED:
                    raise
                thread_id = message.id
        return Announcement(channel_id=message.channel.id, message_id=message.id, thread_id=thread_id)

    async def refresh_announcement(self, card: SessionCard) -> None:
        if card.announcement_channel_id is None or card.announcement_message_id is None:
            return
        posts = await self._posts(card.guild_id)
        view = rsvp_view(card.occurrence_id, posts) if card.state == SessionState.SCHEDULED else None
        message = self._channel(card.announcement_channel_id, card.guild_id).get_partial_message(
            card.announcement_message_id
        )
        try:
            await message.edit(embed=announcement_embed(card, posts), view=view)
        except discord.NotFound:
            log.info("announcement %s of occurrence %s was deleted", card.announcement_message_id, card.occurrence_id)

    async def upsert_event(self, card: SessionCard) -> int | None:
        posts = await self._posts(card.guild_id)
        name = f"{card.title} · {card.cohort_name}"
        description = say(
            posts,
            N_("Peer support for {cohort}. RSVP in <#{channel}>."),
            cohort=card.cohort_name,
            channel=card.cohort_channel_id,
        )
        if card.medium is not None:
            medium = say(posts, MEDIUM_WORDS[card.medium], between=" / ")
            name, description = f"{name} · {medium}", f"{medium}\n{description}"
        payload: dict[str, Any] = {
            "name": name[:100],
            "description": description[:1000],
            "privacy_level": GUILD_ONLY,
            "scheduled_start_time": card.starts_at.isoformat(),
            "scheduled_end_time": card.ends_at.isoformat(),
            **self._event_place(card, posts),
        }
        if card.event_id is not None:
            try:
                await self._client.http.edit_scheduled_event(card.guild_id, card.event_id, **payload)
                return card.event_id
            except discord.NotFound:
                log.info("event %s of occurrence %s was deleted; making it again", card.event_id, card.occurrence_id)
        else:
            made = await self._made_before(card.guild_id, payload)
            if made is not None:
                # A process died after Discord made the event, before its ID was recorded: adopt it.
                return made
        event = await self._client.http.create_guild_scheduled_event(card.guild_id, **payload)
        return int(event["id"])

    async def _made_before(self, guild_id: int, payload: dict[str, Any]) -> int | None:
        """The ID of a scheduled event this bot already made with this name and start, if there is one."""
        me = str(self._client.user.id) if self._client.user else None
        start = datetime.fromisoformat(payload["scheduled_start_time"])
        for event in await self._client.http.get_scheduled_events(guild_id, False):
            if (
                event.get("creator_id") == me
                and event.get("status") == EVENT_SCHEDULED
                and event.get("name") == payload["name"]
                and datetime.fromisoformat(event["scheduled_start_time"]) == start
            ):
                return int(event["id"])
        return None

    def _event_place(self, card: SessionCard, posts: ChannelPosts) -> dict[str, Any]:
        # Both keys every time: an event whose series moved from a room to a link (or back) must drop the other.
        channel = self._client.get_channel(card.room_channel_id) if card.room_channel_id else None
        if isinstance(channel, discord.StageChannel):
            return {"entity_type": EVENT_STAGE, "channel_id": str(channel.id), "entity_metadata": None}
        if isinstance(channel, discord.VoiceChannel):
            return {"entity_type": EVENT_VOICE, "channel_id": str(channel.id), "entity_metadata": None}
        channel_name = getattr(self._client.get_channel(card.cohort_channel_id), "name", None)
        location = card.link or (
            f"#{channel_name}" if channel_name else say(posts, N_("the session thread"), between=" / ")
        )
        return {"entity_type": EVENT_EXTERNAL, "channel_id": None, "entity_metadata": {"location": location[:100]}}

    async def cancel_event(self, card: SessionCard) -> None:
        if card.event_id is None:
            return
        try:
            await self._client.http.edit_scheduled_event(card.guild_id, card.event_id, status=EVENT_CANCELLED)
        except discord.NotFound:
            log.info("event %s was already gone", card.event_id)
        except discord.HTTPException as exc:
            if exc.code != EVENT_ALREADY_FINISHED:
                raise
            log.info("event %s had already finished", card.event_id)

    async def open_room(self, card: SessionCard, *, nonce: str) -> RoomOpened:
        posts = await self._posts(card.guild_id)
        thread_id = card.thread_id
        if thread_id is None:
            thread = await self._client.http.start_thread_without_message(
                card.cohort_channel_id,
                name=_thread_name(card, posts),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                type=discord.ChannelType.public_thread.value,
                reason=f"session {card.occurrence_id}",
            )
            thread_id = int(thread["id"])
        else:
            await self._client.http.edit_channel(thread_id, archived=False, locked=False)
        if card.room_channel_id:
            text = say(
                posts,
                N_("**{title}** is starting now in <#{room}>. Join the voice channel to be counted."),
                title=card.title,
                room=card.room_channel_id,
            )
            view = None
        elif card.link:
            text = say(
                posts,
                N_("**{title}** is starting now. Join here: {link} Press **I'm here** so we know you came."),
                title=card.title,
                link=card.link,
            )
            view = check_in_view(card.occurrence_id, posts)
        else:
            text = say(
                posts, N_("**{title}** is starting now. Press **I'm here** so we know you came."), title=card.title
            )
            view = check_in_view(card.occurrence_id, posts)
        await self._channel(thread_id, card.guild_id).send(
            text, view=view or discord.utils.MISSING, nonce=nonce, allowed_mentions=discord.AllowedMentions.none()
        )
        room = self._client.get_channel(card.room_channel_id) if card.room_channel_id else None
        in_voice = tuple(room.voice_states) if isinstance(room, discord.VoiceChannel | discord.StageChannel) else ()
        return RoomOpened(thread_id, in_voice)

    async def close_room(self, card: SessionCard, *, was_open: bool) -> None:
        if card.thread_id is None:
            return
        try:
            if was_open:
                posts = await self._posts(card.guild_id)
                await self._channel(card.thread_id, card.guild_id).send(
                    say(
                        posts,
                        N_("**{title}** has ended. Thank you for coming and for supporting each other."),
                        title=card.title,
                    )
                )
            await self._client.http.edit_channel(card.thread_id, archived=True, locked=True)
        except discord.NotFound:
            log.info("thread %s of occurrence %s was deleted", card.thread_id, card.occurrence_id)

    async def rename_thread(self, card: SessionCard) -> None:
        if card.thread_id is None:
            return
        name, reason = _thread_name(card, await self._posts(card.guild_id)), f"session {card.occurrence_id} moved"
        try:
            await self._client.http.edit_channel(card.thread_id, name=name, reason=reason)
        except discord.NotFound:
            log.info("thread %s of occurrence %s was deleted", card.thread_id, card.occurrence_id)
        except discord.HTTPException as error:
            if error.code != THREAD_ARCHIVED:
                raise
            # A quiet week archived it: it is opened again to be renamed (and archives again when quiet).
            await self._client.http.edit_channel(card.thread_id, name=name, archived=False, reason=reason)

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
        extra: dict[str, Any] = {"nonce": nonce} if nonce else {}
        view = (
            feedback_view(card.occurrence_id, language) if notice in SURVEY_NOTICES else discord.ui.View(timeout=None)
        )
        text = notice_text(card, notice, language)
        if first_contact:  # their first meeting with Cwtch: offer the choice of language, in both
            text = f"{text}\n\n{OFFER}"
            for button in language_view().children:
                view.add_item(button)
        if view.children:
            extra["view"] = view
        try:
            if dm_channel_id is None:
                dm_channel_id = await self.open_dm(user_id)
            await self._pacer.wait()
            await self._channel(dm_channel_id).send(text, **extra)
        except discord.Forbidden:
            log.info("user %s does not accept DMs (occurrence %s, %s)", user_id, card.occurrence_id, notice)
            return None
        return dm_channel_id

    async def post_survey(self, card: SessionCard, *, nonce: str) -> None:
        if card.thread_id is None:
            return
        posts = await self._posts(card.guild_id)
        await self._pacer.wait()
        await self._channel(card.thread_id, card.guild_id).send(
            say(
                posts,
                N_("How was it? Those who attended can answer three quick questions; no one sees who answered what."),
            ),
            view=feedback_view(card.occurrence_id, posts),
            nonce=nonce,
        )

    async def open_dm(self, user_id: int) -> int:
        await self._pacer.wait()
        channel = await self._client.create_dm(discord.Object(user_id))
        return channel.id

    async def notify_in_thread(
        self, card: SessionCard, user_ids: Sequence[int], notice: Notice, *, nonce: str | None = None
    ) -> None:
        channel_id = card.thread_id or card.cohort_channel_id
        posts = await self._posts(card.guild_id)
        text = in_voice(posts, lambda language: notice_text(card, notice, language))
        # A bilingual notice is twice as long: fewer mentions a message keep it within Discord's 2,000 characters.
        per_message = max(1, min(MENTIONS_PER_MESSAGE, (MESSAGE_MAX - len(text) - 1) // MENTION_MAX))
        for number, start in enumerate(range(0, len(user_ids), per_message)):
            batch = user_ids[start : start + per_message]
            mentions = " ".join(f"<@{user_id}>" for user_id in batch)
            extra: dict[str, Any] = {"nonce": f"{nonce}-{number}"[:25]} if nonce else {}
            if notice in SURVEY_NOTICES:
                extra["view"] = feedback_view(card.occurrence_id, posts)
            await self._pacer.wait()
            await self._channel(channel_id, card.guild_id).send(
                f"{mentions} {text}",
                allowed_mentions=discord.AllowedMentions(users=[discord.Object(u) for u in batch]),
                **extra,
            )


def _thread_name(card: SessionCard, posts: ChannelPosts) -> str:
    """The session's title and local day and time (a channel name can't show a Discord timestamp), in Welsh when
    the server's channel posts are Welsh or Welsh first."""
    if posts is ChannelPosts.EN:
        local = card.starts_at.astimezone(ZoneInfo(card.timezone))
        return f"{card.title} · {local:%a %-d %b %H:%M}"[:100]
    day = format_datetime(card.starts_at, "EEE d MMMM HH:mm", tzinfo=ZoneInfo(card.timezone), locale="cy")
    return f"{card.title} · {day}"[:100]
