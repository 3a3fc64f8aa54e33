"""The permission matrix: who may use each command, and that everyone else is refused politely, privately, and
without anything changing (no row, no post, no role, no channel).

The commands come from the tree the emulator received, so a new command must be given a row in ``WHO_MAY`` (and,
when it is reserved, an example in ``EXAMPLES``) before this file passes: no command can skip the matrix.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine
from bot.db.models import Base
from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from bot.ui.errors import GENERIC_APOLOGY
from tests.e2e.conftest import World, facilitator_actor
from tests.e2e.helpers import command_leaves, visible_text
from tests.e2e.test_sessions import announcements, create_dom_series, occurrence_of, run_due

ADMIN, FACILITATOR, COORDINATOR, ANYONE = "admin", "facilitator", "coordinator", "anyone"

# Who may use each command of the contract (product.md); admins (Manage Server) may use everything.
WHO_MAY: dict[str, str] = {
    "setup roles": ADMIN,
    "setup channels": ADMIN,
    "setup status": ADMIN,
    "setup language": ADMIN,
    "cohort create": FACILITATOR,
    "cohort list": ANYONE,
    "cohort join": ANYONE,
    "cohort leave": ANYONE,
    "series create": FACILITATOR,
    "series list": FACILITATOR,
    "series pause": FACILITATOR,
    "series resume": FACILITATOR,
    "series end": FACILITATOR,
    "series edit": FACILITATOR,
    "session list": ANYONE,
    "session cancel": FACILITATOR,
    "session move": FACILITATOR,
    "session start": FACILITATOR,
    "session end": FACILITATOR,
    "session attendance": FACILITATOR,
    "feedback give": ANYONE,
    "feedback comments": FACILITATOR,
    "report feedback": COORDINATOR,
    "report attendance": COORDINATOR,
    "report community": COORDINATOR,
    "resource add": FACILITATOR,
    "resource suggest": ANYONE,
    "resource search": ANYONE,
    "resource list": ANYONE,
    "community join": ANYONE,
    "community leave": ANYONE,
    "ground-rules": ANYONE,
    "support": ANYONE,
    "cymorth": ANYONE,
    "reminders on": ANYONE,
    "reminders off": ANYONE,
    "calendar": ANYONE,
    "privacy notice": ANYONE,
    "privacy export": ANYONE,
    "privacy delete": ANYONE,
    "language": ANYONE,
    "iaith": ANYONE,
    "Report to facilitators": ANYONE,  # the message menu
}
REFUSAL = {
    ADMIN: "Only server admins",
    FACILITATOR: "Only facilitators",
    COORDINATOR: "Only coordinators",
}

# Options a permitted person could use, so a refusal can only come from who is asking. "{series}" and "{session}"
# stand for a real series and session of the server.
EXAMPLES: dict[str, dict[str, Any]] = {
    "setup roles": {"facilitator": "{other_role}", "coordinator": "{other_role}"},
    "setup channels": {"announcements": "{general}", "resources": "{resources}", "facilitators": "{general}"},
    "setup status": {},
    "setup language": {"default": "cy", "channel_posts": "bilingual"},
    "cohort create": {
        "name": "Registered managers",
        "description": "Peer support for registered managers",
        "channel": "{general}",
        "timezone": "Europe/London",
    },
    "series create": {
        "cohort": "Care home managers",
        "title": "Care home peer support",
        "cadence": "bimonthly",
        "start": "2027-05-12 14:00",
        "duration": 90,
    },
    "series list": {},
    "series pause": {"series": "{series}"},
    "series resume": {"series": "{series}"},
    "series end": {"series": "{series}"},
    "series edit": {"series": "{series}", "title": "Renamed"},
    "session cancel": {"session": "{session}", "reason": "Snow"},
    "session move": {"session": "{session}", "start": "2027-03-17 10:00"},
    "session start": {"session": "{session}"},
    "session end": {"session": "{session}"},
    "session attendance": {"session": "{session}"},
    "feedback comments": {"session": "{session}"},
    "report feedback": {},
    "report attendance": {},
    "report community": {},
    "resource add": {
        "title": "Coping with night shifts",
        "url": "https://www.example.org/night-shifts",
        "summary": "Practical ideas for sleeping well between shifts.",
        "tags": "Mental health",
    },
}


def synced(emulator: Emulator, world: World) -> list[str]:
    return [name for name, _, _ in command_leaves(emulator.commands() + emulator.commands(world.guild_id))]


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as plain tuples: equal snapshots mean nothing was written. A person's language
    (their server's default, kept at their first contact with Cwtch, whatever they asked) is not what a command
    changes, so it is left out."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name == "member_languages":
                continue
            result = await connection.execute(select(table))
            rows[table.name] = sorted((tuple(row) for row in result), key=repr)
    return rows


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def discord_writes(emulator: Emulator, since: int) -> list[str]:
    """Requests since ``since`` that change something on Discord, other than answering an interaction."""
    own = re.compile(r"/(interactions/\d+/[^/]+/callback|webhooks/\d+/[^/]+(/messages/[^/]+)?)")
    return [
        f"{r.method} {r.path}"
        for r in emulator.requests[since:]
        if r.method != "GET" and not own.fullmatch(r.path.split("?")[0])
    ]


async def assert_refused_and_unchanged(
    emulator: Emulator,
    bot: CwtchBot,
    database: AsyncEngine,
    act: Callable[[], Any],
    expected: str,
    what: str,
) -> None:
    await run_due(bot)
    before, since = await snapshot(database), len(emulator.requests)
    result = await act()
    await asyncio.sleep(0.05)  # anything the refusal set off in the background would show by now
    await run_due(bot)
    text = visible_text(result)
    assert result.ephemeral, f"{what}: the refusal must be private, got {result!r}"
    assert result.modal is None, f"{what}: a form opened for someone not allowed to use it"
    assert expected in text and GENERIC_APOLOGY not in text, f"{what}: {text!r}"
    assert discord_writes(emulator, since) == [], f"{what}: Discord was changed"
    assert await snapshot(database) == before, f"{what}: the database was changed"


def test_every_command_has_a_row_in_the_matrix() -> None:
    # Checked against the tree in the next test too; this one fails fast on a name typed twice or dropped.
    assert len(WHO_MAY) == len(set(WHO_MAY))
    assert set(EXAMPLES) <= set(WHO_MAY)
    assert all(WHO_MAY[name] != ANYONE for name in EXAMPLES)


async def test_synced_commands_are_all_in_the_matrix(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    commands = synced(emulator, world)
    assert len(commands) > 30, commands
    missing = [name for name in commands if name not in WHO_MAY]
    assert not missing, f"add these commands to WHO_MAY (and, if reserved, to EXAMPLES): {missing}"
    reserved_without_example = [name for name in commands if WHO_MAY[name] != ANYONE and name not in EXAMPLES]
    assert not reserved_without_example, f"add example options to EXAMPLES for: {reserved_without_example}"


async def test_reserved_commands_refuse_everyone_else_and_change_nothing(
    emulator: Emulator, world: World, bot: CwtchBot, database: AsyncEngine
) -> None:
    await create_dom_series(emulator, world)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    other_role = int(emulator.create_role(world.guild_id, "Volunteers", position=1)["id"])
    ids = {
        "series": str((await bot.services.series.listing(world.guild_id, facilitator_actor(world)))[0].id),
        "session": str(occurrence_of(message)),
        "general": world.general,
        "resources": world.resources,
        "other_role": other_role,
    }
    # Holding one role grants nothing reserved to another; a plain member holds none.
    not_allowed = {
        ADMIN: [world.member, world.facilitator, world.coordinator],
        FACILITATOR: [world.member, world.coordinator],
        COORDINATOR: [world.member, world.facilitator],
    }
    checked = 0
    for name in synced(emulator, world):
        needs = WHO_MAY[name]
        if needs == ANYONE:
            continue
        options = {key: _fill(value, ids) for key, value in EXAMPLES[name].items()}
        for user in not_allowed[needs]:
            await assert_refused_and_unchanged(
                emulator,
                bot,
                database,
                lambda name=name, user=user, options=options: emulator.slash(world.guild_id, user, name, options),
                REFUSAL[needs],
                f"/{name} by user {user}",
            )
            checked += 1
    assert checked >= 30
    # The example options are real: someone allowed is not refused (here the series list, read-only).
    allowed = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    assert "Peer support" in visible_text(allowed)


async def test_series_list_is_for_facilitators(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    await create_dom_series(emulator, world)
    refused = await emulator.slash(world.guild_id, world.member, "series list", {})
    assert refused.ephemeral and "Only facilitators" in visible_text(refused)
    assert "Peer support" not in visible_text(refused)
    for user in (world.facilitator, world.admin):
        listing = await emulator.slash(world.guild_id, user, "series list", {"cohort": "Domiciliary care managers"})
        assert "Peer support" in visible_text(listing)


async def test_review_buttons_refuse_members_and_change_nothing(
    emulator: Emulator, world: World, bot: CwtchBot, database: AsyncEngine
) -> None:
    suggested = await emulator.slash(
        world.guild_id,
        world.member,
        "resource suggest",
        {
            "title": "Coping with night shifts",
            "url": "https://www.example.org/night-shifts",
            "summary": "Practical ideas for sleeping well between shifts.",
            "tags": "Mental health",
        },
    )
    assert "review" in visible_text(suggested)
    [card] = [m for m in emulator.messages(world.facilitators_channel) if m.get("components")]
    buttons = [c["custom_id"] for row in card["components"] for c in row.get("components") or []]
    review = [b for b in buttons if b.startswith(("cwtch:res:approve:", "cwtch:res:decline:"))]
    assert len(review) == 2, buttons
    for custom_id in review:
        for user in (world.member, world.coordinator):
            await assert_refused_and_unchanged(
                emulator,
                bot,
                database,
                lambda custom_id=custom_id, user=user: emulator.click(world.guild_id, user, card["id"], custom_id),
                REFUSAL[FACILITATOR],
                f"{custom_id} by user {user}",
            )


async def test_edit_signposting_refuses_someone_no_longer_an_admin(
    emulator: Emulator, world: World, bot: CwtchBot, database: AsyncEngine
) -> None:
    # Only admins are shown the button; a member who was an admin when it was shown is checked again on click.
    [admins] = emulator.member_roles(world.guild_id, world.admin)
    emulator.set_member_roles(world.guild_id, world.member, [admins])
    shown = await emulator.slash(world.guild_id, world.member, "support", {})
    assert "cwtch:support:edit" in shown.custom_ids()
    emulator.set_member_roles(world.guild_id, world.member, [])
    await assert_refused_and_unchanged(
        emulator,
        bot,
        database,
        lambda: emulator.click(world.guild_id, world.member, shown.message["id"], "cwtch:support:edit"),
        REFUSAL[ADMIN],
        "cwtch:support:edit by a member",
    )


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value
