"""``cwtch run`` hands start-up's objects to the collector's permanent generation, and sets its thresholds for
bursts, once the bot is ready and not before (the guild cache is only full then)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any, cast

from bot.app import GC_THRESHOLDS, settle_heap_once_ready


class _Bot:
    def __init__(self) -> None:
        self.ready = asyncio.Event()

    async def wait_until_ready(self) -> None:
        await self.ready.wait()


async def test_the_heap_is_frozen_once_the_bot_is_ready_and_not_before() -> None:
    bot = _Bot()
    before, thresholds = gc.get_freeze_count(), gc.get_threshold()
    settling = asyncio.create_task(settle_heap_once_ready(cast(Any, bot)))
    try:
        await asyncio.sleep(0.01)
        assert not settling.done()
        assert gc.get_freeze_count() == before
        assert gc.get_threshold() == thresholds
        bot.ready.set()
        await asyncio.wait_for(settling, 5)
        assert gc.get_freeze_count() > before
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:  # the test process goes on making and dropping bots
        gc.unfreeze()
        gc.set_threshold(*thresholds)
