"""Small readers of what a user saw in an interaction response."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator import Emulator
    from tests.e2e.conftest import World


def visible_text(result: Any) -> str:
    """Content plus every embed's title, description, field names and values, footer: what a user reads."""
    message = result.message or {}
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        for field in embed.get("fields", []):
            parts += [field.get("name", ""), field.get("value", "")]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(part for part in parts if part)


async def create_seed_cohorts(emu: Emulator, world: World) -> None:
    dom = await emu.slash(
        world.guild_id,
        world.facilitator,
        "cohort create",
        {
            "name": "Domiciliary care managers",
            "description": "Fortnightly peer support for managers of home care services",
            "channel": world.dom_channel,
            "role": world.dom_role,
        },
    )
    assert dom.ephemeral
    assert "Cohort created: Domiciliary care managers" in visible_text(dom)
    home = await emu.slash(
        world.guild_id,
        world.facilitator,
        "cohort create",
        {
            "name": "Care home managers",
            "description": "Peer support every other month for care home managers",
            "channel": world.home_channel,
            "role": world.home_role,
            "timezone": "Europe/London",
        },
    )
    assert "Cohort created: Care home managers" in visible_text(home)


def command_leaves(tree: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]], int]]:
    """``(qualified name, options, type)`` of every command: slash leaves, and menus (type 2 or 3)."""
    found: list[tuple[str, list[dict[str, Any]], int]] = []

    def walk(prefix: str, node: dict[str, Any]) -> None:
        options = node.get("options") or []
        subs = [o for o in options if o.get("type") in (1, 2)]  # subcommands and their groups
        if not subs:
            found.append((prefix, options, 1))
        for sub in subs:
            walk(f"{prefix} {sub['name']}", sub)

    for command in tree:
        if command.get("type", 1) == 1:
            walk(command["name"], command)
        else:
            found.append((command["name"], [], int(command["type"])))
    return sorted(found)
