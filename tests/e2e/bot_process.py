"""The real Cwtch bot in a process of its own, for tests and benchmarks that kill it (``kill -9``) and start another.

    python -m tests.e2e.bot_process

Built like ``tests/e2e/conftest.py``'s ``start_bot`` builds the in-process bot (``bot.app.build_bot`` from
``load_settings`` of the environment: DISCORD_TOKEN, DATABASE_URL, DISCORD_API_BASE_URL, SECRET_KEY_FILE, ...),
plus variables for tests only:

- ``CWTCH_TEST_NOW``: an aware ISO time the bot's clock is pinned at (a ``FakeClock``), so that a world prepared
  on a test's clock lines up; the real clock when unset.
- ``CWTCH_TEST_PARENT_PID``: the process is the test's; when that dies, this one exits rather than linger.
- ``CWTCH_TEST_GC_PAUSES``: a file to which each garbage collector pass over 3 ms is appended, as
  ``<time.time()> <generation> <seconds>`` (bench/interactions.py matches them to its bursts).

Logs go to stderr, which the parent sends to a file; stdout carries one line, ``ready <pid>``, once the bot is
ready (guilds loaded, scheduler started), then ``ticked`` after each scheduler tick asked for with SIGUSR1 (what a
command that changed the schedule would set off; a benchmark uses it to set exact jobs at once). SIGTERM or SIGINT
shuts the bot down cleanly.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from bot.app import build_bot, utc_now
from bot.heap import Heap
from bot.settings import load_settings
from bot.ui.client import CwtchBot
from tests.fakes import FakeClock

log = logging.getLogger("cwtch.test_process")


def clock_from(env: Mapping[str, str]) -> Callable[[], datetime]:
    raw = env.get("CWTCH_TEST_NOW", "").strip()
    if not raw:
        return utc_now
    now = datetime.fromisoformat(raw)
    if now.tzinfo is None:
        raise SystemExit(f"CWTCH_TEST_NOW must carry a time zone, got {raw!r}")
    return FakeClock(now)


async def _announce_ready(bot: CwtchBot) -> None:
    await bot.wait_until_ready()
    for _ in range(500):  # on_ready starts the scheduler, just after wait_until_ready returns
        if bot.runtime.started:
            break
        await asyncio.sleep(0.01)
    log.info("bot process %d is ready", os.getpid())
    sys.stdout.write(f"ready {os.getpid()}\n")
    sys.stdout.flush()


async def _tick_when_asked(bot: CwtchBot, asked: asyncio.Event) -> None:
    """On each SIGUSR1: wait for the scheduler's running work, run a tick, wait again, and say ``ticked``."""
    while True:
        await asked.wait()
        asked.clear()
        await bot.runtime.idle()
        await bot.runtime.tracked(bot.runtime.tick())
        await bot.runtime.idle()
        sys.stdout.write("ticked\n")
        sys.stdout.flush()


def log_collector_pauses(path: str, *, longer_than: float = 0.003) -> None:
    """Append each garbage collector pass longer than ``longer_than`` seconds to ``path``."""
    started = 0.0

    def note(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
            return
        took = time.perf_counter() - started
        if took > longer_than:
            with open(path, "a", encoding="utf-8") as pauses:
                pauses.write(f"{time.time():.3f} {info['generation']} {took:.4f}\n")

    gc.callbacks.append(note)


async def until_orphaned(parent: int) -> None:
    """Return when the process that started this one is gone (it was then re-parented)."""
    while True:
        await asyncio.sleep(0.5)
        if os.getppid() != parent:
            break
    log.warning("the test process %d is gone; stopping", parent)


async def run(env: Mapping[str, str]) -> None:
    settings = load_settings(env)
    assert settings.discord_token is not None, "DISCORD_TOKEN is not set"
    clock = clock_from(env)
    parent = int(env.get("CWTCH_TEST_PARENT_PID") or os.getppid())
    log.info("bot process %d starting; clock %s", os.getpid(), env.get("CWTCH_TEST_NOW") or "real")
    bot = build_bot(settings, guild_ready_timeout=0.1, clock=clock)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tick_asked = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, tick_asked.set)
    heap = Heap()
    bot.add_listener(heap.settle, "on_ready")  # as ``cwtch run`` does
    if env.get("CWTCH_TEST_GC_PAUSES"):
        log_collector_pauses(env["CWTCH_TEST_GC_PAUSES"])
    async with bot:
        runner = asyncio.create_task(bot.start(settings.discord_token))
        ready = asyncio.create_task(_announce_ready(bot))
        ticking = asyncio.create_task(_tick_when_asked(bot, tick_asked))
        ending = {asyncio.create_task(stop.wait()), asyncio.create_task(until_orphaned(parent))}
        await asyncio.wait({runner, *ending}, return_when=asyncio.FIRST_COMPLETED)
        for task in (ready, ticking, *ending):
            task.cancel()
        heap.close()
        await bot.close()
        await runner  # re-raises what made the bot stop, if anything
    log.info("bot process %d stopped", os.getpid())


def main() -> None:
    env = dict(os.environ)
    logging.basicConfig(
        level=env.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(process)d %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    asyncio.run(run(env))


if __name__ == "__main__":
    main()
