"""Discord IDs as they reach Cwtch from outside (picker values, custom_ids): ASCII digits within 64 bits."""

from __future__ import annotations

import re

SNOWFLAKE_MAX = 2**63 - 1  # Discord's IDs and Cwtch's row IDs are signed 64-bit integers
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text: str) -> int | None:
    """The positive 64-bit ID written in ``text``, or None: unicode digits, signs and overflow are not IDs."""
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= SNOWFLAKE_MAX else None
