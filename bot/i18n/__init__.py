"""Cymraeg and English: one message catalogue, English as its source.

Every user-facing string is English in the code, marked for the catalogue, and looked up at the moment it is shown in
the language of whoever sees it (``t(language, message, **values)``). Strings defined before anyone is known (module
constants, refusals raised in services) are marked with ``N_`` (:mod:`bot.domain.language`) and translated where
they are shown. The Welsh lives in ``bot/i18n/locales/cy/LC_MESSAGES/cwtch.po`` (gettext, edited with the standard
Babel tooling: see the README); ``tests/unit/test_catalogue.py`` fails on a marked string that is missing, empty or
untranslated there, or whose placeholders differ.

Discord has no Welsh locale and renders its own timestamps in the reader's client language, so dates for a Welsh
reader are written out here, in Welsh, in the cohort's zone (:func:`when`).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.pofile import read_po

from bot.domain.language import ChannelPosts, Language

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "cwtch"


@cache
def catalogue(language: Language) -> dict[str, str]:
    """English message -> its translation (English needs none). Fuzzy or empty entries are left out."""
    if language is Language.EN:
        return {}
    with (LOCALES / language.value / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        messages = read_po(po, locale=language.value, domain=DOMAIN)
    return {
        message.id: str(message.string)
        for message in messages
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


def t(language: Language, message: str, /, **values: object) -> str:
    """``message`` in ``language`` (English if it has no translation yet), with ``values`` filled in."""
    text = catalogue(language).get(message, message)
    return text.format(**values) if values else text


def when(moment: datetime, zone: str, language: Language) -> str:
    """A date and time for a Welsh reader, in Welsh, in the cohort's zone: "Dydd Mawrth 8 Rhagfyr 2026, 14:00"."""
    return format_datetime(moment, "EEEE d MMMM y, HH:mm", tzinfo=ZoneInfo(zone), locale=language.value)


def for_channel(posts: ChannelPosts, message: str, /, *, between: str = "\n\n", **values: object) -> str:
    """A channel post as the server asks: in one language, or Welsh first then English (joined by ``between``:
    a blank line for text, " · " or " / " for a short title or label)."""
    if posts is ChannelPosts.BILINGUAL:
        welsh, english = t(Language.CY, message, **values), t(Language.EN, message, **values)
        return welsh if welsh == english else f"{welsh}{between}{english}"
    return t(Language(posts.value), message, **values)
