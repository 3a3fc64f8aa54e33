"""Lateness benchmark: 1,000 reminder actions falling due within the same minute, run by the real bot's
scheduler (reconcile tick + exact jobs) against the emulator. For each, the delay from its due time to the
emulator receiving its DM; also that none is lost and none sent twice. Target (issue 3): p99 under 5 s.

    .venv/bin/python bench/reminder_lateness.py [--actions 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from harness import make_people, requests_with_nonce, seed_sessions, start_bot, stop_bot, summary, temp_database

from bot.domain.actions import nonce
from bot.emulator import Emulator


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=1000)
    args = parser.parse_args()

    emu = Emulator(token="bench-token")
    await emu.start()
    guilds = []
    for number in range(10):
        guild_id = int(emu.create_guild(f"Care Org {number}")["id"])
        guilds.append((guild_id, int(emu.create_channel(guild_id, "peer-support")["id"])))
    people = make_people(emu, guilds[0][0], args.actions)
    url = await temp_database()
    now = datetime.now(UTC)
    first_due = now + timedelta(seconds=45)  # after start-up; the minute then spans two reconcile ticks
    starts = [first_due + timedelta(hours=1, seconds=60 * i / args.actions) for i in range(args.actions)]
    seeded = await seed_sessions(
        url,
        guild_channels=guilds,
        starts=starts,
        rsvps=[[user] for user in people],
        pending_kinds={"remind_1h"},
        now=now,
    )
    due_by_nonce = {nonce(action_id): due for action_id, due in seeded.action_due.items()}
    bot, task = await start_bot(emu, url)
    # Map the emulator's monotonic clock onto wall time.
    offset = datetime.now(UTC).timestamp() - time.monotonic()
    try:
        deadline = time.monotonic() + 180
        while len({r.json["nonce"] for r in requests_with_nonce(emu)}) < args.actions:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # anything sent twice would show now
    finally:
        await stop_bot(bot, task)
    sent = [r for r in requests_with_nonce(emu) if r.status == 200 and r.json["nonce"] in due_by_nonce]
    counts = Counter(r.json["nonce"] for r in sent)
    lateness = [
        min(r.at for r in sent if r.json["nonce"] == key) + offset - due.timestamp()
        for key, due in due_by_nonce.items()
        if key in counts
    ]
    delivered = sum(1 for user in people if emu.dm_messages(user))
    twice = sum(1 for user in people if len(emu.dm_messages(user)) > 1)
    await emu.stop()
    print(
        f"{args.actions} reminders due within one minute: {len(counts)} sent, {args.actions - delivered} lost, "
        f"{twice} duplicated"
    )
    print(f"lateness after due: {summary(lateness)}; target p99 < 5 s")


if __name__ == "__main__":
    asyncio.run(main())
