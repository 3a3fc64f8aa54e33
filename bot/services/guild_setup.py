"""Use cases of ``/setup``: the roles and channels an admin chooses for the server."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import GuildSettings
from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor, GuildRoles, require_admin
from bot.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class GuildConfig:
    facilitator_role_id: int | None
    coordinator_role_id: int | None
    announcements_channel_id: int | None
    resources_channel_id: int | None
    facilitators_channel_id: int | None


class SetupService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def set_roles(
        self, guild_id: int, actor: Actor, *, facilitator_role_id: int, coordinator_role_id: int
    ) -> GuildConfig:
        require_admin(actor)
        if guild_id in (facilitator_role_id, coordinator_role_id):
            raise InvalidInput("Pick roles that only facilitators and coordinators hold, not @everyone.")
        async with self._uow() as uow:
            settings = await uow.guild_settings.get_or_create(guild_id)
            settings.facilitator_role_id = facilitator_role_id
            settings.coordinator_role_id = coordinator_role_id
            await uow.audit.record(
                guild_id,
                actor.user_id,
                "setup.roles",
                facilitator_role_id=facilitator_role_id,
                coordinator_role_id=coordinator_role_id,
            )
            await uow.commit()
            return _config(settings)

    async def set_channels(
        self,
        guild_id: int,
        actor: Actor,
        *,
        announcements_channel_id: int,
        resources_channel_id: int,
        facilitators_channel_id: int,
    ) -> GuildConfig:
        require_admin(actor)
        if facilitators_channel_id in (announcements_channel_id, resources_channel_id):
            raise InvalidInput(
                "The facilitators' channel receives private alerts, so it must be a channel of its own, "
                "not the announcements or resources channel."
            )
        async with self._uow() as uow:
            settings = await uow.guild_settings.get_or_create(guild_id)
            settings.announcements_channel_id = announcements_channel_id
            settings.resources_channel_id = resources_channel_id
            settings.facilitators_channel_id = facilitators_channel_id
            await uow.audit.record(
                guild_id,
                actor.user_id,
                "setup.channels",
                announcements_channel_id=announcements_channel_id,
                resources_channel_id=resources_channel_id,
                facilitators_channel_id=facilitators_channel_id,
            )
            await uow.commit()
            return _config(settings)

    async def config(self, guild_id: int) -> GuildConfig:
        async with self._uow() as uow:
            settings = await uow.guild_settings.get(guild_id)
            if settings is None:
                return GuildConfig(None, None, None, None, None)
            return _config(settings)

    async def roles(self, guild_id: int) -> GuildRoles:
        config = await self.config(guild_id)
        return GuildRoles(config.facilitator_role_id, config.coordinator_role_id)


def _config(settings: GuildSettings) -> GuildConfig:
    return GuildConfig(
        facilitator_role_id=settings.facilitator_role_id,
        coordinator_role_id=settings.coordinator_role_id,
        announcements_channel_id=settings.announcements_channel_id,
        resources_channel_id=settings.resources_channel_id,
        facilitators_channel_id=settings.facilitators_channel_id,
    )
