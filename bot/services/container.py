"""The services one bot process uses, built together by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.db.uow import UnitOfWorkFactory
from bot.domain.shards import ALL_SHARDS, ShardSet
from bot.services.actions import ActionRunner
from bot.services.bot_state import BotStateService
from bot.services.calendar import CalendarService
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.ports import RoleGateway, SessionGateway
from bot.services.rsvp import RsvpService
from bot.services.series import SeriesService
from bot.services.sessions import SessionService


@dataclass(frozen=True, slots=True)
class Services:
    setup: SetupService
    cohorts: CohortService
    state: BotStateService
    series: SeriesService
    sessions: SessionService
    rsvp: RsvpService
    actions: ActionRunner
    calendar: CalendarService

    @classmethod
    def build(
        cls,
        uow: UnitOfWorkFactory,
        *,
        roles: RoleGateway,
        sessions: SessionGateway,
        clock: Callable[[], datetime],
        default_timezone: str,
        worker: str,
        shards: ShardSet = ALL_SHARDS,
    ) -> Services:
        return cls(
            setup=SetupService(uow),
            cohorts=CohortService(uow, roles, default_timezone=default_timezone),
            state=BotStateService(uow),
            series=SeriesService(uow, clock=clock, shards=shards),
            sessions=SessionService(uow, sessions, clock=clock),
            rsvp=RsvpService(uow, sessions, clock=clock),
            actions=ActionRunner(uow, sessions, clock=clock, worker=worker, shards=shards),
            calendar=CalendarService(uow, clock=clock),
        )
