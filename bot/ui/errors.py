"""The one error funnel: every failure of a command, view or modal becomes a polite ephemeral reply.

Expected failures (``UserFacingError``) are shown as they are; unknown ones are logged with their
traceback and answered with a generic apology, so no traceback ever reaches a user.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands

from bot.domain.errors import UserFacingError
from bot.domain.inputs import quote
from bot.ui.reply import reply

log = logging.getLogger(__name__)

GENERIC_APOLOGY = "Sorry, something went wrong on our side. It has been logged; please try again in a moment."


def describe_error(error: BaseException) -> tuple[str, int]:
    """The message to show and the level to log at, for an error raised while handling an interaction."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, app_commands.TransformerError):
        if isinstance(error.__cause__, UserFacingError):
            return error.__cause__.message, logging.INFO
        return f"I couldn't understand {quote(str(error.value))!r} there. Please check it and try again.", logging.INFO
    if isinstance(error, UserFacingError):
        return error.message, logging.INFO
    if isinstance(error, app_commands.NoPrivateMessage):
        return "Please use this command inside a server, not in a direct message.", logging.INFO
    if isinstance(error, app_commands.MissingPermissions):
        return "You need the Manage Server permission to do this.", logging.INFO
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"I'm missing a permission I need here ({missing}). Please ask an admin.", logging.WARNING
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Please wait {error.retry_after:.0f} seconds before trying that again.", logging.INFO
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here.", logging.INFO
    if isinstance(error, discord.Forbidden):
        return (
            "Discord didn't let me do that: I may be missing a permission or my role may be too low. "
            "Please ask an admin to check my role.",
            logging.WARNING,
        )
    return GENERIC_APOLOGY, logging.ERROR


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Log ``error`` at its level (with traceback when unexpected) and answer the user ephemerally."""
    message, level = describe_error(error)
    command = interaction.command.qualified_name if interaction.command else interaction.type.name
    log.log(
        level,
        "interaction %s (%s) by user %s in guild %s failed: %s",
        interaction.id,
        command,
        interaction.user.id,
        interaction.guild_id,
        type(error).__name__,
        exc_info=error if level >= logging.ERROR else None,
    )
    try:
        await reply(interaction, message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell user %s about a failed interaction %s", interaction.user.id, interaction.id)


def drop_nul_characters(options: object) -> None:
    """Remove NUL characters from every string option, in place. No one types them, and a database text column
    (PostgreSQL's) cannot hold them, so they would turn a harmless lookup into an unexpected error."""
    for option in options if isinstance(options, list) else []:
        if not isinstance(option, dict):
            continue
        if isinstance(option.get("value"), str):
            option["value"] = option["value"].replace("\x00", "")
        drop_nul_characters(option.get("options"))


class CwtchTree(app_commands.CommandTree[Any]):
    """The command tree whose ``on_error`` is the funnel for all slash commands."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # Runs before discord.py reads the options of a command or an autocomplete.
        data: Mapping[str, Any] = interaction.data or {}
        drop_nul_characters(data.get("options"))
        return True

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)
