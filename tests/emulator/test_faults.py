"""Faults on demand: rate limits, server errors, gateway reconnects, invalid sessions, dropped sockets."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest

from bot.emulator import Emulator
from bot.emulator.interactions import InteractionFailed

from .conftest import TinyBot, World


def _channel(bot: TinyBot, emu: Emulator, world: World) -> discord.TextChannel:
    channel = bot.get_channel(world.general(emu))
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_route_429_is_retried_transparently(emu: Emulator, world: World, bot: TinyBot) -> None:
    channel = _channel(bot, emu, world)
    emu.faults.add("POST", r"/channels/\d+/messages", status=429, retry_after=0.2)
    message = await channel.send("after a rate limit")
    statuses = [r.status for r in emu.find_requests("POST", rf"/channels/{channel.id}/messages")]
    assert statuses == [429, 200]
    assert emu.messages(channel.id)[-1]["id"] == str(message.id)
    limited = emu.find_requests("POST", rf"/channels/{channel.id}/messages")[0]
    assert limited.response["retry_after"] == 0.2 and limited.response["global"] is False


async def test_global_rate_limit_answers_429_global(emu: Emulator, world: World, bot: TinyBot) -> None:
    channel = _channel(bot, emu, world)
    emu.global_rate_limit = 5
    sent = await asyncio.gather(*(channel.send(f"burst {i}") for i in range(8)))
    assert len({m.id for m in sent}) == 8
    limited = [r for r in emu.requests if r.status == 429]
    assert limited and all(r.response["global"] is True for r in limited)


async def test_server_errors_are_retried_or_raised(emu: Emulator, world: World, bot: TinyBot) -> None:
    channel = _channel(bot, emu, world)
    emu.faults.add("POST", r"/channels/\d+/messages", status=500)
    message = await channel.send("after a 500")
    assert [r.status for r in emu.find_requests("POST", r"/channels/\d+/messages")] == [500, 200]
    assert message.content == "after a 500"
    emu.faults.add("GET", r"/channels/\d+", status=503)
    with pytest.raises(discord.DiscordServerError):
        await bot.fetch_channel(channel.id)
    emu.faults.add("POST", r"/channels/\d+/messages", status=403)
    with pytest.raises(discord.Forbidden) as forbidden:
        await channel.send("nope")
    assert forbidden.value.code == 50013


async def test_slow_answers_and_late_interaction_callbacks(emu: Emulator, world: World, bot: TinyBot) -> None:
    emu.faults.add("POST", r"/interactions/\d+/[^/]+/callback", delay=0.2)
    emu.interaction_deadline = 0.1
    with pytest.raises(InteractionFailed):  # the member's app gives up at the deadline...
        await emu.slash(world.guild_id, world.alice["id"], "cohort join", {"name": "Residential"})
    await asyncio.sleep(0.3)
    assert [type(e.__cause__) for e in bot.errors] == [discord.NotFound]  # ...and the late answer is refused (10062)
    assert bot.errors[0].__cause__.code == 10062  # type: ignore[union-attr]
    bot.errors.clear()
    emu.interaction_deadline = 3.0
    res = await emu.slash(world.guild_id, world.alice["id"], "cohort join", {"name": "Residential"})
    callback = res.interaction
    url = f"{emu.api_base}/interactions/{callback['id']}/{callback['token']}/callback"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"type": 4, "data": {"content": "again"}}) as second,
    ):
        assert second.status == 400 and (await second.json())["code"] == 40060


@pytest.mark.parametrize("fault", ["reconnect", "invalid_resumable", "invalid", "drop"])
async def test_gateway_faults_end_ready_and_answering(emu: Emulator, world: World, bot: TinyBot, fault: str) -> None:
    identifies, resumes = emu.gateway.identifies, emu.gateway.resumes
    if fault == "reconnect":
        await emu.gateway_reconnect()
    elif fault == "invalid_resumable":
        await emu.gateway_invalid_session(resumable=True)
    elif fault == "invalid":
        await emu.gateway_invalid_session(resumable=False)
    else:
        await emu.drop_gateway()
    assert not emu.gateway.all_ready()
    role = emu.create_role(world.guild_id, "Made while away", position=2)
    await emu.wait_ready(timeout=15)
    if fault == "invalid":
        assert emu.gateway.identifies == identifies + 2 and emu.gateway.resumes == resumes
    else:
        assert emu.gateway.resumes == resumes + 2 and emu.gateway.identifies == identifies
    res = await emu.slash(world.guild_id, world.alice["id"], "cohort join", {"name": "Nursing"})
    assert res.content == "joined Nursing"
    await asyncio.sleep(0.05)
    guild = bot.get_guild(world.guild_id)
    assert guild is not None and guild.get_role(int(role["id"])) is not None
