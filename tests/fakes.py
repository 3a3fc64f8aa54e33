"""Fakes of the service ports, for service tests that run without Discord."""

from __future__ import annotations

from bot.domain.errors import BotLacksPermission, InvalidInput


class FakeRoleGateway:
    """Records role changes; roles in ``unassignable`` are refused like Discord refuses a too-high role."""

    def __init__(self, *, known_roles: set[int] | None = None, unassignable: set[int] | None = None) -> None:
        self.known_roles = known_roles
        self.unassignable = unassignable or set()
        self.members: dict[tuple[int, int], set[int]] = {}

    async def check_assignable(self, guild_id: int, role_id: int) -> None:
        if self.known_roles is not None and role_id not in self.known_roles:
            raise InvalidInput("I can't find that role in this server.")
        if role_id in self.unassignable:
            raise BotLacksPermission("My role is below that role.")

    async def add_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None:
        if role_id in self.unassignable:
            raise BotLacksPermission("Discord didn't let me give you this cohort's role.")
        self.members.setdefault((guild_id, user_id), set()).add(role_id)

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None:
        if role_id in self.unassignable:
            raise BotLacksPermission("Discord didn't let me take this cohort's role away.")
        self.members.get((guild_id, user_id), set()).discard(role_id)

    def roles_of(self, guild_id: int, user_id: int) -> set[int]:
        return self.members.get((guild_id, user_id), set())
