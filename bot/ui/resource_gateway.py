"""The Discord side of resources (implements ``ResourceGateway``): forum posts with their tags and Open button,
facilitators' review cards, and telling the member who suggested a resource (DM, or a thank-you in the post).

Posts and review cards are written as the server's channel posts are (``posts``); the DM in the member's language.
The forum's tags keep the themes' own (English) names: they are what the posts are filed under."""

from __future__ import annotations

import logging

import discord

from bot.domain.errors import BotLacksPermission, NotConfigured
from bot.domain.language import DEFAULT_LANGUAGE, N_, ChannelPosts, Language
from bot.i18n import t
from bot.services.ports import ResourceCard, ReviewOutcome
from bot.ui.forum import ensure_tags
from bot.ui.resource_embeds import (
    resource_post_embed,
    review_decision,
    review_embed,
    review_request,
    suggester_message,
    thanks_in_post,
)
from bot.ui.resource_items import open_view, review_view

log = logging.getLogger(__name__)

NOT_A_FORUM = N_(
    "The resources channel chosen with `/setup channels` is not a forum channel I can see. "
    "An admin can choose a forum channel with `/setup channels`."
)


class DiscordResourceGateway:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    def _forum(self, guild_id: int, channel_id: int) -> discord.ForumChannel:
        channel = self._client.get_channel(channel_id)
        if not isinstance(channel, discord.ForumChannel) or channel.guild.id != guild_id:
            raise NotConfigured(NOT_A_FORUM)
        return channel

    async def check_forum(self, guild_id: int, channel_id: int) -> None:
        self._forum(guild_id, channel_id)

    async def post_resource(self, forum_id: int, card: ResourceCard, *, posts: ChannelPosts = ChannelPosts.EN) -> int:
        forum = self._forum(card.guild_id, forum_id)
        try:
            tags = await ensure_tags(forum, card.tags)
        except ValueError as full:
            raise NotConfigured(
                N_(
                    "The resources forum has no room for more tags (Discord allows 20). An admin can remove tags "
                    "that are not wellbeing themes in the forum's settings."
                )
            ) from full
        except discord.Forbidden as refused:
            raise BotLacksPermission(
                N_(
                    "I need the **Manage Channels** permission on the resources forum to create its tags. "
                    "Please ask an admin; nothing was saved."
                )
            ) from refused
        try:
            made = await forum.create_thread(
                name=card.title,
                embed=resource_post_embed(card, posts),
                view=open_view(card.id, posts),
                applied_tags=tags,
                allowed_mentions=discord.AllowedMentions.none(),
                reason=f"resource {card.id}",
            )
        except discord.Forbidden as refused:
            raise BotLacksPermission(
                N_(
                    "Discord didn't let me post in the resources forum. Please ask an admin to let me send messages "
                    "there; nothing was saved."
                )
            ) from refused
        return made.thread.id

    async def post_review(self, channel_id: int, card: ResourceCard, *, posts: ChannelPosts = ChannelPosts.EN) -> int:
        channel = self._client.get_partial_messageable(channel_id, guild_id=card.guild_id)
        try:
            message = await channel.send(
                review_request(card, posts),
                embed=review_embed(card, posts),
                view=review_view(card.id, posts),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.Forbidden as refused:
            raise BotLacksPermission(
                N_(
                    "I can't post in the facilitators' channel, so I can't pass your suggestion on. "
                    "Please tell a facilitator; nothing was saved."
                )
            ) from refused
        return message.id

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
        message = self._client.get_partial_messageable(channel_id, guild_id=card.guild_id).get_partial_message(
            message_id
        )
        try:
            await message.edit(
                content=review_decision(card, outcome, member_told=member_told, posts=posts),
                embed=review_embed(card, posts),
                view=None,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.NotFound:
            log.info("the review card %s of resource %s is gone", message_id, card.id)

    async def tell_suggester(
        self,
        card: ResourceCard,
        outcome: ReviewOutcome,
        *,
        dm_channel_id: int | None,
        language: Language = DEFAULT_LANGUAGE,
    ) -> int | None:
        assert card.suggested_by is not None
        guild = self._client.get_guild(card.guild_id)
        server = guild.name if guild else t(language, N_("the server"))
        text = suggester_message(card, outcome, server, language)
        try:
            if dm_channel_id is None:
                dm_channel_id = (await self._client.create_dm(discord.Object(card.suggested_by))).id
            await self._client.get_partial_messageable(dm_channel_id).send(text)
        except discord.Forbidden:
            log.info("user %s does not accept DMs (resource %s)", card.suggested_by, card.id)
            return None
        return dm_channel_id

    async def thank_in_post(self, card: ResourceCard, user_id: int, *, posts: ChannelPosts = ChannelPosts.EN) -> None:
        if card.thread_id is None:
            return
        await self._client.get_partial_messageable(card.thread_id, guild_id=card.guild_id).send(
            thanks_in_post(user_id, posts),
            allowed_mentions=discord.AllowedMentions(users=[discord.Object(user_id)]),
        )
