"""The community report on a real database (SQLite and PostgreSQL): figures only from released blocks of at least
five people, frozen once released, the same period asked later or after an erasure, and two processes releasing
at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import CommunityBlockRow, CommunityEvent
from bot.db.uow import UnitOfWorkFactory
from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.privacy import ERASED_USER
from bot.services.community_releases import CommunityReleaseService
from bot.services.community_reports import CommunityReport, CommunityReportService
from bot.services.privacy import PrivacyService
from tests.fakes import FakeSessionGateway
from tests.integration.test_community import COORDINATOR, GUILD, MEMBER, World, add_resource, make_world

PEOPLE = list(range(201, 215))


@pytest.fixture
async def world(uow: UnitOfWorkFactory) -> World:
    return await make_world(uow)


MARCH = {"start": "2027-03-01", "end": "2027-03-31"}


def reports(world: World, min_group: int = 5) -> CommunityReportService:
    releases = CommunityReleaseService(world.uow, clock=world.clock, min_group=min_group)
    return CommunityReportService(
        world.uow, releases, clock=world.clock, min_group=min_group, default_timezone="Europe/London"
    )


async def march(service: CommunityReportService) -> CommunityReport:
    return await service.report(GUILD, COORDINATOR, MARCH["start"], MARCH["end"])


def figures(report: CommunityReport) -> tuple[int, int, int, int, int]:
    counts = report.counts
    return counts.joins, counts.leaves, counts.posts, counts.opens, report.members_now


async def join_at(world: World, moment: datetime, *people: int) -> None:
    for person in people:
        world.clock.set(moment)
        await world.community.join(GUILD, person)
        moment += timedelta(minutes=1)


async def test_only_whole_blocks_of_five_people_are_counted(world: World, engine: AsyncEngine) -> None:
    service = reports(world)
    with pytest.raises(NotAllowed, match="Only coordinators"):
        await service.report(GUILD, MEMBER, None, None)
    with pytest.raises(InvalidInput, match="as the start"):
        await service.report(GUILD, COORDINATOR, "1 March", None)

    # Four people join and one resource is opened: fewer than five people, so nothing is counted.
    await join_at(world, datetime(2027, 3, 2, 10, tzinfo=UTC), *PEOPLE[:4])
    opened = datetime(2027, 3, 2, 12, tzinfo=UTC)
    await add_resource(engine, "Grief guide", ["Grief"], opened, opens=[opened])
    world.clock.set(datetime(2027, 3, 3, 9, tzinfo=UTC))
    quiet = await march(service)
    assert figures(quiet) == (0, 0, 0, 0, 0) and quiet.counted_to is None and quiet.points == []

    # The fifth person makes a block: every figure of it shows, and the single opening hides among them.
    await join_at(world, datetime(2027, 3, 4, 10, tzinfo=UTC), PEOPLE[4])
    world.clock.set(datetime(2027, 3, 5, 9, tzinfo=UTC))
    first = await march(service)
    assert figures(first) == (5, 0, 0, 1, 5) and first.top_tags_opened == [("Grief", 1)]
    assert [(point.day.day, point.members) for point in first.points] == [(4, 5)]
    assert first.counted_to == datetime(2027, 3, 4, 10, tzinfo=UTC) and first.resources_added == 1

    # One more person leaves and one joins: asked again, the same report is unchanged (no difference isolates
    # them), and a day-long report of that day shows nothing.
    world.clock.set(datetime(2027, 3, 6, 10, tzinfo=UTC))
    await world.community.leave(GUILD, PEOPLE[0])
    await join_at(world, datetime(2027, 3, 6, 11, tzinfo=UTC), PEOPLE[5])
    world.clock.set(datetime(2027, 3, 7, 9, tzinfo=UTC))
    assert figures(await march(service)) == figures(first)
    sixth = await service.report(GUILD, COORDINATOR, "2027-03-06", "2027-03-06")
    assert figures(sixth) == (0, 0, 0, 0, 5) and sixth.members_before == 5

    # Three more people join: with the leaver and the sixth, the second block (five people) is counted whole.
    await join_at(world, datetime(2027, 3, 8, 10, tzinfo=UTC), *PEOPLE[6:9])
    world.clock.set(datetime(2027, 3, 9, 9, tzinfo=UTC))
    second = await march(service)
    assert figures(second) == (9, 1, 0, 1, 8)
    assert [(point.day.day, point.members) for point in second.points] == [(4, 5), (8, 8)]
    # A period holding only the second block starts from the members after the first.
    later = await service.report(GUILD, COORDINATOR, "2027-03-05", "2027-03-31")
    assert (later.members_before, figures(later)) == (5, (4, 1, 0, 0, 8))
    async with world.uow.reading() as uow:
        assert [block.counts.joins for block in await uow.community_blocks.blocks(GUILD)] == [5, 4]


async def test_an_erasure_changes_no_released_figure_and_keeps_the_members_true(
    world: World, uow: UnitOfWorkFactory, engine: AsyncEngine
) -> None:
    service = reports(world)
    await join_at(world, datetime(2027, 3, 2, 10, tzinfo=UTC), *PEOPLE[:5])
    world.clock.set(datetime(2027, 3, 3, 9, tzinfo=UTC))
    before = await march(service)
    assert figures(before) == (5, 0, 0, 0, 5)

    privacy = PrivacyService(
        uow,
        world.roles,
        FakeSessionGateway(),
        world.gateway,
        clock=world.clock,
        key=b"k" * 32,
        survey_open=timedelta(days=7),
        comment_retention=timedelta(days=365),
    )
    await join_at(world, datetime(2027, 3, 3, 10, tzinfo=UTC), PEOPLE[5])  # not released yet
    world.clock.set(datetime(2027, 3, 3, 11, tzinfo=UTC))
    await privacy.erase(GUILD, PEOPLE[0])  # counted as a member in a released block
    await privacy.erase(GUILD, PEOPLE[5])  # in no block: their join just goes
    after = await march(service)
    assert figures(after) == figures(before) and after.points == before.points

    async with engine.connect() as connection:
        kept = await connection.execute(select(CommunityEvent.user_id, CommunityEvent.kind, CommunityEvent.block_id))
        rows = sorted((user, kind, block is not None) for user, kind, block in kept.tuples())
    assert (ERASED_USER, "leave", False) in rows  # one nameless leave waits for its block
    assert {user for user, _, _ in rows}.isdisjoint({PEOPLE[0], PEOPLE[5]})

    # Once five more people fill the next block, the nameless leave counts: members are the people in it now.
    await join_at(world, datetime(2027, 3, 10, 10, tzinfo=UTC), *PEOPLE[6:11])
    world.clock.set(datetime(2027, 3, 11, 9, tzinfo=UTC))
    filled = await march(service)
    assert figures(filled) == (10, 1, 0, 0, 9)
    async with world.uow.reading() as reading:
        assert await reading.community_blocks.released_member(GUILD, PEOPLE[1])
        assert not await reading.community_blocks.released_member(GUILD, PEOPLE[0])


async def test_two_processes_release_each_activity_once(world: World, engine: AsyncEngine) -> None:
    await join_at(world, datetime(2027, 3, 2, 10, tzinfo=UTC), *PEOPLE)
    world.clock.set(datetime(2027, 3, 3, 9, tzinfo=UTC))
    first, second = (CommunityReleaseService(world.uow, clock=world.clock, min_group=5) for _ in range(2))
    results = await asyncio.gather(first.release(GUILD), second.release(GUILD), return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)], results
    async with engine.connect() as connection:
        blocks = (await connection.execute(select(func.count(), func.sum(CommunityBlockRow.joins)))).one()
    assert tuple(blocks) == (2, 10)  # 14 joins: two blocks of five, four wait; none counted twice
    assert await first.sweep() == 0
