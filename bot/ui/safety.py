"""The Discord side of safeguarding alerts (implements ``AlertGateway``), and what the member who raised one is
told: only what really happened."""

from __future__ import annotations

import logging

import discord

from bot.domain.sessions import discord_timestamp as ts
from bot.services.safety import AlertKind, AlertNotice, Delivery, ReportOutcome, Sent
from bot.ui.alert_items import alert_view

log = logging.getLogger(__name__)

DANGER = "If anyone is in danger right now, `/support` lists who to call."
REPORT_WORDS = {
    ReportOutcome.ALERTED: (
        "Thank you for telling us. The facilitators now have a link to that message (not a copy of it) and know "
        "you reported it, so they can follow up with you. " + DANGER
    ),
    ReportOutcome.OWNER: (
        "Thank you for telling us. I couldn't reach a facilitator, so the server's owner now has a link to that "
        "message (not a copy of it) and knows you reported it. " + DANGER
    ),
    ReportOutcome.UNREACHED: (
        "Thank you for telling us. I couldn't reach a facilitator just now; I'll keep trying. If it can't wait, "
        "please contact a facilitator or a server admin directly. " + DANGER
    ),
    ReportOutcome.REPEAT: (
        "Thank you, you've already reported this message and the facilitators have it. If something new has "
        "happened, please contact a facilitator directly. " + DANGER
    ),
}
# What someone whose feedback comment raised an alert is told, after "What you wrote sounds hard...".
FEEDBACK_WORDS = {
    Delivery.CHANNEL: "A facilitator has been told, without your name, and will check in with the group.",
    Delivery.FACILITATORS: "A facilitator has been told, without your name, and will check in with the group.",
    Delivery.OWNER: "The server's owner has been told, without your name, so someone can check in with the group.",
    Delivery.NOBODY: "I couldn't reach a facilitator just now; I'll keep trying. The people below can help now.",
}


def alert_text(notice: AlertNotice) -> str:
    """An alert's words: never a comment's or message's text, never who wrote a comment."""
    again = "**Still waiting, sent again after 24 hours:** nobody has taken this on yet.\n" if notice.resend else ""
    if notice.kind is AlertKind.FEEDBACK:
        card = notice.session
        about = f" about **{card.title}** ({card.cohort_name}) on {ts(card.starts_at, 'f')}" if card else ""
        body = (
            f"**Safeguarding:** a feedback comment{about} suggests someone may be at risk. The survey is anonymous, "
            "so please check in with the whole group and make sure everyone knows about `/support`."
        )
    else:
        by = f" by <@{notice.reporter_id}>" if notice.reporter_id is not None else ""
        body = (
            f"**Message reported**{by}: {notice.link}\n"
            "Please take a look and follow up with them. Only the link is shared here, never the message text."
        )
    role = f"<@&{notice.role_id}> " if notice.role_id is not None else ""
    return f"{role}{again}{body}\nPress the button if you'll follow this up, so the others know."


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
            alert_text(notice), allowed_mentions=mentions, view=alert_view(notice.alert_id), nonce=nonce
        )
        return Sent(message.channel.id, message.id)

    async def dm_alert(self, user_id: int, notice: AlertNotice, *, nonce: str) -> Sent | None:
        try:
            channel = await self._client.create_dm(discord.Object(user_id))
            message = await channel.send(
                alert_text(notice),
                allowed_mentions=discord.AllowedMentions.none(),
                view=alert_view(notice.alert_id),
                nonce=nonce,
            )
        except (discord.Forbidden, discord.NotFound):
            log.warning("could not DM alert %s to user %s (closed DMs?)", notice.alert_id, user_id)
            return None
        return Sent(message.channel.id, message.id)

    async def owner_of(self, guild_id: int) -> int | None:
        guild = self._client.get_guild(guild_id)
        return guild.owner_id if guild is not None else None

    async def mark_taken(self, channel_id: int, message_id: int, taken_by: int) -> None:
        message = await self._client.get_partial_messageable(channel_id).fetch_message(message_id)
        await message.edit(
            content=f"{message.content}\n**Taken on by <@{taken_by}>.**",
            allowed_mentions=discord.AllowedMentions.none(),
        )
