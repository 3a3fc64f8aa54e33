"""The Discord side of the community (implements ``CommunityGateway``): "what works" posts in the resources forum
and the weekly digest in the announcements channel, written as the server asks its channel posts to be (one
language, or Welsh first then English)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection
from datetime import datetime
from typing import Final

import discord

from bot.domain.errors import BotLacksPermission, NotConfigured
from bot.domain.language import N_, ChannelPosts, Language
from bot.domain.resources import WHAT_WORKS_TAG
from bot.i18n import for_channel, t
from bot.services.ports import PostLink, WeeklyDigest
from bot.ui.community_items import SHARE, share_view
from bot.ui.forum import ensure_tags
from bot.ui.links import channel_url
from bot.ui.wording import day_text, for_posts

log = logging.getLogger(__name__)

DIGEST_COLOUR = discord.Colour(0x2E8B57)
ITEMS_SHOWN = 10  # per list; the rest are counted
FIELD_VALUE_MAX = 1024
# A week without messages before Discord archives a post: an archived post is not among the guild's active
# threads, so a shorter wait would hide from the digest a post that was active early in its week.
ARCHIVE_AFTER_MINUTES: Final = 10080
MORE_MAX = 40  # room kept in a list for the line that counts the posts left out


class DiscordCommunityGateway:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post_what_works(self, guild_id: int, forum_id: int, title: str, content: str) -> int:
        forum = self._client.get_channel(forum_id)
        if not isinstance(forum, discord.ForumChannel):
            raise NotConfigured(
                N_("I can't find the resources forum any more. An admin can choose it again with `/setup channels`.")
            )
        try:
            [tag] = await ensure_tags(forum, [WHAT_WORKS_TAG])
            posted = await forum.create_thread(
                name=title,
                content=content,
                applied_tags=[tag],
                auto_archive_duration=ARCHIVE_AFTER_MINUTES,
                allowed_mentions=discord.AllowedMentions.none(),
                reason="a member shared what works",
            )
        except ValueError as exc:  # the forum has its 20 tags already
            raise NotConfigured(
                N_(
                    "The resources forum has no room for a **{tag}** tag (Discord allows 20). "
                    "An admin can remove a tag there, then try again."
                ),
                tag=WHAT_WORKS_TAG,
            ) from exc
        except discord.Forbidden as exc:
            log.warning("posting in the resources forum %s of guild %s was refused", forum_id, guild_id)
            raise BotLacksPermission(
                N_(
                    "Discord didn't let me post in the resources forum (I need to send messages there and manage its "
                    "tags). Nothing was posted; please ask an admin."
                )
            ) from exc
        return posted.thread.id

    async def delete_post(self, thread_id: int) -> None:
        with contextlib.suppress(discord.NotFound):  # already deleted by hand
            await self._client.http.delete_channel(thread_id, reason="its author erased their data")

    async def post_digest(
        self, channel_id: int, digest: WeeklyDigest, *, nonce: str, posts: ChannelPosts = ChannelPosts.EN
    ) -> None:
        channel = self._client.get_partial_messageable(channel_id, guild_id=digest.guild_id)
        share = share_view(label=for_channel(posts, SHARE, between=" / "))
        await channel.send(embed=digest_embed(digest, posts), view=share, nonce=nonce)

    async def thread_activity(self, guild_id: int, thread_ids: Collection[int]) -> dict[int, datetime]:
        # One request for the guild's active threads; a thread's last message ID is a snowflake, so it tells when
        # that message was posted without reading any message (no message intent needed).
        wanted = set(thread_ids)
        data = await self._client.http.get_active_threads(guild_id)
        activity: dict[int, datetime] = {}
        for thread in data.get("threads", []):
            last = thread.get("last_message_id")
            if int(thread["id"]) in wanted and last:
                activity[int(thread["id"])] = discord.utils.snowflake_time(int(last))
        return activity


def _links(guild_id: int, posts: tuple[PostLink, ...], written: ChannelPosts) -> str:
    lines: list[str] = []
    for post in posts[:ITEMS_SHOWN]:
        title = discord.utils.escape_markdown(post.title).replace("]", "\\]")
        line = f"• [{title}]({channel_url(guild_id, post.thread_id)})"
        if sum(len(existing) + 1 for existing in lines) + len(line) + MORE_MAX > FIELD_VALUE_MAX:
            break
        lines.append(line)
    hidden = len(posts) - len(lines)
    if hidden:
        lines.append(for_channel(written, N_("…and {count} more"), between=" / ", count=hidden))
    return "\n".join(lines)


def digest_embed(digest: WeeklyDigest, posts: ChannelPosts = ChannelPosts.EN) -> discord.Embed:
    """What was new in the community this week: resources, "what works" posts, the older posts members wrote in
    this week, and the number who joined; in one language, or Welsh first then English, as the server asks."""

    def name(message: str) -> str:
        return for_channel(posts, message, between=" · ")

    def week(language: Language) -> str:
        return t(
            language,
            N_("What's new from {first} to {last}."),
            first=day_text(digest.first_day, language, year=False),
            last=day_text(digest.last_day, language),
        )

    embed = discord.Embed(
        title=name(N_("This week in the wellbeing community")),
        description=for_posts(posts, week, between="\n"),
        colour=DIGEST_COLOUR,
    )
    if digest.resources:
        embed.add_field(
            name=name(N_("New resources")), value=_links(digest.guild_id, digest.resources, posts), inline=False
        )
    if digest.what_works:
        embed.add_field(
            name=name(N_("What works: new posts")),
            value=_links(digest.guild_id, digest.what_works, posts),
            inline=False,
        )
    if digest.active:
        embed.add_field(
            name=name(N_("Active this week")), value=_links(digest.guild_id, digest.active, posts), inline=False
        )
    if digest.joins:

        def joined(language: Language) -> str:
            one, many = (
                N_("{count} person joined the community this week."),
                N_("{count} people joined the community this week."),
            )
            return t(language, one if digest.joins == 1 else many, count=digest.joins)

        embed.add_field(name=name(N_("Welcome")), value=for_posts(posts, joined, between="\n"), inline=False)
    footer = N_("Tried something that helped? Press Share what works. New here? /community join")
    embed.set_footer(text=for_channel(posts, footer, between="\n"))
    return embed
