"""Fan-out benchmark: the 24-hour reminder of one session to 500 members who said they'd come, through the
emulator with Discord's global limit of 50 requests/s switched on. Target (issue 3): done in under 15 s,
with no storm of 429s. Members' DM channels were opened when they RSVP'd (as the RSVP button does).

    .venv/bin/python bench/fanout.py [--members 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

from harness import make_people, requests_with_nonce, seed_sessions, start_bot, stop_bot, temp_database

from bot.emulator import Emulator


async def one_run(members: int) -> tuple[float, int, int, int]:
    emu = Emulator(token="bench-token", global_rate_limit=50)
    await emu.start()
    guild = emu.create_guild("Care Org")
    guild_id = int(guild["id"])
    channel = int(emu.create_channel(guild_id, "dom-care")["id"])
    people = make_people(emu, guild_id, members)
    url = await temp_database()
    now = datetime.now(UTC)
    start = now + timedelta(hours=24, seconds=2)  # the 24-hour reminder falls due in 2 s
    seeded = await seed_sessions(
        url, guild_channels=[(guild_id, channel)], starts=[start], rsvps=[people], pending_kinds={"remind_24h"}, now=now
    )
    bot, task = await start_bot(emu, url)
    try:
        for user_id in people:  # what the RSVP button does for each member
            await bot.services.rsvp.prepare_reminders(user_id)
        before = len(emu.requests)
        [due] = seeded.action_due.values()
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
        began = time.monotonic()
        while not all(emu.dm_messages(user) for user in people):
            await asyncio.sleep(0.05)
            if time.monotonic() - began > 120:
                raise AssertionError("reminders never all arrived")
        sent = [r for r in requests_with_nonce(emu) if r.status == 200]
        elapsed = max(r.at for r in sent) - began
        limited = sum(1 for r in emu.requests[before:] if r.status == 429)
        duplicates = sum(len(emu.dm_messages(user)) - 1 for user in people)
        return elapsed, len(sent), limited, duplicates
    finally:
        await stop_bot(bot, task)
        await emu.stop()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for run in range(args.runs):
        elapsed, sent, limited, duplicates = await one_run(args.members)
        print(
            f"run {run + 1}: {sent} reminders delivered in {elapsed:.2f} s from due (target < 15 s), "
            f"{limited} answered 429, {duplicates} duplicates"
        )


if __name__ == "__main__":
    asyncio.run(main())
