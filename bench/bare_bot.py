"""The floor of bench/interactions.py: a bare discord.py bot, in a process of its own as Cwtch is, with the commands
of the bursts (same names and options, not synced: the emulator keeps Cwtch's), answering each the cheapest way:
one short message, or, for the kinds Cwtch defers, a deferral and one follow-up.

    python bench/bare_bot.py

Settings come from the environment, as for ``tests/e2e/bot_process.py``: DISCORD_TOKEN, DISCORD_API_BASE_URL, the
emulator's BARE_GATEWAY_URL, BARE_DEFERRED (the kinds to defer, separated by commas), BARE_GC (``tuned``: the garbage
collector set as ``cwtch run`` sets it; otherwise Python's defaults) and CWTCH_TEST_PARENT_PID.
Prints ``ready <pid>`` once connected; SIGTERM closes it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from feedback_submit import BareForm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.heap import Heap
from tests.e2e.bot_process import until_orphaned

COHORT = "Cohort 1"


def bare_client(deferred: set[str]) -> discord.Client:
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)

    async def answer(interaction: discord.Interaction[Any], kind: str) -> None:
        if kind in deferred:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("Done", ephemeral=True)
        else:
            await interaction.response.send_message("Done", ephemeral=True)

    class Form(BareForm):
        async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
            await answer(interaction, "survey submit")

    @tree.command(name="support", description="bare")
    async def support(interaction: discord.Interaction[Any]) -> None:
        await answer(interaction, "/support")

    @tree.command(name="ground-rules", description="bare")
    async def ground_rules(interaction: discord.Interaction[Any]) -> None:
        await answer(interaction, "/ground-rules")

    session = app_commands.Group(name="session", description="bare")
    cohort = app_commands.Group(name="cohort", description="bare")
    resource = app_commands.Group(name="resource", description="bare")
    feedback = app_commands.Group(name="feedback", description="bare")

    async def cohorts(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=COHORT, value=COHORT)]

    @session.command(name="list", description="bare")
    @app_commands.autocomplete(cohort=cohorts)
    async def session_list(interaction: discord.Interaction[Any], cohort: str | None = None) -> None:
        await answer(interaction, "/session list")

    @cohort.command(name="list", description="bare")
    async def cohort_list(interaction: discord.Interaction[Any]) -> None:
        await answer(interaction, "/cohort list")

    @resource.command(name="search", description="bare")
    async def resource_search(interaction: discord.Interaction[Any], query: str, tag: str | None = None) -> None:
        await answer(interaction, "/resource search")

    @feedback.command(name="give", description="bare")
    async def give(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_modal(Form())

    for group in (session, cohort, resource, feedback):
        tree.add_command(group)

    @client.event
    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        if interaction.type is discord.InteractionType.component:
            custom_id = str((interaction.data or {}).get("custom_id", ""))
            await answer(interaction, "RSVP click" if custom_id.startswith("cwtch:rsvp:") else "check-in click")

    return client


async def run(env: dict[str, str]) -> None:
    discord.http.Route.BASE = env["DISCORD_API_BASE_URL"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(env["BARE_GATEWAY_URL"])
    client = bare_client({kind for kind in env.get("BARE_DEFERRED", "").split(",") if kind})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await client.login(env["DISCORD_TOKEN"])
    runner = asyncio.create_task(client.connect())
    await asyncio.wait_for(client.wait_until_ready(), timeout=30)
    heap = Heap()
    if env.get("BARE_GC") == "tuned":  # the collector set as ``cwtch run`` sets it once ready
        await heap.settle()
    sys.stdout.write(f"ready {os.getpid()}\n")
    sys.stdout.flush()
    parent = int(env.get("CWTCH_TEST_PARENT_PID") or os.getppid())
    ending = {asyncio.create_task(stop.wait()), asyncio.create_task(until_orphaned(parent))}
    await asyncio.wait({runner, *ending}, return_when=asyncio.FIRST_COMPLETED)
    for task in ending:
        task.cancel()
    heap.close()
    await client.close()
    await runner


if __name__ == "__main__":
    asyncio.run(run(dict(os.environ)))
