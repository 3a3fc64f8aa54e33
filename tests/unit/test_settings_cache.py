"""The settings cache on its own: a fake store of rows and a fake change feed, so each rule is seen directly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace, TracebackType
from typing import Any, cast

import pytest

from bot.db.uow import UnitOfWorkFactory
from bot.domain.language import ChannelPosts
from bot.services.settings_cache import UNSET_SETTINGS, SettingsCache
from bot.services.support import SupportService

GUILD = 111


class FakeStore:
    """Rows by guild; ``reading()`` counts loads, and can be held open to interleave a write with a load."""

    def __init__(self) -> None:
        self.rows: dict[int, SimpleNamespace] = {}
        self.loads = 0
        self.gate: asyncio.Event | None = None
        self.fail = False

    def put(self, guild_id: int, **values: Any) -> None:
        row = self.rows.get(guild_id)
        version = -1 if row is None else row.settings_version
        fields = {
            "facilitator_role_id": None,
            "coordinator_role_id": None,
            "announcements_channel_id": None,
            "resources_channel_id": None,
            "facilitators_channel_id": None,
            "support_text": None,
            "language": None,
            "channel_posts": ChannelPosts.EN,
        }
        if row is not None:
            fields.update({key: getattr(row, key) for key in fields})
        fields.update(values)
        self.rows[guild_id] = SimpleNamespace(**fields, settings_version=version + 1)

    def reading(self) -> FakeStore:
        return self

    async def __aenter__(self) -> SimpleNamespace:
        self.loads += 1
        if self.fail:
            raise RuntimeError("the database is down")
        snapshot = dict(self.rows)
        if self.gate is not None:
            await self.gate.wait()

        async def get(guild_id: int) -> SimpleNamespace | None:
            return snapshot.get(guild_id)

        return SimpleNamespace(guild_settings=SimpleNamespace(get=get))

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        return None


class FakeFeed:
    """Like SQLite's feed: a counter of commits, and the store's versions."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.commits = 0
        self.live = True
        self.listeners: list[Callable[[int], None]] = []

    def listen(self, on_change: Callable[[int], None]) -> None:
        self.listeners.append(on_change)

    def token(self) -> object | None:
        return self.commits if self.live else None

    def still_valid(self, guild_id: int, version: int | None, token: object) -> object | None:
        if not self.live:
            return None
        if token == self.commits:
            return token
        row = self.store.rows.get(guild_id)
        return self.commits if (None if row is None else row.settings_version) == version else None

    async def close(self) -> None:
        self.live = False


def make(store: FakeStore, feed: FakeFeed | None) -> SettingsCache:
    return SettingsCache(cast(UnitOfWorkFactory, store), feed)


async def test_a_current_copy_is_served_from_memory() -> None:
    store = FakeStore()
    store.put(GUILD, support_text="Helpline: 0800 000 000")
    cache = make(store, FakeFeed(store))
    assert (await cache.get(GUILD)).support_text == "Helpline: 0800 000 000"
    for _ in range(5):
        assert (await cache.get(GUILD)).support_text == "Helpline: 0800 000 000"
    assert store.loads == 1


async def test_a_commit_elsewhere_that_leaves_the_guild_alone_keeps_the_copy() -> None:
    store = FakeStore()
    store.put(GUILD, facilitator_role_id=5)
    feed = FakeFeed(store)
    cache = make(store, feed)
    await cache.get(GUILD)
    feed.commits += 3  # RSVPs, surveys: other tables
    assert (await cache.get(GUILD)).facilitator_role_id == 5
    assert store.loads == 1


async def test_a_change_by_another_process_is_seen_by_the_next_read() -> None:
    store = FakeStore()
    feed = FakeFeed(store)
    cache = make(store, feed)
    assert await cache.get(GUILD) == UNSET_SETTINGS  # no row yet: cached as unset
    store.put(GUILD, support_text="Local line: 01234")
    feed.commits += 1
    assert (await cache.get(GUILD)).support_text == "Local line: 01234"
    store.put(GUILD, support_text=None)
    feed.commits += 1
    assert (await cache.get(GUILD)).support_text is None
    assert store.loads == 3


async def test_a_pushed_change_forgets_the_copy() -> None:
    store = FakeStore()
    store.put(GUILD, coordinator_role_id=7)
    feed = FakeFeed(store)
    cache = make(store, feed)
    await cache.get(GUILD)
    store.put(GUILD, coordinator_role_id=8)  # a push feed says so instead of a commit counter
    for listener in feed.listeners:
        listener(GUILD)
    assert (await cache.get(GUILD)).coordinator_role_id == 8


async def test_many_asking_at_once_share_one_load() -> None:
    store = FakeStore()
    store.put(GUILD, support_text="A: 1")
    store.gate = asyncio.Event()
    cache = make(store, FakeFeed(store))
    readers = [asyncio.create_task(cache.get(GUILD)) for _ in range(50)]
    await asyncio.sleep(0)
    store.gate.set()
    views = await asyncio.gather(*readers)
    assert {view.support_text for view in views} == {"A: 1"}
    assert store.loads == 1


async def test_a_load_that_overlaps_a_write_here_is_not_kept() -> None:
    store = FakeStore()
    store.put(GUILD, support_text="Old: 1")
    store.gate = asyncio.Event()
    cache = make(store, FakeFeed(store))
    reader = asyncio.create_task(cache.get(GUILD))
    await asyncio.sleep(0)  # the load has read the old row and waits
    store.put(GUILD, support_text="New: 2")
    cache.forget(GUILD)  # what a service does after committing
    store.gate.set()
    assert (await reader).support_text == "Old: 1"  # asked before the change
    store.gate = None
    assert (await cache.get(GUILD)).support_text == "New: 2"


async def test_nothing_is_kept_without_a_feed_or_while_the_feed_is_down() -> None:
    store = FakeStore()
    store.put(GUILD, support_text="A: 1")
    bare = make(store, None)
    await bare.get(GUILD)
    await bare.get(GUILD)
    assert store.loads == 2

    feed = FakeFeed(store)
    feed.live = False
    cache = make(store, feed)
    await cache.get(GUILD)
    store.put(GUILD, support_text="B: 2")
    assert (await cache.get(GUILD)).support_text == "B: 2"
    assert store.loads == 4


async def test_support_shows_the_uk_defaults_when_settings_cannot_be_read(caplog: pytest.LogCaptureFixture) -> None:
    store = FakeStore()
    store.fail = True
    support = SupportService(cast(UnitOfWorkFactory, store), make(store, FakeFeed(store)))
    shown = await support.signposting(GUILD)
    assert not shown.customised
    assert any("116 123" in signpost.how for signpost in shown.signposts)
    assert "showing the UK defaults" in caplog.text


async def test_support_answers_from_memory_once_loaded() -> None:
    store = FakeStore()
    store.put(GUILD, support_text="Care line: 0300 000")
    support = SupportService(cast(UnitOfWorkFactory, store), make(store, FakeFeed(store)))
    assert (await support.signposting(GUILD)).customised
    store.fail = True  # a cached answer never touches the database
    shown = await support.signposting(GUILD)
    assert shown.customised and shown.signposts[0].name == "Care line"
