"""The languages Cwtch speaks, and the language choices a member, a server and a series make."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    CY = "cy"
    EN = "en"

    @property
    def name_in_itself(self) -> str:
        return "Cymraeg" if self is Language.CY else "English"


DEFAULT_LANGUAGE = Language.EN


class ChannelPosts(StrEnum):
    """How a server's channel posts (announcements, room threads, digests) are written."""

    BILINGUAL = "bilingual"  # Welsh first, then English, in one message
    CY = "cy"
    EN = "en"


class SessionMedium(StrEnum):
    """The language a series' sessions are held in, when it is not English alone."""

    WELSH = "cy"
    BILINGUAL = "bilingual"


def N_(message: str) -> str:  # gettext's own name for "mark only"
    """Mark ``message`` for the catalogue: it is translated where it is shown, in the reader's language."""
    return message
