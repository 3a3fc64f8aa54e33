"""``cwtch run`` settles the heap on each ``on_ready``: start-up's objects go to the collector's permanent generation,
the thresholds are set for bursts, and a later ready first lets go of what the previous one froze."""

from __future__ import annotations

import gc
import weakref

from bot.app import GC_THRESHOLDS, settle_heap


class _Cycle:
    def __init__(self) -> None:
        self.me = self


async def test_each_ready_freezes_what_lives_and_a_later_one_collects_what_died_since() -> None:
    before, thresholds = gc.get_freeze_count(), gc.get_threshold()
    try:
        await settle_heap()
        assert gc.get_freeze_count() > before
        assert gc.get_threshold() == GC_THRESHOLDS

        # Like a guild cache replaced after a new gateway session: frozen by one ready, garbage before the next.
        dropped = _Cycle()
        gone = weakref.ref(dropped)
        await settle_heap()
        assert not any(o is dropped for o in gc.get_objects())  # frozen: out of the collector's sight
        del dropped
        gc.collect()
        assert gone() is not None  # a frozen cycle outlives every pass...
        await settle_heap()
        assert gone() is None  # ...until the next ready lets go of it
    finally:  # the test process goes on making and dropping bots
        gc.unfreeze()
        gc.set_threshold(*thresholds)
