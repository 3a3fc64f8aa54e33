"""``/series edit``: change a series and the sessions it still has to come, then tell the people affected.

Title, place (a Discord room or a link), length and capacity belong to the series, so every session shows the new
ones at once; sessions still to come get their end and actions moved when the length changes. A new time of day
applies from a date on (by default the next session): the rule takes the new time and earlier sessions keep
theirs as moved instances of it (see ``bot/domain/series_rules.py``), so the calendar feed stays exact. Capacity
lowered below the number going keeps everyone who is going; newcomers are waitlisted until places free. Raised, it
promotes people from the waitlist at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from bot.db.models import Occurrence, Series
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import series_rules
from bot.domain import sessions as session_rules
from bot.domain.actions import ActionKind, ActionState, due_times, rearm_after_move
from bot.domain.errors import AlreadyExists, InvalidInput
from bot.domain.inputs import parse_day, parse_time_of_day, quote
from bot.domain.language import N_, SessionMedium
from bot.domain.lifecycle import SeriesState, SessionState
from bot.domain.recurrence import Recurrence, local_dates, to_utc
from bot.domain.rsvp import RsvpStatus
from bot.services.cards import load_card, recurrence_of
from bot.services.messaging import Messenger
from bot.services.places import fill_free_places
from bot.services.ports import Notice, SessionGateway


@dataclass(frozen=True, slots=True)
class SeriesChanges:
    """What a facilitator typed into ``/series edit`` (still unvalidated); ``None`` leaves a thing as it is."""

    title: str | None = None
    duration: int | None = None
    capacity: int | None = None
    room_channel_id: int | None = None
    link: str | None = None
    start_time: str | None = None  # HH:MM in the cohort's zone
    from_date: str | None = None  # YYYY-MM-DD: the new time applies from this date on
    medium: str | None = None  # the ``language`` option: "cy", "bilingual" or "en" (back to English)


@dataclass(frozen=True, slots=True)
class Edit:
    """What an edit changed, and who and what must hear of it once it is committed."""

    title: str
    changed: tuple[str, ...]  # of "title", "duration", "capacity", "place", "time", "medium"
    upcoming: tuple[int, ...]  # sessions still to come (their announcements and events follow)
    moved: dict[int, datetime] = field(default_factory=dict)  # session -> its start before the new time
    promoted: dict[int, list[int]] = field(default_factory=dict)  # session -> members given a freed place
    from_date: date | None = None
    new_time: time | None = None
    kept: int = 0  # sessions from `from_date` on that were moved by hand and keep their time
    over_capacity: int = 0  # sessions where more people are going than the new capacity


@dataclass(frozen=True, slots=True)
class _Wanted:
    """The edit, checked: the series as it should be (unchanged parts as they are)."""

    title: str
    minutes: int
    capacity: int | None
    room: int | None  # a new room (the link goes), if given
    link: str | None  # a new link (the room goes), if given
    new_time: time | None
    from_date: date | None
    medium: SessionMedium | None


@dataclass(slots=True)
class _Retimed:
    from_date: date
    moved: dict[int, datetime]  # session -> start before, of scheduled sessions moved with the rule
    kept: int
    first_moved: bool
    changed: bool


async def apply_edit(
    uow: UnitOfWork, series: Series, changes: SeriesChanges, now: datetime, survey_open: timedelta
) -> Edit:
    """Change ``series`` and its sessions (not committed). Refuses, changing nothing, what can't be done."""
    wanted = _wanted(series, changes)
    changed = _changed(series, wanted)
    occurrences = list(await uow.occurrences.of_series(series.id))
    retimed = None
    if wanted.new_time is not None:
        retimed = await _retime(uow, series, occurrences, wanted.new_time, wanted.from_date, now, survey_open)
        if retimed.changed:
            changed.append("time")
    if not changed:
        raise InvalidInput(N_("That's how **{title}** is already, so nothing changed."), title=quote(series.title))
    await _rekey(uow, series, wanted, retimed)
    series.title, series.duration_minutes, series.capacity = wanted.title, wanted.minutes, wanted.capacity
    series.medium = wanted.medium
    if wanted.room is not None:
        series.room_channel_id, series.link = wanted.room, None
    elif wanted.link is not None:
        series.room_channel_id, series.link = None, wanted.link

    moved = retimed.moved if retimed else {}
    to_come = [o for o in occurrences if o.starts_at > now and _follows_series(o)]
    for occurrence in to_come:
        occurrence.ends_at = occurrence.starts_at + timedelta(minutes=wanted.minutes)
    upcoming = sorted((o for o in to_come if o.state == SessionState.SCHEDULED), key=lambda o: o.starts_at)
    await _reschedule([o for o in upcoming if "duration" in changed or o.id in moved], survey_open, uow, now)
    promoted: dict[int, list[int]] = {}
    over = 0
    if "capacity" in changed:
        promoted, over = await _fit_capacity(uow, upcoming, wanted.capacity, now)
    time_changed = retimed is not None and "time" in changed
    return Edit(
        title=series.title,
        changed=tuple(changed),
        upcoming=tuple(o.id for o in upcoming),
        moved=moved,
        promoted=promoted,
        from_date=retimed.from_date if retimed and time_changed else None,
        new_time=wanted.new_time if time_changed else None,
        kept=retimed.kept if retimed else 0,
        over_capacity=over,
    )


