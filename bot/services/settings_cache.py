"""Per-server settings (the ``/setup`` roles and channels, the ``/support`` signposting) served from memory, and
correct when several processes share one database.

Most commands read these first, and ``/support`` reads nothing else; read through the database each time they
queued behind every other read in a burst. So each process keeps a copy per guild, loaded on first use (one load
per guild however many ask at once), and knows when a copy is out of date:

- **This process's writes**: the service that wrote calls :meth:`SettingsCache.forget` right after committing, so
  the next read here loads the new settings. A load that was already under way when the write committed is not
  kept (each guild has a generation, raised by ``forget``).
- **Other processes' writes** (or anyone's, by any path): a trigger raises ``guild_settings.settings_version`` in
  the same transaction as every change, and on PostgreSQL notifies on commit (migration 0010). A
  :class:`~bot.db.settings_feed.ChangeFeed` turns that into a yes or no for a copy, without awaiting:
  - SQLite: ``PRAGMA data_version`` on a dedicated connection tells whether anyone committed since the copy was
    checked (microseconds); only then is the row's version compared (a primary-key lookup). Never stale.
  - PostgreSQL: ``LISTEN``; a notification forgets the guild's copy. While the listening connection is down,
    nothing is kept and every read goes to the database; on reconnect every earlier copy is dropped. A
    notification normally lands within milliseconds of the commit; a connection that died silently is found
    within about 4 seconds, which bounds how stale a copy can be.
- Without a feed (an in-memory database, or services built bare in tests) nothing is kept: every read goes to the
  database, as before.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.db.models import GuildSettings
from bot.db.settings_feed import ChangeFeed
from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import GuildRoles
from bot.domain.language import DEFAULT_LANGUAGE, ChannelPosts, Language

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GuildSettingsView:
    """A guild's settings as read at one moment; all None (and the UK signposting) until an admin sets them."""

    facilitator_role_id: int | None = None
    coordinator_role_id: int | None = None
    announcements_channel_id: int | None = None
    resources_channel_id: int | None = None
    facilitators_channel_id: int | None = None
    support_text: str | None = None
    language: Language = DEFAULT_LANGUAGE  # for members who have not chosen theirs
    channel_posts: ChannelPosts = ChannelPosts.EN

    @property
    def roles(self) -> GuildRoles:
        return GuildRoles(self.facilitator_role_id, self.coordinator_role_id)


UNSET_SETTINGS = GuildSettingsView()


@dataclass(slots=True)
class _Copy:
    view: GuildSettingsView
    version: int | None  # None: the guild had no settings row
    token: object


class SettingsCache:
    def __init__(self, uow: UnitOfWorkFactory, feed: ChangeFeed | None = None) -> None:
        self._uow = uow
        self._feed = feed
        self._copies: dict[int, _Copy] = {}
        self._generations: dict[int, int] = {}
        self._loading: dict[int, asyncio.Future[GuildSettingsView]] = {}
        if feed is not None:
            feed.listen(self.forget)

    def cached(self, guild_id: int) -> GuildSettingsView | None:
        """The guild's settings if a valid copy is held, without touching the database; None otherwise."""
        copy = self._copies.get(guild_id)
        if copy is None or self._feed is None:
            return None
        token = self._feed.still_valid(guild_id, copy.version, copy.token)
        if token is None:
            del self._copies[guild_id]
            return None
        copy.token = token
        return copy.view

    async def get(self, guild_id: int) -> GuildSettingsView:
        """The guild's settings: from memory when the copy is current, else loaded once for everyone asking."""
        view = self.cached(guild_id)
        if view is not None:
            return view
        pending = self._loading.get(guild_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[GuildSettingsView] = asyncio.get_running_loop().create_future()
        self._loading[guild_id] = future
        try:
            view = await self._load(guild_id)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so an unawaited failure is not reported as never retrieved
            raise
        else:
            future.set_result(view)
            return view
        finally:
            if self._loading.get(guild_id) is future:
                del self._loading[guild_id]

    async def _load(self, guild_id: int) -> GuildSettingsView:
        generation = self._generations.get(guild_id, 0)
        token = self._feed.token() if self._feed is not None else None
        async with self._uow.reading() as uow:
            row = await uow.guild_settings.get(guild_id)
            view = UNSET_SETTINGS if row is None else _view(row)
            version = None if row is None else row.settings_version
        if token is not None and self._generations.get(guild_id, 0) == generation:
            self._copies[guild_id] = _Copy(view, version, token)
        return view

    def forget(self, guild_id: int) -> None:
        """Drop the guild's copy (its settings changed); a load already under way is not kept either."""
        self._copies.pop(guild_id, None)
        self._generations[guild_id] = self._generations.get(guild_id, 0) + 1
        # Whoever already waits gets the load under way (they asked before the change); the next asker loads afresh.
        self._loading.pop(guild_id, None)

    async def close(self) -> None:
        self._copies.clear()
        if self._feed is not None:
            await self._feed.close()


def _view(row: GuildSettings) -> GuildSettingsView:
    return GuildSettingsView(
        facilitator_role_id=row.facilitator_role_id,
        coordinator_role_id=row.coordinator_role_id,
        announcements_channel_id=row.announcements_channel_id,
        resources_channel_id=row.resources_channel_id,
        facilitators_channel_id=row.facilitators_channel_id,
        support_text=row.support_text,
        language=row.language or DEFAULT_LANGUAGE,
        channel_posts=row.channel_posts,
    )
