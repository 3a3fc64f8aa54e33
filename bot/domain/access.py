"""Who may do what: admins, facilitators, coordinators and everyone else."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import NotAllowed
from bot.domain.language import N_


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
        raise NotAllowed(N_("Only server admins (members with the Manage Server permission) can do this."))


def require_facilitator(actor: Actor, roles: GuildRoles) -> None:
    if _holds(actor, roles.facilitator_role_id):
        return
    if roles.facilitator_role_id is None:
        raise NotAllowed(
            N_(
                "Only facilitators can do this, and this server has no facilitator role yet. "
                "An admin can set one with `/setup roles`."
            )
        )
    raise NotAllowed(N_("Only facilitators (<@&{role_id}>) can do this."), role_id=roles.facilitator_role_id)


def require_coordinator(actor: Actor, roles: GuildRoles) -> None:
    if _holds(actor, roles.coordinator_role_id):
        return
    if roles.coordinator_role_id is None:
        raise NotAllowed(
            N_(
                "Only coordinators can do this, and this server has no coordinator role yet. "
                "An admin can set one with `/setup roles`."
            )
        )
    raise NotAllowed(N_("Only coordinators (<@&{role_id}>) can do this."), role_id=roles.coordinator_role_id)
