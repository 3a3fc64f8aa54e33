"""Rules for series and sessions: the start a facilitator types, durations, capacities."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput

DURATION_MIN = 15
DURATION_MAX = 480
TITLE_MAX = 100
REASON_MAX = 500
LINK_MAX = 500
_START = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})\s*$")
_LINK = re.compile(r"^https://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def parse_local_start(text: str, zone: ZoneInfo) -> datetime:
    """``YYYY-MM-DD HH:MM`` as naive wall-clock time in ``zone``; refuses malformed and non-existent times."""
    match = _START.match(text)
    if match is None:
        raise InvalidInput(
            f"I couldn't read {text.strip()!r} as a start. Use `YYYY-MM-DD HH:MM`, e.g. `2026-03-17 10:00`."
        )
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        local = datetime(year, month, day, hour, minute)  # noqa: DTZ001 - wall-clock time, zone applied below
    except ValueError as exc:
        raise InvalidInput(f"{text.strip()!r} is not a real date and time ({exc}).") from exc
    round_trip = local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != local:
        raise InvalidInput(
            f"{local:%H:%M} on {local:%-d %B %Y} doesn't exist in {zone.key}: the clocks go forward then. "
            "Pick another time."
        )
    return local


def require_future(start_utc: datetime, now: datetime, zone: ZoneInfo) -> None:
    if start_utc <= now:
        local_now = now.astimezone(zone)
        raise InvalidInput(
            f"That start is in the past (it is now {local_now:%Y-%m-%d %H:%M} in {zone.key}). Pick a future time."
        )


def validate_duration(minutes: int) -> timedelta:
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        raise InvalidInput(
            f"A session lasts between {DURATION_MIN} and {DURATION_MAX} minutes; {minutes} is outside that."
        )
    return timedelta(minutes=minutes)


def validate_capacity(capacity: int | None) -> int | None:
    if capacity is not None and capacity < 1:
        raise InvalidInput("Capacity is the number of places: at least 1, or leave it empty for no limit.")
    return capacity


def clean_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title:
        raise InvalidInput("A series needs a title.")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"A title can be at most {TITLE_MAX} characters (this one has {len(title)}).")
    return title


def clean_reason(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    reason = raw.strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"A reason can be at most {REASON_MAX} characters (this one has {len(reason)}).")
    return reason


def clean_link(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    link = raw.strip()
    if len(link) > LINK_MAX or not _LINK.match(link):
        raise InvalidInput("The meeting link must be a full https:// address, e.g. a Teams or Zoom invitation link.")
    return link


def discord_timestamp(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp, shown to each reader in their own time zone: ``<t:1773741600:F>``."""
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")
    return f"<t:{int(moment.timestamp())}:{style}>"


def parse_date(text: str, what: str = "date") -> date:
    """``YYYY-MM-DD``, or a clear refusal naming ``what``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(
            f"I couldn't read {text.strip()!r} as a {what}. Use `YYYY-MM-DD`, e.g. `2026-12-31`."
        ) from exc
