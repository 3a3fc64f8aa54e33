"""An iCalendar (RFC 5545) feed of a cohort's sessions, for ``/calendar``.

Each series becomes one master VEVENT whose RRULE says exactly what its :class:`Recurrence` says, at wall-clock
time in the cohort's zone, so calendar apps keep a 10:00 session at 10:00 across daylight-saving changes.
Cancelled sessions are EXDATEs; a moved session is an EXDATE plus an override VEVENT (same UID, RECURRENCE-ID)
at its new time. Each zone used is described by a VTIMEZONE read from zoneinfo: its transitions over the years
the series span, with a yearly RRULE for the rule the zone still follows. Written by hand: no calendar library.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.recurrence import Cadence, MonthlyBy, Recurrence, local_dates, to_utc

PRODID = "-//Cwtch//Cwtch sessions//EN"
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQ = {
    Cadence.WEEKLY: "FREQ=WEEKLY;INTERVAL=1",
    Cadence.FORTNIGHTLY: "FREQ=WEEKLY;INTERVAL=2",
    Cadence.MONTHLY: "FREQ=MONTHLY;INTERVAL=1",
    Cadence.BIMONTHLY: "FREQ=MONTHLY;INTERVAL=2",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # not allowed in TEXT (tab and newline are handled)
_DAY_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class CalendarSeries:
    """One series as the calendar shows it.

    ``cancelled`` and ``moved`` are keyed by the aware UTC start the rule gives the session; keys that are not
    (or no longer) a session of the rule are ignored. A moved session keeps ``duration``.
    """

    uid: str  # stable, e.g. "series-12.guild-345@cwtch"
    title: str
    description: str
    rule: Recurrence
    duration: timedelta
    location: str | None = None  # a link or a channel name
    cancelled: frozenset[datetime] = frozenset()
    moved: Mapping[datetime, datetime] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.duration < timedelta(seconds=1):
            raise ValueError("duration must be at least a second")
        for when in (*self.cancelled, *self.moved):
            if when.tzinfo is None or when.utcoffset() != timedelta(0):
                raise ValueError(f"cancelled and moved sessions are keyed by their aware UTC start, not {when!r}")
        if any(new.tzinfo is None or new.utcoffset() is None for new in self.moved.values()):
            raise ValueError("a moved session's new start must be an aware datetime")


def build_calendar(series: Sequence[CalendarSeries], *, now: datetime, name: str) -> bytes:
    """The ``text/calendar`` body (UTF-8, CRLF, folded at 75 octets) of a calendar ``name`` holding ``series``.

    ``now`` (aware) is every event's DTSTAMP. Series with no sessions at all are left out. Raises ValueError
    for a naive ``now`` or two series sharing a UID.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    if len({item.uid for item in series}) != len(series):
        raise ValueError("every series needs its own uid")
    events: list[str] = []
    spans: dict[str, tuple[ZoneInfo, date, date]] = {}  # zone key -> (zone, first day, last day) to describe
    for item in series:
        lines, days = _events(item, _utc(now))
        events += lines
        zone = item.rule.zone
        if days:
            _, low, high = spans.get(zone.key, (zone, min(days), max(days)))
            spans[zone.key] = (zone, min(low, *days), max(high, *days))
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    lines = [*head, f"X-WR-CALNAME:{_text(name)}"]
    for key in sorted(spans):
        lines += _vtimezone(*spans[key])
    return b"".join(_fold(line) for line in [*lines, *events, "END:VCALENDAR"])


