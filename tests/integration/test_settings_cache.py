"""Two processes' service stacks (each its own engine, units of work, cache and change feed) on one database: a
change made through one is seen by the other's next read, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from bot.db.engine import create_engine
from bot.db.settings_feed import ChangeFeed, PostgresChangeFeed, change_feed_for
from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.language import ChannelPosts, Language
from bot.services.guild_setup import SetupService
from bot.services.settings_cache import SettingsCache
from bot.services.support import SupportService

GUILD = 424242424242424242
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)


@dataclass
class Stack:
    """What one bot process holds."""

    uow: UnitOfWorkFactory
    cache: SettingsCache
    feed: ChangeFeed
    setup: SetupService
    support: SupportService
    heard: asyncio.Queue[int]

    async def heard_of(self, guild_id: int) -> None:
        """On PostgreSQL, wait for the notification of the latest commit (it follows the commit by milliseconds;
        the design allows that much). SQLite's feed needs no wait: the next read checks."""
        if isinstance(self.feed, PostgresChangeFeed):
            async with asyncio.timeout(10):
                while await self.heard.get() != guild_id:
                    pass


async def change(write: Awaitable[object], *others: Stack, guild_id: int = GUILD) -> None:
    """Make a change through one stack; return once the others could have heard of it."""
    for other in others:
        while not other.heard.empty():
            other.heard.get_nowait()
    await write
    for other in others:
        await other.heard_of(guild_id)


@pytest.fixture
async def stacks(database_url: str) -> AsyncIterator[tuple[Stack, Stack]]:
    made: list[Stack] = []
    engines = []
    for _ in range(2):
        engine = create_engine(database_url)
        engines.append(engine)
        uow = UnitOfWorkFactory.for_engine(engine)
        feed = change_feed_for(database_url)
        assert feed is not None
        heard: asyncio.Queue[int] = asyncio.Queue()
        feed.listen(heard.put_nowait)
        cache = SettingsCache(uow, feed)
        if isinstance(feed, PostgresChangeFeed):
            await feed.wait_live()
        made.append(Stack(uow, cache, feed, SetupService(uow, cache), SupportService(uow, cache), heard))
    yield made[0], made[1]
    for stack, engine in zip(made, engines, strict=True):
        await stack.cache.close()
        stack.uow.dispose()
        await engine.dispose()


async def test_signposting_edited_in_one_process_is_seen_by_the_next_support_in_the_other(
    stacks: tuple[Stack, Stack],
) -> None:
    a, b = stacks
    assert not (await b.support.signposting(GUILD)).customised  # b now holds the defaults in memory
    assert not (await b.support.signposting(GUILD)).customised

    await change(a.support.update(GUILD, ADMIN, "Care line: 0300 123 4567"), b)
    shown = await b.support.signposting(GUILD)
    assert shown.customised and shown.signposts[0].how == "0300 123 4567"
    assert (await a.support.signposting(GUILD)).signposts[0].name == "Care line"

    await change(b.support.update(GUILD, ADMIN, ""), a)
    assert not (await a.support.signposting(GUILD)).customised


async def test_roles_and_channels_set_in_one_process_are_seen_by_the_other(stacks: tuple[Stack, Stack]) -> None:
    a, b = stacks
    assert (await b.setup.roles(GUILD)).facilitator_role_id is None
    await change(a.setup.set_roles(GUILD, ADMIN, facilitator_role_id=11, coordinator_role_id=12), b)
    assert (await b.setup.roles(GUILD)).facilitator_role_id == 11

    await change(b.setup.set_channels(GUILD, ADMIN, facilitators_channel_id=99), a)
    config = await a.setup.config(GUILD)
    assert (config.facilitators_channel_id, config.coordinator_role_id) == (99, 12)


async def test_languages_set_in_one_process_are_seen_by_both(stacks: tuple[Stack, Stack]) -> None:
    a, b = stacks
    assert (await a.setup.config(GUILD)).language is Language.EN and (await b.setup.config(GUILD)).language
    await change(a.setup.set_languages(GUILD, ADMIN, language=Language.CY, channel_posts=ChannelPosts.CY), b)
    for stack in (a, b):  # the writer forgot its own copy; the other heard of the change
        config = await stack.setup.config(GUILD)
        assert (config.language, config.channel_posts) == (Language.CY, ChannelPosts.CY)


async def test_a_change_made_outside_the_services_is_seen_too(stacks: tuple[Stack, Stack]) -> None:
    """The database records every change (a trigger), so even an operator's SQL reaches every process."""
    a, b = stacks
    await change(a.support.update(GUILD, ADMIN, "First: 1"), b)
    assert (await b.support.signposting(GUILD)).signposts[0].name == "First"

    await change(operator_sets(a, "Second: 2"), b)
    assert (await b.support.signposting(GUILD)).signposts[0].name == "Second"


async def operator_sets(stack: Stack, support_text: str) -> None:
    async with stack.uow() as uow:
        await uow.run_sync(
            lambda session: session.execute(
                text("UPDATE guild_settings SET support_text = :text WHERE guild_id = :guild"),
                {"text": support_text, "guild": GUILD},
            )
        )
        await uow.commit()


async def test_every_update_raises_the_version(stacks: tuple[Stack, Stack]) -> None:
    a, _ = stacks
    await a.setup.set_roles(GUILD, ADMIN, facilitator_role_id=11, coordinator_role_id=12)
    versions = []
    for text_now in ("A: 1", "B: 2"):
        await a.support.update(GUILD, ADMIN, text_now)
        async with a.uow.reading() as uow:
            row = await uow.guild_settings.get(GUILD)
            assert row is not None
            versions.append(row.settings_version)
    assert versions[1] == versions[0] + 1 and versions[0] >= 1


async def test_an_unchanged_guild_is_read_from_memory_despite_other_commits(stacks: tuple[Stack, Stack]) -> None:
    a, b = stacks
    await change(a.support.update(GUILD, ADMIN, "Mine: 1"), b)
    await change(a.support.update(GUILD + 1, ADMIN, "Theirs: 2"), b, guild_id=GUILD + 1)
    await b.support.signposting(GUILD)
    loads = 0
    original = b.uow.reading

    def counting() -> object:
        nonlocal loads
        loads += 1
        return original()

    b.uow.reading = counting  # type: ignore[method-assign]
    await change(a.support.update(GUILD + 1, ADMIN, "Theirs: 3"), b, guild_id=GUILD + 1)  # another guild's
    assert (await b.support.signposting(GUILD)).signposts[0].name == "Mine"
    assert loads == 0
