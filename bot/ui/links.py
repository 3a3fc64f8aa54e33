"""Links members open in their Discord app (to a channel, a thread or a message). The bot never fetches them."""

from __future__ import annotations

WEB_APP = "https://discord.com/channels"


def channel_url(guild_id: int, channel_id: int) -> str:
    """A link to a channel or thread (a forum post is a thread)."""
    return f"{WEB_APP}/{guild_id}/{channel_id}"


def message_url(guild_id: int, channel_id: int, message_id: int) -> str:
    """A link to one message, as discord.py's ``Message.jump_url`` makes it."""
    return f"{channel_url(guild_id, channel_id)}/{message_id}"
