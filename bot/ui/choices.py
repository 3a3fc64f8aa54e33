"""Shared option helpers: autocomplete of cohorts, series and sessions (labelled in the reader's language), and
reading their IDs back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.domain.inputs import parse_picked_id
from bot.domain.language import Language

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


async def _language(interaction: discord.Interaction[Any]) -> Language:
    """The reader's language for a list of choices. Read without making it their first contact: a list can't
    offer them the choice of language, so their first message from Cwtch still will."""
    user_id = interaction.user.id
    return (await _bot(interaction).services.languages.languages(interaction.guild_id, [user_id]))[user_id]


async def cohort_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    names = await _bot(interaction).services.cohorts.names(interaction.guild_id, current)
    return [app_commands.Choice(name=name, value=name) for name in names]


async def series_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    found = await _bot(interaction).services.series.choices(interaction.guild_id, current, await _language(interaction))
    return [app_commands.Choice(name=label, value=str(series_id)) for label, series_id in found]


async def session_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    found = await _bot(interaction).services.sessions.choices(
        interaction.guild_id, current, await _language(interaction)
    )
    return [app_commands.Choice(name=label, value=str(occurrence_id)) for label, occurrence_id in found]


async def attendance_session_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Sessions running now or ended in the last 30 days: the ones whose attendance can be corrected."""
    if interaction.guild_id is None:
        return []
    found = await _bot(interaction).services.sessions.attendance_choices(
        interaction.guild_id, current, await _language(interaction)
    )
    return [app_commands.Choice(name=label, value=str(occurrence_id)) for label, occurrence_id in found]


async def released_session_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Sessions whose survey has closed and been counted: the ones whose comments facilitators may read."""
    if interaction.guild_id is None:
        return []
    found = await _bot(interaction).services.surveys.comment_choices(
        interaction.guild_id, current, await _language(interaction)
    )
    return [app_commands.Choice(name=label, value=str(occurrence_id)) for label, occurrence_id in found]


def picked_id(value: str, what: str) -> int:
    """The ID behind an autocompleted value; typed text that is not one (``²``, ``①``, a number past our IDs)
    gets a polite refusal."""
    return parse_picked_id(value, what)
