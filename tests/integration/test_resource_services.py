"""The resource service on a real database, with Discord's side faked: what is kept when Discord refuses, two
facilitators reviewing at once, no write lock held while Discord answers, audit entries, and what a member may
open."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_session_factory
from bot.db.models import Resource
from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.errors import AlreadyExists, BotLacksPermission, InvalidInput, NotAllowed, NotConfigured, NotFound
from bot.domain.language import DEFAULT_LANGUAGE, ChannelPosts, Language
from bot.domain.resources import ResourceStatus
from bot.services.guild_setup import SetupService
from bot.services.ports import ResourceCard, ReviewOutcome
from bot.services.resources import ResourceService
from bot.ui.resource_embeds import results_embed
from tests.fakes import FakeClock

T = TypeVar("T")

GUILD = 900000000000000001
FACILITATOR_ROLE, FORUM, FACILITATORS = 11, 30, 31
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
OTHER_FACILITATOR = Actor(user_id=4, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
MEMBER = 3
FIELDS = {
    "title": "Sleep well",
    "url": "https://example.org/sleep",
    "summary": "Rest between shifts.",
    "tags": "Mental health",
}


class FakeResourceGateway:
    """Records what the service asked of Discord; can refuse posts, be slow, and have closed DMs."""

    def __init__(self) -> None:
        self.posts: list[ResourceCard] = []
        self.reviews: list[ResourceCard] = []
        self.closed: list[tuple[int, ReviewOutcome, bool]] = []
        self.told: list[tuple[int, ReviewOutcome]] = []
        self.thanked: list[int] = []
        self.languages: list[tuple[str, ChannelPosts | Language]] = []  # what was written how: ("post", posts)...
        self.forums = {FORUM}
        self.refuse_posts = False
        self.closed_dms: set[int] = set()
        self.post_delay = 0.0
        self.answering = asyncio.Event()  # set once a post or review card is asked of Discord
        self.may_answer = asyncio.Event()  # Discord answers once this is set; clear it to keep the answer waiting
        self.may_answer.set()

    async def _answer(self) -> None:
        self.answering.set()
        await self.may_answer.wait()

    async def check_forum(self, guild_id: int, channel_id: int) -> None:
        if channel_id not in self.forums:
            raise NotConfigured("not a forum")

    async def post_resource(self, forum_id: int, card: ResourceCard, *, posts: ChannelPosts = ChannelPosts.EN) -> int:
        self.languages.append(("post", posts))
        await self._answer()
        await asyncio.sleep(self.post_delay)
        if self.refuse_posts:
            raise BotLacksPermission("I need Manage Channels; nothing was saved.")
        self.posts.append(card)
        return 8000 + card.id

    async def post_review(self, channel_id: int, card: ResourceCard, *, posts: ChannelPosts = ChannelPosts.EN) -> int:
        self.languages.append(("review", posts))
        await self._answer()
        self.reviews.append(card)
        return 9000 + card.id

    async def close_review(
        self,
        channel_id: int,
        message_id: int,
        card: ResourceCard,
        outcome: ReviewOutcome,
        *,
        member_told: bool,
        posts: ChannelPosts = ChannelPosts.EN,
    ) -> None:
        self.languages.append(("closed", posts))
        self.closed.append((message_id, outcome, member_told))

    async def tell_suggester(
        self,
        card: ResourceCard,
        outcome: ReviewOutcome,
        *,
        dm_channel_id: int | None,
        language: Language = DEFAULT_LANGUAGE,
    ) -> int | None:
        assert card.suggested_by is not None
        self.languages.append(("dm", language))
        if card.suggested_by in self.closed_dms:
            return None
        self.told.append((card.suggested_by, outcome))
        return dm_channel_id or 7000 + card.suggested_by

    async def thank_in_post(self, card: ResourceCard, user_id: int, *, posts: ChannelPosts = ChannelPosts.EN) -> None:
        self.languages.append(("thanks", posts))
        self.thanked.append(user_id)


@pytest.fixture
async def gateway(uow: UnitOfWorkFactory) -> FakeResourceGateway:
    setup = SetupService(uow)
    await setup.set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=12)
    await setup.set_channels(
        GUILD, ADMIN, announcements_channel_id=29, resources_channel_id=FORUM, facilitators_channel_id=FACILITATORS
    )
    return FakeResourceGateway()


@pytest.fixture
def service(uow: UnitOfWorkFactory, gateway: FakeResourceGateway) -> ResourceService:
    return ResourceService(uow, gateway, clock=FakeClock(datetime(2027, 3, 1, 9, tzinfo=UTC)))


async def rows(uow: UnitOfWorkFactory) -> list[Resource]:
    async with uow.reading() as work:
        found, _ = await work.resources.newest(GUILD, limit=50)
        pending = await work.resources.by_url_key(GUILD, "example.org/sleep")
    return [*found, *([pending] if pending is not None and pending.status == ResourceStatus.PENDING else [])]


async def test_add_posts_once_and_audits(
    service: ResourceService, gateway: FakeResourceGateway, uow: UnitOfWorkFactory
) -> None:
    card = await service.add(GUILD, FACILITATOR, **FIELDS)
    assert card.thread_id == 8000 + card.id and card.tags == ("Mental health",)
    assert [p.id for p in gateway.posts] == [card.id]
    async with uow.reading() as work:
        [entry] = await work.audit.recent(GUILD, limit=1)
    assert entry.action == "resource.add" and entry.actor_id == FACILITATOR.user_id
    assert entry.details == {"resource_id": card.id}
    with pytest.raises(NotAllowed):
        await service.add(GUILD, Actor(MEMBER, frozenset(), False), **FIELDS)


async def test_nothing_is_kept_when_discord_refuses_the_post(
    service: ResourceService, gateway: FakeResourceGateway, uow: UnitOfWorkFactory
) -> None:
    gateway.refuse_posts = True
    with pytest.raises(BotLacksPermission):
        await service.add(GUILD, FACILITATOR, **FIELDS)
    assert await rows(uow) == []
    suggestion = await service.suggest(GUILD, MEMBER, **FIELDS)
    with pytest.raises(BotLacksPermission):
        await service.approve(GUILD, FACILITATOR, suggestion.id)
    async with uow.reading() as work:
        still = await work.resources.get(GUILD, suggestion.id)
    assert still is not None and still.status == ResourceStatus.PENDING  # it can be approved later
    gateway.refuse_posts = False
    approved = await service.approve(GUILD, FACILITATOR, suggestion.id)
    assert approved.member_told and approved.card.thread_id is not None


async def test_two_facilitators_approving_at_once_post_it_once(
    service: ResourceService, gateway: FakeResourceGateway, uow: UnitOfWorkFactory
) -> None:
    suggestion = await service.suggest(GUILD, MEMBER, **FIELDS)
    assert gateway.reviews[0].id == suggestion.id
    gateway.post_delay = 0.05
    results = await asyncio.gather(
        service.approve(GUILD, FACILITATOR, suggestion.id),
        service.approve(GUILD, OTHER_FACILITATOR, suggestion.id),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(gateway.posts) == 1 and len(refused) == 1
    assert isinstance(refused[0], InvalidInput) and "already approved" in refused[0].message
    assert [user for user, _ in gateway.told] == [MEMBER]
    [(message_id, outcome, told)] = gateway.closed
    assert message_id == 9000 + suggestion.id and outcome.approved and told
    with pytest.raises(InvalidInput, match="already approved"):
        await service.decline(GUILD, FACILITATOR, suggestion.id)
    async with uow.reading() as work:
        actions = [entry.action for entry in await work.audit.recent(GUILD)]
    assert actions.count("resource.approve") == 1


async def test_no_write_lock_is_held_while_discord_answers(engine: AsyncEngine, gateway: FakeResourceGateway) -> None:
    """As the bot runs (on SQLite, one writer at a time, queued in the process): while a post or a review card
    waits for Discord, no transaction is open and other writes go on; a resource not posted yet lists fine."""
    uow = UnitOfWorkFactory(
        create_session_factory(engine),
        create_session_factory(engine, read_only=True),
        serialize_writes=engine.dialect.name == "sqlite",
    )
    service = ResourceService(uow, gateway, clock=FakeClock(datetime(2027, 3, 1, 9, tzinfo=UTC)))

    async def another_write() -> None:  # say, an RSVP
        async with uow() as work:
            await work.dm_channels.remember({MEMBER: 7000 + MEMBER})
            await work.commit()

    async def while_discord_answers(call: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        gateway.answering.clear()
        gateway.may_answer.clear()
        task = asyncio.create_task(call)
        await asyncio.wait_for(gateway.answering.wait(), 10)
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]  # no unit of work is open
        await asyncio.wait_for(another_write(), 10)  # with the write lock held this times out, not hangs
        return task

    suggesting = await while_discord_answers(service.suggest(GUILD, MEMBER, **FIELDS))
    gateway.may_answer.set()
    suggestion = await suggesting
    approving = await while_discord_answers(service.approve(GUILD, FACILITATOR, suggestion.id))
    for page in (await service.listing(GUILD), await service.search(GUILD, "sleep")):
        [shown] = page.resources
        assert shown.id == suggestion.id and shown.thread_id is None
        rendered = results_embed(page).description or ""
        assert "**1. Sleep well**\n" in rendered and "<#" not in rendered
    with pytest.raises(InvalidInput, match=r"Sleep well\*\* was already approved\.$"):
        await service.approve(GUILD, OTHER_FACILITATOR, suggestion.id)
    gateway.may_answer.set()
    assert (await approving).card.thread_id == 8000 + suggestion.id
    adding = await while_discord_answers(service.add(GUILD, FACILITATOR, **{**FIELDS, "url": "https://example.org/b"}))
    gateway.may_answer.set()
    added = await adding
    async with uow.reading() as work:
        stored = [await work.resources.get(GUILD, card.id) for card in (suggestion, added)]
    assert [(r.status, r.thread_id, r.review_message_id) for r in stored if r is not None] == [
        (ResourceStatus.APPROVED, 8000 + suggestion.id, 9000 + suggestion.id),
        (ResourceStatus.APPROVED, 8000 + added.id, None),
    ]


async def test_decline_deletes_tells_and_cannot_happen_twice(
    service: ResourceService, gateway: FakeResourceGateway, uow: UnitOfWorkFactory
) -> None:
    gateway.closed_dms.add(MEMBER)
    suggestion = await service.suggest(GUILD, MEMBER, **FIELDS)
    with pytest.raises(InvalidInput, match="at most 300"):
        await service.decline(GUILD, FACILITATOR, suggestion.id, "r" * 301)
    result = await service.decline(GUILD, FACILITATOR, suggestion.id, "  Already shared.  ")
    assert not result.member_told and gateway.thanked == []  # a decline is never announced in public
    [(_, outcome, told)] = gateway.closed
    assert outcome.reason == "Already shared." and not told
    assert await rows(uow) == []
    with pytest.raises(InvalidInput, match="no longer waiting"):
        await service.decline(GUILD, FACILITATOR, suggestion.id)
    with pytest.raises(InvalidInput, match="no longer waiting"):
        await service.pending_for_review(GUILD, FACILITATOR, suggestion.id)
    async with uow.reading() as work:
        assert "resource.decline" in [entry.action for entry in await work.audit.recent(GUILD)]


async def test_only_approved_resources_open_and_each_opening_counts(
    service: ResourceService, gateway: FakeResourceGateway, uow: UnitOfWorkFactory
) -> None:
    suggestion = await service.suggest(GUILD, MEMBER, **FIELDS)
    with pytest.raises(NotFound):
        await service.open(GUILD, suggestion.id)
    await service.approve(GUILD, FACILITATOR, suggestion.id)
    assert (await service.open(GUILD, suggestion.id)).url == FIELDS["url"]
    with pytest.raises(NotFound):
        await service.open(GUILD + 1, suggestion.id)  # another server's button cannot reach it
    start, end = datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 2, tzinfo=UTC)
    async with uow.reading() as work:
        [opens] = await work.resources.opens_between(GUILD, start, end)
    assert opens.opens == 1


async def test_duplicates_and_configuration(
    service: ResourceService, gateway: FakeResourceGateway, uow: UnitOfWorkFactory
) -> None:
    await service.suggest(GUILD, MEMBER, **FIELDS)
    with pytest.raises(AlreadyExists, match="waiting for a facilitator's review"):
        await service.add(GUILD, FACILITATOR, **{**FIELDS, "url": "http://EXAMPLE.org/sleep/#top"})
    # A race lost at the database (the check passed, the insert did not) is still refused clearly.
    async with uow() as work:
        duplicate = Resource(
            guild_id=GUILD,
            title="Copy",
            url=FIELDS["url"],
            url_key="example.org/sleep",
            summary="x",
            tags=["Learning"],
            status=ResourceStatus.APPROVED,
        )
        assert await work.resources.add(duplicate) is None
        assert await work.resources.by_url_key(GUILD, "example.org/sleep") is not None  # the unit of work goes on
    gateway.forums.clear()
    with pytest.raises(NotConfigured):
        await service.add(GUILD, FACILITATOR, **{**FIELDS, "url": "https://example.org/other"})
    with pytest.raises(NotConfigured, match="/setup channels"):
        await service.suggest(GUILD + 1, MEMBER, **FIELDS)


async def test_searches_asked_for_at_the_same_moment_are_each_the_askers_own(service: ResourceService) -> None:
    await service.add(GUILD, FACILITATOR, **FIELDS)
    await service.add(
        GUILD,
        FACILITATOR,
        **{**FIELDS, "title": "Team huddles", "url": "https://example.org/h", "summary": "Ten-minute huddles."},
    )
    sleep, again, huddles, nothing, refused = await asyncio.gather(
        service.search(GUILD, "sleep"),
        service.search(GUILD, "SLEEP!"),
        service.search(GUILD, "huddles"),
        service.search(GUILD + 1, "sleep"),
        service.search(GUILD, "the"),
        return_exceptions=True,
    )
    assert not isinstance(sleep, BaseException) and [r.title for r in sleep.resources] == ["Sleep well"]
    assert not isinstance(again, BaseException) and again.resources == sleep.resources and again.query == "SLEEP!"
    assert not isinstance(huddles, BaseException) and [r.title for r in huddles.resources] == ["Team huddles"]
    assert not isinstance(nothing, BaseException) and nothing.resources == () and nothing.total == 0
    assert isinstance(refused, InvalidInput)  # only words too common to search for: refused for that asker only


async def test_each_message_is_written_for_whoever_reads_it(
    service: ResourceService, gateway: FakeResourceGateway, uow: UnitOfWorkFactory
) -> None:
    """The forum and the facilitators' channel as the server's channel posts say; the suggester's DM in theirs."""
    await SetupService(uow).set_languages(GUILD, ADMIN, channel_posts=ChannelPosts.BILINGUAL)
    async with uow() as work:
        await work.languages.choose(MEMBER, Language.CY, datetime(2027, 3, 1, tzinfo=UTC))
        await work.commit()
    suggestion = await service.suggest(GUILD, MEMBER, **FIELDS)
    await service.approve(GUILD, FACILITATOR, suggestion.id)
    assert gateway.languages == [
        ("review", ChannelPosts.BILINGUAL),
        ("post", ChannelPosts.BILINGUAL),
        ("dm", Language.CY),
        ("closed", ChannelPosts.BILINGUAL),
    ]
    # Someone who never chose reads the server's default, set by its admin.
    await SetupService(uow).set_languages(GUILD, ADMIN, language=Language.CY, channel_posts=ChannelPosts.EN)
    other = await service.suggest(GUILD, MEMBER + 10, **{**FIELDS, "url": "https://example.org/other"})
    gateway.languages.clear()
    await service.decline(GUILD, FACILITATOR, other.id, "Not quite")
    assert gateway.languages == [("dm", Language.CY), ("closed", ChannelPosts.EN)]


async def test_a_theme_is_found_by_its_welsh_name(service: ResourceService) -> None:
    await service.add(GUILD, FACILITATOR, **{**FIELDS, "summary": "Rest between shifts.", "tags": "Iechyd meddwl"})
    await service.add(
        GUILD, FACILITATOR, **{**FIELDS, "title": "Rotas", "url": "https://example.org/r", "tags": "Leadership"}
    )
    found = await service.search(GUILD, "iechyd meddwl")
    assert [card.title for card in found.resources] == ["Sleep well"]
    assert found.resources[0].tags == ("Mental health",)  # stored as the theme itself
    listed = await service.listing(GUILD, "arweinyddiaeth")
    assert [card.title for card in listed.resources] == ["Rotas"] and listed.tag == "Leadership"
