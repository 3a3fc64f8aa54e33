"""The community on a real database (SQLite and PostgreSQL): joining and leaving, sharing what works, the
repository's resource counts, and the weekly digest posted exactly once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_session_factory
from bot.db.models import Resource, ResourceOpen
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.community import EventKind, digest_nonce
from bot.domain.community_blocks import ActivityKind
from bot.domain.errors import BotLacksPermission, InvalidInput, NotAllowed, NotConfigured
from bot.domain.language import ChannelPosts
from bot.services.cohorts import CohortService
from bot.services.community import CommunityService
from bot.services.digests import DigestService
from bot.services.guild_setup import SetupService
from tests.fakes import FakeClock, FakeCommunityGateway, FakeRoleGateway

GUILD = 900000000000000001
OTHER_GUILD = 900000000000000002
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({11}), is_admin=False)
COORDINATOR = Actor(user_id=3, role_ids=frozenset({12}), is_admin=False)
MEMBER = Actor(user_id=4, role_ids=frozenset(), is_admin=False)
ALICE, BOB, CARYS, DAI = 101, 102, 103, 104
ANNOUNCEMENTS, FORUM = 30, 31
MONDAY = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)  # 09:00 GMT: the digest of the week of 8 March falls due


class World:
    def __init__(self, uow: UnitOfWorkFactory, clock: FakeClock) -> None:
        self.uow = uow
        self.clock = clock
        self.roles = FakeRoleGateway(known_roles=set())
        self.gateway = FakeCommunityGateway()
        self.community = CommunityService(uow, self.roles, self.gateway, clock=clock)

    def digests(self, worker: str, uow: UnitOfWorkFactory | None = None) -> DigestService:
        return DigestService(uow or self.uow, self.gateway, clock=self.clock, timezone="Europe/London", worker=worker)

    async def events(self, guild_id: int = GUILD) -> list[tuple[int, EventKind]]:
        async with self.uow() as uow:
            history = await uow.community.history(guild_id, datetime(2100, 1, 1, tzinfo=UTC))
        return [(event.user_id, event.kind) for event in history]


class MeetAfterReading(UnitOfWorkFactory):
    """A process's units of work whose first read ends at a barrier: every process has looked (and seen the
    digest due) before any goes on to claim it."""

    def __init__(self, engine: AsyncEngine, barrier: asyncio.Barrier) -> None:
        super().__init__(create_session_factory(engine))
        self._barrier: asyncio.Barrier | None = barrier

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:  # type: ignore[override]
        async with super().reading() as uow:
            yield uow
        barrier, self._barrier = self._barrier, None
        if barrier is not None:
            await barrier.wait()


@pytest.fixture
async def world(uow: UnitOfWorkFactory) -> World:
    return await make_world(uow)


async def make_world(uow: UnitOfWorkFactory) -> World:
    """A guild set up with its roles and channels, and a Domiciliary care managers cohort."""
    setup = SetupService(uow)
    await setup.set_roles(GUILD, ADMIN, facilitator_role_id=11, coordinator_role_id=12)
    await setup.set_channels(
        GUILD, ADMIN, announcements_channel_id=ANNOUNCEMENTS, resources_channel_id=FORUM, facilitators_channel_id=32
    )
    cohorts = CohortService(uow, FakeRoleGateway(), default_timezone="Europe/London")
    await cohorts.create(GUILD, FACILITATOR, name="Domiciliary care managers", description="d", channel_id=20)
    return World(uow, FakeClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC)))


async def add_resource(
    engine: AsyncEngine,
    title: str,
    tags: list[str],
    approved_at: datetime | None,
    *,
    guild_id: int = GUILD,
    opens: list[datetime] = (),  # type: ignore[assignment]
) -> int:
    async with create_session_factory(engine)() as session:
        resource = Resource(
            guild_id=guild_id,
            title=title,
            url=f"https://example.org/{title.lower().replace(' ', '-')}",
            url_key=f"example.org/{title.lower().replace(' ', '-')}",
            summary="s",
            tags=tags,
            status="approved" if approved_at else "pending",
            thread_id=7000 + len(title) if approved_at else None,
            created_at=approved_at or datetime(2027, 3, 1, tzinfo=UTC),
            approved_at=approved_at,
        )
        session.add(resource)
        await session.flush()
        session.add_all(ResourceOpen(guild_id=guild_id, resource_id=resource.id, opened_at=at) for at in opens)
        await session.commit()
        return resource.id


# --- joining and leaving ----------------------------------------------------------------------------------


async def test_join_makes_the_role_once_and_counts_each_change(world: World) -> None:
    first = await world.community.join(GUILD, ALICE)
    assert first.joined and first.role_id is not None and first.resources_channel_id == FORUM
    assert world.roles.created == [(GUILD, "Wellbeing community")]
    assert first.role_id in world.roles.roles_of(GUILD, ALICE)

    second = await world.community.join(GUILD, BOB)
    assert second.role_id == first.role_id and len(world.roles.created) == 1

    again = await world.community.join(GUILD, ALICE)
    assert not again.joined
    await world.community.leave(GUILD, BOB)
    assert first.role_id not in world.roles.roles_of(GUILD, BOB)
    with pytest.raises(InvalidInput, match="not in the wellbeing community"):
        await world.community.leave(GUILD, BOB)
    assert await world.events() == [(ALICE, EventKind.JOIN), (BOB, EventKind.JOIN), (BOB, EventKind.LEAVE)]

    # An admin deleted the role: the next join makes a new one and remembers it.
    assert world.roles.known_roles is not None
    world.roles.known_roles.clear()
    third = await world.community.join(GUILD, CARYS)
    assert third.role_id != first.role_id and len(world.roles.created) == 2
    assert (await world.community.join(GUILD, BOB)).role_id == third.role_id


async def test_a_refused_role_keeps_no_join_but_keeps_the_role_it_made(world: World) -> None:
    world.roles.unassignable = {800000}  # the first role the fake makes: as if it sat above the bot's
    with pytest.raises(BotLacksPermission):
        await world.community.join(GUILD, ALICE)
    assert await world.events() == []
    async with world.uow() as uow:
        settings = await uow.guild_settings.get(GUILD)
        assert settings is not None and settings.community_role_id == 800000
    world.roles.unassignable = set()
    assert (await world.community.join(GUILD, ALICE)).role_id == 800000
    assert len(world.roles.created) == 1


async def test_sharing_what_works(world: World) -> None:
    with pytest.raises(NotAllowed, match="/community join"):
        await world.community.check_can_share(GUILD, ALICE)
    with pytest.raises(NotConfigured, match="/setup channels"):
        await world.community.check_can_share(OTHER_GUILD, ALICE)
    await world.community.join(GUILD, ALICE)
    await world.community.check_can_share(GUILD, ALICE)
    with pytest.raises(InvalidInput, match="at most 1500"):
        await world.community.share_what_works(GUILD, ALICE, "Title", "x" * 1501, None)
    assert world.gateway.posts == []

    shared = await world.community.share_what_works(
        GUILD, ALICE, " Check-ins ", "Ten minutes after hard visits.", "Start small."
    )
    [(guild_id, forum_id, title, content)] = world.gateway.posts
    assert (guild_id, forum_id, title) == (GUILD, FORUM, "Check-ins")
    assert content.startswith(f"Shared by <@{ALICE}>") and "Start small." in content
    async with world.uow() as uow:
        posts = await uow.community.what_works_between(
            GUILD, world.clock() - timedelta(1), world.clock() + timedelta(1)
        )
    assert [(p.title, p.thread_id) for p in posts] == [("Check-ins", shared.thread_id)]


# --- resources and the report -----------------------------------------------------------------------------


async def test_resource_counts_are_read_by_period_and_guild(world: World, engine: AsyncEngine) -> None:
    march = datetime(2027, 3, 10, 12, tzinfo=UTC)
    await add_resource(engine, "Burnout guide", ["Stress and burnout", "Mental health"], march, opens=[march] * 3)
    await add_resource(engine, "Team huddles", ["Team culture"], march + timedelta(days=1), opens=[march])
    await add_resource(engine, "Old one", ["Mental health"], march - timedelta(days=40), opens=[march, march])
    await add_resource(engine, "Pending", ["Learning"], None)
    await add_resource(engine, "Elsewhere", ["Learning"], march, guild_id=OTHER_GUILD, opens=[march])
    start, end = datetime(2027, 3, 8, 9, tzinfo=UTC), datetime(2027, 3, 15, 9, tzinfo=UTC)
    async with world.uow() as uow:
        added = await uow.community.resources_added_between(GUILD, start, end)
        tags = await uow.community.tags_added_between(GUILD, start, end)
        pending = await uow.community_blocks.pending(GUILD)
    assert [post.title for post in added] == ["Burnout guide", "Team huddles"]
    assert sorted(map(sorted, tags)) == [["Mental health", "Stress and burnout"], ["Team culture"]]
    # Openings wait for a community block with their resource's tags (the other guild's are not this guild's).
    opened = sorted(sorted(item.activity.tags) for item in pending if item.activity.kind is ActivityKind.OPEN)
    assert opened == [["Mental health"]] * 2 + [["Mental health", "Stress and burnout"]] * 3 + [["Team culture"]]


# --- the weekly digest ------------------------------------------------------------------------------------


async def test_two_processes_post_the_digest_once(world: World, engine: AsyncEngine) -> None:
    world.clock.set(datetime(2027, 3, 9, 10, tzinfo=UTC))
    await world.community.join(GUILD, ALICE)
    await world.community.share_what_works(GUILD, ALICE, "Walks", "Walking one-to-ones.", None)
    await add_resource(engine, "Burnout guide", ["Mental health"], datetime(2027, 3, 10, tzinfo=UTC))
    await add_resource(engine, "Week before", ["Mental health"], datetime(2027, 3, 8, 8, 59, tzinfo=UTC))
    world.clock.set(MONDAY)
    # Two processes, each with its own pool and locks, that both see the digest due before either claims it.
    meet = asyncio.Barrier(2)
    first, second = MeetAfterReading(engine, meet), MeetAfterReading(engine, meet)
    outcomes = await asyncio.gather(world.digests("a", first).run_due(), world.digests("b", second).run_due())
    assert sorted(outcome[GUILD] for outcome in outcomes) == ["not claimed", "posted"]
    [(channel, digest, nonce)] = world.gateway.digests
    assert channel == ANNOUNCEMENTS and nonce == digest_nonce(GUILD, date(2027, 3, 8))
    assert (digest.first_day, digest.last_day, digest.joins) == (date(2027, 3, 8), date(2027, 3, 14), 1)
    assert [p.title for p in digest.resources] == ["Burnout guide"]
    assert [p.title for p in digest.what_works] == ["Walks"]

    world.clock.advance(timedelta(days=3))  # later ticks, and a restart, find it done
    assert await world.digests("c").run_due() == {}
    assert len(world.gateway.digests) == 1


async def test_an_empty_week_posts_nothing_and_is_done(world: World) -> None:
    world.clock.set(MONDAY)
    assert await world.digests("a").run_due() == {GUILD: "nothing new"}
    assert await world.digests("a").run_due() == {}
    assert world.gateway.digests == []
    async with world.uow() as uow:
        row = await uow.community.digest(GUILD, date(2027, 3, 8))
    assert row is not None and row.state == "done" and row.attempts == 1


async def test_a_failed_digest_is_retried_with_backoff(world: World) -> None:
    world.clock.set(datetime(2027, 3, 10, tzinfo=UTC))
    await world.community.join(GUILD, ALICE)
    world.clock.set(MONDAY)
    world.gateway.fail_digests = 2
    assert await world.digests("a").run_due() == {GUILD: "failed"}
    world.clock.advance(timedelta(seconds=10))
    assert await world.digests("a").run_due() == {}  # backing off (15 s after the first failure)
    world.clock.advance(timedelta(seconds=5))
    assert await world.digests("a").run_due() == {GUILD: "failed"}
    world.clock.advance(timedelta(seconds=30))
    assert await world.digests("a").run_due() == {GUILD: "posted"}
    assert len(world.gateway.digests) == 1
    async with world.uow() as uow:
        row = await uow.community.digest(GUILD, date(2027, 3, 8))
    assert row is not None and (row.state, row.attempts) == ("done", 3)


async def test_a_claim_left_by_a_dead_process_is_taken_over_after_its_lease(world: World) -> None:
    world.clock.set(datetime(2027, 3, 10, tzinfo=UTC))
    await world.community.join(GUILD, ALICE)
    world.clock.set(MONDAY)
    async with world.uow() as uow:  # a process claims it, then dies before sending
        assert await uow.community.claim_digest(GUILD, date(2027, 3, 8), None, "dead", MONDAY, timedelta(minutes=2))
        await uow.commit()
    async with world.uow() as uow:  # a second first claim loses to the row already there
        assert not await uow.community.claim_digest(GUILD, date(2027, 3, 8), None, "b", MONDAY, timedelta(minutes=2))
        assert not await uow.community.claim_digest(GUILD, date(2027, 3, 8), 0, "b", MONDAY, timedelta(minutes=2))
    assert await world.digests("b").run_due() == {}
    world.clock.advance(timedelta(minutes=2, seconds=1))
    assert await world.digests("b").run_due() == {GUILD: "posted"}
    [(_, _, nonce)] = world.gateway.digests
    assert nonce == digest_nonce(GUILD, date(2027, 3, 8))  # the dead process's send, if any, had the same nonce


async def share_at(world: World, when: datetime, title: str, user: int = ALICE) -> int:
    world.clock.set(when)
    return (await world.community.share_what_works(GUILD, user, title, "What we tried.", None)).thread_id


async def test_the_digest_lists_older_posts_written_in_during_the_week(world: World) -> None:
    await world.community.join(GUILD, ALICE)
    older = await share_at(world, datetime(2027, 3, 2, 10, tzinfo=UTC), "Walks")
    last_week = await share_at(world, datetime(2027, 3, 3, 10, tzinfo=UTC), "Supervision notes")
    busiest = await share_at(world, datetime(2027, 2, 20, 10, tzinfo=UTC), "Rota swaps")
    brand_new = await share_at(world, datetime(2027, 3, 9, 10, tzinfo=UTC), "Ten-minute check-ins")
    world.gateway.last_messages = {
        older: datetime(2027, 3, 11, 18, tzinfo=UTC),
        last_week: datetime(2027, 3, 8, 8, 59, tzinfo=UTC),  # a minute before the week began
        busiest: datetime(2027, 3, 15, 8, 59, tzinfo=UTC),  # a minute before the digest
        brand_new: datetime(2027, 3, 12, 9, tzinfo=UTC),  # replied to, but listed as new already
    }
    world.clock.set(MONDAY)
    assert await world.digests("a").run_due() == {GUILD: "posted"}
    [(_, digest, _)] = world.gateway.digests
    assert [(p.title, p.thread_id) for p in digest.what_works] == [("Ten-minute check-ins", brand_new)]
    assert [(p.title, p.thread_id) for p in digest.active] == [("Rota swaps", busiest), ("Walks", older)]
    # One question to Discord for the guild, about its older posts only.
    assert world.gateway.activity_requests == [(GUILD, {older, last_week, busiest})]


async def test_a_week_with_only_activity_gets_a_digest(world: World) -> None:
    await world.community.join(GUILD, ALICE)
    older = await share_at(world, datetime(2027, 3, 2, 10, tzinfo=UTC), "Walks")
    world.gateway.last_messages = {older: datetime(2027, 3, 9, 12, tzinfo=UTC)}
    world.clock.set(MONDAY)
    assert await world.digests("a").run_due() == {GUILD: "posted"}
    [(_, digest, _)] = world.gateway.digests
    assert (digest.resources, digest.what_works, digest.joins) == ((), (), 0)
    assert [p.title for p in digest.active] == ["Walks"]

    # A week later nobody wrote: nothing is posted.
    world.clock.set(MONDAY + timedelta(days=7))
    assert await world.digests("a").run_due() == {GUILD: "nothing new"}
    assert len(world.gateway.digests) == 1


async def test_the_digest_goes_out_without_activity_when_discord_cannot_say(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await world.community.join(GUILD, ALICE)
    older = await share_at(world, datetime(2027, 3, 2, 10, tzinfo=UTC), "Walks")
    await share_at(world, datetime(2027, 3, 9, 10, tzinfo=UTC), "Ten-minute check-ins")
    world.gateway.last_messages = {older: datetime(2027, 3, 9, 12, tzinfo=UTC)}
    world.gateway.fail_activity = True
    world.clock.set(MONDAY)
    with caplog.at_level("WARNING", logger="bot.services.digests"):
        assert await world.digests("a").run_due() == {GUILD: "posted"}
    [(_, digest, _)] = world.gateway.digests
    assert [p.title for p in digest.what_works] == ["Ten-minute check-ins"] and digest.active == ()
    assert "posting without them" in caplog.text and str(GUILD) in caplog.text


async def test_no_posts_no_question_to_discord(world: World) -> None:
    world.clock.set(datetime(2027, 3, 10, tzinfo=UTC))
    await world.community.join(GUILD, ALICE)
    world.clock.set(MONDAY)
    assert await world.digests("a").run_due() == {GUILD: "posted"}
    assert world.gateway.activity_requests == []


async def test_guilds_without_an_announcements_channel_get_no_digest(uow: UnitOfWorkFactory) -> None:
    clock = FakeClock(MONDAY)
    roles, gateway = FakeRoleGateway(), FakeCommunityGateway()
    await CommunityService(uow, roles, gateway, clock=clock).join(OTHER_GUILD, ALICE)
    service = DigestService(uow, gateway, clock=clock, timezone="Europe/London", worker="a")
    assert await service.run_due() == {}


async def test_the_communitys_own_words_follow_the_servers_channel_posts(world: World) -> None:
    """The role everyone sees, the byline of a "what works" post and the digest: written as the server's channel
    posts are (Welsh first on a bilingual server); the members' own words as they wrote them."""
    await SetupService(world.uow).set_languages(GUILD, ADMIN, channel_posts=ChannelPosts.BILINGUAL)
    world.clock.set(datetime(2027, 3, 9, 10, tzinfo=UTC))
    await world.community.join(GUILD, ALICE)
    assert world.roles.created == [(GUILD, "Cymuned llesiant · Wellbeing community")]
    await world.community.share_what_works(GUILD, ALICE, "Teithiau cerdded", "Cerdded un-i-un.", "Dechreuwch yn fach.")
    [(_guild, _forum, title, content)] = world.gateway.posts
    assert title == "Teithiau cerdded"
    assert content == (
        f"Rhannwyd gan / Shared by <@{ALICE}>\n\nCerdded un-i-un.\n\n"
        "**Fy nghyngor i reolwr arall / What I'd tell another manager:** Dechreuwch yn fach."
    )
    world.clock.set(MONDAY)
    await world.digests("a").run_due()
    assert world.gateway.written == [ChannelPosts.BILINGUAL]
    await SetupService(world.uow).set_languages(GUILD, ADMIN, channel_posts=ChannelPosts.CY)
    await world.community.share_what_works(GUILD, ALICE, "Te", "Paned gyda'r tîm.", None)
    assert world.gateway.posts[-1][3] == f"Rhannwyd gan <@{ALICE}>\n\nPaned gyda'r tîm."
