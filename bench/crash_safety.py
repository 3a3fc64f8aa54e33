"""Crash safety: the bot, in a child process, is killed with SIGKILL (``kill -9``: no shutdown code runs) in the
middle of the two busiest moments of a session's end, and another process takes over the same database.

1. The survey fan-out: the scheduled "send survey" action DMs every attendee (300) through the emulator with
   Discord's global limit of 50 requests/s; the bot is killed after some DMs went out. The next process takes the
   action over once the dead one's claim lease has run out, and sends again with the same message nonce, which
   Discord (and the emulator) answer with the message already sent. Figures: attendees with 0, 1, more than 1
   survey DM.
2. A burst of survey submits: the 300 attendees open the form from that DM, then all submit at once; the bot is
   killed part way (at the first thanks, or some milliseconds after the submits went: late by however long the
   emulator, in this process, keeps the loop busy, so the actual moment is printed). Figures: acknowledged before
   the kill, stored, acknowledged but not stored (must be 0), stored twice (must be 0: one response per member and
   session). After a restart, every member whose submit was not acknowledged submits again on the form still open
   on their screen, as a person would; then all must be stored. One burst per kill moment.

The processes' clocks are pinned (``CWTCH_TEST_NOW``). The claim lease is ``LEASE`` in ``bot/domain/actions.py``
(2 minutes, a constant, not a setting), measured on the bot's clock: the process that takes over is started with
its clock 3 minutes on, as if the restart took that long, so the bench need not wait. The emulator remembers
nonces for 5 minutes of real time, as Discord does for "a few minutes".

    .venv/bin/python bench/crash_safety.py [--attendees 300] [--kill-after-dms 100]
        [--kill-at 1st,150ms,300ms,450ms,600ms,750ms] [--postgres postgresql+asyncpg://user@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import (
    TOKEN,
    bot_processes,
    drop_temp_database,
    make_people,
    requests_with_nonce,
    seed_sessions,
    temp_database,
)
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine
from bot.db.models import Action, Attendance, FeedbackResponse, Occurrence, Survey
from bot.domain.actions import LEASE, nonce
from bot.domain.feedback import pseudonym
from bot.emulator import Emulator
from bot.secret_key import load_or_create_key

if TYPE_CHECKING:
    from tests.e2e.processes import BotProcess, BotProcesses


async def ended_session(url: str, guild_id: int, channel_id: int, people: list[int], now: datetime) -> tuple[int, int]:
    """A session that ended a minute before ``now``, attended by ``people``, whose "send survey" action is still
    pending (due at its end). Returns the session and that action."""
    end = now - timedelta(minutes=1)
    seeded = await seed_sessions(
        url,
        guild_channels=[(guild_id, channel_id)],
        starts=[end - timedelta(minutes=60)],
        pending_kinds={"send_survey"},
        now=end - timedelta(seconds=1),
    )
    [occurrence] = seeded.occurrence_ids
    [action_id] = seeded.action_due
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(update(Occurrence).where(Occurrence.id == occurrence).values(state="closed"))
        await connection.execute(
            insert(Attendance),
            [
                {
                    "guild_id": guild_id,
                    "occurrence_id": occurrence,
                    "user_id": user,
                    "present": True,
                    "source": "voice",
                    "recorded_at": end,
                }
                for user in people
            ],
        )
    await engine.dispose()
    return occurrence, action_id


def survey_dms(emu: Emulator, user: int, occurrence: int) -> list[dict[str, Any]]:
    return [m for m in emu.dm_messages(user) if f"cwtch:feedback:{occurrence}" in str(m.get("components"))]


def delivered(emu: Emulator, tag: str, since: float = 0.0) -> list[Any]:
    """Message requests carrying this nonce that Discord answered with a message (a new one or the earlier one)."""
    return [r for r in requests_with_nonce(emu) if r.json["nonce"] == tag and r.status == 200 and r.at >= since]


async def action_state(engine: AsyncEngine, action_id: int) -> tuple[str, int]:
    async with engine.connect() as connection:
        row = (await connection.execute(select(Action.state, Action.attempts).where(Action.id == action_id))).one()
    return str(row[0]), int(row[1])


async def fan_out(
    emu: Emulator,
    bots: BotProcesses,
    engine: AsyncEngine,
    people: list[int],
    occurrence: int,
    action_id: int,
    now: datetime,
    kill_after: int,
) -> BotProcess:
    """Kill the bot mid fan-out, start another; print how many survey DMs each attendee got. Returns the bot."""
    tag = nonce(action_id)
    first = await bots.start(now=now)  # its first tick claims the overdue "send survey" and starts the DMs
    began = time.monotonic()
    while len(delivered(emu, tag)) < kill_after:
        if time.monotonic() - began > 120:
            raise AssertionError(f"fewer than {kill_after} survey DMs after 120 s")
        await asyncio.sleep(0.005)
    await bots.kill(first)
    at_kill = sum(1 for user in people if survey_dms(emu, user, occurrence))
    state, _ = await action_state(engine, action_id)
    print(f"killed after {at_kill} of {len(people)} survey DMs had gone out; the action is left {state!r}")

    restarted = time.monotonic()
    second = await bots.start(now=now + LEASE + timedelta(minutes=1))  # the dead process's lease has run out
    while (await action_state(engine, action_id))[0] != "done":
        if time.monotonic() - restarted > 180:
            raise AssertionError(f"the restarted bot did not finish the fan-out in 180 s:\n{second.tail()}")
        await asyncio.sleep(0.2)
    finished = time.monotonic() - restarted
    before = {r.response["id"] for r in delivered(emu, tag) if r.at < restarted}
    sends = delivered(emu, tag, since=restarted)
    repeated = sum(1 for r in sends if r.response["id"] in before)
    state, attempts = await action_state(engine, action_id)
    print(
        f"restarted: the new process took the action over and finished it in {finished:.1f} s ({state}, "
        f"{attempts} claims); it sent {len(sends)} survey DMs with the action's nonce, and {repeated} of them were "
        "answered with the message sent before the kill"
    )
    counts = Counter(min(len(survey_dms(emu, user, occurrence)), 2) for user in people)
    print(
        f"attendees with 0 survey DMs: {counts[0]}, with 1: {counts[1]}, with more than 1: {counts[2]} "
        f"(of {len(people)})"
    )
    return second


def answers_of(index: int) -> dict[str, object]:
    """Each member's own answers, so that what is stored can be checked against what they sent."""
    return {
        "supported": str(1 + index % 5),
        "supported_others": str(1 + index // 5 % 5),
        "less_isolated": str(1 + index // 25 % 5),
        "comment": "",
    }


def acknowledged(result: Any) -> bool:
    """The member read the thanks (a submit left unanswered ends in the emulator's timeout error)."""
    return not isinstance(result, BaseException) and any(word in result.content for word in ("saved", "updated"))


def acknowledged_so_far(submits: Sequence[asyncio.Future[Any]]) -> int:
    return sum(1 for s in submits if s.done() and s.exception() is None and acknowledged(s.result()))


async def kill_point(kill_at: str, submits: Sequence[asyncio.Future[Any]]) -> None:
    """Return at the moment to kill: ``40ms`` after the submits were sent, or at the ``1st`` (``Nth``) thanks."""
    if kill_at.endswith("ms"):
        await asyncio.wait(submits, timeout=int(kill_at.removesuffix("ms")) / 1000)
        return
    wanted = int(kill_at.rstrip("stndrh"))
    enough = asyncio.Event()  # set in the same moment the wanted-th member reads the thanks

    def check(_: asyncio.Future[Any]) -> None:
        if acknowledged_so_far(submits) >= wanted or all(s.done() for s in submits):
            enough.set()

    for submit in submits:
        submit.add_done_callback(check)
    await enough.wait()


async def stored(engine: AsyncEngine, occurrence: int) -> tuple[dict[str, list[tuple[int, int, int]]], int]:
    """Rows per pseudonym with their answers, and the survey's running tally of responses."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(
                FeedbackResponse.pseudonym,
                FeedbackResponse.supported,
                FeedbackResponse.supported_others,
                FeedbackResponse.less_isolated,
            ).where(FeedbackResponse.occurrence_id == occurrence)
        )
        by_member: dict[str, list[tuple[int, int, int]]] = {}
        for key, *answers in rows.tuples():
            by_member.setdefault(key, []).append((answers[0], answers[1], answers[2]))
        tally = (await connection.execute(select(Survey.responses).where(Survey.occurrence_id == occurrence))).scalar()
    return by_member, int(tally or 0)


@dataclass
class Round:
    killed_after_ms: float = 0.0
    acknowledged: int = 0
    stored: int = 0
    tally: int = 0
    acknowledged_not_stored: int = 0
    stored_not_acknowledged: int = 0
    stored_twice: int = 0
    resubmitted: int = 0
    reacknowledged: int = 0
    stored_after: int = 0
    tally_after: int = 0
    stored_twice_after: int = 0


async def forget_answers(engine: AsyncEngine, occurrence: int) -> None:
    """Start a round from a survey nobody has answered yet."""
    async with engine.begin() as connection:
        await connection.execute(delete(FeedbackResponse).where(FeedbackResponse.occurrence_id == occurrence))
        await connection.execute(
            update(Survey)
            .where(Survey.occurrence_id == occurrence)
            .values(responses=0, agreed_supported=0, agreed_supported_others=0, agreed_less_isolated=0)
        )


async def submit_burst(
    emu: Emulator,
    bots: BotProcesses,
    running: BotProcess,
    engine: AsyncEngine,
    guild_id: int,
    people: list[int],
    occurrence: int,
    now: datetime,
    kill_at: str,
) -> tuple[Round, BotProcess]:
    """Everyone opens the form, everyone submits, SIGKILL at ``kill_at``; restart; those left without thanks submit
    again on the form they still have open. Returns the figures and the running bot."""
    figures = Round()
    await forget_answers(engine, occurrence)
    custom_id = f"cwtch:feedback:{occurrence}"
    dm_of = {user: survey_dms(emu, user, occurrence)[0]["id"] for user in people}
    gate = asyncio.Semaphore(10)  # people open the form over a while; only the submits come all at once

    async def open_form(user: int) -> Any:
        async with gate:
            return await emu.click(guild_id, user, dm_of[user], custom_id)

    opened = await asyncio.gather(*(open_form(user) for user in people))
    refused = [o for o in opened if o.modal is None]
    assert not refused, [o.content for o in refused[:3]]
    expected = {user: answers_of(index) for index, user in enumerate(people)}
    key = load_or_create_key(str(bots.key_file))
    member_of = {pseudonym(key, user, occurrence): user for user in people}

    async def look() -> tuple[set[int], int, int]:
        """Members stored with the answers they sent; the survey's tally; members stored more than once."""
        rows, tally = await stored(engine, occurrence)
        saved = {member_of[k] for k, answers in rows.items() if answers[-1] == sent(expected[member_of[k]])}
        return saved, tally, sum(1 for answers in rows.values() if len(answers) > 1)

    sent_at = time.monotonic()
    submits = [
        asyncio.ensure_future(emu.submit_modal(guild_id, user, form, expected[user], timeout=6))
        for user, form in zip(people, opened, strict=True)
    ]
    await kill_point(kill_at, submits)
    figures.killed_after_ms = (time.monotonic() - sent_at) * 1000
    await bots.kill(running)
    results = await asyncio.gather(*submits, return_exceptions=True)
    acked = {user for user, result in zip(people, results, strict=True) if acknowledged(result)}
    saved, figures.tally, figures.stored_twice = await look()
    figures.acknowledged, figures.stored = len(acked), len(saved)
    figures.acknowledged_not_stored, figures.stored_not_acknowledged = len(acked - saved), len(saved - acked)

    restarted = await bots.start(now=now + LEASE + timedelta(minutes=1 + len(bots.started)))
    again = [(user, form) for user, form in zip(people, opened, strict=True) if user not in acked]
    for _, form in again:
        # Discord keeps a form open when its submit went unanswered, and the person presses Submit again; the
        # emulator takes one submit per form unless told otherwise.
        emu.interactions.by_id[form.id].modal_submitted = False
    retried = await asyncio.gather(
        *(emu.submit_modal(guild_id, user, form, expected[user]) for user, form in again), return_exceptions=True
    )
    figures.resubmitted, figures.reacknowledged = len(again), sum(1 for r in retried if acknowledged(r))
    saved, figures.tally_after, figures.stored_twice_after = await look()
    figures.stored_after = len(saved)
    return figures, restarted


def sent(answers: dict[str, object]) -> tuple[int, int, int]:
    return (int(str(answers["supported"])), int(str(answers["supported_others"])), int(str(answers["less_isolated"])))


def print_rounds(people: int, kills: list[str], rounds: list[Round]) -> None:
    print(f"submit bursts of {people}: everyone opens the form, all submit at once, SIGKILL at the given moment")
    print(
        "  columns: when killed (ms after the submits were sent); before the restart: acknowledged, stored (with "
        "the answers sent), survey tally, acknowledged but not stored (must be 0), stored but not acknowledged, "
        "stored twice (must be 0); after it: submitted again, acknowledged, stored, tally, stored twice"
    )
    print(
        f"  {'kill at':>7} {'ms':>5} | {'acked':>5} {'stored':>6} {'tally':>5} {'ack!st':>6} {'st!ack':>6} "
        f"{'twice':>5} | {'again':>5} {'acked':>5} {'stored':>6} {'tally':>5} {'twice':>5}"
    )
    for kill, r in zip(kills, rounds, strict=True):
        print(
            f"  {kill:>7} {r.killed_after_ms:>5.0f} | {r.acknowledged:>5} {r.stored:>6} {r.tally:>5} "
            f"{r.acknowledged_not_stored:>6} {r.stored_not_acknowledged:>6} {r.stored_twice:>5} | "
            f"{r.resubmitted:>5} {r.reacknowledged:>5} {r.stored_after:>6} {r.tally_after:>5} {r.stored_twice_after:>5}"
        )
    lost = sum(r.acknowledged_not_stored for r in rounds)
    twice = sum(r.stored_twice + r.stored_twice_after for r in rounds)
    complete = sum(1 for r in rounds if r.stored_after == r.tally_after == people)
    print(
        f"  in all: acknowledged but not stored {lost}, stored twice {twice}; all {people} stored after "
        f"resubmission in {complete} of {len(rounds)} rounds"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=300)
    parser.add_argument("--kill-after-dms", type=int, default=100, help="survey DMs sent before the first kill")
    parser.add_argument(
        "--kill-at",
        default="1st,150ms,300ms,450ms,600ms,750ms",
        help="one burst per moment to kill: at the Nth thanks (1st, 50th) or some ms after the submits were sent",
    )
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (…/postgres); SQLite when not given")
    args = parser.parse_args()

    emu = Emulator(token=TOKEN, global_rate_limit=50)
    await emu.start()
    guild_id = int(emu.create_guild("Care Org")["id"])
    channel = int(emu.create_channel(guild_id, "dom-care")["id"])
    people = make_people(emu, guild_id, args.attendees)
    url = await temp_database(args.postgres)
    now = datetime.now(UTC).replace(microsecond=0)
    occurrence, action_id = await ended_session(url, guild_id, channel, people, now)
    engine = create_engine(url)
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; {len(people)} attendees of one ended session")
    try:
        async with bot_processes(emu, url, Path(tempfile.mkdtemp(prefix="cwtch-crash-"))) as bots:
            print("-- kill -9 mid survey fan-out (emulator global limit 50 requests/s)")
            running = await fan_out(emu, bots, engine, people, occurrence, action_id, now, args.kill_after_dms)
            print("-- kill -9 mid burst of survey submits")
            kills, rounds = args.kill_at.split(","), []
            for kill in kills:
                figures, running = await submit_burst(
                    emu, bots, running, engine, guild_id, people, occurrence, now, kill
                )
                rounds.append(figures)
            print_rounds(len(people), kills, rounds)
        print(f"{len(bots.started)} bot processes; logs in {bots.folder}")
    finally:
        await engine.dispose()
        await emu.stop()
        await drop_temp_database(url, args.postgres)


if __name__ == "__main__":
    asyncio.run(main())
