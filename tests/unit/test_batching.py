"""The batcher behind burst reads: keys asked for at the same moment are fetched together, each caller gets its own
answer or refusal, and nothing is answered from a read that began before it was asked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence

import pytest

from bot.services.batching import Batcher, GroupCommit


class Store:
    """A fetch that records each batch it was given, answering ``key * 10`` (and refusing negative keys)."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.value = 10
        self.gate: asyncio.Event | None = None
        self.began = asyncio.Event()

    async def fetch(self, keys: Sequence[int]) -> Mapping[int, int | Exception]:
        self.batches.append(list(keys))
        self.began.set()
        value = self.value
        if self.gate is not None:
            await self.gate.wait()
        return {key: ValueError(f"no {key}") if key < 0 else key * value for key in keys}


async def test_keys_asked_for_at_the_same_moment_are_fetched_once_together() -> None:
    store = Store()
    batcher = Batcher(store.fetch)
    assert await asyncio.gather(*(batcher.get(key) for key in (1, 2, 3, 2, 1))) == [10, 20, 30, 20, 10]
    assert store.batches == [[1, 2, 3]]


async def test_each_caller_gets_its_own_refusal() -> None:
    store = Store()
    batcher = Batcher(store.fetch)
    results = await asyncio.gather(batcher.get(4), batcher.get(-1), batcher.get(5), return_exceptions=True)
    assert results[0] == 40 and results[2] == 50
    assert isinstance(results[1], ValueError) and str(results[1]) == "no -1"


async def test_a_failing_fetch_fails_its_whole_batch_and_the_next_one_runs() -> None:
    calls: list[Sequence[int]] = []

    async def fetch(keys: Sequence[int]) -> Mapping[int, int | Exception]:
        calls.append(keys)
        if len(calls) == 1:
            raise RuntimeError("database gone")
        return {key: key for key in keys}

    batcher = Batcher(fetch)
    results = await asyncio.gather(batcher.get(1), batcher.get(2), return_exceptions=True)
    assert all(isinstance(result, RuntimeError) for result in results)
    assert await batcher.get(3) == 3


async def test_a_key_asked_for_after_its_fetch_began_is_read_again() -> None:
    store = Store()
    store.gate = asyncio.Event()
    batcher = Batcher(store.fetch)
    first = asyncio.ensure_future(batcher.get(1))
    await store.began.wait()
    store.value = 100  # the data changes after the first read began
    second = asyncio.ensure_future(batcher.get(1))
    store.gate.set()
    assert await first == 10 and await second == 100  # not the stale answer of the read before it
    assert store.batches == [[1], [1]]


async def test_one_caller_giving_up_does_not_cancel_the_others() -> None:
    store = Store()
    store.gate = asyncio.Event()
    batcher = Batcher(store.fetch)
    leaving, staying = asyncio.ensure_future(batcher.get(7)), asyncio.ensure_future(batcher.get(7))
    await store.began.wait()
    leaving.cancel()
    store.gate.set()
    assert await staying == 70
    with pytest.raises(asyncio.CancelledError):
        await leaving


async def test_a_key_the_fetch_forgot_is_an_error_not_a_hang() -> None:
    async def fetch(keys: Sequence[int]) -> Mapping[int, int | Exception]:
        return {}

    with pytest.raises(LookupError):
        await asyncio.wait_for(Batcher(fetch).get(1), timeout=5)


class FakeUnitOfWork:
    """``run_sync`` as the real factory runs it, minus the database: the work, then its result (or its error)."""

    def __init__(self) -> None:
        self.transactions = 0

    async def run_sync(self, work: Callable[[object], object]) -> object:
        self.transactions += 1
        return work(object())


async def test_writes_submitted_together_go_in_one_transaction_each_with_its_own_result() -> None:
    uow = FakeUnitOfWork()
    batches: list[list[int]] = []

    def write(_session: object, items: list[int]) -> list[int | Exception]:
        batches.append(items)
        return [ValueError("odd") if item % 2 else item * 2 for item in items]

    group: GroupCommit[int, int] = GroupCommit(uow, write)  # type: ignore[arg-type]
    results = await asyncio.gather(*(group.submit(item) for item in (2, 3, 4)), return_exceptions=True)
    assert results[0] == 4 and results[2] == 8 and isinstance(results[1], ValueError)
    assert batches == [[2, 3, 4]] and uow.transactions == 1
    assert await group.submit(6) == 12 and uow.transactions == 2


async def test_a_failed_transaction_fails_every_write_of_its_batch() -> None:
    def write(_session: object, items: list[int]) -> list[int | Exception]:
        raise RuntimeError("disk full")

    group: GroupCommit[int, int] = GroupCommit(FakeUnitOfWork(), write)  # type: ignore[arg-type]
    results = await asyncio.gather(group.submit(1), group.submit(2), return_exceptions=True)
    assert all(isinstance(result, RuntimeError) for result in results)


async def test_a_lingering_batch_waits_for_the_writes_still_arriving_then_goes() -> None:
    uow = FakeUnitOfWork()
    batches: list[list[int]] = []

    def write(_session: object, items: list[int]) -> list[int | Exception]:
        batches.append(items)
        return list(items)

    group: GroupCommit[int, int] = GroupCommit(uow, write, linger=True)  # type: ignore[arg-type]

    async def trickle() -> list[int]:  # a burst arriving a little at a time, each well within LINGER of the last
        submitted = [asyncio.ensure_future(group.submit(0))]
        for item in range(1, 6):
            await asyncio.sleep(0)
            submitted.append(asyncio.ensure_future(group.submit(item)))
        return list(await asyncio.gather(*submitted))

    assert await trickle() == [0, 1, 2, 3, 4, 5]
    assert batches == [[0, 1, 2, 3, 4, 5]]  # one transaction, not one for the first and another for the rest

    without: GroupCommit[int, int] = GroupCommit(uow, write)  # type: ignore[arg-type]
    batches.clear()
    group = without
    assert await trickle() == [0, 1, 2, 3, 4, 5]
    assert len(batches) > 1  # the same burst, not lingering: the first write went alone
