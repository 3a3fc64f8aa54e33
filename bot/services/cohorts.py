"""Use cases of ``/cohort``: create, list, join and leave cohorts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.db.models import Cohort, CohortMembership
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import cohorts as rules
from bot.domain.access import Actor, GuildRoles, require_facilitator
from bot.domain.errors import AlreadyExists, InvalidInput, NotFound
from bot.domain.inputs import quote
from bot.domain.language import N_
from bot.services.batching import Batcher
from bot.services.ports import RoleGateway


@dataclass(frozen=True, slots=True)
class CohortInfo:
    id: int
    name: str
    description: str
    channel_id: int
    role_id: int | None
    timezone: str
    member_count: int = 0
    is_member: bool = False


class CohortService:
    def __init__(self, uow: UnitOfWorkFactory, roles: RoleGateway, *, default_timezone: str) -> None:
        self._uow = uow
        self._roles = roles
        self._default_timezone = default_timezone
        # Under a burst, the listings and names asked for at the same moment are read together.
        self._listings: Batcher[tuple[int, int], list[CohortInfo]] = Batcher(self._read_listings)
        self._names: Batcher[int, list[tuple[str, str]]] = Batcher(self._read_names)

    async def create(
        self,
        guild_id: int,
        actor: Actor,
        *,
        name: str,
        description: str,
        channel_id: int,
        role_id: int | None = None,
        timezone: str | None = None,
    ) -> CohortInfo:
        name = rules.clean_name(name)
        description = rules.clean_description(description)
        zone = rules.parse_timezone(timezone) if timezone else rules.parse_timezone(self._default_timezone)
        async with self._uow() as uow:
            roles_here = await guild_roles(uow, guild_id)
            require_facilitator(actor, roles_here)
            if role_id is not None:
                _refuse_privileged_role(guild_id, role_id, roles_here)
                await self._roles.check_assignable(guild_id, role_id)
            if await uow.cohorts.by_name_key(guild_id, rules.name_key(name)) is not None:
                raise AlreadyExists(
                    N_("There is already a cohort called **{name}** here. Pick another name."), name=quote(name)
                )
            cohort = await uow.cohorts.add(
                Cohort(
                    guild_id=guild_id,
                    name=name,
                    name_key=rules.name_key(name),
                    description=description,
                    channel_id=channel_id,
                    role_id=role_id,
                    timezone=zone.key,
                    created_by=actor.user_id,
                )
            )
            await uow.audit.record(guild_id, actor.user_id, "cohort.create", cohort_id=cohort.id, name=name)
            await uow.commit()
            return _info(cohort)

    async def listing(self, guild_id: int, user_id: int) -> list[CohortInfo]:
        """``/cohort list``: the guild's cohorts, their member counts and which the member is in."""
        return await self._listings.get((guild_id, user_id))

    async def _read_listings(self, people: Sequence[tuple[int, int]]) -> dict[tuple[int, int], list[CohortInfo]]:
        guild_ids = {guild_id for guild_id, _ in people}
        async with self._uow.reading() as uow:
            cohorts = await uow.cohorts.in_guilds(guild_ids)
            counts = await uow.cohorts.member_counts(guild_ids)
            memberships = await uow.cohorts.memberships_of_people(people)
        return {
            (guild_id, user_id): [
                _info(c, counts.get(c.id, 0), c.id in memberships[guild_id, user_id]) for c in cohorts[guild_id]
            ]
            for guild_id, user_id in people
        }

    async def names(self, guild_id: int, fragment: str, limit: int = 25) -> list[str]:
        """Cohort names holding ``fragment`` (case ignored), by name: for autocomplete."""
        wanted = fragment.strip().casefold()
        return [name for name, key in await self._names.get(guild_id) if wanted in key][:limit]

    async def _read_names(self, guild_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        async with self._uow.reading() as uow:
            cohorts = await uow.cohorts.in_guilds(guild_ids)
        return {guild_id: [(c.name, c.name_key) for c in found] for guild_id, found in cohorts.items()}

    async def join(self, guild_id: int, user_id: int, name: str) -> CohortInfo:
        """Add the member to the cohort and give its role; nothing is kept if Discord refuses the role.

        The role is given after the membership is committed (and the membership undone if Discord refuses), so
        no transaction waits on Discord: on SQLite that would hold up every other write in the process."""
        async with self._uow() as uow:
            cohort = await find_cohort(uow, guild_id, name)
            if await uow.cohorts.membership(cohort.id, user_id) is not None:
                raise AlreadyExists(N_("You're already in **{name}**."), name=cohort.name)
            membership = CohortMembership(guild_id=guild_id, cohort_id=cohort.id, user_id=user_id)
            await uow.cohorts.add_membership(membership)
            await uow.commit()
        if cohort.role_id is not None:
            try:
                await self._roles.add_role(guild_id, user_id, cohort.role_id, reason=f"joined cohort {cohort.id}")
            except BaseException:
                async with self._uow() as uow:
                    await uow.cohorts.remove_membership(cohort.id, user_id)
                    await uow.commit()
                raise
        return _info(cohort, is_member=True)

    async def leave(self, guild_id: int, user_id: int, name: str) -> CohortInfo:
        """Take the member out of the cohort and take its role back; they stay in if Discord refuses."""
        async with self._uow() as uow:
            cohort = await find_cohort(uow, guild_id, name)
            membership = await uow.cohorts.membership(cohort.id, user_id)
            if membership is None or not await uow.cohorts.remove_membership(cohort.id, user_id):
                raise InvalidInput(N_("You're not in **{name}**, so there is nothing to leave."), name=cohort.name)
            await uow.commit()
        if cohort.role_id is not None:
            try:
                await self._roles.remove_role(guild_id, user_id, cohort.role_id, reason=f"left cohort {cohort.id}")
            except BaseException:
                async with self._uow() as uow:
                    await uow.cohorts.add_membership(
                        CohortMembership(
                            guild_id=guild_id, cohort_id=cohort.id, user_id=user_id, joined_at=membership.joined_at
                        )
                    )
                    await uow.commit()
                raise
        return _info(cohort)


async def guild_roles(uow: UnitOfWork, guild_id: int) -> GuildRoles:
    settings = await uow.guild_settings.get(guild_id)
    if settings is None:
        return GuildRoles()
    return GuildRoles(settings.facilitator_role_id, settings.coordinator_role_id)


async def find_cohort(uow: UnitOfWork, guild_id: int, name: str) -> Cohort:
    """The cohort a member named (case and spacing ignored), or a polite refusal pointing at ``/cohort list``."""
    cohort = await uow.cohorts.by_name_key(guild_id, rules.name_key(name))
    if cohort is None:
        raise no_such_cohort(name)
    return cohort


def no_such_cohort(name: str) -> NotFound:
    return NotFound(N_("There's no cohort called **{name}** here. `/cohort list` shows them all."), name=quote(name))


def _refuse_privileged_role(guild_id: int, role_id: int, roles: GuildRoles) -> None:
    if role_id == guild_id:
        raise InvalidInput(N_("Everyone already has @everyone; pick a role that only this cohort's members get."))
    if role_id in (roles.facilitator_role_id, roles.coordinator_role_id):
        raise InvalidInput(
            N_(
                "That role is the facilitator or coordinator role; joining a cohort must not grant it. "
                "Pick a role just for this cohort."
            )
        )


def _info(cohort: Cohort, member_count: int = 0, is_member: bool = False) -> CohortInfo:
    return CohortInfo(
        id=cohort.id,
        name=cohort.name,
        description=cohort.description,
        channel_id=cohort.channel_id,
        role_id=cohort.role_id,
        timezone=cohort.timezone,
        member_count=member_count,
        is_member=is_member,
    )
