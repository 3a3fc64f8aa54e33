"""Reads asked for at the same moment, answered together.

Under a burst (two hundred members pressing the same command at once) each read used to cost a unit of work of
its own: a session, a transaction and a statement or more, a millisecond or so each, one after another on the
event loop. A :class:`Batcher` collects the keys asked for while the loop is busy and fetches them with one call,
which reads them all in a few statements; every caller gets its own answer (or its own refusal). A key asked for
again while its fetch is waiting to start shares that fetch; once a fetch has started, a new request waits for
the next one, so every answer is read after it was asked for (as fresh as a read of its own).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_BATCH = 500


class Batcher(Generic[K, V]):
    """``await batcher.get(key)``: the value ``fetch`` gives for ``key``, fetched with the other keys asked for at
    the same moment. ``fetch(keys)`` returns a value or an exception (raised to that key's callers only) for every
    key; an exception ``fetch`` raises goes to every caller of its batch."""

    def __init__(self, fetch: Callable[[Sequence[K]], Awaitable[Mapping[K, V | Exception]]]) -> None:
        self._fetch = fetch
        self._waiting: dict[K, asyncio.Future[V]] = {}
        self._runner: asyncio.Task[None] | None = None

    async def get(self, key: K) -> V:
        future = self._waiting.get(key)
        if future is None:
            future = self._waiting[key] = asyncio.get_running_loop().create_future()
            if self._runner is None or self._runner.done():
                self._runner = asyncio.ensure_future(self._run())
        # One caller giving up (a cancelled interaction) must not cancel the fetch for the others.
        return await asyncio.shield(future)

    async def _run(self) -> None:
        while self._waiting:
            await asyncio.sleep(0)  # let the requests arriving at this same moment join the batch
            keys = list(self._waiting)[:MAX_BATCH]
            batch = {key: self._waiting.pop(key) for key in keys}
            try:
                found = await self._fetch(keys)
            except Exception as error:
                for future in batch.values():
                    if not future.done():
                        future.set_exception(error)
                continue
            for key, future in batch.items():
                if future.done():
                    continue
                value = found.get(key, _MISSING)
                if value is _MISSING:
                    future.set_exception(LookupError(f"the batch fetch gave nothing for {key!r}"))
                elif isinstance(value, Exception):
                    future.set_exception(value)
                else:
                    future.set_result(value)  # type: ignore[arg-type]


_MISSING = object()
