"""Discord's OpenAPI spec as the emulator's oracle: the validator catches what breaks the spec, key routes pass."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest

from bot.emulator import Emulator, RecordedRequest
from tests.openapi import OpenApiValidator, Violation, check_requests, load_validator, report
from tests.openapi.validator import SPEC_FILE

from .conftest import TinyBot, World


@pytest.fixture
def spec() -> OpenApiValidator:
    return load_validator()


def test_the_vendored_spec_is_the_one_its_readme_names() -> None:
    digest = hashlib.sha256(SPEC_FILE.read_bytes()).hexdigest()
    readme = SPEC_FILE.with_name("README.md").read_text(encoding="utf-8")
    assert f"sha256: `{digest}`" in readme and "74fda0fad044407ea280043a03ffc9bc64c4e49e" in readme


def _recorded(method: str, path: str, status: int, request: Any = None, response: Any = None) -> RecordedRequest:
    raw = b"" if response is None else json.dumps(response).encode()
    return RecordedRequest(method, path, {}, request, [], status, 0.0, raw)


def _kinds(violations: list[Violation]) -> set[tuple[str, str, str]]:
    return {(v.part, v.where, v.rule) for v in violations}


def _message(emu: Emulator, world: World) -> tuple[str, dict[str, Any]]:
    channel = world.general(emu)
    msg = emu.user_message(channel, world.alice["id"], "hello", components=[_row("one", "two")])
    return f"/channels/{channel}/messages/{msg['id']}", copy.deepcopy(msg)


def _row(*custom_ids: str) -> dict[str, Any]:
    buttons = [{"type": 2, "style": 1, "label": c, "custom_id": c} for c in custom_ids]
    return {"type": 1, "components": buttons}


async def test_a_stored_message_is_on_spec_and_each_way_of_breaking_it_is_caught(
    emu: Emulator, world: World, spec: OpenApiValidator
) -> None:
    path, msg = _message(emu, world)
    assert spec.check("GET", path, 200, None, msg) == []

    def broken(change: Any) -> set[tuple[str, str, str]]:
        bad = copy.deepcopy(msg)
        change(bad)
        return _kinds(spec.check("GET", path, 200, None, bad))

    assert broken(lambda m: m.pop("author")) == {("response", "$", "required")}
    assert broken(lambda m: m.update(guild_id=str(world.guild_id))) == {("response", "$.guild_id", "undeclared")}
    assert broken(lambda m: m["author"].update(email=None)) == {("response", "$.author.email", "undeclared")}
    assert broken(lambda m: m["author"].pop("primary_guild")) == {("response", "$.author", "required")}
    assert broken(lambda m: m.update(id=int(m["id"]))) == {("response", "$.id", "type")}
    assert broken(lambda m: m.update(timestamp="2027-03-10T09:00:00")) == {("response", "$.timestamp", "format")}
    assert broken(lambda m: m["components"][0]["components"][1].pop("id")) == {
        ("response", "$.components[0].components[1]", "required")
    }
    unknown_type = broken(lambda m: m["components"][0].update(type=99))
    assert unknown_type and all(where.startswith("$.components[0]") for _, where, _ in unknown_type)


def test_routes_statuses_and_bodies_are_checked(spec: OpenApiValidator) -> None:
    thread = "/channels/1/threads"
    assert _kinds(spec.check("GET", "/nope/x", 404, None, {"message": "404: Not Found", "code": 0})) == {
        ("route", "$", "route")
    }
    assert ("status", "200", "status") in _kinds(spec.check("POST", thread, 200, {"name": "a"}, {}))
    assert _kinds(spec.check("DELETE", "/channels/1/messages/2", 204, None, {"id": "2"})) == {("response", "$", "body")}
    assert _kinds(spec.check("GET", "/users/@me", 200, None, None)) == {("response", "$", "body")}
    assert _kinds(spec.check("GET", "/channels/x", 404, None, {"message": "Unknown Channel", "code": 10003})) == {
        ("path", "channel_id", "pattern")
    }
    assert spec.check("GET", "/channels/1", 429, None, {"message": "slow", "code": 0, "retry_after": 1.0}) != []


def test_a_request_is_checked_when_accepted_and_not_when_refused(spec: OpenApiValidator) -> None:
    too_long = {"content": "x" * 4001}  # the spec's limit (a bot's is 2,000, which the emulator enforces)
    refused = {"message": "Invalid Form Body", "code": 50035}
    assert spec.check("POST", "/channels/1/messages", 400, too_long, refused) == []
    accepted = spec.check("POST", "/channels/1/messages", 200, too_long, None)
    assert ("request", "$.content", "maxLength") in _kinds(accepted)


def test_the_allow_list_excuses_only_what_it_names() -> None:
    dm = {"id": "5", "type": 1, "last_message_id": None, "flags": 0, "recipients": []}
    as_int = _recorded("POST", "/users/@me/channels", 200, {"recipient_id": 7}, dm)
    assert check_requests([as_int]) == []  # discord.py sends this snowflake as an integer; Discord accepts it
    answered_as_int = _recorded("POST", "/users/@me/channels", 200, {"recipient_id": "7"}, dict(dm, id=5))
    [wrong] = check_requests([answered_as_int])  # but Discord never answers with one
    assert (wrong.part, wrong.where, wrong.rule) == ("response", "$.id", "type")
    assert "POST /users/@me/channels [response $.id]" in report([wrong])
    made_up = _recorded("POST", "/users/@me/channels", 200, {"recipient_id": "7", "nickname": "x"}, dm)
    assert [(v.part, v.where) for v in check_requests([made_up])] == [("request", "$.nickname")]


async def test_key_routes_answer_as_the_spec_says(emu: Emulator, world: World, bot: TinyBot) -> None:
    gid, alice = world.guild_id, world.alice["id"]
    general = world.general(emu)
    panel = await emu.slash(gid, alice, "cohort create", {"name": "A", "channel": general, "role": world.role["id"]})
    assert panel.message is not None
    await emu.click(gid, alice, panel.message["id"], "panel:edit")
    await emu.click(gid, alice, panel.message["id"], "panel:pick", values=["mon"])
    slow = await emu.slash(gid, alice, "cohort slow")
    await slow.wait_followups(1)
    opened = await emu.click(gid, alice, panel.message["id"], "panel:feedback")
    await emu.submit_modal(gid, alice, opened, {"note": "ok", "mood": "good"})
    await emu.autocomplete(gid, alice, "cohort join", {"name": "Dom"}, focused="name")
    channel = bot.get_channel(general)
    assert isinstance(channel, discord.TextChannel)
    await channel.create_thread(name="check-in", type=discord.ChannelType.public_thread)
    forum = await bot.fetch_channel(int(world.forum["id"]))
    assert isinstance(forum, discord.ForumChannel)
    await forum.create_thread(name="Small wins", content="We did it", applied_tags=forum.available_tags)
    guild = bot.get_guild(gid)
    assert guild is not None
    start = datetime.now(UTC) + timedelta(days=1)
    await guild.create_scheduled_event(
        name="Session 1",
        start_time=start,
        end_time=start + timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location="Online",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    await guild.create_text_channel("dom-care")
    await bot.fetch_user(int(alice))

    spec = load_validator()
    covered = {found[0].name for r in emu.requests if (found := spec.find(r.method, r.path))}
    assert covered >= {
        "GET /users/@me",
        "GET /users/{user_id}",
        "GET /gateway/bot",
        "GET /oauth2/applications/@me",
        "PUT /applications/{application_id}/commands",
        "POST /interactions/{interaction_id}/{interaction_token}/callback",
        "POST /webhooks/{webhook_id}/{webhook_token}",
        "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
        "POST /channels/{channel_id}/threads",
        "GET /channels/{channel_id}",
        "POST /guilds/{guild_id}/scheduled-events",
        "POST /guilds/{guild_id}/channels",
    }
    assert check_requests(emu.requests) == []
    assert [r.status for r in emu.find_requests("POST", r"/channels/\d+/threads")] == [201, 201]
    assert [r.status for r in emu.find_requests("POST", r"/guilds/\d+/channels")] == [201]


async def test_callback_answers_carry_a_resource_only_for_a_message(emu: Emulator, world: World, bot: TinyBot) -> None:
    gid, alice = world.guild_id, world.alice["id"]
    await emu.slash(gid, alice, "cohort join", {"name": "Dom care"})
    await emu.slash(gid, alice, "cohort slow")
    await emu.slash(gid, alice, "cohort feedback")
    answers = {r.json["type"]: r.response for r in emu.find_requests("POST", r"/interactions/\d+/[^/]+/callback")}
    assert answers[4]["resource"]["type"] == 4 and answers[4]["resource"]["message"]["content"] == "joined Dom care"
    assert "resource" not in answers[5] and answers[5]["interaction"]["response_message_loading"] is True
    assert answers[9] == {"interaction": {"id": answers[9]["interaction"]["id"], "type": 2}}


async def test_users_messages_and_components_look_as_discord_sends_them(
    emu: Emulator, world: World, bot: TinyBot
) -> None:
    [me] = [r.response for r in emu.find_requests("GET", "/users/@me")]
    assert me["verified"] is True and me["locale"] == "en-US" and me["primary_guild"] is None
    panel = await emu.slash(
        world.guild_id,
        world.alice["id"],
        "cohort create",
        {"name": "A", "channel": world.general(emu), "role": world.role["id"]},
    )
    assert panel.message is not None
    author = panel.message["author"]
    assert author["id"] == str(emu.bot_id) and not {"email", "verified", "locale", "mfa_enabled"} & set(author)
    assert "guild_id" not in panel.message
    rows = panel.message["components"]
    assert [c["id"] for c in rows] == [1, 5] and [c["id"] for c in rows[0]["components"]] == [2, 3, 4]
    assert "required" not in rows[1]["components"][0]
    bot_ids = [{"type": 1, "id": 2, "components": [{"type": 2, "style": 1, "label": "x", "custom_id": "x"}]}]
    msg = emu.user_message(world.general(emu), world.alice["id"], "mine", components=bot_ids)
    assert msg["components"][0]["id"] == 2 and msg["components"][0]["components"][0]["id"] == 1
