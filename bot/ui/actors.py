"""Turning an interaction's member into the domain's ``Actor``."""

from __future__ import annotations

from typing import Any

import discord

from bot.domain.access import Actor


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    user = interaction.user
    role_ids = frozenset(role.id for role in user.roles) if isinstance(user, discord.Member) else frozenset()
    return Actor(user_id=user.id, role_ids=role_ids, is_admin=interaction.permissions.manage_guild)
