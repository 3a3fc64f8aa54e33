"""Cwtch bots in child processes (``tests/e2e/bot_process.py``) against the in-test emulator: start one, wait
until the emulator sees it ready, kill it with SIGKILL, start the next.

``async with BotProcesses(emulator, database_url, folder) as bots:`` reaps every process it started when the
block ends, however it ends; when the block fails, each process's log is logged (pytest shows it with the
failure) and named in a note on the exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy.engine import make_url

from bot.emulator import Emulator

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "emulated-bot-token"


@dataclass
class BotProcess:
    """One bot process: its name in the test (``bot-1``, ``bot-2``...), the process and its log."""

    name: str
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        """``None`` while it runs; ``-9`` after a SIGKILL."""
        return self.process.returncode

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else "(no log)"

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


class BotProcesses:
    """Starts bot processes on one emulator, database and pseudonym key; each gets the same settings."""

    def __init__(
        self,
        emulator: Emulator,
        database_url: str,
        folder: Path,
        *,
        key_file: Path | None = None,
        token: str = TOKEN,
        env: Mapping[str, str] | None = None,
        ready_timeout: float = 30.0,
        command: Sequence[str] = ("-m", "tests.e2e.bot_process"),
    ) -> None:
        self.emulator = emulator
        self.database_url = database_url
        self.folder = folder
        self.key_file = key_file or default_key_file(database_url, folder)
        self.token = token
        self.env = dict(env or {})
        self.ready_timeout = ready_timeout
        self.command = tuple(command)
        self.started: list[BotProcess] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
        if exc is not None and self.started:
            for bot in self.started:
                log.error("%s (pid %d, exit %s), %s:\n%s", bot.name, bot.pid, bot.returncode, bot.log_path, bot.log())
            exc.add_note("bot process logs: " + ", ".join(str(bot.log_path) for bot in self.started))

    async def start(self, now: datetime | None = None, **env: str) -> BotProcess:
        """Start a bot (its clock pinned at ``now`` when given) and return once it is ready and connected."""
        name = f"bot-{len(self.started) + 1}"
        log_path = self.folder / f"{name}.log"
        child_env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "DISCORD_TOKEN": self.token,
            "DATABASE_URL": self.database_url,
            "DISCORD_API_BASE_URL": self.emulator.api_base,
            "SECRET_KEY_FILE": str(self.key_file),
            "CWTCH_TEST_PARENT_PID": str(os.getpid()),
            **self.env,
            **env,
        }
        if now is not None:
            child_env["CWTCH_TEST_NOW"] = now.isoformat()
        with log_path.open("wb") as output:  # the child keeps its own descriptor
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *self.command,
                cwd=ROOT,
                env=child_env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=output,
            )
        bot = BotProcess(name, process, log_path)
        self.started.append(bot)
        await self._until_ready(bot)
        return bot

    async def _until_ready(self, bot: BotProcess) -> None:
        assert bot.process.stdout is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ready_timeout
        try:
            line = await asyncio.wait_for(bot.process.stdout.readline(), self.ready_timeout)
        except TimeoutError:
            raise AssertionError(f"{bot.name} not ready after {self.ready_timeout:.0f} s:\n{bot.tail()}") from None
        if not line.startswith(b"ready"):  # the end of its output: it died
            await self._reaped(bot, 10.0)
            raise AssertionError(f"{bot.name} exited ({bot.returncode}) before it was ready:\n{bot.tail()}")
        await self.emulator.wait_ready(timeout=max(1.0, deadline - loop.time()))

    async def tick(self, bot: BotProcess, within: float = 60.0) -> None:
        """Have the bot run a scheduler tick now (SIGUSR1), as a command that changed the schedule would, and return
        once it is done and nothing else the scheduler started is running."""
        assert bot.process.stdout is not None
        self._signal(bot, signal.SIGUSR1)
        line = await asyncio.wait_for(bot.process.stdout.readline(), within)
        if not line.startswith(b"ticked"):
            raise AssertionError(f"{bot.name} did not tick ({line!r}):\n{bot.tail()}")

    async def kill(self, bot: BotProcess) -> None:
        """``kill -9``: no shutdown code runs. Returns once the process is reaped and the emulator saw it go."""
        self._signal(bot, signal.SIGKILL)
        await self._reaped(bot, 10.0)
        await self._gateway_gone()

    async def stop(self, bot: BotProcess, grace: float = 20.0) -> None:
        """A clean shutdown (SIGTERM), as a deploy would do; SIGKILL if it takes longer than ``grace``."""
        self._signal(bot, signal.SIGTERM)
        try:
            await self._reaped(bot, grace)
        except TimeoutError:
            await self.kill(bot)

    async def close(self) -> None:
        """SIGKILL whatever still runs and reap every process."""
        for bot in self.started:
            self._signal(bot, signal.SIGKILL)
            await self._reaped(bot, 10.0)

    @staticmethod
    def _signal(bot: BotProcess, sig: signal.Signals) -> None:
        # It may have died already: a test may kill it itself, at an exact moment.
        with contextlib.suppress(ProcessLookupError):
            if bot.returncode is None:
                bot.process.send_signal(sig)

    @staticmethod
    async def _reaped(bot: BotProcess, within: float) -> None:
        await asyncio.wait_for(bot.process.wait(), within)

    async def _gateway_gone(self, within: float = 10.0) -> None:
        """Wait until the emulator has noticed the dead process's socket close."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self.emulator.gateway.all_ready():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"the emulator still sees the killed bot after {within:.0f} s")
            try:
                await self.emulator.gateway.wait_changed(remaining)
            except TimeoutError:
                continue


def default_key_file(database_url: str, folder: Path) -> Path:
    """Next to a SQLite file, like the in-process test bot's; in ``folder`` for PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        return Path(f"{url.database}.key")
    return folder / "cwtch.key"
