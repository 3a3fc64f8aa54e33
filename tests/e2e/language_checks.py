"""Whether what the bot showed someone is in their language: words that only English (or only Welsh) uses.

Names that people typed (cohorts, series, resources) are theirs and may be in either language: pass them as
``names`` and they are taken out before the check. Commands (`/session list`) and mentions are left out too."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Common words of one language that the other never uses (in Cwtch's texts).
ENGLISH_ONLY = frozenset(
    re.findall(
        r"\S+",
        "the you your yours please thank thanks will with this that these here there what when where which have has "
        "session sessions cohort survey reminder reminders going isn't can't don't you're we're i'll it's from "
        "about would could should every there's again",
    )
)
WELSH_ONLY = frozenset(
    re.findall(
        r"\S+",
        "chi eich diolch gyda mae bydd byddwn sesiwn sesiynau carfan arolwg ymateb hwylusydd dewiswch os rydych "
        "ydych allwch gallwch hefyd nawr cymorth",
    )
)
_CODE = re.compile(r"`[^`]*`|<[@#&!:][^>]*>|<t:\d+(:[A-Za-z])?>|https?://\S+")
_WORD = re.compile(r"[A-Za-zÀ-ÿŵŷŴŶ']+")


def _words(text: str, names: Iterable[str]) -> set[str]:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return {word.casefold().strip("'") for word in _WORD.findall(_CODE.sub(" ", text))}


def english_in(text: str, names: Iterable[str] = ()) -> set[str]:
    """The English-only words in ``text`` (empty: none)."""
    return _words(text, names) & ENGLISH_ONLY


def welsh_in(text: str, names: Iterable[str] = ()) -> set[str]:
    """The Welsh-only words in ``text`` (empty: none)."""
    return _words(text, names) & WELSH_ONLY


def assert_welsh(text: str, names: Iterable[str] = ()) -> None:
    names = list(names)
    assert text.strip(), "nothing was shown"
    assert not english_in(text, names), f"English in a Welsh reader's text: {english_in(text, names)}: {text!r}"
    assert welsh_in(text, names) or len(_words(text, names)) < 4, f"this does not read as Welsh: {text!r}"


def assert_english(text: str, names: Iterable[str] = ()) -> None:
    names = list(names)
    assert text.strip(), "nothing was shown"
    assert not welsh_in(text, names), f"Welsh in an English reader's text: {welsh_in(text, names)}: {text!r}"
