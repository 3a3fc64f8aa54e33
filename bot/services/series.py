"""Use cases of ``/series``: create, list, pause, resume and end a recurring series; keep its sessions made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Occurrence, Series
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import lifecycle, series_rules
from bot.domain import recurrence as rules
from bot.domain import sessions as session_rules
from bot.domain.access import Actor, require_facilitator
from bot.domain.actions import SURVEY_OPEN, ActionKind, ActionState, due_times, rearm_after_resume
from bot.domain.errors import AlreadyExists, InvalidInput, NotFound
from bot.domain.inputs import quote
from bot.domain.language import DEFAULT_LANGUAGE, N_, Language, SessionMedium
from bot.domain.lifecycle import SeriesState, SessionState
from bot.domain.rsvp import RsvpStatus
from bot.domain.series_rules import StopAction
from bot.domain.shards import ALL_SHARDS, ShardSet
from bot.i18n import t
from bot.services.cards import recurrence_of
from bot.services.cohorts import find_cohort, guild_roles
from bot.services.ports import SessionGateway
from bot.services.schedule_signal import ScheduleSignal
from bot.services.series_edit import Edit, SeriesChanges, apply_edit, new_occurrence, tell_edit
from bot.services.sessions import SessionService

Clock = Callable[[], datetime]
# Sessions are made 13 months ahead (and always a series' next three), so members book and facilitators cancel or
# move any of them; Discord sees only its own horizons (announcement, events: bot/domain/actions.py).
MATERIALIZE_AHEAD = timedelta(days=400)
MATERIALIZE_AT_LEAST = 3
NO_MORE = datetime(9999, 12, 31, tzinfo=UTC)  # next_start of a series whose rule has no more sessions
PAUSED = series_rules.PAUSED
ENDED = N_("series ended")  # the cancel reason of the sessions an end cancelled
FEEDBACK_MIN_GROUP = 5  # the anonymity threshold's default (FEEDBACK_MIN_GROUP): counts below it are not shown
_CHOICE_LABELS = {
    SeriesState.ACTIVE: N_("{title} ({cohort}, active)"),
    SeriesState.PAUSED: N_("{title} ({cohort}, paused)"),
    SeriesState.ENDED: N_("{title} ({cohort}, ended)"),
}

_STOPS_TO = {StopAction.PAUSE: SeriesState.PAUSED, StopAction.END: SeriesState.ENDED}


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    id: int
    title: str
    cohort_name: str
    rule: str
    state: str
    duration_minutes: int
    capacity: int | None
    next_starts: tuple[datetime, ...]
    room_channel_id: int | None = None
    link: str | None = None
    recurrence: rules.Recurrence | None = None  # the rule ``rule`` describes, to describe it in another language
    medium: SessionMedium | None = None  # held in Welsh or bilingually; None: in English


@dataclass(frozen=True, slots=True)
class WelshMediumDemand:
    """How many members of a server said they would prefer Welsh-medium sessions, as facilitators may see it:
    ``count`` is None when fewer than ``min_group`` did (no small number that could point at someone)."""

    count: int | None
    min_group: int


@dataclass(frozen=True, slots=True)
class SeriesRequest:
    """What a facilitator typed into ``/series create`` (still unvalidated)."""

    cohort: str
    title: str
    cadence: str
    start: str
    duration: int
    capacity: int | None = None
    room_channel_id: int | None = None
    link: str | None = None
    monthly_by: str | None = None
    until: str | None = None
    count: int | None = None
    medium: str | None = None  # the ``language`` option: "cy", "bilingual" (or "en"); None: in English


@dataclass(frozen=True, slots=True)
class StopPreview:
    """What pausing or ending a series would do, shown before the facilitator confirms it."""

    series_id: int
    title: str
    action: StopAction
    sessions: int  # upcoming sessions that would be cancelled
    people: int  # members who RSVP'd to them (going or waitlisted), who would be told
    next_start: datetime | None  # the next session's start, if there is one
    issued_at: int  # UNIX seconds: the moment offered, carried by the Confirm button
    timezone: str = "Europe/London"  # the series' zone, to write the next start in Welsh


@dataclass(frozen=True, slots=True)
class EditOutcome:
    info: SeriesInfo
    edit: Edit
    told: int  # members told by DM (or in the session thread when their DMs are closed)


class SeriesService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        clock: Clock,
        shards: ShardSet = ALL_SHARDS,
        survey_open: timedelta = SURVEY_OPEN,
        gateway: SessionGateway | None = None,
        sessions: SessionService | None = None,
        schedule_changed: ScheduleSignal | None = None,
        min_group: int = FEEDBACK_MIN_GROUP,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._shards = shards
        self._min_group = min_group
        self._survey_open = survey_open
        self._gateway = gateway  # tells those affected by an edit; only `edit` needs it
        self._sessions = sessions  # tells Discord and members about sessions a pause, end or resume changed
        self._schedule = schedule_changed or ScheduleSignal()

    async def create(self, guild_id: int, actor: Actor, request: SeriesRequest) -> SeriesInfo:
        now = self._clock()
        async with self._uow() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            cohort = await find_cohort(uow, guild_id, request.cohort)
            series = _validated_series(guild_id, cohort.id, cohort.timezone, actor.user_id, request, now)
            assert series.duplicate_key is not None
            # Checked first for the clearest answer; the unique constraint decides when two creates race.
            twin = await uow.series.live_duplicate(cohort.id, series.duplicate_key)
            if twin is not None or await uow.series.add_unless_duplicate(series) is None:
                raise _duplicate(series, cohort.name)
            made = await materialize(uow, series, now, self._survey_open)
            await uow.audit.record(guild_id, actor.user_id, "series.create", series_id=series.id, title=series.title)
            await uow.commit()
            info = _info(series, cohort.name, [o.starts_at for o in made if o.starts_at > now])
        self._schedule.changed()
        return info

    async def listing(self, guild_id: int, actor: Actor, cohort: str | None = None) -> list[SeriesInfo]:
        """``/series list``: the series of the guild (or of one cohort), for facilitators only."""
        now = self._clock()
        async with self._uow.reading() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            cohort_id = None
            if cohort:
                cohort_id = (await find_cohort(uow, guild_id, cohort)).id
            infos = []
            for series, owner in await uow.series.in_guild(guild_id, cohort_id):
                upcoming = [o.starts_at for o in await uow.occurrences.of_series(series.id, after=now)]
                infos.append(_info(series, owner.name, upcoming))
            return infos

    async def welsh_medium_demand(self, guild_id: int, actor: Actor) -> WelshMediumDemand:
        """For ``/series list``: how many members said they would prefer Welsh-medium sessions (``/language
        welsh_sessions``), for facilitators only, and only as a number no smaller than the anonymity threshold."""
        async with self._uow.reading() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            count = await uow.preferences.welsh_medium_count(guild_id)
        return WelshMediumDemand(series_rules.welsh_medium_demand(count, self._min_group), self._min_group)

    async def choices(
        self, guild_id: int, fragment: str, language: Language = DEFAULT_LANGUAGE
    ) -> list[tuple[str, int]]:
        """``(label, id)`` of series matching ``fragment``, for autocomplete, in ``language``."""
        needle = fragment.strip().casefold()
        async with self._uow() as uow:
            rows = await uow.series.in_guild(guild_id)
        return [
            (t(language, _CHOICE_LABELS[series.state], title=series.title, cohort=cohort.name)[:100], series.id)
            for series, cohort in rows
            if needle in series.title.casefold() or needle in cohort.name.casefold()
        ][:25]

    async def preview_stop(self, guild_id: int, actor: Actor, series_id: int, action: StopAction) -> StopPreview:
        """What ``/series pause`` or ``/series end`` would do (nothing changes until it is confirmed)."""
        now = self._clock()
        async with self._uow.reading() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            series, _ = await _series(uow, guild_id, series_id)
            lifecycle.stop(series.state, _STOPS_TO[action], series.title)
            upcoming = [
                o for o in await uow.occurrences.of_series(series.id, after=now) if o.state is SessionState.SCHEDULED
            ]
            people: set[int] = set()
            for occurrence in upcoming:
                people.update(await uow.rsvps.users(occurrence.id, RsvpStatus.GOING))
                people.update(await uow.rsvps.users(occurrence.id, RsvpStatus.WAITLISTED))
        return StopPreview(
            series_id=series.id,
            title=series.title,
            action=action,
            sessions=len(upcoming),
            people=len(people),
            next_start=min((o.starts_at for o in upcoming), default=None),
            issued_at=int(now.timestamp()),
            timezone=series.timezone,
        )

    async def confirm_stop(
        self, guild_id: int, actor: Actor, series_id: int, action: StopAction, issued_at: int
    ) -> tuple[SeriesInfo, list[int]]:
        """The facilitator confirmed a pause or an end offered at ``issued_at``: do it, if the offer is still fresh
        and they are still a facilitator, and tell Discord and those who RSVP'd. Returns the series and the
        sessions cancelled."""
        series_rules.require_fresh(issued_at, self._clock(), f"/series {action.value}")
        if action is StopAction.PAUSE:
            info, cancelled = await self.pause(guild_id, actor, series_id)
        else:
            info, cancelled = await self.end(guild_id, actor, series_id)
        if self._sessions is not None:
            await self._sessions.announce_cancellations(cancelled)
        return info, cancelled

    async def pause(self, guild_id: int, actor: Actor, series_id: int) -> tuple[SeriesInfo, list[int]]:
        """Pause: upcoming sessions are cancelled (reason "series paused"). Returns the cancelled occurrences."""
        return await self._stop(guild_id, actor, series_id, SeriesState.PAUSED, PAUSED)

    async def end(self, guild_id: int, actor: Actor, series_id: int) -> tuple[SeriesInfo, list[int]]:
        return await self._stop(guild_id, actor, series_id, SeriesState.ENDED, ENDED)

    async def edit(self, guild_id: int, actor: Actor, series_id: int, changes: SeriesChanges) -> EditOutcome:
        """``/series edit``: change a series and its sessions still to come; tell those who RSVP'd to a session
        whose time, place or length changed, and bring its announcement and Discord event up to date."""
        assert self._gateway is not None, "SeriesService needs a gateway to edit series"
        now = self._clock()
        async with self._uow() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            series, cohort_name = await _series(uow, guild_id, series_id)
            edit = await apply_edit(uow, series, changes, now, self._survey_open)
            await uow.audit.record(
                guild_id, actor.user_id, "series.edit", series_id=series.id, changed=list(edit.changed)
            )
            await uow.commit()
            upcoming = [o.starts_at for o in await uow.occurrences.of_series(series.id, after=now)]
            info = _info(series, cohort_name, upcoming)
        self._schedule.changed()
        return EditOutcome(info, edit, await tell_edit(self._uow, self._gateway, edit))

    async def resume(self, guild_id: int, actor: Actor, series_id: int) -> tuple[SeriesInfo, list[int]]:
        """Resume a paused series, bringing its restored sessions' announcements up to date; returns it and the
        sessions restored."""
        now = self._clock()
        async with self._uow() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            series, cohort_name = await _series(uow, guild_id, series_id)
            series.state = lifecycle.resume(series.state, series.title)
            restored = []
            for occurrence in await uow.occurrences.of_series(series.id, after=now):
                if occurrence.state is SessionState.CANCELLED and occurrence.cancel_reason == PAUSED:
                    occurrence.state, occurrence.cancel_reason = SessionState.SCHEDULED, None
                    states = {a.kind: ActionState(a.state) for a in await uow.actions.of_occurrence(occurrence.id)}
                    await uow.actions.reschedule(
                        occurrence.id,
                        due_times(occurrence.starts_at, occurrence.ends_at, self._survey_open),
                        rearm={kind for kind, state in states.items() if rearm_after_resume(ActionKind(kind), state)},
                    )
                    restored.append(occurrence.id)
            await materialize(uow, series, now, self._survey_open)
            await uow.audit.record(guild_id, actor.user_id, "series.resume", series_id=series.id)
            await uow.commit()
            upcoming = [o.starts_at for o in await uow.occurrences.of_series(series.id, after=now)]
            info = _info(series, cohort_name, upcoming)
        self._schedule.changed()
        if self._sessions is not None:
            await self._sessions.refresh_announcements(restored)
        return info, restored

    async def _stop(
        self, guild_id: int, actor: Actor, series_id: int, state: SeriesState, reason: str
    ) -> tuple[SeriesInfo, list[int]]:
        now = self._clock()
        async with self._uow() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            series, cohort_name = await _series(uow, guild_id, series_id)
            series.state = lifecycle.stop(series.state, state, series.title)
            if state is SeriesState.ENDED:
                series.duplicate_key = None  # an ended series no longer stands in the way of a new one like it
            cancelled = []
            for occurrence in await uow.occurrences.of_series(series.id, after=now):
                if occurrence.state is SessionState.SCHEDULED:
                    occurrence.state, occurrence.cancel_reason = lifecycle.cancel(occurrence.state), reason
                    await uow.actions.skip_pending(occurrence.id, reason, now)
                    cancelled.append(occurrence.id)
            await uow.audit.record(guild_id, actor.user_id, f"series.{state}", series_id=series.id)
            await uow.commit()
            return _info(series, cohort_name, []), cancelled

    async def materialize_due(self) -> int:
        """Make the occurrences (and actions) of active series whose horizon moved on. Returns how many.

        One short transaction per series: after an upgrade that widened the horizon, hundreds of series each make
        a year of sessions, and members' clicks must not wait behind all of it for the write lock."""
        now = self._clock()
        async with self._uow.reading() as uow:
            due = [series.id for series in await uow.series.needing_occurrences(now + MATERIALIZE_AHEAD, self._shards)]
        made = 0
        for series_id in due:
            async with self._uow() as uow:
                series = await uow.series.by_id(series_id)
                if series is None:
                    continue
                made += len(await materialize(uow, series, now, self._survey_open))
                await uow.commit()
        return made


