"""Group commit of feedback answers: answers submitted at the same moment are written in one transaction.

A burst of members pressing "Submit" together would otherwise queue one transaction each behind SQLite's single
writer; here each submit waits only for the batch it joined, and the batch updates each survey's tallies once.
"""

from __future__ import annotations

import asyncio

from bot.db.uow import UnitOfWorkFactory

MAX_BATCH = 500


class ResponseWriter:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow
        self._pending: list[tuple[dict[str, object], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def save(self, row: dict[str, object]) -> None:
        """Store one person's answers; returns once they are committed (raises if the write failed)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((row, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._drain())
        await done

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # let the submits arriving in this same moment join the batch
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                async with self._uow() as uow:
                    await uow.feedback.save_responses([row for row, _ in batch])
                    for occurrence_id in sorted({int(str(row["occurrence_id"])) for row, _ in batch}):
                        await uow.feedback.recount(occurrence_id)
                    await uow.commit()
            except Exception as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)
