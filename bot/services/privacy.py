"""``/privacy``: the notice, a copy of everything held about a member in a guild, its erasure, and the daily
purge of old feedback comments.

Feedback carries no Discord ID: a member's responses are found by computing their pseudonym for each session of
the guild that holds responses. Erasure deletes what is only theirs, puts :data:`ERASED_USER` (or nothing) in
place of their ID where a row is other people's record too, and recounts the survey tallies it touched in the
same transaction, so the coordinators' figures for everyone else stay exact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.db.models import FeedbackResponse, Occurrence
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import feedback as feedback_rules
from bot.domain import rsvp as rsvp_rules
from bot.domain.community import EventKind
from bot.domain.errors import BotLacksPermission
from bot.domain.language import N_, Language
from bot.domain.privacy import (
    ERASED_USER,
    NoticeSection,
    Retention,
    comment_cutoff,
    privacy_notice,
    require_fresh_confirmation,
)
from bot.i18n import t
from bot.services.cards import load_card
from bot.services.messaging import Messenger
from bot.services.places import fill_free_places
from bot.services.ports import CommunityGateway, Notice, RoleGateway, SessionCard, SessionGateway

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
EXPORT_FORMAT = 1
EXPORT_ABOUT = N_(
    "Everything Cwtch holds about you in this server. Feedback is stored under a pseudonym, not your Discord ID; "
    "it is listed here because only you can be matched to it. Times are UTC."
)


@dataclass(frozen=True, slots=True)
class ErasureOutcome:
    deleted: dict[str, int]  # rows deleted, per table
    anonymised: dict[str, int]  # rows kept with the member's ID replaced, per table
    roles_removed: int = 0
    roles_kept: list[int] = field(default_factory=list)  # roles Discord did not let the bot take back
    posts_kept: int = 0  # "what works" posts Discord did not let the bot delete

    @property
    def total(self) -> int:
        return sum(self.deleted.values()) + sum(self.anonymised.values())


def _when(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _id(value: int | None) -> str | None:
    return None if value is None else str(value)  # snowflakes as text: JSON readers lose precision above 2**53


class PrivacyService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        roles: RoleGateway,
        sessions: SessionGateway,
        community: CommunityGateway,
        *,
        clock: Clock,
        key: bytes,
        survey_open: timedelta,
        comment_retention: timedelta,
    ) -> None:
        self._uow = uow
        self._roles = roles
        self._sessions = sessions
        self._community = community
        self._messenger = Messenger(uow, sessions)
        self._clock = clock
        self._key = key
        self._retention = Retention(survey_open.days, comment_retention.days)

    def notice(self) -> tuple[NoticeSection, ...]:
        return privacy_notice(self._retention)

    # --- export --------------------------------------------------------------------------------------------

    async def export(self, guild_id: int, user_id: int, language: Language = Language.EN) -> dict[str, Any]:
        """Everything Cwtch holds about this member in this guild (and their DM channel), as JSON-ready data. Its
        keys are data names; its words for people ("about", the answers) are in ``language``."""
        async with self._uow.reading() as uow:
            pseudonyms = await self._pseudonyms(uow, guild_id, user_id)
            return {
                "format": EXPORT_FORMAT,
                "generated_at": _when(self._clock()),
                "guild_id": _id(guild_id),
                "user_id": _id(user_id),
                "about": t(language, EXPORT_ABOUT),
                **await _sessions_held(uow, guild_id, user_id),
                "feedback_responses": [
                    _feedback(response, occurrence, title, language)
                    for response, occurrence, title in await uow.privacy.responses(pseudonyms)
                ],
                **await _settings_held(uow, guild_id, user_id),
                **await _community_held(uow, guild_id, user_id),
                **await _records_held(uow, guild_id, user_id),
            }

    # --- erasure -------------------------------------------------------------------------------------------

    def confirmation(self) -> int:
        """When an erasure confirmation is offered (UNIX seconds, carried by its button)."""
        return int(self._clock().timestamp())

    def check_confirmation(self, issued_at: int) -> None:
        require_fresh_confirmation(issued_at, self._clock())

    async def erase(self, guild_id: int, user_id: int) -> ErasureOutcome:
        """Erase this member's data in this guild (and their DM channel), keep everyone else's figures exact,
        then take back their cohort and community roles where Discord lets the bot."""
        now = self._clock()
        async with self._uow() as uow:
            repo = uow.privacy
            responses = await repo.responses(await self._pseudonyms(uow, guild_id, user_id))
            upcoming = await repo.upcoming_rsvps(guild_id, user_id, now)
            attended = await repo.attended_occurrences(guild_id, user_id)
            roles = await repo.cohort_roles(guild_id, user_id)
            community_role = await self._community_role(uow, guild_id, user_id)
            posts = [thread.thread_id for thread in await repo.what_works_threads(guild_id, user_id)]
            promoted = await self._free_places(uow, user_id, upcoming, now)
            counted_in = await uow.community_blocks.released_member(guild_id, user_id)
            deleted = await repo.delete_owned(guild_id, user_id)
            if counted_in:  # released figures count them as a member: a nameless leave keeps the count true
                await uow.community.record(guild_id, ERASED_USER, EventKind.LEAVE, now)
            deleted["feedback_responses"] = await repo.delete_responses([response.id for response, _, _ in responses])
            anonymised = await repo.anonymise(guild_id, user_id, ERASED_USER)
            for occurrence_id in sorted({response.occurrence_id for response, _, _ in responses}):
                await uow.feedback.recount(occurrence_id)
            for occurrence_id in sorted(attended):
                await uow.feedback.recount_attendees(occurrence_id)
            await uow.commit()
            cards = [card for card in [await load_card(uow, o) for o in sorted(upcoming)] if card is not None]
        log.info(
            "erased user %s in guild %s: %d rows deleted, %d anonymised",
            user_id,
            guild_id,
            sum(deleted.values()),
            sum(anonymised.values()),
        )
        removed, kept = await self._take_back_roles(guild_id, user_id, roles + community_role)
        posts_kept = await self._delete_posts(posts)
        await self._after_places_freed(cards, promoted)
        return ErasureOutcome(deleted, anonymised, removed, kept, posts_kept)

    async def _delete_posts(self, thread_ids: list[int]) -> int:
        """Delete the member's "what works" posts, which carry their name and words; returns how many stayed."""
        kept = 0
        for thread_id in thread_ids:
            try:
                await self._community.delete_post(thread_id)
            except Exception:
                log.warning("could not delete the what-works post %s after an erasure", thread_id, exc_info=True)
                kept += 1
        return kept

    async def _pseudonyms(self, uow: UnitOfWork, guild_id: int, user_id: int) -> dict[int, str]:
        occurrences = await uow.privacy.surveyed_occurrences(guild_id)
        return {o: feedback_rules.pseudonym(self._key, user_id, o) for o in occurrences}

    async def _community_role(self, uow: UnitOfWork, guild_id: int, user_id: int) -> list[int]:
        settings = await uow.guild_settings.get(guild_id)
        events = await uow.privacy.community_events(guild_id, user_id)
        if settings is None or settings.community_role_id is None or not events or events[-1].kind != "join":
            return []
        return [settings.community_role_id]

    async def _free_places(
        self, uow: UnitOfWork, user_id: int, upcoming: dict[int, str], now: datetime
    ) -> dict[int, list[int]]:
        """Give the places this member held in upcoming sessions to the waitlist, as declining would."""
        promoted: dict[int, list[int]] = {}
        for occurrence_id, status in sorted(upcoming.items()):
            if status != rsvp_rules.RsvpStatus.GOING:
                continue
            parts = await uow.occurrences.card_parts(occurrence_id)
            if parts is None:
                continue
            moved = await fill_free_places(uow, occurrence_id, parts[1].capacity, now, leaving=user_id)
            if moved:
                promoted[occurrence_id] = moved
        return promoted

    async def _take_back_roles(self, guild_id: int, user_id: int, roles: list[int]) -> tuple[int, list[int]]:
        removed, kept = 0, []
        for role_id in roles:
            try:
                await self._roles.remove_role(guild_id, user_id, role_id, reason="the member erased their data")
                removed += 1
            except BotLacksPermission:
                kept.append(role_id)
            except Exception:
                log.warning(
                    "could not remove role %s from user %s in guild %s", role_id, user_id, guild_id, exc_info=True
                )
                kept.append(role_id)
        return removed, kept

    async def _after_places_freed(self, cards: list[SessionCard], promoted: dict[int, list[int]]) -> None:
        """Tell who moved off the waitlist, and refresh the announcements' counts. Best effort: the erasure stands."""
        for card in cards:
            try:
                if promoted.get(card.occurrence_id):
                    await self._messenger.tell(card, promoted[card.occurrence_id], Notice.PROMOTED)
                await self._sessions.refresh_announcement(card)
            except Exception:
                log.warning("could not update session %s after an erasure", card.occurrence_id, exc_info=True)

    # --- retention -----------------------------------------------------------------------------------------

    async def purge_comments(self) -> int:
        """Delete feedback comments older than the retention period (their answers stay, as counts)."""
        cutoff = comment_cutoff(self._clock(), self._retention.comment_retention_days)
        async with self._uow() as uow:
            purged = await uow.privacy.purge_comments(cutoff)
            await uow.commit()
        log.info(
            "comment retention: %d feedback comments older than %d days deleted",
            purged,
            self._retention.comment_retention_days,
        )
        return purged


