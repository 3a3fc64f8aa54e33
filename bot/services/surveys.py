"""The post-session survey: sent to attendees, answered once per person (editable while open), stored under a
keyed pseudonym, reminded once, closed after its window. Answers and comments are never logged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.models import FeedbackResponse, Survey
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import feedback as rules
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.sessions import discord_timestamp
from bot.services.cards import load_card
from bot.services.messaging import Messenger
from bot.services.ports import Notice, SessionCard, SessionGateway

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class SurveyForm:
    """What the modal needs: the session and the member's earlier answers (when editing)."""

    session: SessionCard
    answers: tuple[int, int, int] | None
    comment: str | None


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    session: SessionCard
    edited: bool
    at_risk: bool
    closes_at: datetime


class SurveyService:
    def __init__(
        self, uow: UnitOfWorkFactory, gateway: SessionGateway, *, clock: Clock, key: bytes, survey_open: timedelta
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._messenger = Messenger(uow, gateway)
        self._clock = clock
        self._key = key
        self._survey_open = survey_open

    async def send(self, occurrence_id: int, *, nonce: str) -> int:
        """Open the survey and offer it to the attendees (thread and DM). Safe to repeat: nonces de-duplicate."""
        now = self._clock()
        async with self._uow() as uow:
            if await uow.feedback.survey(occurrence_id) is None:
                occurrence = await uow.occurrences.get(occurrence_id)
                assert occurrence is not None
                closes_at = max(occurrence.ends_at, now) + self._survey_open
                await uow.feedback.open_survey(
                    Survey(
                        occurrence_id=occurrence_id, guild_id=occurrence.guild_id, opened_at=now, closes_at=closes_at
                    )
                )
                await uow.feedback.recount_attendees(occurrence_id)
                await uow.commit()
            attendees = await uow.attendance.present(occurrence_id)
            session = await load_card(uow, occurrence_id)
        assert session is not None
        if session.thread_id is not None:
            await self._gateway.post_survey(session, nonce=nonce)
        await self._messenger.tell(session, attendees, Notice.SURVEY, nonce=nonce)
        return len(attendees)

    async def remind(self, occurrence_id: int, *, nonce: str) -> int:
        """Remind the attendees who have not answered yet, once."""
        async with self._uow() as uow:
            survey = await uow.feedback.survey(occurrence_id)
            if survey is None or survey.closed_at is not None:
                return 0
            answered = await uow.feedback.pseudonyms(occurrence_id)
            waiting = [
                user
                for user in await uow.attendance.present(occurrence_id)
                if rules.pseudonym(self._key, user, occurrence_id) not in answered
            ]
            session = await load_card(uow, occurrence_id)
        assert session is not None
        await self._messenger.tell(session, waiting, Notice.SURVEY_REMINDER, nonce=nonce)
        return len(waiting)

    async def close(self, occurrence_id: int) -> None:
        async with self._uow() as uow:
            survey = await uow.feedback.survey(occurrence_id)
            if survey is not None and survey.closed_at is None:
                survey.closed_at = self._clock()
                await uow.commit()

    async def latest_open(self, guild_id: int, user_id: int) -> int:
        """The newest session this member attended whose survey is still open (for ``/feedback give``)."""
        async with self._uow() as uow:
            found = await uow.feedback.open_surveys_attended(guild_id, user_id, self._clock())
        if not found:
            raise NotFound(
                "There's no open survey for you right now: surveys are for sessions you attended, "
                f"and stay open for {self._survey_open.days} days after them."
            )
        return found[0]

    async def form(self, guild_id: int | None, user_id: int, occurrence_id: int) -> SurveyForm:
        """The survey form for this member, with their earlier answers; refuses non-attendees and late comers.

        ``guild_id`` is ``None`` when the member pressed the button in a DM."""
        async with self._uow() as uow:
            session = await self._eligible(uow, guild_id, user_id, occurrence_id)
            earlier = await uow.feedback.response(occurrence_id, rules.pseudonym(self._key, user_id, occurrence_id))
        if earlier is None:
            return SurveyForm(session, None, None)
        answers = (earlier.supported, earlier.supported_others, earlier.less_isolated)
        return SurveyForm(session, answers, earlier.comment)

    async def submit(
        self,
        guild_id: int | None,
        user_id: int,
        occurrence_id: int,
        answers: tuple[str, str, str],
        comment: str | None,
    ) -> SubmitOutcome:
        """Store (or update) this member's answers; a worrying comment alerts the facilitators, naming nobody."""
        parsed = tuple(rules.parse_answer(value) for value in answers)
        text = rules.clean_comment(comment)
        now = self._clock()
        async with self._uow() as uow:
            session = await self._eligible(uow, guild_id, user_id, occurrence_id)
            key = rules.pseudonym(self._key, user_id, occurrence_id)
            response = await uow.feedback.response(occurrence_id, key)
            edited = response is not None
            before = (0, 0, 0)
            if response is None:
                response = FeedbackResponse(guild_id=session.guild_id, occurrence_id=occurrence_id, pseudonym=key)
            else:
                before = _agreed_vector((response.supported, response.supported_others, response.less_isolated))
            response.supported, response.supported_others, response.less_isolated = (int(a) for a in parsed)
            response.comment, response.updated_at = text, now
            if not edited:
                await uow.feedback.add_response(response)
            after = _agreed_vector(tuple(int(a) for a in parsed))
            await uow.feedback.tally(
                occurrence_id,
                responses=0 if edited else 1,
                agreed=(after[0] - before[0], after[1] - before[1], after[2] - before[2]),
            )
            survey = await uow.feedback.survey(occurrence_id)
            assert survey is not None
            settings = await uow.guild_settings.get(session.guild_id)
            await uow.commit()
        at_risk = rules.mentions_risk(text)
        if at_risk:
            log.warning("a feedback comment for occurrence %s suggests risk; alerting facilitators", occurrence_id)
            if settings is not None and settings.facilitators_channel_id is not None:
                await self._gateway.alert_facilitators(session, settings.facilitators_channel_id)
            else:
                log.warning(
                    "guild %s has no facilitators channel for the alert (see /setup channels)", session.guild_id
                )
        return SubmitOutcome(session, edited, at_risk, survey.closes_at)

    async def _eligible(self, uow: UnitOfWork, guild_id: int | None, user_id: int, occurrence_id: int) -> SessionCard:
        session = await load_card(uow, occurrence_id)
        if session is None or guild_id not in (None, session.guild_id):
            raise NotFound("I can't find that session any more.")
        survey = await uow.feedback.survey(occurrence_id)
        if survey is None:
            raise InvalidInput("The survey for this session hasn't opened yet: it opens when the session ends.")
        if survey.closed_at is not None or survey.closes_at <= self._clock():
            raise InvalidInput(
                f"The survey for **{session.title}** closed {discord_timestamp(survey.closes_at)}. Thank you anyway."
            )
        if not await uow.attendance.was_present(occurrence_id, user_id):
            raise NotAllowed("This survey is only for people who attended the session.")
        return session


def _agreed_vector(answers: tuple[int, ...]) -> tuple[int, int, int]:
    first, second, third = (int(rules.agreed(answer)) for answer in answers)
    return first, second, third
