"""Rules for what people type into command options, checked once at the edge before anything uses it.

Discord lets a member type up to 6,000 characters into a plain text option, any Unicode they like, and numbers up
to 2**53 either side of zero. Everything here is pure: it refuses with ``InvalidInput``/``NotFound`` (which the
error funnel turns into a polite reply), and every refusal that shows the input back quotes it through
:func:`quote`, so no reply can outgrow Discord's 2,000-character message limit.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.domain.errors import InvalidInput, NotFound
from bot.domain.ids import ROW_ID_MAX, parse_id
from bot.domain.language import N_

QUOTE_MAX = 100  # characters of a member's input a reply may show back
YEAR_MIN = 2000  # dates a programme of peer support can sensibly name; beyond them calendars
YEAR_MAX = 2100  # and Python's datetime (which ends in 9999) stop being meaningful
DATE_TEXT_MAX = 32  # the longest date or date-and-time option a member may type
TIME_TEXT_MAX = 8  # the longest time of day (HH:MM, with spaces around) a member may type
ZONE_TEXT_MAX = 64  # the longest IANA zone name is 32 characters
PICKED_TEXT_MAX = 100  # an autocomplete choice's value is at most 100 characters

_DATE = re.compile(r"^\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\s*$", re.ASCII)
_TIME = re.compile(r"^\s*([0-9]{1,2}):([0-9]{2})\s*$", re.ASCII)
_DATE_TIME = re.compile(r"^\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})\s*$", re.ASCII)
# Names in the zone list that are not places a cohort meets in: the host's own zone and tzdata's placeholder.
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


def quote(raw: str, limit: int = QUOTE_MAX) -> str:
    """``raw`` as a reply may show it: trimmed, whitespace runs made single spaces, characters that print as nothing
    replaced, and cut to ``limit`` characters with an ellipsis."""
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in " ".join(raw.split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# What a person picked from an autocomplete list, by what it names: the refusal when it names nothing.
_NOT_PICKED = {
    "session": N_("I can't find that session. Start typing and pick one from the list."),
    "series": N_("I can't find that series. Start typing and pick one from the list."),
    "cohort": N_("I can't find that cohort. Start typing and pick one from the list."),
    "resource": N_("I can't find that resource. Start typing and pick one from the list."),
}
_NOT_PICKED_ANYTHING = N_("I can't find that. Start typing and pick one from the list.")


def parse_picked_id(raw: str, what: str, maximum: int = ROW_ID_MAX) -> int:
    """The ID behind a value picked from an autocomplete list: ASCII digits only (``str.isdigit`` also accepts
    ``²`` and ``①``, which ``int`` then refuses), from 1 to ``maximum``. Anything else was typed, not picked."""
    found = parse_id(raw, maximum)
    if found is None:
        raise NotFound(_NOT_PICKED.get(what, _NOT_PICKED_ANYTHING))
    return found


def check_year(year: int, text: str, what: str) -> None:
    """Refuse a year no session, survey or report can be in (and that would overflow date arithmetic). ``what``
    is the option the person typed it into (``until``, ``start``), shown as they know it."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput(
            N_("{value} is outside the dates I can use: `{option}` must fall between the years {low} and {high}."),
            value=repr(quote(text)),
            option=what,
            low=YEAR_MIN,
            high=YEAR_MAX,
        )


def parse_day(text: str, what: str = "date") -> date:
    """``YYYY-MM-DD`` in ASCII digits, a real date between ``YEAR_MIN`` and ``YEAR_MAX``, or a refusal naming
    ``what``, the option it was typed into."""
    match = _DATE.match(text)
    if match is None:
        raise InvalidInput(
            N_("I couldn't read {value} in `{option}`. Use `YYYY-MM-DD`, e.g. `2026-12-31`."),
            value=repr(quote(text)),
            option=what,
        )
    year, month, day = (int(part) for part in match.groups())
    check_year(year, text, what)
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(
            N_("{value} is not a real date. Use `YYYY-MM-DD`, e.g. `2026-12-31`."), value=repr(quote(text))
        ) from None


def parse_wall_clock(text: str, what: str = "start") -> datetime:
    """``YYYY-MM-DD HH:MM`` (or with a ``T``) in ASCII digits as naive wall-clock time, between ``YEAR_MIN`` and
    ``YEAR_MAX``; the zone is applied by the caller. ``what`` is the option it was typed into."""
    match = _DATE_TIME.match(text)
    if match is None:
        raise InvalidInput(
            N_("I couldn't read {value} in `{option}`. Use `YYYY-MM-DD HH:MM`, e.g. `2026-03-17 10:00`."),
            value=repr(quote(text)),
            option=what,
        )
    year, month, day, hour, minute = (int(part) for part in match.groups())
    check_year(year, text, what)
    try:
        return datetime(year, month, day, hour, minute)  # noqa: DTZ001 - wall-clock time, zone applied by the caller
    except ValueError:
        raise InvalidInput(
            N_("{value} is not a real date and time. Use `YYYY-MM-DD HH:MM`, e.g. `2026-03-17 10:00`."),
            value=repr(quote(text)),
        ) from None


