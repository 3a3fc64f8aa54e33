"""Setup and cohort use cases on a real, migrated database, with Discord's role side faked."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.errors import AlreadyExists, BotLacksPermission, InvalidInput, NotAllowed, NotFound
from bot.domain.language import ChannelPosts, Language
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.languages import LanguageService
from bot.services.settings_cache import SettingsCache
from tests.fakes import FakeRoleGateway

GUILD = 900000000000000001
OTHER_GUILD = 900000000000000002
FACILITATOR_ROLE, COORDINATOR_ROLE, DOM_ROLE, HIGH_ROLE = 11, 12, 13, 14
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
MEMBER = Actor(user_id=3, role_ids=frozenset(), is_admin=False)


@pytest.fixture
async def services(uow: UnitOfWorkFactory) -> tuple[SetupService, CohortService, FakeRoleGateway]:
    roles = FakeRoleGateway(unassignable={HIGH_ROLE})
    setup = SetupService(uow)
    await setup.set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=COORDINATOR_ROLE)
    return setup, CohortService(uow, roles, default_timezone="Europe/London"), roles


async def test_setup_roles_and_channels_are_saved_and_audited(uow: UnitOfWorkFactory) -> None:
    setup = SetupService(uow)
    await setup.set_roles(GUILD, ADMIN, facilitator_role_id=5, coordinator_role_id=6)
    config = await setup.set_channels(
        GUILD, ADMIN, announcements_channel_id=7, resources_channel_id=8, facilitators_channel_id=9
    )
    assert (config.facilitator_role_id, config.coordinator_role_id) == (5, 6)
    assert (config.announcements_channel_id, config.resources_channel_id, config.facilitators_channel_id) == (7, 8, 9)
    assert await setup.config(GUILD) == config
    async with uow() as work:
        actions = [entry.action for entry in await work.audit.recent(GUILD)]
    assert actions == ["setup.channels", "setup.roles"]


async def test_setup_refusals(uow: UnitOfWorkFactory) -> None:
    setup = SetupService(uow)
    with pytest.raises(NotAllowed):
        await setup.set_roles(GUILD, FACILITATOR, facilitator_role_id=5, coordinator_role_id=6)
    with pytest.raises(InvalidInput, match="@everyone"):
        await setup.set_roles(GUILD, ADMIN, facilitator_role_id=GUILD, coordinator_role_id=6)
    with pytest.raises(InvalidInput, match="channel of its own"):
        await setup.set_channels(
            GUILD, ADMIN, announcements_channel_id=7, resources_channel_id=8, facilitators_channel_id=7
        )
    assert (await setup.config(GUILD)).facilitator_role_id is None


async def test_facilitator_creates_the_seed_cohorts(
    services: tuple[SetupService, CohortService, FakeRoleGateway], uow: UnitOfWorkFactory
) -> None:
    _, cohorts, _ = services
    dom = await cohorts.create(
        GUILD, FACILITATOR, name="Domiciliary care managers", description="Fortnightly", channel_id=20, role_id=DOM_ROLE
    )
    home = await cohorts.create(
        GUILD, FACILITATOR, name="Care home managers", description="Bimonthly", channel_id=21, timezone="europe/london"
    )
    assert dom.timezone == home.timezone == "Europe/London"
    listing = await cohorts.listing(GUILD, MEMBER.user_id)
    assert [c.name for c in listing] == ["Care home managers", "Domiciliary care managers"]
    assert await cohorts.listing(OTHER_GUILD, MEMBER.user_id) == []
    assert await cohorts.names(GUILD, "DOM") == ["Domiciliary care managers"]
    async with uow() as work:
        audit = await work.audit.recent(GUILD)
    assert [e.action for e in audit][:2] == ["cohort.create", "cohort.create"]
    assert all(e.actor_id == FACILITATOR.user_id for e in audit[:2])


async def test_cohort_create_refusals(services: tuple[SetupService, CohortService, FakeRoleGateway]) -> None:
    _, cohorts, _ = services
    create = cohorts.create
    with pytest.raises(NotAllowed, match="facilitators"):
        await create(GUILD, MEMBER, name="X", description="d", channel_id=1)
    await create(GUILD, FACILITATOR, name="Care home managers", description="d", channel_id=1)
    with pytest.raises(AlreadyExists):
        await create(GUILD, FACILITATOR, name="care HOME  managers", description="d", channel_id=1)
    with pytest.raises(InvalidInput, match="time zone"):
        await create(GUILD, FACILITATOR, name="Y", description="d", channel_id=1, timezone="Narnia/Cair")
    with pytest.raises(InvalidInput, match="at most 80"):
        await create(GUILD, FACILITATOR, name="n" * 81, description="d", channel_id=1)
    with pytest.raises(InvalidInput, match="must not grant"):
        await create(GUILD, FACILITATOR, name="Y", description="d", channel_id=1, role_id=FACILITATOR_ROLE)
    with pytest.raises(InvalidInput, match="@everyone"):
        await create(GUILD, FACILITATOR, name="Y", description="d", channel_id=1, role_id=GUILD)
    with pytest.raises(BotLacksPermission):
        await create(GUILD, FACILITATOR, name="Y", description="d", channel_id=1, role_id=HIGH_ROLE)
    # The same name is free in another guild.
    await create(OTHER_GUILD, ADMIN, name="Care home managers", description="d", channel_id=1)


async def test_join_and_leave_give_and_take_the_role(
    services: tuple[SetupService, CohortService, FakeRoleGateway],
) -> None:
    _, cohorts, roles = services
    await cohorts.create(GUILD, FACILITATOR, name="Dom care", description="d", channel_id=1, role_id=DOM_ROLE)
    joined = await cohorts.join(GUILD, MEMBER.user_id, "dom CARE")
    assert joined.is_member and roles.roles_of(GUILD, MEMBER.user_id) == {DOM_ROLE}
    [listed] = await cohorts.listing(GUILD, MEMBER.user_id)
    assert listed.is_member and listed.member_count == 1
    with pytest.raises(AlreadyExists):
        await cohorts.join(GUILD, MEMBER.user_id, "Dom care")
    await cohorts.leave(GUILD, MEMBER.user_id, "Dom care")
    assert roles.roles_of(GUILD, MEMBER.user_id) == set()
    with pytest.raises(InvalidInput, match="not in"):
        await cohorts.leave(GUILD, MEMBER.user_id, "Dom care")
    with pytest.raises(NotFound, match="/cohort list"):
        await cohorts.join(GUILD, MEMBER.user_id, "Nope")


async def test_refused_role_keeps_nothing(
    services: tuple[SetupService, CohortService, FakeRoleGateway], uow: UnitOfWorkFactory
) -> None:
    _, cohorts, roles = services
    await cohorts.create(GUILD, FACILITATOR, name="Dom care", description="d", channel_id=1, role_id=DOM_ROLE)
    roles.unassignable.add(DOM_ROLE)  # an admin moved the bot's role below it afterwards
    with pytest.raises(BotLacksPermission):
        await cohorts.join(GUILD, MEMBER.user_id, "Dom care")
    [listed] = await cohorts.listing(GUILD, MEMBER.user_id)
    assert not listed.is_member and listed.member_count == 0


async def test_the_welcome_is_claimed_once_even_by_two_processes_at_once(engine: AsyncEngine) -> None:
    # Two processes, each with its own units of work (and, on SQLite, its own write lock queue).
    first, second = (SetupService(UnitOfWorkFactory.for_engine(engine)) for _ in range(2))
    claims = await asyncio.gather(first.claim_welcome(7), second.claim_welcome(7))
    assert sorted(claims) == [False, True]
    assert not await first.claim_welcome(7) and await second.claim_welcome(8)


async def test_setup_language_sets_the_servers_default_and_channel_posts(uow: UnitOfWorkFactory) -> None:
    cache = SettingsCache(uow)
    setup, languages = SetupService(uow, cache), LanguageService(uow, cache, clock=lambda: datetime.now(UTC))
    with pytest.raises(NotAllowed, match="Manage Server"):
        await setup.set_languages(GUILD, FACILITATOR, language=Language.CY)
    unchanged = await setup.set_languages(GUILD, ADMIN)
    assert (unchanged.language, unchanged.channel_posts) == (Language.EN, ChannelPosts.EN)
    config = await setup.set_languages(GUILD, ADMIN, language=Language.CY)
    assert (config.language, config.channel_posts) == (Language.CY, ChannelPosts.EN)
    config = await setup.set_languages(GUILD, ADMIN, channel_posts=ChannelPosts.BILINGUAL)
    assert (config.language, config.channel_posts) == (Language.CY, ChannelPosts.BILINGUAL)
    assert await setup.config(GUILD) == config and (await setup.status(GUILD, ADMIN)).config == config
    assert await languages.server_default(GUILD) is Language.CY
    assert await languages.channel_posts(GUILD) is ChannelPosts.BILINGUAL
    assert await languages.server_default(OTHER_GUILD) is Language.EN
    async with uow() as work:
        entries = [(entry.action, entry.details) for entry in await work.audit.recent(GUILD)]
    assert entries == [("setup.language", {"channel_posts": "bilingual"}), ("setup.language", {"language": "cy"})]
