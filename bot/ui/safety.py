"""The Discord side of "Report to facilitators" (implements ``SafetyGateway``), and what the reporter is told."""

from __future__ import annotations

import logging

import discord

from bot.domain.errors import BotLacksPermission
from bot.services.safety import ReportOutcome

log = logging.getLogger(__name__)

DANGER = "If anyone is in danger right now, `/support` lists who to call."
REPORT_WORDS = {
    ReportOutcome.ALERTED: (
        "Thank you for telling us. The facilitators now have a link to that message (not a copy of it) and know "
        "you reported it, so they can follow up with you. " + DANGER
    ),
    ReportOutcome.REPEAT: (
        "Thank you, you've already reported this message and the facilitators have it. If something new has "
        "happened, please contact a facilitator directly. " + DANGER
    ),
    ReportOutcome.NO_CHANNEL: (
        "Thank you for telling us. This server hasn't set up its private facilitators' channel yet, so I couldn't "
        "pass this on; a facilitator will be reachable this way once the server is set up. Until then, please "
        "contact a facilitator or a server admin directly. " + DANGER
    ),
}


class DiscordSafetyGateway:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def message_reported(self, guild_id: int, channel_id: int, jump_url: str, reporter_id: int) -> None:
        channel = self._client.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            await channel.send(
                f"**Message reported** by <@{reporter_id}>: {jump_url}\n"
                "Please take a look and follow up with them. Only the link is shared here, never the message text.",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning("could not post a message report in channel %s of guild %s", channel_id, guild_id)
            raise BotLacksPermission(
                "I couldn't post in the facilitators' channel (it may be gone, or I may not be allowed to write "
                "there), so your report didn't reach them. Please contact a facilitator directly, and ask an admin "
                "to check `/setup channels`."
            ) from exc
