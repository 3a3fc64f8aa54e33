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


def is_facilitator(actor: Actor, roles: GuildRoles) -> bool:
    return actor.is_admin or (roles.facilitator_role_id is not None and roles.facilitator_role_id in actor.role_ids)


def is_coordinator(actor: Actor, roles: GuildRoles) -> bool:
    return actor.is_admin or (roles.coordinator_role_id is not None and roles.coordinator_role_id in actor.role_ids)


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only server admins (members with the Manage Server permission) can do this.")


def require_facilitator(actor: Actor, roles: GuildRoles) -> None:
    if is_facilitator(actor, roles):
        return
    if roles.facilitator_role_id is None:
        raise NotAllowed(
            "Only facilitators can do this, and this server has no facilitator role yet. "
            "An admin can set one with `/setup roles`."
        )
    raise NotAllowed(f"Only facilitators (<@&{roles.facilitator_role_id}>) can do this.")


def require_coordinator(actor: Actor, roles: GuildRoles) -> None:
    if is_coordinator(actor, roles):
        return
    if roles.coordinator_role_id is None:
        raise NotAllowed(
            "Only coordinators can do this, and this server has no coordinator role yet. "
            "An admin can set one with `/setup roles`."
        )
    raise NotAllowed(f"Only coordinators (<@&{roles.coordinator_role_id}>) can do this.")
