"""Message reports (which message a member reported to the facilitators: its link, never its text) and
safeguarding alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.actions import shard_filter
from bot.db.chunks import dialect_of
from bot.db.models import AuditLogEntry, MessageReport, SafeguardingAlert, SafeguardingAlertMessage, Series
from bot.domain.privacy import ERASED_USER
from bot.domain.shards import ShardSet


class MessageReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_if_new(self, guild_id: int, channel_id: int, message_id: int, reporter_id: int) -> bool:
        """Record the report; ``False`` when this member had already reported this message (nothing is added)."""
        insert = sqlite_insert if dialect_of(self._session) == "sqlite" else postgresql_insert
        statement = (
            insert(MessageReport)
            .values(guild_id=guild_id, channel_id=channel_id, message_id=message_id, reporter_id=reporter_id)
            .on_conflict_do_nothing(index_elements=["message_id", "reporter_id"])
            .returning(MessageReport.id)
        )
        return (await self._session.execute(statement)).scalar_one_or_none() is not None

    async def remove(self, message_id: int, reporter_id: int) -> None:
        await self._session.execute(
            delete(MessageReport).where(
                MessageReport.message_id == message_id, MessageReport.reporter_id == reporter_id
            )
        )


class AlertRepository:
    """Safeguarding alerts: where each was delivered, who took it on, and the claim on its one resend."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, alert: SafeguardingAlert) -> SafeguardingAlert:
        self._session.add(alert)
        await self._session.flush()
        return alert

    async def get(self, alert_id: int) -> SafeguardingAlert | None:
        return await self._session.get(SafeguardingAlert, alert_id)

    async def delivered(
        self, alert: SafeguardingAlert, channel_id: int, message_id: int, recipient_id: int | None
    ) -> None:
        self._session.add(
            SafeguardingAlertMessage(
                alert_id=alert.id,
                guild_id=alert.guild_id,
                channel_id=channel_id,
                message_id=message_id,
                recipient_id=recipient_id,
            )
        )
        await self._session.flush()

    async def messages(self, alert_id: int) -> Sequence[SafeguardingAlertMessage]:
        query = select(SafeguardingAlertMessage).where(SafeguardingAlertMessage.alert_id == alert_id)
        return (await self._session.scalars(query.order_by(SafeguardingAlertMessage.id))).all()

    async def known_facilitators(self, guild_id: int, actions: Sequence[str], limit: int) -> list[int]:
        """People who created series or did facilitator actions here (the audit log), most recent first."""
        created = select(Series.created_by.label("user_id"), Series.created_at.label("at")).where(
            Series.guild_id == guild_id
        )
        audited = select(AuditLogEntry.actor_id.label("user_id"), AuditLogEntry.created_at.label("at")).where(
            AuditLogEntry.guild_id == guild_id,
            or_(*(AuditLogEntry.action.startswith(action) for action in actions)),
        )
        found = union_all(created, audited).subquery()
        query = (
            select(found.c.user_id)
            .where(found.c.user_id != ERASED_USER)
            .group_by(found.c.user_id)
            .order_by(func.max(found.c.at).desc(), found.c.user_id)
            .limit(limit)
        )
        return list(await self._session.scalars(query))

    async def take(self, alert_id: int, user_id: int, now: datetime) -> bool:
        """Record who took the alert on; ``False`` when someone already had (exactly one can win)."""
        result = await self._session.execute(
            update(SafeguardingAlert)
            .where(SafeguardingAlert.id == alert_id, SafeguardingAlert.taken_by.is_(None))
            .values(taken_by=user_id, taken_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def taken_by(self, alert_id: int) -> int | None:
        """Who took the alert on, as committed now (not as loaded earlier in this unit of work)."""
        query = select(SafeguardingAlert.taken_by).where(SafeguardingAlert.id == alert_id)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def due_resends(self, now: datetime, shards: ShardSet, limit: int = 100) -> list[int]:
        """Alerts nobody took on whose resend is due (and resends whose claim's lease ran out)."""
        query = select(SafeguardingAlert.id).where(self._resendable(now))
        owned = shard_filter(SafeguardingAlert.guild_id, shards)
        if owned is not None:
            query = query.where(owned)
        return list(await self._session.scalars(query.order_by(SafeguardingAlert.resend_due_at).limit(limit)))

    async def claim_resend(self, alert_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
        """Take the resend if it is due and nobody holds a live claim on it. Exactly one process can win."""
        result = await self._session.execute(
            update(SafeguardingAlert)
            .where(SafeguardingAlert.id == alert_id, self._resendable(now))
            .values(claimed_by=worker, lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def resent(self, alert_id: int, now: datetime) -> None:
        await self._session.execute(
            update(SafeguardingAlert)
            .where(SafeguardingAlert.id == alert_id)
            .values(resent_at=now, lease_until=None)
            .execution_options(synchronize_session=False)
        )

    async def resend_later(self, alert_id: int, due_at: datetime) -> None:
        await self._session.execute(
            update(SafeguardingAlert)
            .where(SafeguardingAlert.id == alert_id)
            .values(resend_due_at=due_at, claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )

    @staticmethod
    def _resendable(now: datetime) -> ColumnElement[bool]:
        return and_(
            SafeguardingAlert.taken_by.is_(None),
            SafeguardingAlert.resent_at.is_(None),
            SafeguardingAlert.resend_due_at <= now,
            or_(SafeguardingAlert.lease_until.is_(None), SafeguardingAlert.lease_until < now),
        )
