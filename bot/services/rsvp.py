"""Use cases of the RSVP buttons, the ground rules, reminders preferences and the check-in.

A session is for its cohort: someone outside it who answers is asked to join first (``JoinCohortFirst``), and
nothing is recorded until they do; ``join_and_respond`` and ``join_and_check_in`` then do both in one step."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.db.models import Occurrence, Rsvp
from bot.db.uow import UnitOfWorkFactory
from bot.domain import lifecycle
from bot.domain import rsvp as rules
from bot.domain.errors import AlreadyExists, NotFound, UserFacingError
from bot.services.cards import load_card
from bot.services.cohorts import CohortService
from bot.services.messaging import Messenger
from bot.services.places import fill_free_places
from bot.services.ports import Notice, SessionCard, SessionGateway

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class GroundRulesRequired(UserFacingError):
    """The member must accept the ground rules before their first RSVP."""

    def __init__(self, joined: str | None = None) -> None:
        welcome = f"Welcome to **{joined}**: you've joined the cohort. " if joined else ""
        super().__init__(welcome + "Before your first RSVP, please read and accept the ground rules.")


@dataclass(frozen=True, slots=True)
class RsvpOutcome:
    session: SessionCard
    status: rules.RsvpStatus
    promoted: list[int] = field(default_factory=list)


class RsvpService:
    def __init__(
        self, uow: UnitOfWorkFactory, gateway: SessionGateway, *, clock: Clock, cohorts: CohortService | None = None
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._messenger = Messenger(uow, gateway)
        self._clock = clock
        self._cohorts = cohorts  # joining a session's cohort on the way (the bot always has it)

    async def respond(self, guild_id: int, user_id: int, occurrence_id: int, choice: rules.Choice) -> RsvpOutcome:
        """Record the member's answer; a freed place goes to the first on the waitlist, who is told."""
        now = self._clock()
        async with self._uow() as uow:
            occurrence = await uow.occurrences.get(occurrence_id, for_update=True)
            if occurrence is None or occurrence.guild_id != guild_id:
                raise NotFound("I can't find that session any more.")
            lifecycle.rsvp(occurrence.state, occurrence.starts_at, now)
            parts = await uow.occurrences.card_parts(occurrence_id)
            assert parts is not None
            capacity, cohort = parts[1].capacity, parts[2]
            existing = await uow.rsvps.of(occurrence_id, user_id)
            current = existing.status if existing else None
            is_member = await uow.cohorts.membership(cohort.id, user_id) is not None
            rules.require_in_cohort(is_member, cohort.name, choice, current)
            preference = await uow.preferences.get(guild_id, user_id)
            if choice is rules.Choice.YES and (preference is None or preference.ground_rules_accepted_at is None):
                raise GroundRulesRequired()
            going = [u for u in await uow.rsvps.users(occurrence_id, "going") if u != user_id]
            status = rules.status_for(choice, current, len(going), capacity)
            if existing is None:
                await uow.rsvps.add(
                    Rsvp(guild_id=guild_id, occurrence_id=occurrence_id, user_id=user_id, status=status)
                )
            elif existing.status != status:
                existing.status, existing.updated_at = status, now
            promoted: list[int] = []
            if current is rules.RsvpStatus.GOING and status is not rules.RsvpStatus.GOING:
                promoted = await fill_free_places(uow, occurrence_id, capacity, now, leaving=user_id)
            await uow.commit()
            session = await load_card(uow, occurrence_id)
        assert session is not None
        await self._messenger.tell(session, promoted, Notice.PROMOTED)
        await self._gateway.refresh_announcement(session)
        return RsvpOutcome(session, status, promoted)

    async def join_and_respond(
        self, guild_id: int, user_id: int, occurrence_id: int, choice: rules.Choice
    ) -> RsvpOutcome:
        """Join the session's cohort (as ``/cohort join`` does, role and all), then record the RSVP."""
        now = self._clock()
        cohort = await self._join_cohort_of(
            guild_id, user_id, occurrence_id, lambda o: lifecycle.rsvp(o.state, o.starts_at, now)
        )
        try:
            return await self.respond(guild_id, user_id, occurrence_id, choice)
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
            raise NotFound("I can't find that session any more.")
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
                raise NotFound("I can't find that session any more. Run `/session list` again for the latest.")
            existing = await uow.rsvps.of(occurrence_id, user_id)
        return session, existing.status if existing else None

    async def prepare_reminders(self, user_id: int) -> None:
        """Open the member's DM channel now (after they RSVP'd), so their reminders cost one request each."""
        await self._messenger.prepare(user_id)

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

    async def check_in(self, guild_id: int, user_id: int, occurrence_id: int) -> SessionCard:
        """The "I'm here" button: counts as attendance while the session is open."""
        async with self._uow() as uow:
            occurrence = await uow.occurrences.get(occurrence_id)
            if occurrence is None or occurrence.guild_id != guild_id:
                raise NotFound("I can't find that session any more.")
            lifecycle.check_in(occurrence.state)
            parts = await uow.occurrences.card_parts(occurrence_id)
            assert parts is not None
            cohort = parts[2]
            rules.require_in_cohort(await uow.cohorts.membership(cohort.id, user_id) is not None, cohort.name)
            await uow.attendance.record(guild_id, occurrence_id, user_id, present=True, source="checkin")
            await uow.commit()
            session = await load_card(uow, occurrence_id)
        assert session is not None
        return session

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
