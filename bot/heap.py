"""The garbage collector, set for a process that is Cwtch alone and answers in bursts.

Every interaction leaves reference cycles behind (discord.py's interaction and its response point at each other; so do
a view and its items), which only the collector frees. With Python's defaults it runs a pass every 700 new objects:
in a burst of two hundred interactions, dozens of passes, each walking the objects of every interaction still in
flight, and promoting them to older generations whose passes then cost 10 to 100 ms. So the collector waits for much
more (``THRESHOLDS``), and ``Heap`` collects in the quiet after a burst instead, when no member is waiting.
"""

from __future__ import annotations

import asyncio
import gc

THRESHOLDS = (100_000, 20, 20)  # Python's defaults are (700, 10, 10)
QUIET_EVERY = 0.1  # seconds between looks at the event loop
QUIET_LATENESS = 0.002  # a look woken this late (seconds) or later: the loop is busy
QUIET_GROWTH = 200  # more new objects than this since the last look: the loop is busy
QUIET_LOOKS = 2  # quiet looks in a row before collecting: not in the last moments of a burst
LEAST_WORTH_COLLECTING = 2_000  # new objects since the last pass


class QuietWatch:
    """Decides, look by look, when to collect: only after ``QUIET_LOOKS`` quiet looks in a row (woken on time, few
    new objects), and only when there is enough to collect. The oldest generation only when it is due."""

    def __init__(self) -> None:
        self._last_count = 0
        self._quiet_looks = 0

    def look(self, lateness: float, counts: tuple[int, int, int]) -> int | None:
        """The generation to collect now, given how late this look woke (seconds) and ``gc.get_count()``."""
        grown, self._last_count = counts[0] - self._last_count, counts[0]
        quiet = lateness < QUIET_LATENESS and grown <= QUIET_GROWTH
        self._quiet_looks = self._quiet_looks + 1 if quiet else 0
        if self._quiet_looks < QUIET_LOOKS or counts[0] < LEAST_WORTH_COLLECTING:
            return None
        self._quiet_looks = 0
        self._last_count = 0
        return 2 if counts[2] >= THRESHOLDS[2] else 1


class Heap:
    """On each ``on_ready`` (``settle``, a listener): what start-up made (modules, mappings, the guild cache: over a
    hundred thousand objects that live as long as the process) moves out of the collector's sight, so no pass walks it
    again; the previous ready's frozen objects are unfrozen and collected first, so a replaced guild cache is not kept
    for ever. Then, until ``close``, the young generations are collected whenever the event loop is quiet.

    Measured with bench/interactions.py: with young passes every 10,000 objects, a burst of 200 ran one to three
    passes of 10 to 20 ms, and Cwtch's CPU per interaction was 0.2 to 0.3 ms above what it is with the collector off.
    Now no pass falls in a burst of 200. Bursts of 1,000 or more still pass 100,000 new objects: one to three passes
    of 70 to 240 ms each."""

    def __init__(self) -> None:
        self._quiet: asyncio.Task[None] | None = None

    async def settle(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*THRESHOLDS)
        if self._quiet is None:
            self._quiet = asyncio.create_task(self._collect_when_quiet(), name="cwtch-heap")

    def close(self) -> None:
        if self._quiet is not None:
            self._quiet.cancel()
            self._quiet = None

    async def _collect_when_quiet(self) -> None:
        loop = asyncio.get_running_loop()
        watch = QuietWatch()
        while True:
            asked = loop.time()
            await asyncio.sleep(QUIET_EVERY)
            generation = watch.look(loop.time() - asked - QUIET_EVERY, gc.get_count())
            if generation is not None:
                gc.collect(generation)
