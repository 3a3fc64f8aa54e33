"""IDs as they reach Cwtch from outside (picker values, custom_ids): ASCII digits, within the column they name."""

from __future__ import annotations

import re

SNOWFLAKE_MAX = 2**63 - 1  # Discord's IDs (users, guilds, channels) are stored as signed 64-bit integers
ROW_ID_MAX = 2**31 - 1  # Cwtch's own row IDs (series, sessions, resources) are 32-bit integers on PostgreSQL
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text: str, maximum: int = SNOWFLAKE_MAX) -> int | None:
    """The positive ID up to ``maximum`` written in ``text``, or None: unicode digits, signs and overflow are not
    IDs."""
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= maximum else None
