"""The Discord side of resources (implements ``ResourceGateway``): forum posts with their tags and Open button,
facilitators' review cards, and telling the member who suggested a resource (DM, or a thank-you in the post)."""

from __future__ import annotations

import logging

import discord

from bot.domain.errors import BotLacksPermission, NotConfigured
from bot.services.ports import ResourceCard, ReviewOutcome
from bot.ui.forum import ensure_tags
from bot.ui.resource_embeds import (
    resource_post_embed,
    review_decision,
    review_embed,
    review_request,
    suggester_message,
)
from bot.ui.resource_items import open_view, review_view

log = logging.getLogger(__name__)

NOT_A_FORUM = (
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

    async def post_resource(self, forum_id: int, card: ResourceCard) -> int:
        forum = self._forum(card.guild_id, forum_id)
        try:
            tags = await ensure_tags(forum, card.tags)
        except ValueError as full:
            raise NotConfigured(
                "The resources forum has no room for more tags (Discord allows 20). An admin can remove tags "
                "that are not wellbeing themes in the forum's settings."
            ) from full
        except discord.Forbidden as refused:
            raise BotLacksPermission(
                "I need the **Manage Channels** permission on the resources forum to create its tags. "
                "Please ask an admin; nothing was saved."
            ) from refused
        try:
            made = await forum.create_thread(
                name=card.title,
                embed=resource_post_embed(card),
                view=open_view(card.id),
                applied_tags=tags,
                allowed_mentions=discord.AllowedMentions.none(),
                reason=f"resource {card.id}",
            )
        except discord.Forbidden as refused:
            raise BotLacksPermission(
                "Discord didn't let me post in the resources forum. Please ask an admin to let me send messages "
                "there; nothing was saved."
            ) from refused
        return made.thread.id

    async def post_review(self, channel_id: int, card: ResourceCard) -> int:
        channel = self._client.get_partial_messageable(channel_id, guild_id=card.guild_id)
        try:
            message = await channel.send(
                review_request(card),
                embed=review_embed(card),
                view=review_view(card.id),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.Forbidden as refused:
            raise BotLacksPermission(
                "I can't post in the facilitators' channel, so I can't pass your suggestion on. "
                "Please tell a facilitator; nothing was saved."
            ) from refused
        return message.id

    async def close_review(
        self, channel_id: int, message_id: int, card: ResourceCard, outcome: ReviewOutcome, *, member_told: bool
    ) -> None:
        message = self._client.get_partial_messageable(channel_id, guild_id=card.guild_id).get_partial_message(
            message_id
        )
        try:
            await message.edit(
                content=review_decision(card, outcome, member_told=member_told),
                embed=review_embed(card),
                view=None,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.NotFound:
            log.info("the review card %s of resource %s is gone", message_id, card.id)

    async def tell_suggester(
        self, card: ResourceCard, outcome: ReviewOutcome, *, dm_channel_id: int | None
    ) -> int | None:
        assert card.suggested_by is not None
        guild = self._client.get_guild(card.guild_id)
        text = suggester_message(card, outcome, guild.name if guild else "the server")
        try:
            if dm_channel_id is None:
                dm_channel_id = (await self._client.create_dm(discord.Object(card.suggested_by))).id
            await self._client.get_partial_messageable(dm_channel_id).send(text)
        except discord.Forbidden:
            log.info("user %s does not accept DMs (resource %s)", card.suggested_by, card.id)
            return None
        return dm_channel_id

    async def thank_in_post(self, card: ResourceCard, user_id: int) -> None:
        if card.thread_id is None:
            return
        await self._client.get_partial_messageable(card.thread_id, guild_id=card.guild_id).send(
            f"<@{user_id}>, thank you for suggesting this resource!",
            allowed_mentions=discord.AllowedMentions(users=[discord.Object(user_id)]),
        )
