"""Reporting a message to the facilitators: its link and who reported it go to their private channel, never
the message text. A member's repeat report of the same message is thanked without a second alert."""

from __future__ import annotations

import logging
from enum import StrEnum

from bot.db.uow import UnitOfWorkFactory
from bot.services.ports import SafetyGateway

log = logging.getLogger(__name__)


class ReportOutcome(StrEnum):
    ALERTED = "alerted"  # the facilitators have the link
    REPEAT = "repeat"  # this member had reported this message before; no second alert
    NO_CHANNEL = "no_channel"  # the server has no facilitators' channel yet; nothing was kept


class SafetyService:
    def __init__(self, uow: UnitOfWorkFactory, gateway: SafetyGateway) -> None:
        self._uow = uow
        self._gateway = gateway

    async def report_message(
        self, guild_id: int, reporter_id: int, channel_id: int, message_id: int, jump_url: str
    ) -> ReportOutcome:
        async with self._uow() as uow:
            settings = await uow.guild_settings.get(guild_id)
            alerts = settings.facilitators_channel_id if settings is not None else None
            if alerts is None:
                log.warning(
                    "guild %s has no facilitators' channel: message %s reported by user %s reached nobody "
                    "(see /setup channels)",
                    guild_id,
                    message_id,
                    reporter_id,
                )
                return ReportOutcome.NO_CHANNEL
            if not await uow.message_reports.add_if_new(guild_id, channel_id, message_id, reporter_id):
                return ReportOutcome.REPEAT
            await uow.commit()
        try:
            await self._gateway.message_reported(guild_id, alerts, jump_url, reporter_id)
        except Exception:
            # Keep nothing the facilitators never received, so the member can report it again.
            async with self._uow() as uow:
                await uow.message_reports.remove(message_id, reporter_id)
                await uow.commit()
            raise
        log.info("message %s in guild %s reported to the facilitators", message_id, guild_id)
        return ReportOutcome.ALERTED
