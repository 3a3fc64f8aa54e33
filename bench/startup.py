"""Start-up benchmark: the real bot (``cwtch run`` in its own process) against the emulator with 1,000 guilds.

Prints the time from launching the process to the bot's "ready" log line, and the bot process's resident
memory once ready. Targets (issue 2): ready within 10 s, under 150 MB.

    .venv/bin/python bench/startup.py [--guilds 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.emulator import Emulator

TOKEN = "bench-token"
READY_MARK = b"ready as "


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def one_run(emu: Emulator, workdir: Path, guilds: int) -> tuple[float, float]:
    env = {
        **os.environ,
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE_URL": emu.api_base,
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "LOG_LEVEL": "INFO",
    }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=workdir, env=env, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    try:
        while True:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
            if not line:
                raise RuntimeError(f"bot exited before ready (code {await process.wait()})")
            if READY_MARK in line:
                elapsed = time.perf_counter() - started
                break
        await asyncio.sleep(0.5)  # let the last GUILD_CREATEs settle before reading memory
        memory = rss_mb(process.pid)
        seen = line.decode().strip().split(" in ")[-1]
        if f"{guilds} guilds" not in seen:
            raise RuntimeError(f"bot saw {seen!r}, expected {guilds} guilds")
        return elapsed, memory
    finally:
        process.terminate()
        await process.wait()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--guilds", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    emu = Emulator(token=TOKEN)
    await emu.start()
    for number in range(args.guilds):
        emu.create_guild(f"Care organisation {number}")
    times, memories = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            elapsed, memory = await one_run(emu, Path(tmp), args.guilds)
            times.append(elapsed)
            memories.append(memory)
            print(f"run {run + 1}: ready in {elapsed:.2f} s, resident memory {memory:.1f} MB")
    await emu.stop()
    print(
        f"startup with {args.guilds} guilds over {args.runs} runs: "
        f"time to ready median {statistics.median(times):.2f} s (max {max(times):.2f} s, target < 10 s); "
        f"resident memory median {statistics.median(memories):.1f} MB (max {max(memories):.1f} MB, target < 150 MB)"
    )


if __name__ == "__main__":
    asyncio.run(main())
