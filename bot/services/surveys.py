"""The post-session survey: sent to attendees, answered once per person (editable while open), stored under a
keyed pseudonym, reminded once, closed after its window. Answers and comments are never logged."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.db.models import Survey
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import feedback as rules
from bot.domain.access import Actor, require_facilitator
from bot.domain.actions import ActionKind, SurveyWindow, survey_window
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.language import N_, Language
from bot.services.cards import load_card
from bot.services.cohorts import guild_roles
from bot.services.messaging import Messenger
from bot.services.ports import Notice, SessionCard, SessionGateway
from bot.services.response_writer import ResponseWriter, Submission, judge
from bot.services.safety import Delivery, SafetyService

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class SurveyForm:
    """What the modal needs: the session and the member's earlier answers (when editing)."""

    session: SessionCard
    answers: tuple[int, int, int] | None
    comment: str | None


@dataclass(frozen=True, slots=True)
class SessionComments:
    """A released session's comments for facilitators: text only, shuffled, with no names, times or order."""

    session: SessionCard
    comments: list[str]


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    edited: bool
    at_risk: bool
    closes_at: datetime
    guild_id: int  # the session's guild (the form may have been answered in a DM): whose signposting to show
    alerted: Delivery | None = None  # whom a worrying comment's alert reached


class SurveyService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: SessionGateway,
        *,
        clock: Clock,
        key: bytes,
        survey_open: timedelta,
        alerts: SafetyService | None = None,
    ) -> None:
        self._alerts = alerts
        self._uow = uow
        self._gateway = gateway
        self._messenger = Messenger(uow, gateway)
        self._clock = clock
        self._key = key
        self._survey_open = survey_open
        self._writer = ResponseWriter(uow)

    async def send(self, occurrence_id: int, *, nonce: str) -> int:
        """Open the survey and offer it to the attendees (thread and DM). Safe to repeat: nonces de-duplicate."""
        now = self._clock()
        async with self._uow() as uow:
            # Locked (on PostgreSQL) against attendance corrections: whoever is marked present meanwhile is either
            # among the attendees read here or sees the survey open and is sent it then, never both.
            occurrence = await uow.occurrences.get(occurrence_id, for_update=True)
            assert occurrence is not None
            if await uow.feedback.survey(occurrence_id) is None:
                closes_at = max(occurrence.ends_at, now) + self._survey_open
                await uow.feedback.open_survey(
                    Survey(
                        occurrence_id=occurrence_id, guild_id=occurrence.guild_id, opened_at=now, closes_at=closes_at
                    )
                )
                await uow.feedback.recount_attendees(occurrence_id)
            attendees = await uow.attendance.present(occurrence_id)
            await uow.commit()
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

    async def comments(self, guild_id: int, actor: Actor, occurrence_id: int) -> SessionComments:
        """``/feedback comments``: facilitators read a session's comments once its survey has closed and its answers
        are released in a block, so a comment can't be tied to an answer or a person by when it came."""
        async with self._uow() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            survey = await uow.feedback.survey(occurrence_id)
            if survey is None or survey.guild_id != guild_id:
                raise NotFound(N_("I can't find a survey for that session. Start typing and pick one from the list."))
            if survey.closed_at is None:
                raise NotAllowed(
                    N_(
                        "This session's survey is still open. Its comments can be read once it has closed and its "
                        "answers count, with enough others that no one can be picked out."
                    )
                )
            if survey.block_id is None:
                raise NotAllowed(
                    N_(
                        "This session's answers are waiting for the cohort's next sessions, so that no one can be "
                        "picked out. Its comments can be read once they count: try again after the next session's "
                        "survey closes."
                    )
                )
            texts = await uow.feedback.comments(occurrence_id)
            session = await load_card(uow, occurrence_id)
            await uow.audit.record(guild_id, actor.user_id, "feedback.comments", occurrence_id=occurrence_id)
            await uow.commit()
        assert session is not None
        random.SystemRandom().shuffle(texts)
        return SessionComments(session, texts)

    async def comment_choices(
        self, guild_id: int, fragment: str, language: Language = Language.EN
    ) -> list[tuple[str, int]]:
        """``(label, id)`` of sessions whose comments may be read, newest first, for autocomplete; the date in
        ``language`` ("Tue 16 Mar 2027", "Dydd Mawrth 16 Mawrth 2027")."""
        needle = fragment.strip().casefold()
        async with self._uow.reading() as uow:
            rows = await uow.feedback.released(guild_id, limit=200)
        found = []
        for occurrence, series, cohort in rows:
            local = occurrence.starts_at.astimezone(ZoneInfo(series.timezone))
            day = f"{local:%a %-d %b %Y}" if language is Language.EN else short_date(local, language)
            label = f"{series.title} · {day} · {cohort.name}"
            if needle in label.casefold():
                found.append((label[:100], occurrence.id))
        return found[:25]

    async def latest_open(self, guild_id: int, user_id: int) -> int:
        """The newest session this member attended whose survey is still open (for ``/feedback give``)."""
        async with self._uow.reading() as uow:
            found = await uow.feedback.open_surveys_attended(guild_id, user_id, self._clock())
        if not found:
            raise NotFound(
                N_(
                    "There's no open survey for you right now: surveys are for sessions you attended, "
                    "and stay open for {days} days after them."
                ),
                days=self._survey_open.days,
            )
        return found[0]

    async def timezone_of(self, occurrence_id: int) -> str:
        """The zone a session's times are written in for a Welsh reader (its series', the cohort's)."""
        async with self._uow.reading() as uow:
            session = await load_card(uow, occurrence_id)
        return session.timezone if session is not None else "Europe/London"

    async def form(self, guild_id: int | None, user_id: int, occurrence_id: int) -> SurveyForm:
        """The survey form for this member, with their earlier answers; refuses non-attendees and late comers.

        ``guild_id`` is ``None`` when the member pressed the button in a DM."""
        key = rules.pseudonym(self._key, user_id, occurrence_id)
        async with self._uow.reading() as uow:
            found = await uow.feedback.eligibilities([(occurrence_id, user_id, key)])
            exists = bool(found) or bool(await uow.occurrences.existing([occurrence_id]))
            judge(found.get((occurrence_id, user_id, key)), session_exists=exists, guild_id=guild_id, now=self._clock())
            session = await load_card(uow, occurrence_id)
            earlier = await uow.feedback.response(occurrence_id, key)
        assert session is not None
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
        supported, supported_others, less_isolated = (int(rules.parse_answer(value)) for value in answers)
        text = rules.clean_comment(comment)
        submission = Submission(
            guild_id=guild_id,
            user_id=user_id,
            occurrence_id=occurrence_id,
            pseudonym=rules.pseudonym(self._key, user_id, occurrence_id),
            answers=(supported, supported_others, less_isolated),
            comment=text,
            at=self._clock(),
        )
        eligible = await self._writer.save(submission)  # checked and written with the answers submitted with it
        at_risk = rules.mentions_risk(text)
        delivery = await self._alert(eligible.guild_id, occurrence_id) if at_risk else None
        return SubmitOutcome(eligible.answered, at_risk, eligible.closes_at, eligible.guild_id, delivery)

    async def _alert(self, guild_id: int, occurrence_id: int) -> Delivery:
        """Alert the facilitators (naming nobody, never the comment); says whom it reached."""
        log.warning("a feedback comment for occurrence %s suggests risk; alerting facilitators", occurrence_id)
        assert self._alerts is not None, "SurveyService needs alerts= to raise safeguarding alerts"
        return await self._alerts.alert_feedback(guild_id, occurrence_id)


def short_date(moment: datetime, language: Language) -> str:
    """A day in ``language``, e.g. "Dydd Mawrth 16 Mawrth 2027": written out, as Welsh abbreviates Tuesday and
    March alike ("Maw")."""
    return format_date(moment, "EEEE d MMMM y", locale=language.value)


async def survey_window_of(uow: UnitOfWork, occurrence_id: int, ends_at: datetime) -> SurveyWindow:
    """Where a session's survey stands: whether it went out, and when it closes (when its closing action is due,
    or at the close time it was given when it went out, whichever is first) or closed."""
    survey = await uow.feedback.survey(occurrence_id)
    close_due = next(
        (a.due_at for a in await uow.actions.of_occurrence(occurrence_id) if a.kind == ActionKind.CLOSE_SURVEY), None
    )
    if survey is None:
        return survey_window(ends_at, close_due=close_due)
    return survey_window(
        ends_at, close_due=close_due, survey_closes_at=survey.closes_at, survey_closed_at=survey.closed_at, sent=True
    )
