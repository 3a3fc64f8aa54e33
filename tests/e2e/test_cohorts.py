"""Journeys of the foundation: setup, the seed cohorts, joining and leaving, support, and every refusal."""

from __future__ import annotations

import logging

import pytest

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import World
from tests.e2e.helpers import create_seed_cohorts, visible_text


async def test_facilitator_creates_the_two_seed_cohorts(emulator: Emulator, configured: World) -> None:
    world = configured
    await create_seed_cohorts(emulator, world)
    listing = await emulator.slash(world.guild_id, world.member, "cohort list", {})
    text = visible_text(listing)
    assert "Care home managers" in text and "Domiciliary care managers" in text
    assert f"<#{world.dom_channel}>" in text and "Europe/London" in text
    assert listing.ephemeral


async def test_member_joins_gets_the_role_and_leaves(emulator: Emulator, configured: World) -> None:
    world = configured
    await create_seed_cohorts(emulator, world)
    choices = await emulator.autocomplete(world.guild_id, world.member, "cohort join", {"name": "dom"}, focused="name")
    assert [choice["value"] for choice in choices] == ["Domiciliary care managers"]

    joined = await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "Domiciliary care managers"})
    assert joined.ephemeral and "Welcome to **Domiciliary care managers**" in visible_text(joined)
    assert world.dom_role in emulator.member_roles(world.guild_id, world.member)
    assert world.home_role not in emulator.member_roles(world.guild_id, world.member)

    listing = await emulator.slash(world.guild_id, world.member, "cohort list", {})
    assert "Domiciliary care managers (you're in it)" in visible_text(listing)

    again = await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "domiciliary CARE managers"})
    assert again.ephemeral and "already in" in visible_text(again)

    left = await emulator.slash(world.guild_id, world.member, "cohort leave", {"name": "Domiciliary care managers"})
    assert "You've left" in visible_text(left)
    assert world.dom_role not in emulator.member_roles(world.guild_id, world.member)


async def test_support_answers_with_signposting(emulator: Emulator, world: World, cwtch: CwtchBot) -> None:
    result = await emulator.slash(world.guild_id, world.member, "support", {})
    text = visible_text(result)
    assert result.ephemeral
    for needle in ("Samaritans", "116 123", "SHOUT", "85258", "111", "999"):
        assert needle in text
    rules = await emulator.slash(world.guild_id, world.member, "ground-rules", {})
    assert "Confidentiality" in visible_text(rules) and "Not a crisis service" in visible_text(rules)


async def test_plain_member_cannot_create_a_cohort(emulator: Emulator, configured: World) -> None:
    world = configured
    result = await emulator.slash(
        world.guild_id,
        world.member,
        "cohort create",
        {"name": "My cohort", "description": "d", "channel": world.dom_channel},
    )
    assert result.ephemeral
    assert "Only facilitators" in visible_text(result)
    listing = await emulator.slash(world.guild_id, world.member, "cohort list", {})
    assert "no cohorts here yet" in visible_text(listing)


async def test_admin_sets_up_roles_and_channels_and_others_cannot(
    emulator: Emulator, world: World, cwtch: CwtchBot
) -> None:
    refused = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "setup roles",
        {"facilitator": world.facilitator_role, "coordinator": world.coordinator_role},
    )
    assert refused.ephemeral and "Manage Server" in visible_text(refused)

    before = await emulator.slash(
        world.guild_id, world.facilitator, "cohort create", {"name": "X", "description": "d", "channel": world.general}
    )
    assert "/setup roles" in visible_text(before)

    roles = await emulator.slash(
        world.guild_id,
        world.admin,
        "setup roles",
        {"facilitator": world.facilitator_role, "coordinator": world.coordinator_role},
    )
    assert f"<@&{world.facilitator_role}>" in visible_text(roles)
    channels = await emulator.slash(
        world.guild_id,
        world.admin,
        "setup channels",
        {
            "announcements": world.announcements,
            "resources": world.resources,
            "facilitators": world.facilitators_channel,
        },
    )
    assert f"<#{world.facilitators_channel}>" in visible_text(channels)
    same = await emulator.slash(
        world.guild_id,
        world.admin,
        "setup channels",
        {"announcements": world.announcements, "resources": world.resources, "facilitators": world.announcements},
    )
    assert "channel of its own" in visible_text(same)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"name": "Care home managers"}, "already a cohort called"),
        ({"name": "Night managers", "timezone": "Narnia/Cair"}, "don't know the time zone"),
        ({"name": "Night managers", "role_key": "above_bot_role"}, "My role is below"),
        ({"name": "Night managers", "role_key": "facilitator_role"}, "must not grant"),
        ({"name": "N" * 81}, "at most 80"),
        ({"name": "   "}, "needs a name"),
    ],
)
async def test_bad_cohort_input_is_refused_politely(
    emulator: Emulator, configured: World, options: dict[str, str], expected: str
) -> None:
    world = configured
    await emulator.slash(
        world.guild_id,
        world.facilitator,
        "cohort create",
        {"name": "Care home managers", "description": "d", "channel": world.home_channel},
    )
    values: dict[str, object] = {"description": "For night managers", "channel": world.general}
    values.update({key: value for key, value in options.items() if key != "role_key"})
    if "role_key" in options:
        values["role"] = getattr(world, options["role_key"])
    result = await emulator.slash(world.guild_id, world.facilitator, "cohort create", values)
    assert result.ephemeral
    assert expected in visible_text(result)
    listing = await emulator.slash(world.guild_id, world.member, "cohort list", {})
    assert "Night managers" not in visible_text(listing)


async def test_unknown_cohort_and_leaving_one_not_joined(emulator: Emulator, configured: World) -> None:
    world = configured
    await create_seed_cohorts(emulator, world)
    unknown = await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "Gardeners"})
    assert unknown.ephemeral and "no cohort called **Gardeners**" in visible_text(unknown)
    not_in = await emulator.slash(world.guild_id, world.member, "cohort leave", {"name": "Care home managers"})
    assert "not in" in visible_text(not_in)


async def test_role_refused_by_discord_keeps_nothing(emulator: Emulator, configured: World) -> None:
    world = configured
    await create_seed_cohorts(emulator, world)
    emulator.faults.add(method="PUT", path=r"/guilds/\d+/members/\d+/roles/\d+", status=403, times=1)
    refused = await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "Care home managers"})
    assert refused.ephemeral and "Nothing was changed" in visible_text(refused)
    listing = await emulator.slash(world.guild_id, world.member, "cohort list", {})
    assert "(you're in it)" not in visible_text(listing)
    joined = await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "Care home managers"})
    assert "Welcome" in visible_text(joined)


async def test_unexpected_error_is_logged_and_answered_with_an_apology(
    emulator: Emulator, configured: World, caplog: pytest.LogCaptureFixture
) -> None:
    world = configured
    await create_seed_cohorts(emulator, world)
    emulator.faults.add(method="PUT", path=r"/guilds/\d+/members/\d+/roles/\d+", status=400, times=1)
    with caplog.at_level(logging.ERROR, logger="bot.ui.errors"):
        result = await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "Care home managers"})
    assert result.ephemeral
    assert "something went wrong on our side" in visible_text(result)
    assert "Traceback" not in visible_text(result)
    assert any(record.exc_info for record in caplog.records if record.name == "bot.ui.errors")
