"""Who may do what: admins, facilitators, coordinators and everyone else."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import NotAllowed


@dataclass(frozen=True, slots=True)
class Actor:
    """The member behind an interaction, as the rules need to see them."""

    user_id: int
    role_ids: frozenset[int]
    is_admin: bool  # holds Discord's "Manage Server" permission


@dataclass(frozen=True, slots=True)
class GuildRoles:
    """The roles a guild's admin chose with ``/setup roles`` (``None`` until then)."""

    facilitator_role_id: int | None = None
    coordinator_role_id: int | None = None


def _holds(actor: Actor, role_id: int | None) -> bool:
    return actor.is_admin or (role_id is not None and role_id in actor.role_ids)


def is_facilitator(actor: Actor, roles: GuildRoles) -> bool:
    return _holds(actor, roles.facilitator_role_id)


def is_coordinator(actor: Actor, roles: GuildRoles) -> bool:
    return _holds(actor, roles.coordinator_role_id)


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only server admins (members with the Manage Server permission) can do this.")


def _require(actor: Actor, role_id: int | None, role_name: str) -> None:
    if _holds(actor, role_id):
        return
    if role_id is None:
        raise NotAllowed(
            f"Only {role_name}s can do this, and this server has no {role_name} role yet. "
            "An admin can set one with `/setup roles`."
        )
    raise NotAllowed(f"Only {role_name}s (<@&{role_id}>) can do this.")


def require_facilitator(actor: Actor, roles: GuildRoles) -> None:
    _require(actor, roles.facilitator_role_id, "facilitator")


def require_coordinator(actor: Actor, roles: GuildRoles) -> None:
    _require(actor, roles.coordinator_role_id, "coordinator")
