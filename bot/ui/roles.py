"""The Discord side of giving and taking cohort roles (implements ``RoleGateway``)."""

from __future__ import annotations

import logging

import discord

from bot.domain.errors import BotLacksPermission, InvalidInput
from bot.domain.language import N_

log = logging.getLogger(__name__)

# A cohort role must not smuggle in moderation powers.
_PRIVILEGED = discord.Permissions(
    administrator=True,
    manage_guild=True,
    manage_roles=True,
    manage_channels=True,
    kick_members=True,
    ban_members=True,
    moderate_members=True,
    manage_messages=True,
)


class DiscordRoleGateway:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self._client.get_guild(guild_id)
        if guild is None:
            raise BotLacksPermission(N_("I can't see this server right now. Please try again in a minute."))
        return guild

    async def check_assignable(self, guild_id: int, role_id: int) -> None:
        guild = self._guild(guild_id)
        role = guild.get_role(role_id)
        if role is None:
            raise InvalidInput(N_("I can't find that role in this server."))
        if role.managed or role.is_default():
            raise InvalidInput(
                N_("<@&{role_id}> is managed by Discord or an integration, so I can't give it out."), role_id=role.id
            )
        if role.permissions.value & _PRIVILEGED.value:
            raise InvalidInput(
                N_("<@&{role_id}> carries moderation permissions; pick a plain role for cohort members."),
                role_id=role.id,
            )
        me = guild.me
        if not me.guild_permissions.manage_roles:
            raise BotLacksPermission(
                N_("I need the **Manage Roles** permission to give cohort roles. Please ask an admin.")
            )
        if role >= me.top_role:
            raise BotLacksPermission(
                N_(
                    "My role is below <@&{role_id}>, so Discord won't let me give it. "
                    "Please ask an admin to move my role above it in Server Settings → Roles."
                ),
                role_id=role.id,
            )

    async def add_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None:
        try:
            await self._client.http.add_role(guild_id, user_id, role_id, reason=reason)
        except discord.Forbidden as exc:
            log.warning("adding role %s to user %s in guild %s was refused", role_id, user_id, guild_id)
            raise BotLacksPermission(
                N_(
                    "Discord didn't let me give you this role (I need Manage Roles and a role above it). "
                    "Nothing was changed; please tell a facilitator or admin."
                )
            ) from exc

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None:
        try:
            await self._client.http.remove_role(guild_id, user_id, role_id, reason=reason)
        except discord.NotFound:
            log.info("role %s was already gone for user %s in guild %s", role_id, user_id, guild_id)
        except discord.Forbidden as exc:
            log.warning("removing role %s from user %s in guild %s was refused", role_id, user_id, guild_id)
            raise BotLacksPermission(
                N_(
                    "Discord didn't let me take this role away (I need Manage Roles and a role above it). "
                    "Nothing was changed; please tell a facilitator or admin."
                )
            ) from exc

    async def has_role(self, guild_id: int, role_id: int) -> bool:
        guild = self._guild(guild_id)
        if guild.get_role(role_id) is not None:
            return True
        # The cache hears of a role a moment after it is made: ask Discord before deciding it is gone.
        return any(role.id == role_id for role in await guild.fetch_roles())

    async def create_role(self, guild_id: int, name: str, *, reason: str) -> int:
        guild = self._guild(guild_id)
        try:
            role = await guild.create_role(
                name=name, permissions=discord.Permissions.none(), mentionable=False, hoist=False, reason=reason
            )
        except discord.Forbidden as exc:
            log.warning("creating role %r in guild %s was refused", name, guild_id)
            raise BotLacksPermission(
                N_("I need the **Manage Roles** permission to make the **{name}** role. Please ask an admin."),
                name=name,
            ) from exc
        return role.id
