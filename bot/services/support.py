"""``/support`` signposting per guild: the UK defaults, or the services a guild's admins listed instead."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor, require_admin
from bot.domain.signposting import Signpost, guild_signposts, parse_signposts, signposts_text

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Signposting:
    signposts: tuple[Signpost, ...]
    customised: bool  # False: the UK defaults


class SupportService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def signposting(self, guild_id: int | None) -> Signposting:
        """What a guild shows people who need help now (the UK defaults outside a guild or until changed)."""
        if guild_id is None:
            return Signposting(guild_signposts(None), False)
        async with self._uow.reading() as uow:
            settings = await uow.guild_settings.get(guild_id)
        stored = settings.support_text if settings is not None else None
        return Signposting(guild_signposts(stored), stored is not None)

    async def editable_text(self, guild_id: int, actor: Actor) -> str:
        """The current signposting as admins edit it, one ``Name: how`` line per service (admins only)."""
        require_admin(actor)
        return signposts_text((await self.signposting(guild_id)).signposts)

    async def update(self, guild_id: int, actor: Actor, text: str | None) -> Signposting:
        """Save the guild's own signposting; empty text puts the UK defaults back. Admins only; audited."""
        require_admin(actor)
        parsed = parse_signposts(text)
        stored = None if parsed is None else signposts_text(parsed)
        async with self._uow() as uow:
            settings = await uow.guild_settings.get_or_create(guild_id)
            settings.support_text = stored
            await uow.audit.record(
                guild_id,
                actor.user_id,
                "support.reset" if parsed is None else "support.edit",
                services=[] if parsed is None else [signpost.name for signpost in parsed],
            )
            await uow.commit()
        log.info("guild %s %s its signposting", guild_id, "reset" if parsed is None else "changed")
        return Signposting(parsed or guild_signposts(None), parsed is not None)