def parse_time_of_day(text: str, what: str = "time") -> time:
    """``HH:MM`` on the 24-hour clock, in ASCII digits, as a wall-clock time (the zone is applied by the caller).
    ``what`` is the option it was typed into."""
    match = _TIME.match(text)
    if match is not None and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise InvalidInput(
        N_("I couldn't read {value} in `{option}`. Use `HH:MM` on the 24-hour clock, e.g. `14:00`."),
        value=repr(quote(text)),
        option=what,
    )


@cache
def zone_names() -> frozenset[str]:
    """The IANA zones a cohort may meet in: the installed zone list (read once), without non-places."""
    return frozenset(available_timezones()) - _NOT_PLACES


@cache
def _zones_by_key() -> dict[str, str]:
    return {name.casefold(): name for name in zone_names()}


def _alias_key(raw: str) -> str:
    return " ".join(raw.replace("_", " ").replace("-", " ").split()).casefold()


# What people in the UK and Ireland type for a zone, and the zone they mean. "GMT" and "BST" are the UK's clock in
# winter and in summer: someone typing either means UK time, which changes between them (the zone called "GMT"
# never does), so both are Europe/London. UTC stays UTC: whoever types it means it.
_LONDON, _DUBLIN = "Europe/London", "Europe/Dublin"
ZONE_ALIASES = {
    **dict.fromkeys(
        (
            "london", "uk", "u.k.", "gb", "great britain", "britain", "united kingdom", "england", "scotland",
            "wales", "cymru", "northern ireland", "cardiff", "caerdydd", "swansea", "abertawe", "newport",
            "wrexham", "bangor", "aberystwyth", "edinburgh", "glasgow", "aberdeen", "belfast", "manchester",
            "birmingham", "leeds", "liverpool", "bristol", "gmt", "bst", "greenwich mean time",
            "british summer time", "british time", "uk time",
        ),
        _LONDON,
    ),
    **dict.fromkeys(("dublin", "ireland", "eire", "éire", "republic of ireland", "irish time"), _DUBLIN),
}  # fmt: skip
_CLOCK_NAMES = frozenset({"gmt", "bst", "greenwich mean time", "british summer time"})


def parse_zone(raw: str) -> ZoneInfo:
    """The IANA zone named by ``raw`` (case ignored), or the zone a common name means ("London", "UK", "GMT",
    "Dublin"...: :data:`ZONE_ALIASES`), looked up in the zone list: a name that is not in it (a directory such as
    ``America``, a path, a very long or non-ASCII name) never reaches the file system."""
    name = None
    if len(raw) <= ZONE_TEXT_MAX:
        name = ZONE_ALIASES.get(_alias_key(raw)) or _zones_by_key().get(raw.strip().casefold())
    if name is None or name not in zone_names():
        raise InvalidInput(
            N_(
                "I don't know the time zone {value}. Use a region/city name such as `Europe/London` (all of "
                "the UK) or `Europe/Dublin`; pick one from the list as you type."
            ),
            value=repr(quote(raw)),
        )
    return ZoneInfo(name)


def zone_note_message(raw: str | None) -> tuple[str, dict[str, str]] | None:
    """What to tell someone whose typed zone was read as another name, as a catalogue message and its values
    (shown with ``t(language, message, **values)``); ``None`` when it was read as typed."""
    if raw is None or len(raw) > ZONE_TEXT_MAX:
        return None
    key = _alias_key(raw)
    zone = ZONE_ALIASES.get(key)
    if zone is None:
        return None
    values = {"value": repr(quote(raw)), "zone": zone}
    if key in _CLOCK_NAMES:
        return N_(
            "I took {value} to mean UK time: the time zone is `{zone}`, so sessions keep their clock time "
            "when the clocks change (GMT in winter, BST in summer)."
        ), values
    return N_("I took {value} to mean the time zone `{zone}`."), values


def zone_note(raw: str | None) -> str | None:
    """:func:`zone_note_message` in English, filled in."""
    found = zone_note_message(raw)
    return None if found is None else found[0].format(**found[1])


def check_number(value: int, low: int, high: int, refusal: str, /, **values: object) -> int:
    """``value`` when ``low <= value <= high``; otherwise ``refusal`` (a catalogue message that says what is
    expected, with ``values`` for its placeholders)."""
    if not low <= value <= high:
        raise InvalidInput(refusal, **values)
    return value
