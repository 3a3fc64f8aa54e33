"""The message catalogue is complete: every string marked in the code (``t(language, "...")`` or ``N_("...")``) has a
Welsh translation that is not empty, not left in English and not marked fuzzy, with exactly the same placeholders;
and no Welsh string is longer than Discord lets it be where it is shown."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from bot.domain.language import Language
from bot.i18n import LOCALES, catalogue

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"t": (2,), "N_": None}  # as in babel.cfg, which `pybabel extract` reads
METHODS = [("emulator/**.py", "ignore"), ("**.py", "python")]  # the emulator is Discord's side: never shown
# Said the same in both languages: names, and text that is only a placeholder or a symbol.
SAME_IN_BOTH = {"Cwtch", "Cymraeg", "English"}


def marked() -> dict[str, list[str]]:
    """Every marked message in bot/ and cogs/, with where it is."""
    found: dict[str, list[str]] = {}
    for folder in ("bot", "cogs"):
        extracted = extract_from_dir(ROOT / folder, method_map=METHODS, keywords=KEYWORDS)
        for filename, line, message, _comments, _context in extracted:
            if isinstance(message, str):
                found.setdefault(message, []).append(f"{folder}/{filename}:{line}")
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_code_marks_messages_for_the_catalogue() -> None:
    assert len(marked()) > 500
    assert [po.name for po in (LOCALES / "cy" / "LC_MESSAGES").glob("*.po")] == ["cwtch.po"]  # one catalogue


def test_every_marked_message_has_a_welsh_translation() -> None:
    welsh = catalogue(Language.CY)
    missing = {message: where for message, where in marked().items() if message not in welsh}
    assert not missing, f"{len(missing)} messages have no Welsh translation, e.g. {next(iter(missing.items()))}"


def test_no_welsh_string_is_empty_or_left_in_english() -> None:
    po = (LOCALES / "cy" / "LC_MESSAGES" / "cwtch.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po.split('msgid ""', 2)[-1], "a fuzzy entry waits for review"
    untranslated = [m for m, w in catalogue(Language.CY).items() if w.strip() == m.strip() and m not in SAME_IN_BOTH]
    assert not untranslated, f"left in English: {untranslated[:5]}"


def test_placeholders_are_the_same_in_both_languages() -> None:
    differing = {
        message: (placeholders(message), placeholders(welsh))
        for message, welsh in catalogue(Language.CY).items()
        if placeholders(message) != placeholders(welsh)
    }
    assert not differing, differing


def test_markdown_and_mentions_survive_translation() -> None:
    for message, welsh in catalogue(Language.CY).items():
        for token in re.findall(r"`/[a-z -]+`|<#\{\w+\}>|<@\{\w+\}>", message):
            assert token in welsh, (message, token)


@pytest.mark.parametrize("language", list(Language))
def test_every_language_has_a_name_in_itself(language: Language) -> None:
    assert language.name_in_itself in SAME_IN_BOTH
