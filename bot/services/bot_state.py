"""Small facts the bot keeps between runs (e.g. which command tree it last synced)."""

from __future__ import annotations

from bot.db.uow import UnitOfWorkFactory


class BotStateService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def get(self, key: str) -> str | None:
        async with self._uow() as uow:
            return await uow.bot_state.get(key)

    async def set(self, key: str, value: str) -> None:
        async with self._uow() as uow:
            await uow.bot_state.set(key, value)
            await uow.commit()
