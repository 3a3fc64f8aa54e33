"""The queries behind ``/privacy``: everything held about one member in a guild, its erasure, and the purge of
old feedback comments. Feedback is found through pseudonyms the service computes, never a stored Discord ID."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.chunks import chunks
from bot.db.models import (
    Attendance,
    AuditLogEntry,
    Cohort,
    CohortMembership,
    CommunityEvent,
    DmChannel,
    FeedbackResponse,
    MemberLanguage,
    MemberPreference,
    MessageReport,
    Occurrence,
    Resource,
    Rsvp,
    SafeguardingAlert,
    SafeguardingAlertMessage,
    Series,
    Survey,
    WhatWorksThread,
)
from bot.domain.lifecycle import SessionState
from bot.domain.privacy import scrub


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class PrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- what is held (export) -----------------------------------------------------------------------------

    async def memberships(self, guild_id: int, user_id: int) -> Sequence[tuple[CohortMembership, str]]:
        query = (
            select(CohortMembership, Cohort.name)
            .join(Cohort, Cohort.id == CohortMembership.cohort_id)
            .where(CohortMembership.guild_id == guild_id, CohortMembership.user_id == user_id)
            .order_by(CohortMembership.joined_at, CohortMembership.id)
        )
        return (await self._session.execute(query)).tuples().all()

    async def rsvps(self, guild_id: int, user_id: int) -> Sequence[tuple[Rsvp, Occurrence, str]]:
        query = (
            select(Rsvp, Occurrence, Series.title)
            .join(Occurrence, Occurrence.id == Rsvp.occurrence_id)
            .join(Series, Series.id == Occurrence.series_id)
            .where(Rsvp.guild_id == guild_id, Rsvp.user_id == user_id)
            .order_by(Occurrence.starts_at, Rsvp.id)
        )
        return (await self._session.execute(query)).tuples().all()

    async def attendance(self, guild_id: int, user_id: int) -> Sequence[tuple[Attendance, Occurrence, str]]:
        query = (
            select(Attendance, Occurrence, Series.title)
            .join(Occurrence, Occurrence.id == Attendance.occurrence_id)
            .join(Series, Series.id == Occurrence.series_id)
            .where(Attendance.guild_id == guild_id, Attendance.user_id == user_id)
            .order_by(Occurrence.starts_at, Attendance.id)
        )
        return (await self._session.execute(query)).tuples().all()

    async def preference(self, guild_id: int, user_id: int) -> MemberPreference | None:
        return await self._session.get(MemberPreference, (guild_id, user_id))

    async def dm_channel(self, user_id: int) -> DmChannel | None:
        return await self._session.get(DmChannel, user_id)

    async def language(self, user_id: int) -> MemberLanguage | None:
        return await self._session.get(MemberLanguage, user_id)

    async def community_events(self, guild_id: int, user_id: int) -> Sequence[CommunityEvent]:
        query = (
            select(CommunityEvent)
            .where(CommunityEvent.guild_id == guild_id, CommunityEvent.user_id == user_id)
            .order_by(CommunityEvent.at, CommunityEvent.id)
        )
        return (await self._session.scalars(query)).all()

    async def resources_of(self, guild_id: int, user_id: int) -> Sequence[Resource]:
        """Resources this member suggested or added (or approved)."""
        query = (
            select(Resource)
            .where(Resource.guild_id == guild_id, (Resource.suggested_by == user_id) | (Resource.added_by == user_id))
            .order_by(Resource.created_at, Resource.id)
        )
        return (await self._session.scalars(query)).all()

    async def what_works_threads(self, guild_id: int, user_id: int) -> Sequence[WhatWorksThread]:
        query = (
            select(WhatWorksThread)
            .where(WhatWorksThread.guild_id == guild_id, WhatWorksThread.author_id == user_id)
            .order_by(WhatWorksThread.created_at, WhatWorksThread.id)
        )
        return (await self._session.scalars(query)).all()

    async def message_reports(self, guild_id: int, user_id: int) -> Sequence[MessageReport]:
        query = (
            select(MessageReport)
            .where(MessageReport.guild_id == guild_id, MessageReport.reporter_id == user_id)
            .order_by(MessageReport.created_at, MessageReport.id)
        )
        return (await self._session.scalars(query)).all()

    async def alerts_held(self, guild_id: int, user_id: int) -> Sequence[tuple[SafeguardingAlert, bool]]:
        """Safeguarding alerts this member took on or was sent (as a facilitator or the owner): (alert, took it)."""
        sent_to = select(SafeguardingAlertMessage.alert_id).where(
            SafeguardingAlertMessage.guild_id == guild_id, SafeguardingAlertMessage.recipient_id == user_id
        )
        query = (
            select(SafeguardingAlert)
            .where(
                SafeguardingAlert.guild_id == guild_id,
                or_(SafeguardingAlert.taken_by == user_id, SafeguardingAlert.id.in_(sent_to)),
            )
            .order_by(SafeguardingAlert.created_at)
        )
        return [(alert, alert.taken_by == user_id) for alert in (await self._session.scalars(query)).all()]

    async def audit_entries(self, guild_id: int, user_id: int) -> Sequence[AuditLogEntry]:
        query = (
            select(AuditLogEntry)
            .where(AuditLogEntry.guild_id == guild_id, AuditLogEntry.actor_id == user_id)
            .order_by(AuditLogEntry.created_at, AuditLogEntry.id)
        )
        return (await self._session.scalars(query)).all()

    async def cohorts_created(self, guild_id: int, user_id: int) -> Sequence[Cohort]:
        query = select(Cohort).where(Cohort.guild_id == guild_id, Cohort.created_by == user_id).order_by(Cohort.id)
        return (await self._session.scalars(query)).all()

    async def series_created(self, guild_id: int, user_id: int) -> Sequence[Series]:
        query = select(Series).where(Series.guild_id == guild_id, Series.created_by == user_id).order_by(Series.id)
        return (await self._session.scalars(query)).all()

    async def surveyed_occurrences(self, guild_id: int) -> list[int]:
        """Sessions of the guild that had a survey, so may hold responses (whose pseudonyms the service then
        computes). A response is only ever stored for an open survey, and both go only with their session."""
        query = select(Survey.occurrence_id).where(Survey.guild_id == guild_id)
        return sorted((await self._session.scalars(query)).all())

    async def responses(self, pseudonyms: Mapping[int, str]) -> list[tuple[FeedbackResponse, Occurrence, str]]:
        """The responses stored under these pseudonyms (occurrence → pseudonym), with their sessions."""
        found: list[tuple[FeedbackResponse, Occurrence, str]] = []
        items = sorted(pseudonyms.items())
        for chunk in chunks(items):
            query = (
                select(FeedbackResponse, Occurrence, Series.title)
                .join(Occurrence, Occurrence.id == FeedbackResponse.occurrence_id)
                .join(Series, Series.id == Occurrence.series_id)
                .where(
                    FeedbackResponse.occurrence_id.in_([occurrence for occurrence, _ in chunk]),
                    FeedbackResponse.pseudonym.in_([pseudonym for _, pseudonym in chunk]),
                )
            )
            for response, occurrence, title in (await self._session.execute(query)).tuples():
                if pseudonyms.get(response.occurrence_id) == response.pseudonym:
                    found.append((response, occurrence, title))
        found.sort(key=lambda row: (row[1].starts_at, row[0].id))
        return found

    # --- erasure -------------------------------------------------------------------------------------------

    async def upcoming_rsvps(self, guild_id: int, user_id: int, now: datetime) -> dict[int, str]:
        """The member's RSVPs (occurrence → status) to sessions that have not started."""
        query = (
            select(Rsvp.occurrence_id, Rsvp.status)
            .join(Occurrence, Occurrence.id == Rsvp.occurrence_id)
            .where(
                Rsvp.guild_id == guild_id,
                Rsvp.user_id == user_id,
                Occurrence.state == SessionState.SCHEDULED,
                Occurrence.starts_at > now,
            )
        )
        return dict((await self._session.execute(query)).tuples().all())

    async def attended_occurrences(self, guild_id: int, user_id: int) -> set[int]:
        query = select(Attendance.occurrence_id).where(Attendance.guild_id == guild_id, Attendance.user_id == user_id)
        return set((await self._session.scalars(query)).all())

    async def cohort_roles(self, guild_id: int, user_id: int) -> list[int]:
        """The roles of the cohorts this member is in (to take back on erasure)."""
        query = (
            select(Cohort.role_id)
            .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
            .where(CohortMembership.guild_id == guild_id, CohortMembership.user_id == user_id)
            .where(Cohort.role_id.is_not(None))
        )
        return sorted({role for role in (await self._session.scalars(query)).all() if role is not None})

    async def delete_responses(self, response_ids: Sequence[int]) -> int:
        deleted = 0
        for chunk in chunks(list(response_ids)):
            result = await self._session.execute(delete(FeedbackResponse).where(FeedbackResponse.id.in_(chunk)))
            deleted += _rowcount(result)
        return deleted

    async def delete_owned(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete the rows that are this member's own, in this guild (and their guild-less DM channel and language:
        they are asked again at their next contact)."""
        statements = {
            "cohort_memberships": delete(CohortMembership).where(
                CohortMembership.guild_id == guild_id, CohortMembership.user_id == user_id
            ),
            "rsvps": delete(Rsvp).where(Rsvp.guild_id == guild_id, Rsvp.user_id == user_id),
            "attendance": delete(Attendance).where(Attendance.guild_id == guild_id, Attendance.user_id == user_id),
            "member_preferences": delete(MemberPreference).where(
                MemberPreference.guild_id == guild_id, MemberPreference.user_id == user_id
            ),
            "dm_channels": delete(DmChannel).where(DmChannel.user_id == user_id),
            "member_languages": delete(MemberLanguage).where(MemberLanguage.user_id == user_id),
            "community_events": delete(CommunityEvent).where(
                CommunityEvent.guild_id == guild_id, CommunityEvent.user_id == user_id
            ),
            "message_reports": delete(MessageReport).where(
                MessageReport.guild_id == guild_id, MessageReport.reporter_id == user_id
            ),
            "what_works_threads": delete(WhatWorksThread).where(
                WhatWorksThread.guild_id == guild_id, WhatWorksThread.author_id == user_id
            ),
            # A suggestion nobody approved is only theirs; an approved resource is the community's.
            "resource_suggestions": delete(Resource).where(
                Resource.guild_id == guild_id, Resource.suggested_by == user_id, Resource.status != "approved"
            ),
        }
        counts: dict[str, int] = {}
        for name, statement in statements.items():
            counts[name] = _rowcount(
                await self._session.execute(statement.execution_options(synchronize_session=False))
            )
        return counts

    async def anonymise(self, guild_id: int, user_id: int, marker: int) -> dict[str, int]:
        """Put ``marker`` in place of this member's ID in rows that are other people's records too."""
        counts: dict[str, int] = {}

        async def replace(name: str, model: Any, column: Any, value: int | None) -> None:
            statement = (
                update(model)
                .where(model.guild_id == guild_id, column == user_id)
                .values({column.key: value})
                .execution_options(synchronize_session=False)
            )
            counts[name] = counts.get(name, 0) + _rowcount(await self._session.execute(statement))

        await replace("resources", Resource, Resource.suggested_by, None)
        await replace("resources", Resource, Resource.added_by, None)
        await replace("cohorts", Cohort, Cohort.created_by, marker)
        await replace("series", Series, Series.created_by, marker)
        await replace("audit_log", AuditLogEntry, AuditLogEntry.actor_id, marker)
        # Who took an alert on, and whom it was sent to, stay part of the safeguarding record, but not who.
        await replace("safeguarding_alerts", SafeguardingAlert, SafeguardingAlert.taken_by, marker)
        await replace(
            "safeguarding_alert_messages", SafeguardingAlertMessage, SafeguardingAlertMessage.recipient_id, marker
        )
        # Audit details hold IDs and names; scrub this member's ID wherever it appears in them.
        mentioned = select(AuditLogEntry).where(
            AuditLogEntry.guild_id == guild_id, cast(AuditLogEntry.details, String).contains(str(user_id))
        )
        for entry in (await self._session.scalars(mentioned)).all():
            cleaned = scrub(entry.details, user_id, marker)
            if cleaned != entry.details:
                entry.details = cleaned
                counts["audit_log"] = counts.get("audit_log", 0) + 1
        await self._session.flush()
        return counts

    # --- retention -----------------------------------------------------------------------------------------

    async def purge_comments(self, before: datetime) -> int:
        """Delete the text of feedback comments last written before ``before``; the answers stay."""
        statement = (
            update(FeedbackResponse)
            .where(FeedbackResponse.comment.is_not(None), FeedbackResponse.updated_at < before)
            .values(comment=None, updated_at=FeedbackResponse.updated_at)  # keep the date: only the text goes
            .execution_options(synchronize_session=False)
        )
        return _rowcount(await self._session.execute(statement))

    async def count_comments(self) -> int:
        return int(await self._session.scalar(select(func.count()).where(FeedbackResponse.comment.is_not(None))) or 0)
