"""REST behaviour through the real client: validation, nonces, files, threads, forums, roles, events."""

from __future__ import annotations

import io
import logging
import time
from datetime import UTC, datetime, timedelta

import aiohttp
import discord
import pytest

from bot.emulator import ApiError, Emulator
from bot.emulator.validation import validate_commands, validate_modal

from .conftest import TinyBot, World


def _guild(bot: TinyBot, world: World) -> discord.Guild:
    guild = bot.get_guild(world.guild_id)
    assert guild is not None
    return guild


def _channel(bot: TinyBot, emu: Emulator, world: World) -> discord.TextChannel:
    channel = bot.get_channel(world.general(emu))
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_unknown_route_is_404_logged_and_recorded(
    emu: Emulator, world: World, bot: TinyBot, caplog: pytest.LogCaptureFixture, off_spec: list[str]
) -> None:
    off_spec.append("GET /nope/x")
    with caplog.at_level(logging.WARNING, logger="bot.emulator.rest"), pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/nope/{thing}", thing="x"))
    [recorded] = emu.find_requests("GET", "/nope/x")
    assert recorded.status == 404 and recorded.response == {"message": "404: Not Found", "code": 0}
    assert "unknown route GET /nope/x" in caplog.text


async def test_auth_content_type_and_rate_limit_headers(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{emu.api_base}/users/@me", headers={"Authorization": "Bot wrong"}) as bad:
            assert bad.status == 401 and await bad.json() == {"message": "401: Unauthorized", "code": 0}
        async with session.get(f"{emu.api_base}/users/@me", headers={"Authorization": "Bot test-token"}) as ok:
            assert ok.headers["Content-Type"] == "application/json"
            assert (await ok.json())["id"] == str(emu.bot_id)
            for header in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
                assert f"X-RateLimit-{header}" in ok.headers
        async with session.get(f"{emu.api_base}/gateway/bot", headers={"Authorization": "Bot test-token"}) as gw:
            body = await gw.json()
            assert body["url"] == emu.gateway_url and body["shards"] == 2


async def test_message_limits_are_refused_like_discord(emu: Emulator, world: World, bot: TinyBot) -> None:
    channel = _channel(bot, emu, world)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035
    assert "content" in too_long.value.text
    with pytest.raises(discord.HTTPException, match=r"embeds\.0\.title"):
        await channel.send(embed=discord.Embed(title="t" * 257))
    with pytest.raises(discord.HTTPException) as total:
        await channel.send(embeds=[discord.Embed(description="d" * 4000) for _ in range(2)])
    assert total.value.code == 50035
    rows = [{"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": f"c{i}"}]} for i in range(6)]
    with pytest.raises(discord.HTTPException, match="components"):
        await bot.http.request(
            discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id),
            json={"content": "x", "components": rows},
        )
    long_id = [{"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": "c" * 101}]}]
    with pytest.raises(discord.HTTPException, match="custom_id"):
        await bot.http.request(
            discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id),
            json={"content": "x", "components": long_id},
        )
    with pytest.raises(discord.HTTPException) as empty:
        await bot.http.request(
            discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id), json={"content": ""}
        )
    assert empty.value.code == 50006
    assert emu.messages(channel.id) == []


def test_modal_and_command_limits() -> None:
    with pytest.raises(ApiError) as modal:
        validate_modal(
            {
                "title": "t" * 46,
                "custom_id": "m",
                "components": [{"type": 18, "label": "l" * 46, "component": {"type": 4, "custom_id": "a", "style": 1}}],
            }
        )
    assert modal.value.errors is not None and set(modal.value.errors["data"]) == {"title", "components"}
    for bad in (
        {"name": "Cohort", "description": "x"},
        {"name": "cohort", "description": ""},
        {"name": "c" * 33, "description": "x"},
        {"name": "cohort", "description": "d" * 101},
        {
            "name": "cohort",
            "description": "x",
            "options": [{"type": 3, "name": f"o{i}", "description": "x"} for i in range(26)],
        },
        {
            "name": "cohort",
            "description": "x",
            "options": [{"type": 3, "name": "o", "description": "x"}, {"type": 3, "name": "o", "description": "y"}],
        },
        {
            "name": "cohort",
            "description": "x",
            "options": [
                {
                    "type": 3,
                    "name": "o",
                    "description": "x",
                    "choices": [{"name": f"n{i}", "value": f"{i}"} for i in range(26)],
                }
            ],
        },
    ):
        with pytest.raises(ApiError):
            validate_commands([bad])
    with pytest.raises(ApiError, match="50035"):
        validate_commands([{"name": "a", "description": "x"}, {"name": "a", "description": "y"}])
    validate_commands([{"name": "cohort-join_2", "description": "ok"}, {"name": "Report", "type": 3}])


