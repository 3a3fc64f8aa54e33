"""Reads asked for at the same moment, answered together; writes submitted at the same moment, committed together.

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
from functools import partial
from typing import Generic, TypeVar

from bot.db.uow import SyncSession, UnitOfWorkFactory

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
I = TypeVar("I")  # noqa: E741 (an item submitted)
R = TypeVar("R")

MAX_BATCH = 500
LINGER = 0.002  # see GroupCommit: a batch starts once nothing has joined it for this long...
LINGER_AT_MOST = 0.05  # ...or this long after it began gathering, whichever is sooner


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


class GroupCommit(Generic[I, R]):
    """``await group.submit(item)``: ``item`` written with the others submitted at the same moment, in one
    transaction (``UnitOfWorkFactory.run_sync``: on SQLite, in one go on the event loop).

    ``write(session, items)`` is plain synchronous code that judges and writes the whole batch in a handful of
    statements, and returns for each item, in order, its result or its refusal (an exception, raised to that
    submitter only). If the transaction fails, every submitter of the batch gets that error and nothing of it is
    kept. Used for survey answers, RSVPs and check-ins, which come in bursts.

    With ``linger`` (for a database across the network, ``UnitOfWorkFactory.batch_linger``), a batch waits to start
    until nothing has joined it for ``LINGER``, at most ``LINGER_AT_MOST``: a transaction there is several round
    trips, and under a burst each waits its turn behind the interactions still arriving. On PostgreSQL the first
    click of a burst of 200 used to go alone, in a transaction of 80 ms that everyone after it then waited for."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        write: Callable[[SyncSession, list[I]], Sequence[R | Exception]],
        *,
        linger: bool = False,
    ) -> None:
        self._uow = uow
        self._write = write
        self._linger = linger
        self._pending: list[tuple[I, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: I) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._drain())
        return await done

    def _write_all(self, items: list[I], session: SyncSession) -> Sequence[R | Exception]:
        return self._write(session, items)

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # let the items submitted at this same moment join the batch
            if self._linger:
                await self._while_joined()
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            results: Sequence[R | Exception]
            try:
                results = await self._uow.run_sync(partial(self._write_all, [item for item, _ in batch]))
            except Exception as error:
                results = [error] * len(batch)
            for (_, done), result in zip(batch, results, strict=True):
                if done.done():
                    continue
                if isinstance(result, Exception):
                    done.set_exception(result)
                else:
                    done.set_result(result)

    async def _while_joined(self) -> None:
        """Return once nothing has joined the next batch for ``LINGER`` (or it is full, or ``LINGER_AT_MOST``)."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + LINGER_AT_MOST
        waiting = len(self._pending)
        while waiting < MAX_BATCH and loop.time() < give_up:
            await asyncio.sleep(LINGER)
            if len(self._pending) == waiting:
                return
            waiting = len(self._pending)
