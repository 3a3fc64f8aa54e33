"""What services need from Discord, as protocols; the Discord-facing layer implements them."""

from __future__ import annotations

from typing import Protocol


class RoleGateway(Protocol):
    """Gives and takes member roles. Raises ``BotLacksPermission`` when Discord refuses the bot."""

    async def check_assignable(self, guild_id: int, role_id: int) -> None:
        """Raise ``InvalidInput`` or ``BotLacksPermission`` if the bot could not give this role to members."""

    async def add_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None: ...

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None: ...
