"""``/support`` signposting per guild: the defaults (the UK's for English readers, Wales' for Welsh readers, chosen
where they are shown), or the services a guild's admins listed instead, shown as they typed them.

``/support`` is the one command that must answer at once: it reads the guild's settings from memory (see
``settings_cache``), and if even that fails it shows the UK defaults rather than an error."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor, require_admin
from bot.domain.signposting import UK_SIGNPOSTS, Signpost, guild_signposts, parse_signposts, signposts_text
from bot.services.settings_cache import SettingsCache

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Signposting:
    signposts: tuple[Signpost, ...]
    customised: bool  # False: the defaults (``signposts`` holds the UK's; a Welsh reader is shown Wales')


class SupportService:
    def __init__(self, uow: UnitOfWorkFactory, settings: SettingsCache | None = None) -> None:
        self._uow = uow
        self._settings = settings if settings is not None else SettingsCache(uow)

    async def signposting(self, guild_id: int | None) -> Signposting:
        """What a guild shows people who need help now (the UK defaults outside a guild or until changed).

        Never fails: if the guild's settings cannot be read, the UK defaults are shown (and the failure logged)."""
        if guild_id is None:
            return Signposting(guild_signposts(None), False)
        try:
            return await self._stored(guild_id)
        except Exception:
            log.exception("could not read guild %s's signposting; showing the UK defaults", guild_id)
            return Signposting(guild_signposts(None), False)

    async def _stored(self, guild_id: int) -> Signposting:
        stored = (await self._settings.get(guild_id)).support_text
        signposts = guild_signposts(stored)
        return Signposting(signposts, stored is not None and signposts is not UK_SIGNPOSTS)

    async def editable(self, guild_id: int, actor: Actor) -> Signposting:
        """The current signposting, for admins to edit (admins only).

        Unlike :meth:`signposting` this does not fall back: a form prefilled with the defaults by mistake could
        overwrite the guild's own services."""
        require_admin(actor)
        return await self._stored(guild_id)

    async def editable_text(self, guild_id: int, actor: Actor) -> str:
        """The current signposting as admins edit it, one ``Name: how`` line per service (admins only)."""
        return signposts_text((await self.editable(guild_id, actor)).signposts)

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
        self._settings.forget(guild_id)
        log.info("guild %s %s its signposting", guild_id, "reset" if parsed is None else "changed")
        return Signposting(parsed or guild_signposts(None), parsed is not None)