async def _sessions_held(uow: UnitOfWork, guild_id: int, user_id: int) -> dict[str, Any]:
    repo = uow.privacy
    return {
        "cohort_memberships": [
            {"cohort": name, "cohort_id": m.cohort_id, "joined_at": _when(m.joined_at)}
            for m, name in await repo.memberships(guild_id, user_id)
        ],
        "rsvps": [
            {**_session(o, title), "status": r.status, "updated_at": _when(r.updated_at)}
            for r, o, title in await repo.rsvps(guild_id, user_id)
        ],
        "attendance": [
            {**_session(o, title), "present": a.present, "source": a.source, "recorded_at": _when(a.recorded_at)}
            for a, o, title in await repo.attendance(guild_id, user_id)
        ],
    }


def _session(occurrence: Occurrence, title: str) -> dict[str, Any]:
    return {"session_id": occurrence.id, "session": title, "starts_at": _when(occurrence.starts_at)}


def _feedback(response: FeedbackResponse, occurrence: Occurrence, title: str, language: Language) -> dict[str, Any]:
    answers = {
        s.key: t(language, feedback_rules.Agreement(getattr(response, s.key)).label) for s in feedback_rules.STATEMENTS
    }
    return {
        **_session(occurrence, title),
        **answers,
        "comment": response.comment,
        "submitted_at": _when(response.submitted_at),
        "updated_at": _when(response.updated_at),
    }


