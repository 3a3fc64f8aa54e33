"""``cwtch run`` settles the heap on each ``on_ready`` and then collects in the quiet: start-up's objects go to the
collector's permanent generation, the thresholds are set for bursts, a later ready first lets go of what the previous
one froze, and the young generations are collected when the event loop is not busy."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.heap import (
    LEAST_WORTH_COLLECTING,
    QUIET_EVERY,
    QUIET_GROWTH,
    QUIET_LATENESS,
    QUIET_LOOKS,
    THRESHOLDS,
    Heap,
    QuietWatch,
)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def heap() -> Iterator[Heap]:
    thresholds = gc.get_threshold()
    made = Heap()
    try:
        yield made
    finally:  # the test process goes on making and dropping bots
        made.close()
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_each_ready_freezes_what_lives_and_a_later_one_collects_what_died_since(heap: Heap) -> None:
    before = gc.get_freeze_count()
    await heap.settle()
    assert gc.get_freeze_count() > before
    assert gc.get_threshold() == THRESHOLDS

    # Like a guild cache replaced after a new gateway session: frozen by one ready, garbage before the next.
    dropped = _Cycle()
    gone = weakref.ref(dropped)
    await heap.settle()
    assert not any(o is dropped for o in gc.get_objects())  # frozen: out of the collector's sight
    del dropped
    gc.collect()
    assert gone() is not None  # a frozen cycle outlives every pass...
    await heap.settle()
    assert gone() is None  # ...until the next ready lets go of it


async def test_garbage_left_by_a_burst_is_collected_in_the_quiet_after_it(heap: Heap) -> None:
    await heap.settle()
    gc.disable()  # only the quiet collection may free it: no pass set off by the thresholds
    try:
        burst = [_Cycle() for _ in range(2 * LEAST_WORTH_COLLECTING)]
        gone = weakref.ref(burst[0])
        del burst
        for _ in range(100):
            await asyncio.sleep(QUIET_EVERY / 2)
            if gone() is None:
                break
        assert gone() is None
    finally:
        gc.enable()


async def test_a_second_ready_does_not_start_a_second_quiet_collector(heap: Heap) -> None:
    await heap.settle()
    await heap.settle()
    assert [task.get_name() for task in asyncio.all_tasks()].count("cwtch-heap") == 1
    heap.close()
    await asyncio.sleep(0)
    assert "cwtch-heap" not in [task.get_name() for task in asyncio.all_tasks() if not task.done()]


def test_collects_after_quiet_looks_in_a_row_and_only_when_worth_it() -> None:
    watch = QuietWatch()
    busy = (LEAST_WORTH_COLLECTING * 10, 0, 0)
    assert watch.look(0.0, busy) is None  # a burst's objects: the loop is busy
    assert all(watch.look(0.0, busy) is None for _ in range(QUIET_LOOKS - 1))  # quiet, not yet for long enough
    assert watch.look(0.0, busy) == 1  # the young generations
    assert watch.look(0.0, (0, 1, 0)) is None  # collected: nothing left


def test_a_late_look_or_many_new_objects_start_the_wait_again() -> None:
    watch = QuietWatch()
    count = LEAST_WORTH_COLLECTING
    watch.look(0.0, (count, 0, 0))
    for _ in range(QUIET_LOOKS - 1):
        assert watch.look(0.0, (count, 0, 0)) is None
    assert watch.look(QUIET_LATENESS, (count, 0, 0)) is None  # woken late: busy
    for _ in range(QUIET_LOOKS - 1):
        assert watch.look(0.0, (count, 0, 0)) is None
    count += QUIET_GROWTH + 1
    assert watch.look(0.0, (count, 0, 0)) is None  # the objects of work under way
    for _ in range(QUIET_LOOKS - 1):
        assert watch.look(0.0, (count, 0, 0)) is None
    assert watch.look(-0.0005, (count, 0, 0)) == 1  # a timer may fire a hair early: still on time


def test_the_oldest_generation_only_when_it_is_due() -> None:
    watch = QuietWatch()
    due = (LEAST_WORTH_COLLECTING, 0, THRESHOLDS[2])
    assert [watch.look(0.0, due) for _ in range(QUIET_LOOKS + 1)][-1] == 2
    watch = QuietWatch()
    not_due = (LEAST_WORTH_COLLECTING, 0, THRESHOLDS[2] - 1)
    assert [watch.look(0.0, not_due) for _ in range(QUIET_LOOKS + 1)][-1] == 1


def test_too_little_to_collect_is_left() -> None:
    watch = QuietWatch()
    little = (LEAST_WORTH_COLLECTING - 1, 0, THRESHOLDS[2])
    assert all(watch.look(0.0, little) is None for _ in range(QUIET_LOOKS * 3))
