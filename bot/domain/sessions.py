"""Rules for series and sessions: the start a facilitator types, durations, capacities."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput
from bot.domain.inputs import check_number, parse_day, parse_wall_clock
from bot.domain.language import N_
from bot.domain.recurrence import MAX_OCCURRENCES

DURATION_MIN = 15
DURATION_MAX = 480
TITLE_MAX = 100
REASON_MAX = 500
LINK_MAX = 500
CAPACITY_MAX = 1000  # places in one session; more is a typing slip, not a peer-support group
COUNT_MAX = MAX_OCCURRENCES
_LINK = re.compile(r"^https://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def parse_local_start(text: str, zone: ZoneInfo) -> datetime:
    """``YYYY-MM-DD HH:MM`` as naive wall-clock time in ``zone``; refuses malformed, out-of-range and non-existent
    times."""
    local = parse_wall_clock(text, "start")
    round_trip = local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != local:
        raise InvalidInput(
            N_("{time} on {date} doesn't exist in {zone}: the clocks go forward then. Pick another time."),
            time=f"{local:%H:%M}",
            date=f"{local:%Y-%m-%d}",
            zone=zone.key,
        )
    return local


def require_future(start_utc: datetime, now: datetime, zone: ZoneInfo) -> None:
    if start_utc <= now:
        local_now = now.astimezone(zone)
        raise InvalidInput(
            N_("That start is in the past (it is now {now} in {zone}). Pick a future time."),
            now=f"{local_now:%Y-%m-%d %H:%M}",
            zone=zone.key,
        )


def validate_duration(minutes: int) -> timedelta:
    # Discord's integers stop at 2**53, so the number itself is short enough to show back.
    check_number(
        minutes,
        DURATION_MIN,
        DURATION_MAX,
        N_("A session lasts between {low} and {high} minutes; {minutes} is outside that."),
        low=DURATION_MIN,
        high=DURATION_MAX,
        minutes=minutes,
    )
    return timedelta(minutes=minutes)


def validate_capacity(capacity: int | None) -> int | None:
    if capacity is None:
        return None
    return check_number(
        capacity,
        1,
        CAPACITY_MAX,
        N_("Capacity is the number of places: at least 1 and at most {high}, or leave it empty for no limit."),
        high=CAPACITY_MAX,
    )


def validate_count(count: int | None) -> int | None:
    if count is None:
        return None
    return check_number(
        count,
        1,
        COUNT_MAX,
        N_("A series has from 1 to {high} sessions; leave `count` empty for no fixed number."),
        high=COUNT_MAX,
    )


def clean_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title:
        raise InvalidInput(N_("A series needs a title."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(
            N_("A title can be at most {limit} characters (this one has {length})."), limit=TITLE_MAX, length=len(title)
        )
    return title


def clean_reason(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    reason = raw.strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            N_("A reason can be at most {limit} characters (this one has {length})."),
            limit=REASON_MAX,
            length=len(reason),
        )
    return reason


def clean_link(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    link = raw.strip()
    if len(link) > LINK_MAX or not _LINK.match(link):
        raise InvalidInput(
            N_("The meeting link must be a full https:// address, e.g. a Teams or Zoom invitation link.")
        )
    return link


def discord_timestamp(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp, shown to each reader in their own time zone: ``<t:1773741600:F>``."""
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")
    return f"<t:{int(moment.timestamp())}:{style}>"


def parse_date(text: str, what: str = "date") -> date:
    """``YYYY-MM-DD`` between the years ``YEAR_MIN`` and ``YEAR_MAX``, or a clear refusal naming ``what``."""
    return parse_day(text, what)
