"""Message reports: which message a member reported to the facilitators (its link, never its text)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import MessageReport


class MessageReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_if_new(self, guild_id: int, channel_id: int, message_id: int, reporter_id: int) -> bool:
        """Record the report; ``False`` when this member had already reported this message (nothing is added)."""
        insert = sqlite_insert if self._session.get_bind().dialect.name == "sqlite" else postgresql_insert
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