def _events(item: CalendarSeries, stamp: str) -> tuple[list[str], list[date]]:
    """The master VEVENT and overrides of ``item``, and the local days the zone must be described for."""
    rule, zone = item.rule, item.rule.zone
    scheduled = {to_utc(local, zone): local for local in local_dates(rule)}
    if not scheduled:
        return [], []  # e.g. "last Friday" from a first date whose last Friday falls after `until`
    starts = list(scheduled.values())
    cancelled = {scheduled[key] for key in item.cancelled if key in scheduled}
    moved = {
        scheduled[key]: new for key, new in item.moved.items() if key in scheduled and scheduled[key] not in cancelled
    }
    open_ended = rule.count is None and rule.until is None
    days = [starts[0].date(), *([] if open_ended else [starts[-1].date()])]
    days += [new.astimezone(zone).date() for new in moved.values()]
    if rule.cadence is Cadence.ONCE:  # no recurrence to override: the one event is where the session is
        if cancelled:
            return [], []
        return _vevent(item, stamp, [_when("DTSTART", moved.get(starts[0], starts[0]), zone)]), days
    master = [_when("DTSTART", starts[0], zone), _rrule(rule)]
    master += [_when("EXDATE", local, zone) for local in sorted(cancelled | moved.keys())]
    lines = _vevent(item, stamp, master)
    for local, new in sorted(moved.items()):
        lines += _vevent(item, stamp, [_when("RECURRENCE-ID", local, zone), _when("DTSTART", new, zone)])
    return lines, days


def _vevent(item: CalendarSeries, stamp: str, when: list[str]) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{_text(item.uid)}", f"DTSTAMP:{stamp}", *when]
    lines += [f"DURATION:{_duration(item.duration)}", f"SUMMARY:{_text(item.title)}"]
    lines.append(f"DESCRIPTION:{_text(item.description)}")
    if item.location:
        lines.append(f"LOCATION:{_text(item.location)}")
    return [*lines, "END:VEVENT"]


def _rrule(rule: Recurrence) -> str:
    parts = [_FREQ[rule.cadence]]
    first = rule.first_local
    if rule.cadence in (Cadence.MONTHLY, Cadence.BIMONTHLY):
        by_day = f"BYDAY={rule.nth_weekday}{_DAYS[first.weekday()]}"
        parts.append(f"BYMONTHDAY={first.day}" if rule.monthly_by is MonthlyBy.DAY else by_day)
    if rule.count is not None:
        parts.append(f"COUNT={rule.count}")
    if rule.until is not None:  # the end of the last day, in the zone (RFC 5545 wants UTC with a TZID DTSTART)
        parts.append(f"UNTIL={_utc(datetime.combine(rule.until, time(23, 59, 59), tzinfo=rule.zone))}")
    return "RRULE:" + ";".join(parts)


