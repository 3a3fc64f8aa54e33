"""Use cases of ``/session``: list, cancel, move, start, end, attendance."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Occurrence
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import lifecycle
from bot.domain import sessions as rules
from bot.domain.access import Actor, require_facilitator
from bot.domain.actions import (
    AFTER_THE_SESSION,
    SURVEY_OPEN,
    ActionKind,
    ActionState,
    due_times,
    late_survey_nonce,
    rearm_after_move,
    room_nonce,
)
from bot.domain.attendance import CORRECTABLE_FOR, FACILITATOR, Mark, absent_source, offer_when_present
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.domain.lifecycle import SessionState
from bot.i18n import t
from bot.services import rooms
from bot.services.cards import load_card, local_label
from bot.services.cohorts import guild_roles
from bot.services.messaging import Messenger
from bot.services.ports import Notice, SessionCard, SessionGateway
from bot.services.schedule_signal import ScheduleSignal
from bot.services.session_list import ListRequest, SessionLists, UpcomingPage
from bot.services.surveys import survey_window_of

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)
# The reason a session cancelled without one is given; kept as this English text and shown in the reader's language.
CANCELLED_BY_FACILITATOR = N_("cancelled by a facilitator")


@dataclass(frozen=True, slots=True)
class AttendanceSheet:
    session: SessionCard
    present: list[tuple[int, str]]  # (user_id, how we know)
    absent_going: list[int]  # said they'd come, not (yet) seen
    surveyed: tuple[int, ...] = ()  # just marked present after the survey went out, and sent it
    unreachable: tuple[int, ...] = ()  # to be sent it, but Discord failed just now: they can use /feedback give


class SessionService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: SessionGateway,
        *,
        clock: Clock,
        survey_open: timedelta = SURVEY_OPEN,
        schedule_changed: ScheduleSignal | None = None,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._messenger = Messenger(uow, gateway)
        self._clock = clock
        self._survey_open = survey_open
        self._schedule = schedule_changed or ScheduleSignal()
        self._lists = SessionLists(uow, clock=clock)

    async def upcoming(
        self, guild_id: int, user_id: int, cohort: str | None = None, *, cohort_id: int | None = None, page: int = 1
    ) -> UpcomingPage:
        """``/session list``: per series the next 90 days or next three sessions (whichever is more), paged.

        Without a cohort (by name, or by ID from a page button): the member's own cohorts, or everyone's if they are
        in none. Lists asked for at the same moment are read together (see :mod:`bot.services.session_list`)."""
        return await self._lists.page(ListRequest(guild_id, user_id, cohort, cohort_id, page))

    async def choices(
        self, guild_id: int, fragment: str, language: Language = DEFAULT_LANGUAGE
    ) -> list[tuple[str, int]]:
        """``(label, id)`` of upcoming and running sessions whose label has every word of ``fragment`` (say
        "care dec"), soonest first, for autocomplete: any session made, however far ahead. Labels are in
        ``language``."""
        words = fragment.casefold().split()
        async with self._uow.reading() as uow:
            rows = await uow.occurrences.upcoming_labels(guild_id, self._clock())
        found = []
        for occurrence_id, starts_at, state, title, timezone, cohort_name in rows:
            label = f"{title} · {local_label(starts_at, timezone, language)} · {cohort_name}"
            if state == SessionState.CANCELLED:
                label += " " + t(language, N_("(cancelled)"))
            if all(word in label.casefold() for word in words):
                found.append((label if len(label) <= 100 else label[:99] + "…", occurrence_id))
                if len(found) == 25:
                    break
        return found

    async def attendance_choices(
        self, guild_id: int, fragment: str, language: Language = DEFAULT_LANGUAGE
    ) -> list[tuple[str, int]]:
        """``(label, id)`` of the sessions whose attendance can be corrected: running now or ended in the last 30
        days, the latest first, whose label has every word of ``fragment``; for autocomplete, in ``language``."""
        words = fragment.casefold().split()
        async with self._uow.reading() as uow:
            rows = await uow.occurrences.held_since(guild_id, self._clock() - CORRECTABLE_FOR)
        found = []
        for occurrence, series, cohort in rows:
            label = f"{series.title} · {local_label(occurrence.starts_at, series.timezone, language)} · {cohort.name}"
            if occurrence.state is SessionState.OPEN:
                label += " " + t(language, N_("(on now)"))
            if all(word in label.casefold() for word in words):
                found.append((label if len(label) <= 100 else label[:99] + "…", occurrence.id))
                if len(found) == 25:
                    break
        return found

    async def cancel(self, guild_id: int, actor: Actor, occurrence_id: int, reason: str | None) -> SessionCard:
        now = self._clock()
        reason = rules.clean_reason(reason)
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            occurrence.state = lifecycle.cancel(occurrence.state)
            occurrence.cancel_reason = reason or CANCELLED_BY_FACILITATOR
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
        """Move one session; its event, announcement and thread follow, and those who RSVP'd are told the old
        and the new time."""
        now = self._clock()
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            occurrence.state = lifecycle.move(occurrence.state)
            old_start = occurrence.starts_at
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
        self._schedule.changed()
        assert session is not None
        if session.event_id is not None:
            await self._gateway.upsert_event(session)
        await self._messenger.tell(replace(session, moved_from=old_start), told, Notice.MOVED)
        await self._gateway.refresh_announcement(session)
        if session.thread_id is not None:
            await self._gateway.rename_thread(session)
        return replace(session, moved_from=old_start)

    async def start(self, guild_id: int, actor: Actor, occurrence_id: int) -> SessionCard:
        now = self._clock()
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            lifecycle.start(occurrence.state)
            await uow.actions.skip_pending(occurrence_id, "started by a facilitator", now, [ActionKind.OPEN_ROOM])
            await uow.audit.record(guild_id, actor.user_id, "session.start", occurrence_id=occurrence_id)
            await uow.commit()
        opened = await rooms.open_room(self._uow, self._gateway, occurrence_id, now, nonce=room_nonce(occurrence_id))
        if opened is None:
            raise InvalidInput(N_("This session was opened a moment ago already."))
        return opened

    async def end(self, guild_id: int, actor: Actor, occurrence_id: int) -> SessionCard:
        now = self._clock()
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            lifecycle.end(occurrence.state, occurrence.starts_at, now)
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
        self._schedule.changed()  # the survey is due now: send it at once, not at the next tick
        if closed is None:
            raise InvalidInput(N_("This session was closed a moment ago already."))
        return closed

    async def attendance(self, guild_id: int, actor: Actor, occurrence_id: int) -> AttendanceSheet:
        async with self._uow() as uow:
            await self._facilitated(uow, guild_id, actor, occurrence_id)
            return await _sheet(uow, occurrence_id)

    async def correct_attendance(
        self, guild_id: int, actor: Actor, occurrence_id: int, user_ids: Sequence[int], present: bool
    ) -> AttendanceSheet:
        """Mark members present or absent. Those marked present after the survey went out are sent it, while it
        is open and once only, however often they are marked; the sheet says who was sent it."""
        now = self._clock()
        offered: list[int] = []
        async with self._uow() as uow:
            occurrence = await self._facilitated(uow, guild_id, actor, occurrence_id)
            lifecycle.correct_attendance(occurrence.state)
            await uow.occurrences.get(occurrence_id, for_update=True)  # one at a time with the survey going out
            survey = await survey_window_of(uow, occurrence_id, occurrence.ends_at)
            marks = {row.user_id: row for row in await uow.attendance.of_occurrence(occurrence_id)}
            for user_id in dict.fromkeys(user_ids):
                row = marks.get(user_id)
                before = None if row is None else Mark(row.present, row.source)
                await uow.attendance.record(guild_id, occurrence_id, user_id, present=present, source=FACILITATOR)
                if present and offer_when_present(before, survey, now):
                    offered.append(user_id)
                elif not present and row is not None:
                    row.source = absent_source(before, survey)  # remembers whether they were offered the survey
            await uow.feedback.recount_attendees(occurrence_id)  # a survey's response rate follows corrections
            await uow.audit.record(
                guild_id,
                actor.user_id,
                "session.attendance",
                occurrence_id=occurrence_id,
                count=len(user_ids),
                present=present,
                surveyed=len(offered),
            )
            await uow.commit()
            sheet = await _sheet(uow, occurrence_id)
        unreachable = [user_id for user_id in offered if not await self._send_survey(sheet.session, user_id)]
        return replace(
            sheet,
            surveyed=tuple(u for u in offered if u not in unreachable),
            unreachable=tuple(unreachable),
        )

    async def _send_survey(self, session: SessionCard, user_id: int) -> bool:
        """The survey's DM (or a mention in the thread) for one member marked present late; ``False`` if Discord
        failed. Its nonce is the member's own, so two facilitators marking them at once send one message."""
        try:
            await self._messenger.tell(
                session, [user_id], Notice.SURVEY, nonce=late_survey_nonce(session.occurrence_id, user_id)
            )
        except Exception:
            log.warning(
                "could not send the survey of occurrence %s to user %s", session.occurrence_id, user_id, exc_info=True
            )
            return False
        return True

    async def _facilitated(self, uow: UnitOfWork, guild_id: int, actor: Actor, occurrence_id: int) -> Occurrence:
        require_facilitator(actor, await guild_roles(uow, guild_id))
        occurrence = await uow.occurrences.get(occurrence_id)
        if occurrence is None or occurrence.guild_id != guild_id:
            raise NotFound(N_("I can't find that session here. Pick one from the list as you type."))
        return occurrence


async def _sheet(uow: UnitOfWork, occurrence_id: int) -> AttendanceSheet:
    session = await load_card(uow, occurrence_id)
    assert session is not None
    rows = await uow.attendance.of_occurrence(occurrence_id)
    present = [(row.user_id, row.source) for row in rows if row.present]
    seen = {row.user_id for row in rows if row.present}
    going = await uow.rsvps.users(occurrence_id, "going")
    return AttendanceSheet(session, present, [user for user in going if user not in seen])