def _wanted(series: Series, changes: SeriesChanges) -> _Wanted:
    if series.state is SeriesState.ENDED:
        raise InvalidInput(
            N_("**{title}** has ended, so it can't be changed. Make a new one with `/series create`."),
            title=quote(series.title),
        )
    if all(getattr(changes, name) is None for name in SeriesChanges.__dataclass_fields__):
        raise InvalidInput(
            N_(
                "Tell me what to change: `title`, `duration`, `capacity`, `room`, `link`, `language`, or "
                "`start_time` (with `from_date` if it changes from a later date)."
            )
        )
    if changes.from_date is not None and changes.start_time is None:
        raise InvalidInput(
            N_("`from_date` says from when a new `start_time` applies. Give the `start_time` too, e.g. `14:00`.")
        )
    series_rules.require_one_place(changes.room_channel_id, changes.link)
    minutes = series.duration_minutes
    if changes.duration is not None:
        minutes = int(session_rules.validate_duration(changes.duration).total_seconds() // 60)
    return _Wanted(
        title=session_rules.clean_title(changes.title) if changes.title is not None else series.title,
        minutes=minutes,
        capacity=session_rules.validate_capacity(changes.capacity) if changes.capacity is not None else series.capacity,
        room=changes.room_channel_id,
        link=session_rules.clean_link(changes.link),
        new_time=parse_time_of_day(changes.start_time, "start_time") if changes.start_time else None,
        from_date=parse_day(changes.from_date, "from_date") if changes.from_date else None,
        medium=series_rules.parse_medium(changes.medium) if changes.medium is not None else series.medium,
    )


def _changed(series: Series, wanted: _Wanted) -> list[str]:
    changed = []
    if wanted.title != series.title:
        changed.append("title")
    if wanted.minutes != series.duration_minutes:
        changed.append("duration")
    if wanted.capacity != series.capacity:
        changed.append("capacity")
    new_room = wanted.room is not None and wanted.room != series.room_channel_id
    if new_room or (wanted.link is not None and wanted.link != series.link):
        changed.append("place")
    if wanted.medium != series.medium:
        changed.append("medium")
    return changed


async def _retime(
    uow: UnitOfWork,
    series: Series,
    occurrences: list[Occurrence],
    new_time: time,
    from_date: date | None,
    now: datetime,
    survey_open: timedelta,
) -> _Retimed:
    """The rule takes ``new_time``; sessions from ``from_date`` (default: the next) on move with it, earlier ones
    keep their time. ``occurrences`` gains the sessions that had to be made first."""
    rule = recurrence_of(series)
    from_date = from_date or _next_session_day(occurrences, rule, now)
    occurrences += await _make_before(uow, series, rule, from_date, survey_open, now)
    plan = series_rules.retime(rule, new_time, from_date, [_slot(o) for o in occurrences], now)
    retimed = _Retimed(
        from_date, {}, len(plan.kept), 0 in plan.moved, bool(plan.moved) or new_time != series.start_time
    )
    series.start_time = new_time
    series.next_start = None  # the tick works out the next session to make, from the new rule
    for occurrence in occurrences:
        occurrence.scheduled_start = plan.scheduled[occurrence.sequence]
        if occurrence.sequence in plan.moved:
            if occurrence.state == SessionState.SCHEDULED:
                retimed.moved[occurrence.id] = occurrence.starts_at
            occurrence.starts_at = plan.moved[occurrence.sequence]
    return retimed


async def _rekey(uow: UnitOfWork, series: Series, wanted: _Wanted, retimed: _Retimed | None) -> None:
    """Give the series the duplicate key of its new title or first start, unless a live twin holds it."""
    if series.duplicate_key is None:  # made before keys were, alongside a twin that holds the key
        return
    first = datetime.combine(series.first_date, series.start_time) if retimed and retimed.first_moved else None
    key = series_rules.rekeyed(series.duplicate_key, wanted.title, first)
    if key != series.duplicate_key and await uow.series.live_duplicate(series.cohort_id, key, besides=series.id):
        raise AlreadyExists(
            N_(
                "This cohort already has a series called **{title}** starting at the same time. "
                "Pick another title; `/series list` shows them all."
            ),
            title=quote(wanted.title),
        )
    series.duplicate_key = key


async def tell_edit(uow_factory: UnitOfWorkFactory, gateway: SessionGateway, edit: Edit) -> int:
    """After the commit: refresh the announcements and events of the sessions to come, and tell who RSVP'd to a
    session whose time, place or length changed (and who got a place). Returns how many people were told."""
    messenger = Messenger(uow_factory, gateway)
    told = 0
    detail_changed = bool({"place", "duration"} & set(edit.changed))
    for occurrence_id in edit.upcoming:
        async with uow_factory.reading() as uow:
            session = await load_card(uow, occurrence_id)
            rsvped = await uow.rsvps.users(occurrence_id, "going") + await uow.rsvps.users(occurrence_id, "waitlisted")
        if session is None:
            continue
        if session.event_id is not None and set(edit.changed) != {"capacity"}:
            await gateway.upsert_event(session)
        await gateway.refresh_announcement(session)
        if session.thread_id is not None and ("title" in edit.changed or occurrence_id in edit.moved):
            await gateway.rename_thread(session)  # its name shows the title and the time
        promoted = edit.promoted.get(occurrence_id, [])
        if promoted:
            await messenger.tell(session, promoted, Notice.PROMOTED)
        others = [user for user in rsvped if user not in promoted]
        if occurrence_id in edit.moved:
            await messenger.tell(replace(session, moved_from=edit.moved[occurrence_id]), others, Notice.MOVED)
        elif detail_changed:
            await messenger.tell(session, others, Notice.CHANGED)
        else:
            others = []
        told += len(others) + len(promoted)
    return told


def _follows_series(occurrence: Occurrence) -> bool:
    """A session to come that takes the series' changes: scheduled, or cancelled by a pause (a resume brings it
    back as the series now is)."""
    return occurrence.state == SessionState.SCHEDULED or (
        occurrence.state == SessionState.CANCELLED and occurrence.cancel_reason == series_rules.PAUSED
    )


def _slot(occurrence: Occurrence) -> series_rules.Slot:
    return series_rules.Slot(
        sequence=occurrence.sequence,
        state=occurrence.state,
        cancel_reason=occurrence.cancel_reason,
        scheduled_start=occurrence.scheduled_start,
        starts_at=occurrence.starts_at,
    )


def _next_session_day(occurrences: Sequence[Occurrence], rule: Recurrence, now: datetime) -> date:
    """The local date of the series' next session: where a new time applies when no date is given."""
    starts = [o.starts_at for o in occurrences if o.starts_at > now and _follows_series(o)]
    if not starts:
        starts = [to_utc(local, rule.zone) for local in local_dates(rule) if to_utc(local, rule.zone) > now][:1]
    if not starts:
        raise InvalidInput(N_("This series has no sessions to come, so there is no time to change."))
    return min(starts).astimezone(rule.zone).date()


def new_occurrence(series: Series, sequence: int, start: datetime, *, paused: bool = False) -> Occurrence:
    """Session ``sequence`` of ``series``, starting at ``start`` (aware UTC) for the series' duration; a paused
    series' is made cancelled by the pause, for a resume to bring back."""
    return Occurrence(
        guild_id=series.guild_id,
        series_id=series.id,
        sequence=sequence,
        scheduled_start=start,
        starts_at=start,
        ends_at=start + timedelta(minutes=series.duration_minutes),
        state=SessionState.CANCELLED if paused else SessionState.SCHEDULED,
        cancel_reason=series_rules.PAUSED if paused else None,
    )


async def _make_before(
    uow: UnitOfWork, series: Series, rule: Recurrence, from_date: date, survey_open: timedelta, now: datetime
) -> list[Occurrence]:
    """Make the rule's sessions before ``from_date`` that aren't made yet, at the time they have now, so they keep
    it once the rule changes (a paused series' come cancelled by the pause, for a resume to bring back)."""
    needed = series_rules.sessions_before(rule, from_date)
    made: list[Occurrence] = []
    duration = timedelta(minutes=series.duration_minutes)
    for sequence, local in enumerate(local_dates(rule)):
        if sequence >= needed:
            break
        if sequence <= series.materialized_through:
            continue
        start = to_utc(local, rule.zone)
        paused = series.state is not SeriesState.ACTIVE
        occurrence = await uow.occurrences.add(new_occurrence(series, sequence, start, paused=paused))
        await uow.actions.plan(series.guild_id, occurrence.id, due_times(start, start + duration, survey_open))
        if paused:
            await uow.actions.skip_pending(occurrence.id, series_rules.PAUSED, now)
        series.materialized_through = sequence
        made.append(occurrence)
    return made


async def _reschedule(
    occurrences: Sequence[Occurrence], survey_open: timedelta, uow: UnitOfWork, now: datetime
) -> None:
    """Move the actions of sessions whose start or end changed, as moving one session by hand does."""
    for occurrence in occurrences:
        due = due_times(occurrence.starts_at, occurrence.ends_at, survey_open)
        rearm = {
            action.kind
            for action in await uow.actions.of_occurrence(occurrence.id)
            if rearm_after_move(ActionKind(action.kind), ActionState(action.state), due[ActionKind(action.kind)], now)
        }
        await uow.actions.reschedule(occurrence.id, due, rearm)


async def _fit_capacity(
    uow: UnitOfWork, upcoming: Sequence[Occurrence], capacity: int | None, now: datetime
) -> tuple[dict[int, list[int]], int]:
    """Who the new capacity promotes from each session's waitlist, and how many sessions now have more people
    going than places (they all keep their place)."""
    promoted: dict[int, list[int]] = {}
    over = 0
    for occurrence in upcoming:
        if capacity is not None and len(await uow.rsvps.users(occurrence.id, RsvpStatus.GOING)) > capacity:
            over += 1
            continue
        chosen = await fill_free_places(uow, occurrence.id, capacity, now)
        if chosen:
            promoted[occurrence.id] = chosen
    return promoted, over
