"""Runs the demo: a migrated temporary SQLite database, the emulator on 127.0.0.1 with the demo's server, the
real bot pointed at it on a clock the story can move forward, then the story; afterwards the report's chart, its
CSV and the transcript are written (the files keep the names Cwtch gave them)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import discord

from bot.app import build_bot
from bot.db.migrate import upgrade_to_head
from bot.demo.clock import DemoClock
from bot.demo.stage import DemoError, Stage, build_server
from bot.demo.story import CHART, MIN_GROUP, SURVEY_OPEN, TABLE, ZONE, Report, play
from bot.emulator import Emulator
from bot.settings import Settings, load_settings

__all__ = ["DemoError", "DemoResult", "run_demo"]

log = logging.getLogger(__name__)
TOKEN = "cwtch-demo-token"  # the emulator's; no real token is needed or read
TRANSCRIPT = "transcript.txt"


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    chart: Path
    table: Path
    transcript: Path
    seconds: float


async def run_demo(out_dir: Path, emit: Callable[[str], None]) -> DemoResult:
    """Play the story, passing each transcript line to ``emit``; write the report's files to ``out_dir``.

    Raises :class:`DemoError` when a step does not go as the story expects."""
    began = time.monotonic()
    lines: list[str] = []

    def write(line: str) -> None:
        lines.append(line)
        emit(line)

    # discord.py keeps its endpoints on classes; the demo points them at the emulator and puts them back.
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    work = Path(tempfile.mkdtemp(prefix="cwtch-demo-db-"))
    try:
        await asyncio.to_thread(upgrade_to_head, _database_url(work))
        async with Emulator(token=TOKEN) as emu:
            server = build_server(emu)
            settings = _settings(emu.api_base, work)
            clock = DemoClock()
            bot = build_bot(settings, guild_ready_timeout=0.2, clock=clock)

            async def run_due() -> None:
                # The scheduler's 30-second tick, now: after any tick it started by itself, and until all is done.
                await bot.runtime.idle()
                await bot.runtime.tick()
                await bot.runtime.idle()

            stage = Stage(emu, server, write, ZONE, clock=clock, run_due=run_due)
            _introduce(stage)
            runner = asyncio.create_task(bot.start(TOKEN))
            try:
                await _until_ready(bot, runner, emu)
                report = await play(stage)
            finally:
                await bot.close()
                await asyncio.wait_for(runner, timeout=15)
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
        shutil.rmtree(work, ignore_errors=True)
    chart, table, transcript = await asyncio.to_thread(_write, out_dir, report, lines)
    return DemoResult(out_dir, chart, table, transcript, time.monotonic() - began)


def _database_url(work: Path) -> str:
    return f"sqlite+aiosqlite:///{work / 'cwtch-demo.db'}"


def _settings(api_base: str, work: Path) -> Settings:
    return load_settings(
        {
            "DISCORD_TOKEN": TOKEN,
            "DATABASE_URL": _database_url(work),
            # Set before the bot is built: every REST call and the gateway URL go to the emulator.
            "DISCORD_API_BASE_URL": api_base,
            "SECRET_KEY_FILE": str(work / "cwtch-demo.key"),
            # What the story tells the reader, set here so that it holds whatever the defaults become.
            "SURVEY_OPEN_DAYS": str(SURVEY_OPEN.days),
            "FEEDBACK_MIN_GROUP": str(MIN_GROUP),
        }
    )


def _write(out_dir: Path, report: Report, lines: list[str]) -> tuple[Path, Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    chart, table, transcript = out_dir / CHART, out_dir / TABLE, out_dir / TRANSCRIPT
    chart.write_bytes(report.chart)
    table.write_bytes(report.table)
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return chart, table, transcript


async def _until_ready(bot: discord.Client, runner: asyncio.Task[None], emu: Emulator) -> None:
    async with asyncio.timeout(30):
        while not bot.is_ready():
            if runner.done():
                runner.result()  # raises what stopped the bot
                raise DemoError("the bot stopped before it was ready")
            await asyncio.sleep(0.02)
    await emu.wait_ready(timeout=15)


def _introduce(stage: Stage) -> None:
    server = stage.server
    stage.say("Cwtch demo")
    stage.say("A local stand-in for Discord runs on 127.0.0.1 with the real Cwtch bot on a fresh, temporary database.")
    stage.say("Nothing here reaches discord.com. Times are shown as a member in the UK sees them.")
    stage.say()
    stage.say(f"The server {server.name}:")
    stage.say(f"{server.admin.name} is an admin, {server.facilitator.name} facilitates the sessions,", 2)
    stage.say(f"{server.coordinator.name} coordinates the programme and reads its reports.", 2)
    dom = ", ".join(p.name for p in server.dom_managers)
    home = " and ".join(p.name for p in server.home_managers)
    stage.say(f"Domiciliary care managers: {dom}.", 2)
    stage.say(f"Care home managers: {home}.", 2)
