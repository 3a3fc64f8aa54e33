"""The reader's language at the edge, looked up once per interaction.

Every handler that writes text asks ``await language_of(interaction)`` first and writes with
``bot.i18n.t(language, "...")``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.language import Language
from bot.services.languages import Reader

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

READER = "cwtch_reader"  # where an interaction keeps its reader, in ``interaction.extras``


async def reader_of(interaction: discord.Interaction[Any]) -> Reader:
    """Whom this interaction's answers are for (read once per interaction)."""
    found = interaction.extras.get(READER)
    if isinstance(found, Reader):
        return found
    client: CwtchBot = interaction.client
    reader = await client.services.languages.reader(interaction.guild_id, interaction.user.id)
    interaction.extras[READER] = reader
    return reader


async def language_of(interaction: discord.Interaction[Any]) -> Language:
    return (await reader_of(interaction)).language


def language_meanwhile(interaction: discord.Interaction[Any]) -> asyncio.Future[Language]:
    """The reader's language, read while the handler waits on its own work (a click or an answer being written):
    when the language is not in memory, its read and the write wait on the database side by side, not one after
    the other. Await it for the answer. A failed read nobody awaited (the work was refused first) is not reported
    as never retrieved: the error funnel reads the language again for its own answer."""
    reading = asyncio.ensure_future(language_of(interaction))
    reading.add_done_callback(lambda done: done.cancelled() or done.exception())
    return reading