async def _settings_held(uow: UnitOfWork, guild_id: int, user_id: int) -> dict[str, Any]:
    preference = await uow.privacy.preference(guild_id, user_id)
    dm = await uow.privacy.dm_channel(user_id)
    language = await uow.privacy.language(user_id)
    return {
        "preferences": None
        if preference is None
        else {
            "reminders": preference.reminders,
            "ground_rules_accepted_at": _when(preference.ground_rules_accepted_at),
        },
        "dm_channel": None if dm is None else {"channel_id": _id(dm.channel_id), "updated_at": _when(dm.updated_at)},
        "language": None
        if language is None
        else {"language": language.language.value, "chosen": language.chosen, "updated_at": _when(language.updated_at)},
    }


async def _community_held(uow: UnitOfWork, guild_id: int, user_id: int) -> dict[str, Any]:
    repo = uow.privacy
    return {
        "community_events": [
            {"kind": e.kind, "at": _when(e.at)} for e in await repo.community_events(guild_id, user_id)
        ],
        "resources": [
            {
                "title": r.title,
                "url": r.url,
                "status": r.status,
                "suggested_by_you": r.suggested_by == user_id,
                "added_by_you": r.added_by == user_id,
                "created_at": _when(r.created_at),
            }
            for r in await repo.resources_of(guild_id, user_id)
        ],
        "what_works_threads": [
            {"thread_id": _id(t.thread_id), "title": t.title, "created_at": _when(t.created_at)}
            for t in await repo.what_works_threads(guild_id, user_id)
        ],
    }


async def _records_held(uow: UnitOfWork, guild_id: int, user_id: int) -> dict[str, Any]:
    """Reports the member filed, and what they did as a facilitator or admin."""
    repo = uow.privacy
    return {
        "message_reports": [
            {"channel_id": _id(r.channel_id), "message_id": _id(r.message_id), "created_at": _when(r.created_at)}
            for r in await repo.message_reports(guild_id, user_id)
        ],
        "cohorts_created": [
            {"cohort": c.name, "created_at": _when(c.created_at)} for c in await repo.cohorts_created(guild_id, user_id)
        ],
        "series_created": [
            {"series": s.title, "created_at": _when(s.created_at)} for s in await repo.series_created(guild_id, user_id)
        ],
        "audit_log": [
            {"action": e.action, "details": e.details, "at": _when(e.created_at)}
            for e in await repo.audit_entries(guild_id, user_id)
        ],
        "safeguarding_alerts": [
            {"kind": alert.kind, "created_at": _when(alert.created_at), "you_took_it_on": took}
            for alert, took in await repo.alerts_held(guild_id, user_id)
        ],
    }
