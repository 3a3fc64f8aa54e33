"""The Discord side of safeguarding alerts (implements ``AlertGateway``), and what the member who raised one is
told: only what really happened, in their language. An alert is written as ``notice.posts`` says: the server's
channel posts in the facilitators' channel (Welsh first when bilingual), the recipient's language in a DM."""

from __future__ import annotations

import logging

import discord

from bot.domain.language import N_, ChannelPosts, Language
from bot.domain.sessions import discord_timestamp as ts
from bot.i18n import t, when
from bot.services.safety import AlertKind, AlertNotice, Delivery, ReportOutcome, Sent
from bot.ui.alert_items import alert_view

log = logging.getLogger(__name__)

DANGER = N_("If anyone is in danger right now, `/support` lists who to call.")
REPORT_WORDS = {
    ReportOutcome.ALERTED: N_(
        "Thank you for telling us. The facilitators now have a link to that message (not a copy of it) and know "
        "you reported it, so they can follow up with you."
    ),
    ReportOutcome.OWNER: N_(
        "Thank you for telling us. I couldn't reach a facilitator, so the server's owner now has a link to that "
        "message (not a copy of it) and knows you reported it."
    ),
    ReportOutcome.UNREACHED: N_(
        "Thank you for telling us. I couldn't reach a facilitator just now; I'll keep trying. If it can't wait, "
        "please contact a facilitator or a server admin directly."
    ),
    ReportOutcome.REPEAT: N_(
        "Thank you, you've already reported this message and the facilitators have it. If something new has "
        "happened, please contact a facilitator directly."
    ),
}
# What someone whose feedback comment raised an alert is told, after "What you wrote sounds hard...".
FEEDBACK_WORDS = {
    Delivery.CHANNEL: N_("A facilitator has been told, without your name, and will check in with the group."),
    Delivery.FACILITATORS: N_("A facilitator has been told, without your name, and will check in with the group."),
    Delivery.OWNER: N_("The server's owner has been told, without your name, so someone can check in with the group."),
    Delivery.NOBODY: N_("I couldn't reach a facilitator just now; I'll keep trying. The people below can help now."),
}


def report_words(outcome: ReportOutcome, language: Language) -> str:
    """What a member who reported a message is told."""
    return t(language, REPORT_WORDS[outcome]) + " " + t(language, DANGER)


def _languages(posts: ChannelPosts) -> tuple[Language, ...]:
    return (Language.CY, Language.EN) if posts is ChannelPosts.BILINGUAL else (Language(posts.value),)


def alert_text(notice: AlertNotice) -> str:
    """An alert's words: never a comment's or message's text, never who wrote a comment."""
    role = f"<@&{notice.role_id}> " if notice.role_id is not None else ""
    return role + "\n\n".join(_alert_body(notice, language) for language in _languages(notice.posts))


def _alert_body(notice: AlertNotice, language: Language) -> str:
    again = ""
    if notice.resend:
        again = t(language, N_("**Still waiting, sent again after 24 hours:** nobody has taken this on yet.")) + "\n"
    if notice.kind is AlertKind.FEEDBACK:
        card = notice.session
        if card is None:
            body = t(
                language,
                N_(
                    "**Safeguarding:** a feedback comment suggests someone may be at risk. The survey is anonymous, "
                    "so please check in with the whole group and make sure everyone knows about `/support`."
                ),
            )
        else:
            moment = (
                ts(card.starts_at, "f") if language is Language.EN else when(card.starts_at, card.timezone, language)
            )
            body = t(
                language,
                N_(
                    "**Safeguarding:** a feedback comment about **{title}** ({cohort}) on {when} suggests someone "
                    "may be at risk. The survey is anonymous, so please check in with the whole group and make "
                    "sure everyone knows about `/support`."
                ),
                title=card.title,
                cohort=card.cohort_name,
                when=moment,
            )
    elif notice.reporter_id is not None:
        body = t(
            language,
            N_(
                "**Message reported** by <@{reporter}>: {link}\n"
                "Please take a look and follow up with them. Only the link is shared here, never the message text."
            ),
            reporter=notice.reporter_id,
            link=notice.link,
        )
    else:
        body = t(
            language,
            N_(
                "**Message reported**: {link}\n"
                "Please take a look and follow up with them. Only the link is shared here, never the message text."
            ),
            link=notice.link,
        )
    return again + body + "\n" + t(language, N_("Press the button if you'll follow this up, so the others know."))


def taken_text(taken_by: int, posts: ChannelPosts) -> str:
    """The line added to an alert once someone took it on."""
    return " ".join(t(language, N_("**Taken on by <@{user}>.**"), user=taken_by) for language in _languages(posts))


class DiscordSafetyGateway:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post_alert(self, channel_id: int, notice: AlertNotice, *, nonce: str) -> Sent:
        channel = self._client.get_partial_messageable(channel_id, guild_id=notice.guild_id)
        mentions = (
            discord.AllowedMentions(roles=[discord.Object(notice.role_id)])
            if notice.role_id is not None
            else discord.AllowedMentions.none()
        )
        message = await channel.send(
            alert_text(notice), allowed_mentions=mentions, view=alert_view(notice.alert_id, notice.posts), nonce=nonce
        )
        return Sent(message.channel.id, message.id)

    async def dm_alert(self, user_id: int, notice: AlertNotice, *, nonce: str) -> Sent | None:
        try:
            channel = await self._client.create_dm(discord.Object(user_id))
            message = await channel.send(
                alert_text(notice),
                allowed_mentions=discord.AllowedMentions.none(),
                view=alert_view(notice.alert_id, notice.posts),
                nonce=nonce,
            )
        except (discord.Forbidden, discord.NotFound):
            log.warning("could not DM alert %s to user %s (closed DMs?)", notice.alert_id, user_id)
            return None
        return Sent(message.channel.id, message.id)

    async def owner_of(self, guild_id: int) -> int | None:
        guild = self._client.get_guild(guild_id)
        return guild.owner_id if guild is not None else None

    async def mark_taken(
        self, channel_id: int, message_id: int, taken_by: int, *, posts: ChannelPosts = ChannelPosts.EN
    ) -> None:
        message = await self._client.get_partial_messageable(channel_id).fetch_message(message_id)
        await message.edit(
            content=f"{message.content}\n{taken_text(taken_by, posts)}",
            allowed_mentions=discord.AllowedMentions.none(),
        )
