"""Use cases of the wellbeing community of practice: joining and leaving (role and history), and sharing
"what works" as a post in the resources forum."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.db.models import GuildSettings
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.community import ADVICE_LABEL, ROLE_NAME, SHARED_BY, EventKind, clean_what_works, what_works_post
from bot.domain.errors import InvalidInput, NotAllowed, NotConfigured
from bot.domain.language import N_, ChannelPosts
from bot.i18n import for_channel
from bot.services.ports import CommunityGateway, RoleGateway

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

NOT_A_MEMBER = N_(
    "Sharing what works is for members of the wellbeing community. Join with `/community join`, then share."
)
NO_FORUM = N_(
    "Sharing what works needs the resources forum, and this server hasn't chosen one yet. "
    "An admin can set it with `/setup channels`."
)


@dataclass(frozen=True, slots=True)
class Membership:
    role_id: int | None
    resources_channel_id: int | None
    joined: bool = True  # False: they were already a member, and nothing changed


@dataclass(frozen=True, slots=True)
class SharedPost:
    guild_id: int
    thread_id: int


class CommunityService:
    def __init__(self, uow: UnitOfWorkFactory, roles: RoleGateway, gateway: CommunityGateway, *, clock: Clock) -> None:
        self._uow = uow
        self._roles = roles
        self._gateway = gateway
        self._clock = clock

    async def join(self, guild_id: int, user_id: int) -> Membership:
        """Give the community role (made on first use) and count the join; nothing is kept if Discord refuses.

        A member who is already in is told so, and nothing is counted twice."""
        async with self._uow() as uow:
            settings = await uow.community.settings_for_update(guild_id)
            if await uow.community.is_member(guild_id, user_id):
                return Membership(settings.community_role_id, settings.resources_channel_id, joined=False)
            role_id = settings.community_role_id
            if role_id is None or not await self._roles.has_role(guild_id, role_id):
                # Everyone in the server sees the role's name: written as the server's channel posts are.
                name = for_channel(settings.channel_posts or ChannelPosts.EN, ROLE_NAME, between=" · ")
                role_id = await self._roles.create_role(guild_id, name, reason="the wellbeing community's role")
                settings.community_role_id = role_id
                log.info("made the community role %s in guild %s", role_id, guild_id)
                await uow.commit()  # the role is kept even if giving it fails below, so it is made only once
            event_id = await uow.community.record(guild_id, user_id, EventKind.JOIN, self._clock())
            await uow.commit()
        # Given after the commit, undone if Discord refuses: no transaction waits on Discord's answer.
        await self._unless_refused(
            self._roles.add_role(guild_id, user_id, role_id, reason="joined the wellbeing community"), event_id
        )
        return Membership(role_id, settings.resources_channel_id)

    async def leave(self, guild_id: int, user_id: int) -> None:
        async with self._uow() as uow:
            settings = await uow.community.settings_for_update(guild_id)
            if not await uow.community.is_member(guild_id, user_id):
                raise InvalidInput(
                    N_(
                        "You're not in the wellbeing community, so there is nothing to leave. "
                        "You can join any time with `/community join`."
                    )
                )
            event_id = await uow.community.record(guild_id, user_id, EventKind.LEAVE, self._clock())
            await uow.commit()
        if settings.community_role_id is not None:
            await self._unless_refused(
                self._roles.remove_role(
                    guild_id, user_id, settings.community_role_id, reason="left the wellbeing community"
                ),
                event_id,
            )

    async def _unless_refused(self, call: Awaitable[None], event_id: int) -> None:
        """Make the Discord call; if it fails, forget the join or leave it was for, and pass the error on."""
        try:
            await call
        except BaseException:
            async with self._uow() as uow:
                await uow.community.forget_event(event_id)
                await uow.commit()
            raise

    async def check_can_share(self, guild_id: int | None, user_id: int) -> None:
        """Refuse politely, before the form opens, whoever could not share: no forum here, or not a member."""
        async with self._uow.reading() as uow:
            await self._sharing_forum(uow, guild_id, user_id)

    async def share_what_works(
        self, guild_id: int | None, user_id: int, title: str | None, text: str | None, advice: str | None
    ) -> SharedPost:
        """Post what a member shared in the resources forum, tagged "What works", and keep a note of the post."""
        share = clean_what_works(title, text, advice)
        async with self._uow.reading() as uow:
            settings = await self._sharing_settings(uow, guild_id, user_id)
        assert guild_id is not None and settings.resources_channel_id is not None
        # The post is the forum's: its few words of ours are written as the server's channel posts are.
        posts = settings.channel_posts
        content = what_works_post(
            user_id,
            share,
            shared_by=for_channel(posts, SHARED_BY, between=" / "),
            advice_label=for_channel(posts, ADVICE_LABEL, between=" / "),
        )
        thread_id = await self._gateway.post_what_works(guild_id, settings.resources_channel_id, share.title, content)
        async with self._uow() as uow:
            await uow.community.add_what_works(guild_id, thread_id, user_id, share.title, self._clock())
            await uow.commit()
        return SharedPost(guild_id, thread_id)

    async def _sharing_forum(self, uow: UnitOfWork, guild_id: int | None, user_id: int) -> int:
        settings = await self._sharing_settings(uow, guild_id, user_id)
        assert settings.resources_channel_id is not None
        return settings.resources_channel_id

    async def _sharing_settings(self, uow: UnitOfWork, guild_id: int | None, user_id: int) -> GuildSettings:
        """The server's settings, once it has a resources forum and the member may share in it."""
        if guild_id is None:
            raise InvalidInput(N_("Please share what works from inside the server."))
        settings = await uow.guild_settings.get(guild_id)
        if settings is None or settings.resources_channel_id is None:
            raise NotConfigured(NO_FORUM)
        if not await uow.community.is_member(guild_id, user_id):
            raise NotAllowed(NOT_A_MEMBER)
        return settings
