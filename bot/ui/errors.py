"""The one error funnel: every failure of a command, view or modal becomes a polite ephemeral reply.

Expected failures (``UserFacingError``) are shown as they are; unknown ones are logged with their
traceback and answered with a generic apology, so no traceback ever reaches a user.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import discord
from discord import app_commands

from bot.domain.errors import UserFacingError
from bot.domain.inputs import quote
from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.i18n import t
from bot.ui.readers import language_of
from bot.ui.reply import reply

log = logging.getLogger(__name__)
UNKNOWN_INTERACTION = 10062  # Discord's code for an interaction token that has expired (or never existed)
ANSWER_WITHIN = 3.0  # seconds Discord gives for an interaction's first answer, from when it made the interaction
CLOCK_ALLOWANCE = 0.5  # seconds this host's clock may run ahead of Discord's

GENERIC_APOLOGY = N_("Sorry, something went wrong on our side. It has been logged; please try again in a moment.")


def describe_error(error: BaseException, language: Language = DEFAULT_LANGUAGE) -> tuple[str, int]:
    """The message to show (in ``language``) and the level to log at, for an error raised while handling an
    interaction."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, app_commands.TransformerError):
        if isinstance(error.__cause__, UserFacingError):
            return _shown(error.__cause__, language), logging.INFO
        return t(
            language,
            N_("I couldn't understand {value} there. Please check it and try again."),
            value=repr(quote(str(error.value))),
        ), logging.INFO
    if isinstance(error, UserFacingError):
        return _shown(error, language), logging.INFO
    if isinstance(error, app_commands.NoPrivateMessage):
        return t(language, N_("Please use this command inside a server, not in a direct message.")), logging.INFO
    if isinstance(error, app_commands.MissingPermissions):
        return t(language, N_("You need the Manage Server permission to do this.")), logging.INFO
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return t(
            language, N_("I'm missing a permission I need here ({missing}). Please ask an admin."), missing=missing
        ), logging.WARNING
    if isinstance(error, app_commands.CommandOnCooldown):
        return t(
            language,
            N_("Please wait {seconds} seconds before trying that again."),
            seconds=f"{error.retry_after:.0f}",
        ), logging.INFO
    if isinstance(error, app_commands.CheckFailure):
        return t(language, N_("You can't use this command here.")), logging.INFO
    if isinstance(error, discord.Forbidden):
        return t(
            language,
            N_(
                "Discord didn't let me do that: I may be missing a permission or my role may be too low. "
                "Please ask an admin to check my role."
            ),
        ), logging.WARNING
    return t(language, GENERIC_APOLOGY), logging.ERROR


def _expired(error: BaseException) -> bool:
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION


def arrived_too_late(interaction: discord.Interaction[Any]) -> bool:
    """True, and logged, when Discord would no longer take a first answer to ``interaction``: by its ID it was made
    more than 3 seconds ago (with an allowance for clocks), and nothing has answered it.

    Under a burst larger than the process can take, answering those anyway costs a request each that Discord
    refuses, and delays the interactions that can still be answered in time. The member's app has already said
    the interaction failed: they can try again, and nothing was done for them."""
    if interaction.response.is_done():
        return False
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    if age <= ANSWER_WITHIN + CLOCK_ALLOWANCE:
        return False
    log.debug(
        "interaction %s by user %s reached the bot %.1f s after Discord made it: left alone",
        interaction.id,
        interaction.user.id,
        age,
    )
    _left_alone.count(age)
    return True


class _LeftAlone:
    """The warning about interactions left alone as too late: at once for the first, then at most once every
    ``every`` seconds with how many there were since (an overload brings thousands a minute)."""

    def __init__(self, every: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._every = every
        self._clock = clock
        self._since_said = 0
        self._said_at = clock() - every

    def count(self, age: float) -> None:
        self._since_said += 1
        now = self._clock()
        if now - self._said_at < self._every:
            return
        log.warning(
            "%d interaction(s) reached the bot too late to answer (the latest %.1f s after Discord made it) and were "
            "left alone: the process cannot keep up with what it is sent",
            self._since_said,
            age,
        )
        self._since_said, self._said_at = 0, now


_left_alone = _LeftAlone()


def _shown(error: UserFacingError, language: Language) -> str:
    return t(language, error.template, **error.values)


async def _language(interaction: discord.Interaction[Any]) -> Language:
    """The reader's language; English if even that cannot be read (the apology must still go out)."""
    try:
        return await language_of(interaction)
    except Exception:
        log.warning("could not read the language of user %s; answering in English", interaction.user.id)
        return DEFAULT_LANGUAGE


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Log ``error`` at its level (with traceback when unexpected) and answer the user ephemerally.

    An interaction Discord no longer knows (it was not answered within its 3 seconds, e.g. under a burst larger
    than the process can take) cannot be answered at all: that is logged as a warning, without a traceback."""
    if _expired(error):
        log.warning("interaction %s by user %s expired before it was answered", interaction.id, interaction.user.id)
        return
    message, level = describe_error(error, await _language(interaction))
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
        if arrived_too_late(interaction):
            return False
        data: Mapping[str, Any] = interaction.data or {}
        drop_nul_characters(data.get("options"))
        return True

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)
