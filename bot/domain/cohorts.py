"""Rules for cohorts: names, descriptions and time zones."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput
from bot.domain.inputs import ZONE_ALIASES, parse_zone, zone_names
from bot.domain.language import N_

NAME_MAX = 80
DESCRIPTION_MAX = 1000
_SPACES = re.compile(r"\s+")


def clean_name(raw: str) -> str:
    """Trim and collapse whitespace; refuse empty or overlong names."""
    name = _SPACES.sub(" ", raw).strip()
    if not name:
        raise InvalidInput(N_("A cohort needs a name."))
    if len(name) > NAME_MAX:
        raise InvalidInput(
            N_("A cohort name can be at most {limit} characters (this one has {length})."),
            limit=NAME_MAX,
            length=len(name),
        )
    return name


def name_key(name: str) -> str:
    """The form in which two names count as the same cohort (case and spacing ignored)."""
    return clean_name(name).casefold()


def clean_description(raw: str) -> str:
    description = raw.strip()
    if not description:
        raise InvalidInput(N_("A cohort needs a short description, so members know who it is for."))
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(
            N_("A cohort description can be at most {limit} characters (this one has {length})."),
            limit=DESCRIPTION_MAX,
            length=len(description),
        )
    return description


def parse_timezone(raw: str) -> ZoneInfo:
    """Return the IANA zone named by ``raw`` (case-insensitive), or explain what is expected."""
    return parse_zone(raw)


def suggest_timezones(prefix: str, limit: int = 25) -> list[str]:
    """Zone names containing ``prefix`` (case-insensitive), for autocomplete; Europe first, and first of all the
    zone a common name starting with ``prefix`` means ("uk" → Europe/London)."""
    needle = prefix.strip().casefold()
    meant = sorted({zone for alias, zone in ZONE_ALIASES.items() if needle and alias.startswith(needle)})
    zones = sorted(
        (zone for zone in zone_names() if needle in zone.casefold() and "/" in zone and zone not in meant),
        key=lambda zone: (not zone.startswith("Europe/"), zone),
    )
    return [*meant, *zones][:limit]
