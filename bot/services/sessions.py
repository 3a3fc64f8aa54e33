"""Use cases of ``/session``: list, cancel, move, start, end, attendance."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Occurrence
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import sessions as rules
from bot.domain.access import Actor, require_facilitator
from bot.domain.actions import (
    AFTER_THE_SESSION,
    SURVEY_OPEN,
    ActionKind,
    ActionState,
    due_times,
    rearm_after_move,
    room_nonce,
)
from bot.domain.errors import InvalidInput, NotFound
from bot.services import rooms
from bot.services.cards import load_card, load_cards
from bot.services.cohorts import find_cohort, guild_roles
from bot.services.messaging import Messenger
from bot.services.ports import Notice, SessionCard, SessionGateway

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class UpcomingSession:
    session: SessionCard
    my_status: str | None


@dataclass(frozen=True, slots=True)
class AttendanceSheet:
    session: SessionCard
    present: list[tuple[int, str]]  # (user_id, how we know)
    absent_going: list[int]  # said they'd come, not (yet) seen


class SessionService:
    def __init__(
        self, uow: UnitOfWorkFactory, gateway: SessionGateway, *, clock: Clock, survey_open: timedelta = SURVEY_OPEN
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._messenger = Messenger(uow, gateway)
        self._clock = clock
        self._survey_open = survey_open

    async def upcoming(self, guild_id: int, user_id: int, cohort: str | None = None) -> list[UpcomingSession]:
        async with self._uow() as uow:
            cohort_id = None
            if cohort:
                cohort_id = (await find_cohort(uow, guild_id, cohort)).id
            rows = await uow.occurrences.upcoming(guild_id, self._clock(), cohort_id=cohort_id)
            cards = await load_cards(uow, rows)
            mine = await uow.rsvps.statuses_of(user_id, [c.occurrence_id for c in cards])
        return [UpcomingSession(card, mine.get(card.occurrence_id)) for card in cards]

    async def choices(self, guild_id: int, fragment: str) -> list[tuple[str, int]]:
        """``(label, id)`` of upcoming and running sessions matching ``fragment``, for autocomplete."""
        needle = fragment.strip().casefold()
        async with self._uow() as uow:
            rows = await uow.occurrences.upcoming(guild_id, self._clock(), limit=100)
        found = []
        for occurrence, series, cohort in rows:
            local = occurrence.starts_at.astimezone(ZoneInfo(series.timezone))
            label = f"{series.title} · {local:%a %-d %b %H:%M} · {cohort.name}"
            if occurrence.state == "cancelled":
                label += " (cancelled)"
            if needle in label.casefold():
                found.append((label[:100], occurrence.id))
        return found[:25]

    async def cancel(self, guild_id: int, actor: Actor, occurrence_id: int, reason: str | None) -> SessionCard:
        now = self._clock()
        reason = rules.clean_reason(reason)
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            if occurrence.state != "scheduled":
                raise InvalidInput(f"This session is {occurrence.state}, so it can't be cancelled.")
            occurrence.state, occurrence.cancel_reason = "cancelled", reason or "cancelled by a facilitator"
            await uow.actions.skip_pending(occurrence_id, "session cancelled", now)
            await uow.audit.record(guild_id, actor.user_id, "session.cancel", occurrence_id=occurrence_id)
            await uow.commit()
        [session] = await self.announce_cancellations([occurrence_id])
        return session

    async def announce_cancellations(self, occurrence_ids: Sequence[int]) -> list[SessionCard]:
        """Tell Discord about cancelled sessions: event cancelled, RSVPs told, announcement updated."""
        sessions = []
        for occurrence_id in occurrence_ids:
            async with self._uow() as uow:
                session = await load_card(uow, occurrence_id)
                told = await uow.rsvps.users(occurrence_id, "going") + await uow.rsvps.users(
                    occurrence_id, "waitlisted"
                )
            assert session is not None
            if session.event_id is not None:
                await self._gateway.cancel_event(session)
                async with self._uow() as uow:
                    occurrence = await uow.occurrences.get(occurrence_id)
                    if occurrence is not None:
                        occurrence.event_id = None  # a cancelled event is finished; a resumed session gets a new one
                        await uow.commit()
            await self._messenger.tell(session, told, Notice.CANCELLED)
            await self._gateway.refresh_announcement(session)
            sessions.append(session)
        return sessions

    async def refresh_announcements(self, occurrence_ids: Sequence[int]) -> None:
        """Show sessions' current state on their announcements (e.g. after their series was resumed)."""
        for occurrence_id in occurrence_ids:
            async with self._uow() as uow:
                session = await load_card(uow, occurrence_id)
            if session is not None:
                await self._gateway.refresh_announcement(session)

    async def move(self, guild_id: int, actor: Actor, occurrence_id: int, start: str) -> SessionCard:
        now = self._clock()
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            if occurrence.state != "scheduled":
                raise InvalidInput(f"This session is {occurrence.state}, so it can't be moved.")
            parts = await uow.occurrences.card_parts(occurrence_id)
            assert parts is not None
            zone = ZoneInfo(parts[1].timezone)
            local = rules.parse_local_start(start, zone)
            new_start = local.replace(tzinfo=zone).astimezone(occurrence.starts_at.tzinfo)
            rules.require_future(new_start, now, zone)
            duration = occurrence.ends_at - occurrence.starts_at
            occurrence.starts_at, occurrence.ends_at = new_start, new_start + duration
            due = due_times(occurrence.starts_at, occurrence.ends_at, self._survey_open)
            rearm = {
                action.kind
                for action in await uow.actions.of_occurrence(occurrence_id)
                if rearm_after_move(
                    ActionKind(action.kind), ActionState(action.state), due[ActionKind(action.kind)], now
                )
            }
            await uow.actions.reschedule(occurrence_id, due, rearm)
            await uow.audit.record(
                guild_id, actor.user_id, "session.move", occurrence_id=occurrence_id, starts_at=new_start.isoformat()
            )
            await uow.commit()
            session = await load_card(uow, occurrence_id)
            told = await uow.rsvps.users(occurrence_id, "going") + await uow.rsvps.users(occurrence_id, "waitlisted")
        assert session is not None
        if session.event_id is not None:
            await self._gateway.upsert_event(session)
        await self._messenger.tell(session, told, Notice.MOVED)
        await self._gateway.refresh_announcement(session)
        return session

    async def start(self, guild_id: int, actor: Actor, occurrence_id: int) -> SessionCard:
        now = self._clock()
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            if occurrence.state != "scheduled":
                raise InvalidInput(f"This session is {occurrence.state}, so it can't be started.")
            await uow.actions.skip_pending(occurrence_id, "started by a facilitator", now, [ActionKind.OPEN_ROOM])
            await uow.audit.record(guild_id, actor.user_id, "session.start", occurrence_id=occurrence_id)
            await uow.commit()
        opened = await rooms.open_room(self._uow, self._gateway, occurrence_id, now, nonce=room_nonce(occurrence_id))
        if opened is None:
            raise InvalidInput("This session was opened a moment ago already.")
        return opened

    async def end(self, guild_id: int, actor: Actor, occurrence_id: int) -> SessionCard:
        now = self._clock()
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            if occurrence.state not in ("open", "scheduled"):
                raise InvalidInput(f"This session is {occurrence.state}, so it can't be ended.")
            if occurrence.state == "scheduled" and occurrence.starts_at > now:
                raise InvalidInput("This session hasn't started yet. Start it first, or cancel it instead.")
            before_end = [kind for kind in ActionKind if kind not in AFTER_THE_SESSION]
            await uow.actions.skip_pending(occurrence_id, "ended by a facilitator", now, before_end)
            # The room closes here; the survey follows at once, its reminder and closing from now on.
            due = due_times(occurrence.starts_at, now, self._survey_open)
            await uow.actions.reschedule(
                occurrence_id,
                {kind: due[kind] for kind in AFTER_THE_SESSION if kind is not ActionKind.CLOSE_ROOM},
                rearm=set(),
            )
            await uow.audit.record(guild_id, actor.user_id, "session.end", occurrence_id=occurrence_id)
            await uow.commit()
        closed = await rooms.close_room(self._uow, self._gateway, occurrence_id, now)
        if closed is None:
            raise InvalidInput("This session was closed a moment ago already.")
        return closed

    async def attendance(self, guild_id: int, actor: Actor, occurrence_id: int) -> AttendanceSheet:
        async with self._uow() as uow:
            await self._facilitated(uow, guild_id, actor, occurrence_id)
            return await _sheet(uow, occurrence_id)

    async def correct_attendance(
        self, guild_id: int, actor: Actor, occurrence_id: int, user_ids: Sequence[int], present: bool
    ) -> AttendanceSheet:
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            if occurrence.state in ("scheduled", "cancelled"):
                raise InvalidInput("Attendance can be corrected once the session has started.")
            for user_id in user_ids:
                await uow.attendance.record(guild_id, occurrence_id, user_id, present=present, source="facilitator")
            await uow.feedback.recount_attendees(occurrence_id)  # a survey's response rate follows corrections
            await uow.audit.record(
                guild_id,
                actor.user_id,
                "session.attendance",
                occurrence_id=occurrence_id,
                count=len(user_ids),
                present=present,
            )
            await uow.commit()
            return await _sheet(uow, occurrence_id)

    async def _facilitated(self, uow: UnitOfWork, guild_id: int, actor: Actor, occurrence_id: int) -> Occurrence:
        require_facilitator(actor, await guild_roles(uow, guild_id))
        occurrence = await uow.occurrences.get(occurrence_id)
        if occurrence is None or occurrence.guild_id != guild_id:
            raise NotFound("I can't find that session here. Pick one from the list as you type.")
        return occurrence


async def _sheet(uow: UnitOfWork, occurrence_id: int) -> AttendanceSheet:
    session = await load_card(uow, occurrence_id)
    assert session is not None
    rows = await uow.attendance.of_occurrence(occurrence_id)
    present = [(row.user_id, row.source) for row in rows if row.present]
    seen = {row.user_id for row in rows if row.present}
    going = await uow.rsvps.users(occurrence_id, "going")
    return AttendanceSheet(session, present, [user for user in going if user not in seen])