async def materialize(
    uow: UnitOfWork, series: Series, now: datetime, survey_open: timedelta = SURVEY_OPEN
) -> list[Occurrence]:
    """Create the series' occurrences up to ``now + MATERIALIZE_AHEAD``, and at least its next
    ``MATERIALIZE_AT_LEAST`` however far ahead, with their actions."""
    if series.state is not SeriesState.ACTIVE:
        return []
    made: list[Occurrence] = []
    ahead = 0  # sessions of the rule after now, made before or here
    series.next_start = NO_MORE  # unless the loop finds one beyond the horizon
    for sequence, start in rules.occurrences(recurrence_of(series)):
        if sequence <= series.materialized_through:
            ahead += start > now
            continue
        if start > now + MATERIALIZE_AHEAD and ahead >= MATERIALIZE_AT_LEAST:
            series.next_start = start
            break
        ahead += start > now
        made.append(new_occurrence(series, sequence, start))
    if made:  # a year of sessions and their actions in two flushes
        await uow.occurrences.add_all(made)
        await uow.actions.plan_new(
            series.guild_id, {o.id: due_times(o.starts_at, o.ends_at, survey_open) for o in made}
        )
        series.materialized_through = made[-1].sequence
    return made


def _validated_series(
    guild_id: int, cohort_id: int, timezone: str, user_id: int, request: SeriesRequest, now: datetime
) -> Series:
    try:
        cadence = rules.Cadence(request.cadence.strip().lower())
    except ValueError:
        options = ", ".join(c.value for c in rules.Cadence)
        raise InvalidInput(N_("Cadence must be one of: {options}."), options=options) from None
    series_rules.require_one_place(request.room_channel_id, request.link)
    series_rules.require_monthly_by_fits(cadence, request.monthly_by)
    try:
        monthly_by = rules.MonthlyBy((request.monthly_by or "weekday").strip().lower())
    except ValueError:
        options = ", ".join(m.value for m in rules.MonthlyBy)
        raise InvalidInput(N_("`monthly_by` must be one of: {options}."), options=options) from None
    rule_zone = ZoneInfo(timezone)
    local = session_rules.parse_local_start(request.start, rule_zone)
    session_rules.require_future(rules.to_utc(local, rule_zone), now, rule_zone)
    duration = session_rules.validate_duration(request.duration)
    until = session_rules.parse_date(request.until, "until") if request.until else None
    count = session_rules.validate_count(request.count)
    recurrence = rules.Recurrence(cadence, local, rule_zone, monthly_by, until=until, count=count)
    if monthly_by is rules.MonthlyBy.LAST_WEEKDAY and recurrence.nth_weekday == -1:
        last = rules.nth_weekday_of_month(local.year, local.month, local.weekday(), -1)
        if last is not None and last != local.day:
            raise InvalidInput(
                N_(
                    "{date} is not the last of its weekday in its month, so `monthly_by: last_weekday` can't start "
                    "there. Start on {last} instead."
                ),
                date=f"{local:%Y-%m-%d}",
                last=f"{local.replace(day=last):%Y-%m-%d}",
            )
    title = session_rules.clean_title(request.title)
    return Series(
        guild_id=guild_id,
        cohort_id=cohort_id,
        title=title,
        duplicate_key=series_rules.duplicate_key(title, local),
        cadence=cadence.value,
        monthly_by=monthly_by.value,
        first_date=local.date(),
        start_time=local.time(),
        timezone=timezone,
        duration_minutes=int(duration.total_seconds() // 60),
        capacity=session_rules.validate_capacity(request.capacity),
        room_channel_id=request.room_channel_id,
        link=session_rules.clean_link(request.link),
        until=until,
        count=count,
        state=SeriesState.ACTIVE,
        materialized_through=-1,
        created_by=user_id,
        medium=series_rules.parse_medium(request.medium) if request.medium else None,
    )


def _duplicate(series: Series, cohort_name: str) -> AlreadyExists:
    first = datetime.combine(series.first_date, series.start_time)
    return AlreadyExists(
        N_(
            "**{title}** already exists for {cohort}, starting {start}, so I didn't make it twice. "
            "See it with `/series list`; change it with `/series edit`."
        ),
        title=quote(series.title),
        cohort=quote(cohort_name),
        start=f"{first:%Y-%m-%d %H:%M} ({series.timezone})",
    )


async def _series(uow: UnitOfWork, guild_id: int, series_id: int) -> tuple[Series, str]:
    series = await uow.series.get(guild_id, series_id)
    found = await uow.series.with_cohort(series_id) if series is not None else None
    if found is None:
        raise NotFound(N_("I can't find that series here. Pick one from the list as you type."))
    return found[0], found[1].name


def _info(series: Series, cohort_name: str, upcoming: list[datetime]) -> SeriesInfo:
    recurrence = recurrence_of(series)
    return SeriesInfo(
        id=series.id,
        title=series.title,
        cohort_name=cohort_name,
        rule=rules.describe(recurrence),
        state=series.state,
        duration_minutes=series.duration_minutes,
        capacity=series.capacity,
        next_starts=tuple(sorted(upcoming)[:5]),
        room_channel_id=series.room_channel_id,
        link=series.link,
        recurrence=recurrence,
        medium=series.medium,
    )