def _when(prop: str, value: datetime, zone: ZoneInfo) -> str:
    """``PROP;TZID=<zone>:<wall clock>`` for naive wall-clock or aware ``value``; UTC if the wall clock is ambiguous."""
    if value.tzinfo is not None:
        local = value.astimezone(zone).replace(tzinfo=None, fold=0)
        if to_utc(local, zone) != value:  # the second 01:30 of an autumn night: only UTC can say which
            return f"{prop}:{_utc(value)}"
        value = local
    return f"{prop};TZID={zone.key}:{value:%Y%m%dT%H%M%S}"


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _duration(span: timedelta) -> str:
    hours, rest = divmod(int(span.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    return "PT" + "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)


def _offset(span: timedelta) -> str:
    total = int(span.total_seconds())
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{'-' if total < 0 else '+'}{hours:02}{minutes:02}" + (f"{seconds:02}" if seconds else "")


def _text(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and newline escaped; other control characters dropped."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> bytes:
    """``line`` and CRLF, folded so no physical line exceeds 75 octets and no UTF-8 character is split."""
    chunks, chunk, size, limit = [], "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            chunks.append(chunk)
            chunk, size, limit = "", 0, 74  # a continuation line starts with a space
        chunk += char
        size += width
    return "\r\n ".join([*chunks, chunk]).encode() + b"\r\n"


def _vtimezone(zone: ZoneInfo, first: date, last: date) -> list[str]:
    """VTIMEZONE for ``zone``, exact from its first change in the year before ``first``; a yearly rule it still
    follows is left open-ended."""
    start_year, end_year = first.year - 1, max(last.year, first.year + 6) + 1  # 8+ years pin a rule down
    start = datetime(start_year, 1, 1, tzinfo=UTC)
    changes = _transitions(zone, start, datetime(end_year + 1, 1, 1, tzinfo=UTC))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    if not changes:
        offset, tzname = _state(zone, int(start.timestamp()))
        lines += _observance("STANDARD", [(start + offset).replace(tzinfo=None)], offset, offset, tzname, "")
    groups: dict[tuple[timedelta, timedelta, str], list[datetime]] = {}
    for onset, old, new, tzname in changes:
        groups.setdefault((old, new, tzname), []).append(onset)
    for (old, new, tzname), onsets in groups.items():
        kind = "DAYLIGHT" if new > old else "STANDARD"  # by the clocks, so Dublin's IST is the daylight one
        run, rule = _yearly_rule(onsets, end_year)
        if len(onsets) > run:
            lines += _observance(kind, onsets[: len(onsets) - run], old, new, tzname, "")
        if run:
            lines += _observance(kind, onsets[-run:][:1], old, new, tzname, rule)
    return [*lines, "END:VTIMEZONE"]


def _observance(kind: str, onsets: list[datetime], old: timedelta, new: timedelta, tzname: str, rule: str) -> list[str]:
    lines = [f"BEGIN:{kind}", f"DTSTART:{onsets[0]:%Y%m%dT%H%M%S}", f"TZOFFSETFROM:{_offset(old)}"]
    lines += [f"TZOFFSETTO:{_offset(new)}", f"TZNAME:{_text(tzname)}"]
    lines += [f"RDATE:{onset:%Y%m%dT%H%M%S}" for onset in onsets[1:]]
    return [*lines, *([rule] if rule else []), f"END:{kind}"]


def _state(zone: ZoneInfo, timestamp: int) -> tuple[timedelta, str]:
    moment = datetime.fromtimestamp(timestamp, zone)
    return moment.utcoffset() or timedelta(0), moment.tzname() or ""


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, timedelta, timedelta, str]]:
    """``(onset as wall clock before it, offset before, offset after, name after)`` of each change in ``zone``."""
    found = []
    moment, stop = int(start.timestamp()), int(end.timestamp())
    while moment < stop:
        step = min(moment + _DAY_SECONDS, stop)
        if _state(zone, step) == _state(zone, moment):
            moment = step
            continue
        low, high = moment, step  # bisect to the first second of the new state
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if _state(zone, middle) == _state(zone, low) else (low, middle)
        old, (new, tzname) = _state(zone, low)[0], _state(zone, high)
        found.append(((datetime.fromtimestamp(high, UTC) + old).replace(tzinfo=None), old, new, tzname))
        moment = high
    return found


def _yearly_rule(onsets: list[datetime], final_year: int) -> tuple[int, str]:
    """How many of the last ``onsets`` follow one yearly rule through ``final_year``, and its RRULE (0, "" if none)."""
    last = onsets[-1]
    if last.year != final_year:
        return 0, ""
    weeks, run = _weeks(last), 1
    for earlier in reversed(onsets[:-1]):
        same_day = (earlier.month, earlier.weekday(), earlier.time()) == (last.month, last.weekday(), last.time())
        if earlier.year != last.year - run or not same_day or not weeks & _weeks(earlier):
            break
        weeks, run = weeks & _weeks(earlier), run + 1
    if run < 2:
        return 0, ""
    nth = -1 if -1 in weeks else min(weeks)
    return run, f"RRULE:FREQ=YEARLY;BYMONTH={last.month};BYDAY={nth}{_DAYS[last.weekday()]}"


def _weeks(day: datetime) -> set[int]:
    """Which nth weekday of its month ``day`` is: {2}, or {4, -1} when it is also the last."""
    return {(day.day - 1) // 7 + 1} | ({-1} if (day + timedelta(days=7)).month != day.month else set())
