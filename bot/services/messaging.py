"""Telling members about their sessions: by DM, falling back to a mention in the session thread.

DM channel IDs are remembered, so each message costs one request, not two; that is what keeps a fan-out of
hundreds of reminders under Discord's global rate limit. Each DM is written in its recipient's language (theirs,
or their server's default until they choose), read with their DM channels in one go.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.db.types import utcnow
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.language import DEFAULT_LANGUAGE, Language
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
            languages = await languages_of(uow, session.guild_id, user_ids)
            # Meeting Cwtch for the first time by this DM: their server's default is kept for them, and the DM
            # offers them the choice (once).
            first = await uow.languages.keep_defaults({u: languages[u] for u in user_ids}, utcnow())
            await uow.commit()
        refused: list[int] = []
        learned: dict[int, int] = {}
        for user_id in user_ids:
            channel_id = await self._gateway.notify(
                session,
                user_id,
                notice,
                nonce=nonce,
                dm_channel_id=known.get(user_id),
                language=languages[user_id],
                first_contact=user_id in first,
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


async def languages_of(uow: UnitOfWork, guild_id: int, user_ids: Collection[int]) -> dict[int, Language]:
    """Each member's language for a DM about a session in ``guild_id``: the one they chose, else their server's
    default; as ``LanguageService.languages`` answers, in this read."""
    found = await uow.languages.of_people(user_ids)
    settings = await uow.guild_settings.get(guild_id)
    default = settings.language if settings is not None and settings.language is not None else DEFAULT_LANGUAGE
    return {user_id: found[user_id][0] if found.get(user_id, (None, False))[1] else default for user_id in user_ids}
