"""End-to-end fixtures: the local Discord emulator, a server with its people, and the real bot against them."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest
from sqlalchemy.engine import make_url

from bot.app import build_bot
from bot.domain.access import Actor
from bot.emulator import Emulator
from bot.settings import load_settings
from bot.ui.client import CwtchBot
from tests.e2e.helpers import create_seed_cohorts
from tests.fakes import FakeClock
from tests.openapi import assert_on_spec

TOKEN = "emulated-bot-token"
# Where the pseudonym key lives when the database is PostgreSQL (one per test run is enough).
_KEY_FILE = str(Path(tempfile.gettempdir()) / f"cwtch-test-{os.getpid()}.key")
MANAGE_GUILD = 1 << 5


@dataclass(frozen=True)
class World:
    """One care organisation's server, as the tests' people see it."""

    guild_id: int
    admin: int
    facilitator: int
    coordinator: int
    member: int
    other_member: int
    facilitator_role: int
    coordinator_role: int
    dom_role: int
    home_role: int
    above_bot_role: int
    general: int
    dom_channel: int
    home_channel: int
    announcements: int
    resources: int
    facilitators_channel: int


@pytest.fixture(autouse=True)
def _restore_discord_py_endpoints() -> Iterator[None]:
    """The bot points discord.py's class-level endpoints at the emulator; put them back after each test."""
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


# Bots started by a test; a test that fails half-way leaves them running, and the teardown closes them.
_RUNNING: list[tuple[CwtchBot, asyncio.Task[None]]] = []


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator(token=TOKEN)
    await emu.start()
    yield emu
    while _RUNNING:
        await stop_bot(*_RUNNING[-1])
    await asyncio.wait_for(emu.stop(), timeout=15)
    # Every request the bot sent and every answer the emulator gave, against Discord's OpenAPI spec.
    assert_on_spec(emu.requests)


def build_world(emu: Emulator) -> World:
    guild = emu.create_guild("Care Org", bot_role_position=10)
    gid = int(guild["id"])

    def role(name: str, position: int, permissions: int = 0) -> int:
        return int(emu.create_role(gid, name, permissions=permissions, position=position)["id"])

    def user(name: str, *roles: int) -> int:
        uid = int(emu.create_user(name)["id"])
        emu.add_member(gid, uid, roles=list(roles))
        return uid

    def channel(name: str, kind: int = 0) -> int:
        return int(emu.create_channel(gid, name, type=kind)["id"])

    admins = role("Admins", 8, MANAGE_GUILD)
    facilitator_role = role("Facilitators", 5)
    coordinator_role = role("Coordinators", 4)
    world = World(
        guild_id=gid,
        admin=user("ceri-admin", admins),
        facilitator=user("fran-facilitator", facilitator_role),
        coordinator=user("cai-coordinator", coordinator_role),
        member=user("megan-manager"),
        other_member=user("owain-manager"),
        facilitator_role=facilitator_role,
        coordinator_role=coordinator_role,
        dom_role=role("Domiciliary care managers", 2),
        home_role=role("Care home managers", 3),
        above_bot_role=role("Senior managers", 12),
        general=channel("peer-support"),
        dom_channel=channel("dom-care"),
        home_channel=channel("care-homes"),
        announcements=channel("announcements"),
        resources=channel("resources", kind=15),
        facilitators_channel=channel("facilitators"),
    )
    return world


@pytest.fixture
def world(emulator: Emulator) -> World:
    return build_world(emulator)


async def start_bot(
    emu: Emulator, database_url: str, clock: FakeClock | None = None, **env: str
) -> tuple[CwtchBot, asyncio.Task[None]]:
    key_file = str(make_url(database_url).database or "cwtch") + ".key" if database_url.startswith("sqlite") else ""
    settings = load_settings(
        {
            "DISCORD_TOKEN": TOKEN,
            "DATABASE_URL": database_url,
            "DISCORD_API_BASE_URL": emu.api_base,
            "SECRET_KEY_FILE": key_file or _KEY_FILE,
            **env,
        }
    )
    bot = build_bot(settings, guild_ready_timeout=0.1, **({"clock": clock} if clock else {}))
    task = asyncio.create_task(bot.start(TOKEN))
    async with asyncio.timeout(15):
        while not bot.is_ready():
            if task.done():
                task.result()  # raises what stopped the bot
                raise AssertionError("the bot stopped before it was ready")
            await asyncio.sleep(0.02)
    await emu.wait_ready(timeout=15)
    _RUNNING.append((bot, task))
    return bot, task


async def stop_bot(bot: CwtchBot, task: asyncio.Task[None]) -> None:
    if (bot, task) in _RUNNING:
        _RUNNING.remove((bot, task))
    await bot.close()
    await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def cwtch(emulator: Emulator, world: World, database_url: str) -> AsyncIterator[CwtchBot]:
    """The real Cwtch bot, logged in to the emulator and ready."""
    bot, task = await start_bot(emulator, database_url)
    yield bot
    await stop_bot(bot, task)


@pytest.fixture
async def configured(emulator: Emulator, world: World, cwtch: CwtchBot) -> World:
    """A server whose admin has already run ``/setup roles``."""
    result = await emulator.slash(
        world.guild_id,
        world.admin,
        "setup roles",
        {"facilitator": world.facilitator_role, "coordinator": world.coordinator_role},
    )
    assert "saved" in result.content.lower()
    return world


START = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # a Wednesday; clocks go forward on 28 March 2027
FIRST_DOM = datetime(2027, 3, 16, 10, 0, tzinfo=UTC)  # the first fortnightly session: Tuesday 10:00 GMT


@pytest.fixture
def clock() -> FakeClock:
    """The bot's clock, moved by hand: a test runs days of sessions in seconds."""
    return FakeClock(START)


@pytest.fixture
async def bot(emulator: Emulator, world: World, database_url: str, clock: FakeClock) -> AsyncIterator[CwtchBot]:
    """The bot on the fake clock, in a server set up by its admin, with the two seed cohorts."""
    client, task = await start_bot(emulator, database_url, clock)
    await emulator.slash(
        world.guild_id,
        world.admin,
        "setup roles",
        {"facilitator": world.facilitator_role, "coordinator": world.coordinator_role},
    )
    await emulator.slash(
        world.guild_id,
        world.admin,
        "setup channels",
        {
            "announcements": world.announcements,
            "resources": world.resources,
            "facilitators": world.facilitators_channel,
        },
    )
    await create_seed_cohorts(emulator, world)
    yield client
    await stop_bot(client, task)


def facilitator_actor(world: World) -> Actor:
    """The facilitator as the services see them (for reading state that only facilitators may read)."""
    return Actor(user_id=world.facilitator, role_ids=frozenset({world.facilitator_role}), is_admin=False)
