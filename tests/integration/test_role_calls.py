"""Giving or taking a role waits for Discord, which can take seconds (a 429): no transaction may stay open meanwhile,
or on SQLite every other write in the process would wait with it. A refused role still keeps nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.errors import BotLacksPermission
from bot.services.cohorts import CohortService
from bot.services.community import CommunityService
from bot.services.guild_setup import SetupService
from tests.fakes import FakeClock, FakeCommunityGateway, FakeRoleGateway

GUILD = 910000000000000001
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({11}), is_admin=False)
MEMBER, OTHER = 101, 102
COHORT_ROLE = 500
T = TypeVar("T")


async def test_no_transaction_waits_for_discord_while_roles_change(engine: AsyncEngine, uow: UnitOfWorkFactory) -> None:
    roles = FakeRoleGateway(known_roles={COHORT_ROLE})
    setup = SetupService(uow)
    await setup.set_roles(GUILD, ADMIN, facilitator_role_id=11, coordinator_role_id=12)
    cohorts = CohortService(uow, roles, default_timezone="Europe/London")
    await cohorts.create(GUILD, FACILITATOR, name="Dom care", description="d", channel_id=20, role_id=COHORT_ROLE)
    community = CommunityService(
        uow, roles, FakeCommunityGateway(), clock=FakeClock(datetime(2027, 3, 1, 9, tzinfo=UTC))
    )
    await community.join(GUILD, OTHER)  # the community role is made once, before the calls under test

    async def another_write() -> None:  # say, someone's RSVP
        async with uow() as work:
            await work.dm_channels.remember({OTHER: 7000})
            await work.commit()

    async def while_discord_answers(call: Awaitable[T]) -> T:
        roles.answering.clear()
        roles.may_answer.clear()
        task = asyncio.ensure_future(call)
        await asyncio.wait_for(roles.answering.wait(), 10)
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]  # no unit of work is open
        await asyncio.wait_for(another_write(), 10)  # with a transaction open this times out instead
        roles.may_answer.set()
        return await task

    await while_discord_answers(cohorts.join(GUILD, MEMBER, "Dom care"))
    assert COHORT_ROLE in roles.roles_of(GUILD, MEMBER)
    await while_discord_answers(community.join(GUILD, MEMBER))
    await while_discord_answers(community.leave(GUILD, MEMBER))
    await while_discord_answers(cohorts.leave(GUILD, MEMBER, "Dom care"))
    assert roles.roles_of(GUILD, MEMBER) == set()
    async with uow.reading() as work:
        assert await work.cohorts.memberships_of(GUILD, MEMBER) == set()
        assert not await work.community.is_member(GUILD, MEMBER)


async def test_a_refused_role_change_is_undone(uow: UnitOfWorkFactory) -> None:
    roles = FakeRoleGateway(known_roles={COHORT_ROLE})
    await SetupService(uow).set_roles(GUILD, ADMIN, facilitator_role_id=11, coordinator_role_id=12)
    cohorts = CohortService(uow, roles, default_timezone="Europe/London")
    cohort = await cohorts.create(
        GUILD, FACILITATOR, name="Dom care", description="d", channel_id=20, role_id=COHORT_ROLE
    )
    community = CommunityService(
        uow, roles, FakeCommunityGateway(), clock=FakeClock(datetime(2027, 3, 1, 9, tzinfo=UTC))
    )
    await cohorts.join(GUILD, MEMBER, "Dom care")
    await community.join(GUILD, MEMBER)
    async with uow.reading() as work:
        before = await work.cohorts.membership(cohort.id, MEMBER)
    assert before is not None

    roles.unassignable = set(roles.roles_of(GUILD, MEMBER))  # the cohort's and the community's roles
    assert COHORT_ROLE in roles.unassignable and len(roles.unassignable) == 2
    with pytest.raises(BotLacksPermission):
        await cohorts.leave(GUILD, MEMBER, "Dom care")  # Discord refuses: they are still in, as before
    with pytest.raises(BotLacksPermission):
        await community.leave(GUILD, MEMBER)
    with pytest.raises(BotLacksPermission):
        await cohorts.join(GUILD, OTHER, "Dom care")  # a refused join keeps no membership
    async with uow.reading() as work:
        kept = await work.cohorts.membership(cohort.id, MEMBER)
        assert kept is not None and kept.joined_at == before.joined_at
        assert await work.community.is_member(GUILD, MEMBER)
        assert await work.cohorts.membership(cohort.id, OTHER) is None
