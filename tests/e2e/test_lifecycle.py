"""The bot's life against the emulator: login through the configured base URL, change-only command sync,
reconnects, and a clean shutdown."""

from __future__ import annotations

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import World, start_bot, stop_bot
from tests.e2e.helpers import visible_text

SYNC = r"/applications/\d+/commands"


async def test_bot_logs_in_through_the_configured_base_and_syncs_once(
    emulator: Emulator, world: World, database_url: str
) -> None:
    bot, task = await start_bot(emulator, database_url)
    assert bot.get_guild(world.guild_id) is not None
    assert emulator.find_requests("GET", r"/gateway/bot")
    assert len(emulator.find_requests("PUT", SYNC)) == 1
    names = {command["name"] for command in emulator.commands()}
    assert {"setup", "cohort", "support", "ground-rules"} <= names
    await stop_bot(bot, task)
    assert bot.is_closed() and not bot.runtime.running

    # A restart with the same command tree syncs nothing.
    bot, task = await start_bot(emulator, database_url)
    assert len(emulator.find_requests("PUT", SYNC)) == 1
    result = await emulator.slash(world.guild_id, world.member, "support", {})
    assert "Samaritans" in visible_text(result)
    await stop_bot(bot, task)


async def test_dev_guild_sync_goes_to_that_guild(emulator: Emulator, world: World, database_url: str) -> None:
    bot, task = await start_bot(emulator, database_url, DEV_GUILD_ID=str(world.guild_id))
    assert emulator.find_requests("PUT", rf"/applications/\d+/guilds/{world.guild_id}/commands")
    assert not emulator.find_requests("PUT", r"/applications/\d+/commands$")
    result = await emulator.slash(world.guild_id, world.member, "support", {})
    assert "116 123" in visible_text(result)
    await stop_bot(bot, task)


async def test_bot_keeps_answering_after_gateway_faults(emulator: Emulator, world: World, cwtch: CwtchBot) -> None:
    await emulator.gateway_reconnect()
    await emulator.wait_ready(timeout=15)
    assert "Samaritans" in visible_text(await emulator.slash(world.guild_id, world.member, "support", {}))
    await emulator.gateway_invalid_session(resumable=False)
    await emulator.wait_ready(timeout=15)
    assert "Samaritans" in visible_text(await emulator.slash(world.guild_id, world.member, "support", {}))


async def test_rate_limited_reply_is_retried(emulator: Emulator, world: World, cwtch: CwtchBot) -> None:
    emulator.faults.add(method="POST", path=r"/interactions/\d+/[^/]+/callback", status=429, times=1, retry_after=0.2)
    result = await emulator.slash(world.guild_id, world.member, "ground-rules", {})
    assert "Confidentiality" in visible_text(result)
