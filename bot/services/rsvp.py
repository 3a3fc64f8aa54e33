"""Use cases of the RSVP buttons, the ground rules, reminders preferences and the check-in.

A session is for its cohort: someone outside it who answers is asked to join first (``JoinCohortFirst``), and
nothing is recorded until they do; ``join_and_respond`` and ``join_and_check_in`` then do both in one step.

RSVPs and check-ins are written in batches (``bot.services.rsvp_writer``), and the member hears how theirs went
before anything else it sets off goes to Discord; the announcement's count follows at most once a second
(``bot.services.announcement_refresh``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from bot.db.models import Occurrence
from bot.db.uow import UnitOfWorkFactory
from bot.domain import lifecycle
from bot.domain import rsvp as rules
from bot.domain.errors import AlreadyExists, NotFound
from bot.domain.language import N_
from bot.services.announcement_refresh import AnnouncementRefresher
from bot.services.cards import load_card
from bot.services.cohorts import CohortService
from bot.services.messaging import Messenger
from bot.services.ports import Notice, SessionCard, SessionGateway
from bot.services.rsvp_writer import Click, GroundRulesRequired, RsvpOutcome, RsvpWriter

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Answer = Callable[[RsvpOutcome], Awaitable[None]]
KNOWN_DM_CHANNELS = 100_000  # members whose DM channel is remembered in memory, at most


class RsvpService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: SessionGateway,
        *,
        clock: Clock,
        cohorts: CohortService | None = None,
        announcements: AnnouncementRefresher | None = None,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._messenger = Messenger(uow, gateway)
        self._clock = clock
        self._cohorts = cohorts  # joining a session's cohort on the way (the bot always has it)
        # The bot edits announcements through the refresher (at most once a second however many click); without
        # one, each RSVP edits its announcement itself.
        self._announcements = announcements
        self._writer = RsvpWriter(uow)
        self._dm_channels = DmChannels(uow, gateway)

    async def respond(
        self, guild_id: int, user_id: int, occurrence_id: int, choice: rules.Choice, *, answer: Answer | None = None
    ) -> RsvpOutcome:
        """Record the member's answer; a freed place goes to the first on the waitlist, who is told.

        ``answer`` tells the member how it went: it runs as soon as the RSVP is committed, before anything else
        the RSVP sets off (the announcement's count, the promoted members' notices)."""
        outcome = await self._writer.rsvp(Click(guild_id, user_id, occurrence_id, choice, self._clock()))
        try:
            if answer is not None:
                await answer(outcome)
        finally:
            await self._show(outcome)
        return outcome

    async def _show(self, outcome: RsvpOutcome) -> None:
        """The announcement's count and the promoted members' notices. The RSVP stands whatever happens here."""
        if self._announcements is not None:
            self._announcements.changed(outcome.session.occurrence_id)
        try:
            await self._messenger.tell(outcome.session, outcome.promoted, Notice.PROMOTED)
            if self._announcements is None:
                await self._gateway.refresh_announcement(outcome.session)
        except Exception:
            log.exception("could not tell of an RSVP to occurrence %s", outcome.session.occurrence_id)

    async def join_and_respond(
        self, guild_id: int, user_id: int, occurrence_id: int, choice: rules.Choice, *, answer: Answer | None = None
    ) -> RsvpOutcome:
        """Join the session's cohort (as ``/cohort join`` does, role and all), then record the RSVP."""
        now = self._clock()
        cohort = await self._join_cohort_of(
            guild_id, user_id, occurrence_id, lambda o: lifecycle.rsvp(o.state, o.starts_at, now)
        )
        try:
            return await self.respond(guild_id, user_id, occurrence_id, choice, answer=answer)
        except GroundRulesRequired:
            raise GroundRulesRequired(joined=cohort) from None

    async def join_and_check_in(self, guild_id: int, user_id: int, occurrence_id: int) -> SessionCard:
        """Join the session's cohort (as ``/cohort join`` does), then check in."""
        await self._join_cohort_of(guild_id, user_id, occurrence_id, lambda o: lifecycle.check_in(o.state))
        return await self.check_in(guild_id, user_id, occurrence_id)

    async def _join_cohort_of(
        self, guild_id: int, user_id: int, occurrence_id: int, still_open: Callable[[Occurrence], None]
    ) -> str:
        """Join the cohort of a session that ``still_open`` accepts (no one joins for a session that is over)."""
        if self._cohorts is None:
            raise RuntimeError("RsvpService was built without a CohortService, so it cannot join cohorts")
        async with self._uow.reading() as uow:
            parts = await uow.occurrences.card_parts(occurrence_id)
        if parts is None or parts[0].guild_id != guild_id:
            raise NotFound(N_("I can't find that session any more."))
        occurrence, _, cohort = parts
        still_open(occurrence)
        with contextlib.suppress(AlreadyExists):  # joined a moment ago (another click, /cohort join): go ahead
            await self._cohorts.join(guild_id, user_id, cohort.name)
        return cohort.name

    async def session_for(self, guild_id: int, user_id: int, occurrence_id: int) -> tuple[SessionCard, str | None]:
        """A session picked from ``/session list``, with the member's RSVP (to answer from there)."""
        async with self._uow.reading() as uow:
            session = await load_card(uow, occurrence_id)
            if session is None or session.guild_id != guild_id:
                raise NotFound(N_("I can't find that session any more. Run `/session list` again for the latest."))
            existing = await uow.rsvps.of(occurrence_id, user_id)
        return session, existing.status if existing else None

    async def prepare_reminders(self, user_id: int) -> None:
        """Open the member's DM channel now (after they RSVP'd), so their reminders cost one request each."""
        await self._dm_channels.prepare(user_id)

    async def accept_ground_rules(self, guild_id: int, user_id: int) -> None:
        async with self._uow() as uow:
            preference = await uow.preferences.get_or_create(guild_id, user_id)
            if preference.ground_rules_accepted_at is None:
                preference.ground_rules_accepted_at = self._clock()
            await uow.commit()

    async def set_reminders(self, guild_id: int, user_id: int, enabled: bool) -> None:
        async with self._uow() as uow:
            preference = await uow.preferences.get_or_create(guild_id, user_id)
            preference.reminders = enabled
            await uow.commit()

    async def prefer_welsh_medium(self, guild_id: int, user_id: int, prefers: bool) -> None:
        """Whether the member would rather join Welsh-medium sessions in this server (facilitators see how many
        would, never who: ``SeriesService.welsh_medium_demand``)."""
        async with self._uow() as uow:
            preference = await uow.preferences.get_or_create(guild_id, user_id)
            preference.prefers_welsh_medium = prefers
            await uow.commit()

    async def check_in(self, guild_id: int, user_id: int, occurrence_id: int) -> SessionCard:
        """The "I'm here" button: counts as attendance while the session is open."""
        return await self._writer.check_in(Click(guild_id, user_id, occurrence_id, None, self._clock()))

    async def voice_presence(self, guild_id: int, user_id: int, channel_id: int | None) -> int | None:
        """A member joined ``channel_id`` (or left voice): count them at the session open in that room."""
        if channel_id is None:
            return None
        async with self._uow() as uow:
            occurrence = await uow.occurrences.open_in_room(guild_id, channel_id)
            if occurrence is None:
                return None
            recorded = await uow.attendance.record(guild_id, occurrence.id, user_id, present=True, source="voice")
            await uow.commit()
        if recorded:
            log.info("voice attendance: user %s at occurrence %s", user_id, occurrence.id)
        return occurrence.id


