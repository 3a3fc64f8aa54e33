"""The services one bot process uses, built together by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.uow import UnitOfWorkFactory
from bot.services.bot_state import BotStateService
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.ports import RoleGateway


@dataclass(frozen=True, slots=True)
class Services:
    setup: SetupService
    cohorts: CohortService
    state: BotStateService

    @classmethod
    def build(cls, uow: UnitOfWorkFactory, *, roles: RoleGateway, default_timezone: str) -> Services:
        return cls(
            setup=SetupService(uow),
            cohorts=CohortService(uow, roles, default_timezone=default_timezone),
            state=BotStateService(uow),
        )
