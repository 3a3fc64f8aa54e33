"""Use cases of ``/setup``: the roles, channels and languages an admin chooses for the server, what is still
missing, and the one-time welcome when Cwtch joins a server."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import GuildSettings
from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor, GuildRoles, require_admin
from bot.domain.errors import InvalidInput
from bot.domain.language import DEFAULT_LANGUAGE, N_, ChannelPosts, Language
from bot.services.settings_cache import GuildSettingsView, SettingsCache


@dataclass(frozen=True, slots=True)
class GuildConfig:
    facilitator_role_id: int | None
    coordinator_role_id: int | None
    announcements_channel_id: int | None
    resources_channel_id: int | None
    facilitators_channel_id: int | None
    language: Language = DEFAULT_LANGUAGE  # for members who have not chosen theirs
    channel_posts: ChannelPosts = ChannelPosts.EN  # how announcements, room threads and digests are written


@dataclass(frozen=True, slots=True)
class SetupStatus:
    """What ``/setup status`` shows: the chosen roles and channels and how many cohorts the server has."""

    config: GuildConfig
    cohorts: int


UNSET = GuildConfig(None, None, None, None, None)


def _welcome_key(guild_id: int) -> str:
    return f"welcome:{guild_id}"


class SetupService:
    def __init__(self, uow: UnitOfWorkFactory, settings: SettingsCache | None = None) -> None:
        self._uow = uow
        self._settings = settings if settings is not None else SettingsCache(uow)

    async def set_roles(
        self, guild_id: int, actor: Actor, *, facilitator_role_id: int, coordinator_role_id: int
    ) -> GuildConfig:
        require_admin(actor)
        if guild_id in (facilitator_role_id, coordinator_role_id):
            raise InvalidInput(N_("Pick roles that only facilitators and coordinators hold, not @everyone."))
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
        self._settings.forget(guild_id)
        return _config(settings)

    async def set_channels(
        self,
        guild_id: int,
        actor: Actor,
        *,
        announcements_channel_id: int | None = None,
        resources_channel_id: int | None = None,
        facilitators_channel_id: int | None = None,
    ) -> GuildConfig:
        """Set the channels given and leave the others as they were; with none given, change nothing."""
        require_admin(actor)
        given = {
            "announcements_channel_id": announcements_channel_id,
            "resources_channel_id": resources_channel_id,
            "facilitators_channel_id": facilitators_channel_id,
        }
        changes = {key: value for key, value in given.items() if value is not None}
        if not changes:
            return await self.config(guild_id)
        async with self._uow() as uow:
            settings = await uow.guild_settings.get_or_create(guild_id)
            merged = {key: changes.get(key, getattr(settings, key)) for key in given}
            alerts = merged["facilitators_channel_id"]
            if alerts is not None and alerts in (merged["announcements_channel_id"], merged["resources_channel_id"]):
                raise InvalidInput(
                    N_(
                        "The facilitators' channel receives private alerts, so it must be a channel of its own, "
                        "not the announcements or resources channel."
                    )
                )
            for key, value in changes.items():
                setattr(settings, key, value)
            await uow.audit.record(guild_id, actor.user_id, "setup.channels", **changes)
            await uow.commit()
        self._settings.forget(guild_id)
        return _config(settings)

    async def set_languages(
        self,
        guild_id: int,
        actor: Actor,
        *,
        language: Language | None = None,
        channel_posts: ChannelPosts | None = None,
    ) -> GuildConfig:
        """Set the language of members who have not chosen theirs and how channel posts are written (either or
        both); with neither given, change nothing."""
        require_admin(actor)
        if language is None and channel_posts is None:
            return await self.config(guild_id)
        async with self._uow() as uow:
            settings = await uow.guild_settings.get_or_create(guild_id)
            changes: dict[str, str] = {}
            if language is not None:
                settings.language = language
                changes["language"] = language.value
            if channel_posts is not None:
                settings.channel_posts = channel_posts
                changes["channel_posts"] = channel_posts.value
            await uow.audit.record(guild_id, actor.user_id, "setup.language", **changes)
            await uow.commit()
        self._settings.forget(guild_id)
        return _config(settings)

    async def status(self, guild_id: int, actor: Actor) -> SetupStatus:
        require_admin(actor)
        async with self._uow.reading() as uow:
            settings = await uow.guild_settings.get(guild_id)
            cohorts = await uow.cohorts.in_guild(guild_id)
            return SetupStatus(UNSET if settings is None else _config(settings), len(cohorts))

    async def config(self, guild_id: int) -> GuildConfig:
        """The guild's roles and channels, from memory when current (see ``settings_cache``)."""
        return _config(await self._settings.get(guild_id))

    async def roles(self, guild_id: int) -> GuildRoles:
        config = await self.config(guild_id)
        return GuildRoles(config.facilitator_role_id, config.coordinator_role_id)

    async def claim_welcome(self, guild_id: int) -> bool:
        """True the first time it is asked for ``guild_id``, ever: the welcome is posted once per server, even when
        Discord delivers the join again or two processes see it (the key is a primary key; one insert wins)."""
        async with self._uow() as uow:
            claimed = await uow.bot_state.claim(_welcome_key(guild_id), "posted")
            await uow.commit()
        return claimed


def _config(settings: GuildSettings | GuildSettingsView) -> GuildConfig:
    return GuildConfig(
        facilitator_role_id=settings.facilitator_role_id,
        coordinator_role_id=settings.coordinator_role_id,
        announcements_channel_id=settings.announcements_channel_id,
        resources_channel_id=settings.resources_channel_id,
        facilitators_channel_id=settings.facilitators_channel_id,
        language=settings.language or DEFAULT_LANGUAGE,
        channel_posts=settings.channel_posts or ChannelPosts.EN,
    )
