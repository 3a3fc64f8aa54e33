"""Members writing in channels and threads: dated snowflakes, last_message_id and thread counts as Discord keeps
them, archived threads brought back, and no MESSAGE_CREATE for a bot without the message intents."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.emulator import Emulator

from .conftest import TinyBot, World

WEEK_TWO = datetime(2027, 3, 17, 14, 30, 15, 123000, tzinfo=UTC)


def dispatched(emu: Emulator, guild_id: int, event: str) -> list[dict[str, object]]:
    session = emu.gateway.session_for_guild(guild_id)
    assert session is not None
    frames = [json.loads(frame) for _, frame in session.buffer]
    return [frame["d"] for frame in frames if frame["t"] == event]


async def test_a_dated_message_updates_the_channel_and_stays_off_the_gateway(
    emu: Emulator, world: World, bot: TinyBot
) -> None:
    channel = world.general(emu)
    undated = emu.user_message(channel, world.alice["id"], "hello")
    now = datetime.now(UTC)
    assert abs(discord.utils.snowflake_time(int(undated["id"])) - now) < timedelta(seconds=5)

    dated = emu.user_message(channel, world.bob["id"], "a week later", at=WEEK_TWO)
    assert discord.utils.snowflake_time(int(dated["id"])) == WEEK_TWO  # to the millisecond
    assert datetime.fromisoformat(dated["timestamp"]) == WEEK_TWO
    assert emu.world.channel(channel)[1]["last_message_id"] == dated["id"]
    # The same moment again: another snowflake with the same time.
    again = emu.user_message(channel, world.bob["id"], "and again", at=WEEK_TWO)
    assert again["id"] != dated["id"] and discord.utils.snowflake_time(int(again["id"])) == WEEK_TWO
    assert [m["id"] for m in emu.messages(channel)] == [undated["id"], dated["id"], again["id"]]
    with pytest.raises(ValueError, match="aware"):
        emu.user_message(channel, world.bob["id"], "when?", at=datetime(2027, 3, 17))  # noqa: DTZ001 - the point

    text = bot.get_channel(channel)
    assert isinstance(text, discord.TextChannel)
    fetched = [m async for m in text.history(limit=5)]
    assert {m.id for m in fetched} == {int(undated["id"]), int(dated["id"]), int(again["id"])}
    # TinyBot has no guild-message intent: Discord would not tell it about these messages.
    assert dispatched(emu, world.guild_id, "MESSAGE_CREATE") == []


async def test_a_reply_in_a_forum_post_shows_in_the_guilds_active_threads(
    emu: Emulator, world: World, bot: TinyBot
) -> None:
    forum = bot.get_channel(int(world.forum["id"]))
    assert isinstance(forum, discord.ForumChannel)
    posted = await forum.create_thread(name="Walks", content="Walking one-to-ones.", auto_archive_duration=10080)
    thread_id = posted.thread.id
    before = emu.world.channel(thread_id)[1]
    counts = before["message_count"], before["total_message_sent"]

    reply = emu.user_message(thread_id, world.bob["id"], "We tried this too.", at=WEEK_TWO)
    guild = bot.get_guild(world.guild_id)
    assert guild is not None
    [active] = [t for t in await guild.active_threads() if t.id == thread_id]
    assert active.last_message_id == int(reply["id"])
    assert active.last_message_id is not None and discord.utils.snowflake_time(active.last_message_id) == WEEK_TWO
    assert (active.message_count, active.total_message_sent) == (counts[0] + 1, counts[1] + 1)
    assert len(emu.find_requests("GET", rf"/guilds/{world.guild_id}/threads/active")) == 1

    # Archived, the post leaves the active threads; a member's reply brings it back (Discord unarchives it).
    await posted.thread.edit(archived=True)
    assert thread_id not in {t.id for t in await guild.active_threads()}
    later = emu.user_message(thread_id, world.alice["id"], "Still going.", at=WEEK_TWO + timedelta(days=1))
    [back] = [t for t in await guild.active_threads() if t.id == thread_id]
    assert back.last_message_id == int(later["id"]) and not back.archived
    assert [d["id"] for d in dispatched(emu, world.guild_id, "THREAD_UPDATE")][-1] == str(thread_id)

    # A locked, archived post takes no member's message.
    await posted.thread.edit(archived=True, locked=True)
    with pytest.raises(AssertionError, match="locked"):
        emu.user_message(thread_id, world.bob["id"], "Hello?")
    assert emu.world.channel(thread_id)[1]["last_message_id"] == later["id"]
