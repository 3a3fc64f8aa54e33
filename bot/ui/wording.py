"""Wording shared by the community's screens: the wellbeing framework's themes as each reader reads them, channel
posts written as the server asks, and the reader's language where asking for it must not count as meeting Cwtch
(autocomplete).

A resource's tags are stored in English (they are data, and what searches and the forum's tags match); a Welsh
reader sees each theme's Welsh name from the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import discord
from babel.dates import format_date

from bot.domain.language import ChannelPosts, Language
from bot.domain.resources import THEMES
from bot.i18n import for_channel, t

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot


def theme_name(theme: str, language: Language) -> str:
    """A theme (or the "What works" tag) in ``language``; a tag that is no theme is shown as it is."""
    return t(language, theme)


def theme_names(tags: Iterable[str], language: Language) -> str:
    return ", ".join(theme_name(tag, language) for tag in tags)


def theme_names_for_channel(tags: Iterable[str], posts: ChannelPosts) -> str:
    """Tags in a channel post: in its language, or each Welsh name then its English one when bilingual."""
    return ", ".join(for_channel(posts, tag, between=" / ") for tag in tags)


def for_posts(posts: ChannelPosts, write: Callable[[Language], str], *, between: str = "\n\n") -> str:
    """A channel post made of several messages (``write`` puts it together in one language): in the language the
    server asks for, or Welsh first then English when it asks for both."""
    if posts is ChannelPosts.BILINGUAL:
        welsh, english = write(Language.CY), write(Language.EN)
        return welsh if welsh == english else f"{welsh}{between}{english}"
    return write(Language(posts.value))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date, language: Language, *, year: bool = True) -> str:
    """ "15 Mar 2027" for an English reader; "15 Mawrth 2027" (the month's Welsh name) for a Welsh one."""
    if language is Language.EN:
        return f"{day.day} {_MONTHS[day.month - 1]}" + (f" {day.year}" if year else "")
    return format_date(day, "d MMMM y" if year else "d MMMM", locale=language.value)


def month_text(day: date, language: Language) -> str:
    """The month of ``day``, short: "Mar 2027", or "Maw 2027" for a Welsh reader."""
    if language is Language.EN:
        return f"{_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, "LLL y", locale=language.value)


def counted(language: Language, count: int, one: str, many: str) -> str:
    """``one`` or ``many`` (catalogue messages with ``{count}``) as ``count`` asks, in ``language``."""
    return t(language, one if count == 1 else many, count=count)


def names_in(language: Language) -> dict[str, str]:
    """Each theme's name in ``language`` (what autocomplete shows and recognises)."""
    return {theme: theme_name(theme, language) for theme in THEMES}


async def language_for_autocomplete(interaction: discord.Interaction[Any]) -> Language:
    """The person's language, read without making this their first contact: an autocomplete is no answer, so
    the choice of language is still offered after the command's reply (see :mod:`bot.ui.language`)."""
    client: CwtchBot = interaction.client
    found = await client.services.languages.languages(interaction.guild_id, [interaction.user.id])
    return found[interaction.user.id]