class DmChannels:
    """Members' DM channels opened ahead of their reminders, for the members who RSVP'd at the same moment together:
    one read finds whose channel is known, and one write remembers the channels opened. Each channel costs one
    request to Discord, the first time only. Whose channel is known is also kept in memory, so a member who answers
    again costs nothing (were their row erased meanwhile, their next reminder opens the channel itself)."""

    def __init__(self, uow: UnitOfWorkFactory, gateway: SessionGateway) -> None:
        self._uow = uow
        self._gateway = gateway
        self._pending: list[tuple[int, asyncio.Future[None]]] = []
        self._worker: asyncio.Task[None] | None = None
        self._known: set[int] = set()

    async def prepare(self, user_id: int) -> None:
        """Returns once the member's DM channel is known (or could not be opened: their DMs may be closed)."""
        if user_id in self._known:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((user_id, done))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._drain())
        await done

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # let the members arriving in this same moment join the batch
            batch, self._pending = self._pending, []
            try:
                await self._open(list(dict.fromkeys(user_id for user_id, _ in batch)))
            except Exception as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _open(self, user_ids: list[int]) -> None:
        async with self._uow.reading() as uow:
            known = await uow.dm_channels.of(user_ids)
        self._remember(known)
        opened: dict[int, int] = {}
        for user_id in user_ids:
            if user_id not in known:
                try:
                    opened[user_id] = await self._gateway.open_dm(user_id)
                except Exception:
                    log.warning("could not open the DM channel of user %s ahead of reminders", user_id, exc_info=True)
        if opened:
            async with self._uow() as uow:
                await uow.dm_channels.remember(opened)
                await uow.commit()
            self._remember(opened)

    def _remember(self, known: Iterable[int]) -> None:
        if len(self._known) > KNOWN_DM_CHANNELS:
            self._known.clear()  # a bound on memory: forgetting costs one read per member later
        self._known.update(known)