async def test_invalid_command_sync_is_refused(emu: Emulator, world: World, bot: TinyBot) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.bulk_upsert_global_commands(emu.application_id, [{"name": "Bad Name", "description": "x"}])
    assert refused.value.status == 400 and [c["name"] for c in emu.commands()] == ["cohort"]


async def test_nonce_dedupes_and_files_are_kept(emu: Emulator, world: World, bot: TinyBot) -> None:
    channel = _channel(bot, emu, world)
    first = await channel.send("reminder", nonce="remind:42")
    again = await channel.send("reminder", nonce="remind:42")
    assert first.id == again.id and len(emu.messages(channel.id)) == 1
    upload = await channel.send("notes", file=discord.File(io.BytesIO(b"hello"), filename="notes.txt"))
    [attachment] = upload.attachments
    assert attachment.filename == "notes.txt" and attachment.size == 5
    assert attachment.url.startswith(emu.base_url) and await attachment.read() == b"hello"
    recorded = emu.find_requests("POST", rf"/channels/{channel.id}/messages")[-1]
    assert recorded.files[0].data == b"hello" and recorded.json["content"] == "notes"
    edited = await upload.edit(content="notes v2")
    assert edited.content == "notes v2" and edited.attachments[0].id == attachment.id
    history = [m.id async for m in channel.history(limit=10)]
    assert history == [upload.id, first.id]
    await first.delete()
    assert [m["id"] for m in emu.messages(channel.id)] == [str(upload.id)]
    fetched = await channel.fetch_message(upload.id)
    assert fetched.content == "notes v2"


async def test_threads_and_forum_posts(emu: Emulator, world: World, bot: TinyBot) -> None:
    channel = _channel(bot, emu, world)
    thread = await channel.create_thread(name="check-in", type=discord.ChannelType.public_thread)
    posted = await thread.send("welcome")
    assert posted.channel.id == thread.id and emu.messages(thread.id)[0]["content"] == "welcome"
    await thread.add_user(discord.Object(int(world.alice["id"])))
    anchor = await channel.send("discuss here")
    from_message = await anchor.create_thread(name="discussion")
    assert from_message.id == anchor.id
    forum = await bot.fetch_channel(int(world.forum["id"]))
    assert isinstance(forum, discord.ForumChannel)
    [win] = forum.available_tags
    post = await forum.create_thread(name="Small wins", content="We did it", applied_tags=[win])
    assert post.thread.applied_tags == [win] and post.message.content == "We did it"
    edited = await forum.edit(available_tags=[win, discord.ForumTag(name="question")])
    assert isinstance(edited, discord.ForumChannel)
    assert [t.name for t in edited.available_tags] == ["win", "question"]
    assert all(t.id for t in edited.available_tags) and edited.available_tags[0].id == win.id
    assert thread.id in {t.id for t in await channel.guild.active_threads()}
    archived = await thread.edit(archived=True)
    assert archived.archived
    assert [t.id async for t in channel.archived_threads()] == [thread.id]


async def test_roles_members_channels_and_events(emu: Emulator, world: World, bot: TinyBot) -> None:
    guild = _guild(bot, world)
    role = await guild.create_role(name="Cohort: Dom care")
    assert role.position == 1 and any(r["id"] == str(role.id) for r in emu.guild(guild.id).roles.values())
    member = await guild.fetch_member(int(world.alice["id"]))
    await member.add_roles(role)
    await member.remove_roles(role)
    assert role.id not in emu.member_roles(guild.id, member.id)
    assert {r.id for r in await guild.fetch_roles()} >= {role.id, guild.id}
    text = await guild.create_text_channel("dom-care", topic="peer support")
    assert (await guild.fetch_channel(text.id)).name == "dom-care"
    start = datetime.now(UTC) + timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="Session 1",
        start_time=start,
        end_time=start + timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location="Online",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    assert emu.scheduled_events(guild.id)[0]["name"] == "Session 1"
    event = await event.edit(description="Bring a cuppa")
    started = await event.start()
    assert started.status is discord.EventStatus.active
    with pytest.raises(discord.HTTPException):
        await started.edit(status=discord.EventStatus.cancelled)
    await started.end()
    with pytest.raises(discord.HTTPException) as past:
        await guild.create_scheduled_event(
            name="Old",
            start_time=datetime.now(UTC) - timedelta(hours=1),
            end_time=datetime.now(UTC),
            entity_type=discord.EntityType.external,
            location="x",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
    assert past.value.code == 50035
    since = time.monotonic()
    await text.delete()
    recorded = await emu.wait_for_request("DELETE", r"/channels/\d+", since=since)
    assert recorded.status == 200 and recorded.path == f"/channels/{text.id}"
