"""Telling members about their sessions: by DM, falling back to a mention in the session thread.

DM channel IDs are remembered, so each message costs one request, not two; that is what keeps a fan-out of
hundreds of reminders under Discord's global rate limit.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.db.uow import UnitOfWorkFactory
from bot.services.ports import Notice, SessionCard, SessionGateway


class Messenger:
    def __init__(self, uow: UnitOfWorkFactory, gateway: SessionGateway) -> None:
        self._uow = uow
        self._gateway = gateway

    async def tell(
        self, session: SessionCard, user_ids: Sequence[int], notice: Notice, *, nonce: str | None = None
    ) -> list[int]:
        """DM each member; mention those whose DMs are closed in the thread. Returns who was mentioned."""
        if not user_ids:
            return []
        async with self._uow() as uow:
            known = await uow.dm_channels.of(user_ids)
        refused: list[int] = []
        learned: dict[int, int] = {}
        for user_id in user_ids:
            channel_id = await self._gateway.notify(
                session, user_id, notice, nonce=nonce, dm_channel_id=known.get(user_id)
            )
            if channel_id is None:
                refused.append(user_id)
            elif channel_id != known.get(user_id):
                learned[user_id] = channel_id
        if learned:
            await self._remember(learned)
        if refused:
            await self._gateway.notify_in_thread(session, refused, notice, nonce=nonce)
        return refused

    async def prepare(self, user_id: int) -> None:
        """Open (and remember) a member's DM channel ahead of their first reminder."""
        async with self._uow() as uow:
            if await uow.dm_channels.of([user_id]):
                return
        await self._remember({user_id: await self._gateway.open_dm(user_id)})

    async def _remember(self, channels: dict[int, int]) -> None:
        async with self._uow() as uow:
            await uow.dm_channels.remember(channels)
            await uow.commit()
