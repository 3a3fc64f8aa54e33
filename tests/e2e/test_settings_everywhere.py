"""Per-server settings are held in memory by every process (issue 14), yet a change made in one process is seen by
the next ``/support`` in every other: two real bots on one database, overlapping shards as during a redeploy."""

from __future__ import annotations

import asyncio

from bot.domain.access import Actor
from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import World, start_bot, stop_bot
from tests.e2e.helpers import visible_text

OUR_SERVICES = "Care line: 0300 123 4567"


async def stale_copy_dropped(bot: CwtchBot, guild_id: int) -> None:
    """Until the process no longer holds the old copy: at once on SQLite (the read checks), on PostgreSQL when
    the notification of the commit arrives (milliseconds)."""
    async with asyncio.timeout(10):
        while True:
            if bot.services.settings.cached(guild_id) is None:
                return
            await asyncio.sleep(0.01)


async def held_in_memory(bot: CwtchBot, guild_id: int) -> None:
    """Until the process keeps a copy (on PostgreSQL, once its listener is up: the first read starts it)."""
    async with asyncio.timeout(10):
        while bot.services.settings.cached(guild_id) is None:
            await bot.services.support.signposting(guild_id)
            await asyncio.sleep(0.01)


async def test_a_signposting_change_is_seen_by_the_next_support_in_every_process(
    emulator: Emulator, world: World, database_url: str
) -> None:
    shard = (world.guild_id >> 22) % 2
    # The guild's interactions go to the process that identified on its shard last.
    other, other_task = await start_bot(emulator, database_url, SHARD_COUNT="2", SHARD_IDS="0-1")
    answering, answering_task = await start_bot(emulator, database_url, SHARD_COUNT="2", SHARD_IDS=str(shard))
    try:
        # Both processes have read the defaults and hold them in memory.
        assert not (await other.services.support.signposting(world.guild_id)).customised
        assert "116 123" in visible_text(await emulator.slash(world.guild_id, world.member, "support"))
        await held_in_memory(answering, world.guild_id)
        await held_in_memory(other, world.guild_id)

        # The admin edits in the answering process; the other process's copy goes out of date.
        admin_view = await emulator.slash(world.guild_id, world.admin, "support")
        opened = await emulator.click(world.guild_id, world.admin, admin_view.message["id"], "cwtch:support:edit")
        saved = await emulator.submit_modal(world.guild_id, world.admin, opened, {"services": OUR_SERVICES})
        assert "Saved" in visible_text(saved)
        assert "0300 123 4567" in visible_text(await emulator.slash(world.guild_id, world.member, "support"))
        await stale_copy_dropped(other, world.guild_id)
        assert (await other.services.support.signposting(world.guild_id)).signposts[0].name == "Care line"

        # A change made by the other process reaches the next /support members get from this one.
        admin = Actor(user_id=world.admin, role_ids=frozenset(), is_admin=True)
        await other.services.support.update(world.guild_id, admin, "")
        await stale_copy_dropped(answering, world.guild_id)
        shown = visible_text(await emulator.slash(world.guild_id, world.member, "support"))
        assert "116 123" in shown and "0300 123 4567" not in shown
    finally:
        await stop_bot(answering, answering_task)
        await stop_bot(other, other_task)
