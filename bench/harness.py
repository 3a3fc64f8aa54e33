"""Shared set-up for the benchmarks: a migrated database, the emulator with people, the real bot in-process,
and bulk seeding of series, sessions and actions (through the models, as the services would write them)."""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bot.app import build_bot
from bot.db.engine import create_engine
from bot.db.migrate import upgrade_to_head
from bot.db.models import Action, Cohort, DmChannel, Occurrence, Rsvp, Series
from bot.domain.actions import ActionKind, due_times, nonce
from bot.emulator import Emulator
from bot.emulator.interactions import InteractionResult
from bot.settings import load_settings
from bot.ui.client import CwtchBot

if TYPE_CHECKING:
    from tests.e2e.processes import BotProcesses

TOKEN = "bench-token"
T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def summary(values: Sequence[float], unit: str = "s") -> str:
    return (
        f"median {statistics.median(values):.3f} {unit}, p99 {percentile(values, 0.99):.3f} {unit}, "
        f"max {max(values):.3f} {unit} (n={len(values)})"
    )


async def temp_database(postgres: str | None = None) -> str:
    """A migrated database: a SQLite file in a new temporary folder, or, given the URL of a PostgreSQL server's
    ``postgres`` database (``postgresql+asyncpg://user@127.0.0.1:5432/postgres``), a new database on it."""
    if postgres:
        url = (
            make_url(postgres).set(database=f"cwtch_bench_{uuid.uuid4().hex[:8]}").render_as_string(hide_password=False)
        )
        await _postgres_admin(postgres, f'CREATE DATABASE "{make_url(url).database}"')
    else:
        folder = Path(tempfile.mkdtemp(prefix="cwtch-bench-"))
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await asyncio.to_thread(upgrade_to_head, url)
    return url


async def drop_temp_database(url: str, postgres: str | None) -> None:
    """Drop a database :func:`temp_database` made on a PostgreSQL server (a SQLite file is left in /tmp)."""
    if postgres:
        await _postgres_admin(postgres, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


async def _postgres_admin(postgres: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        make_url(postgres).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def bot_processes(
    emu: Emulator, database_url: str, folder: Path, command: Sequence[str] = ("-m", "tests.e2e.bot_process")
) -> BotProcesses:
    """Cwtch (or another bot's ``command``) in child processes that a benchmark can kill -9 or ask to tick
    (``tests/e2e/processes.py``, the tests' helper)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.e2e.processes import BotProcesses

    return BotProcesses(emu, database_url, folder, token=TOKEN, command=command)


async def start_bot(emu: Emulator, database_url: str) -> tuple[CwtchBot, asyncio.Task[None]]:
    settings = load_settings(
        {
            "DISCORD_TOKEN": TOKEN,
            "DATABASE_URL": database_url,
            "DISCORD_API_BASE_URL": emu.api_base,
            # Beside a SQLite file; for PostgreSQL (a bare database name) in the temp folder, never the repo.
            "SECRET_KEY_FILE": str(Path(tempfile.gettempdir(), Path(f"{make_url(database_url).database}.key").name))
            if make_url(database_url).get_backend_name() == "postgresql"
            else f"{make_url(database_url).database}.key",
        }
    )
    bot = build_bot(settings, guild_ready_timeout=0.5)
    task = asyncio.create_task(bot.start(TOKEN))
    async with asyncio.timeout(60):
        while not bot.is_ready():
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
    return bot, task


async def stop_bot(bot: CwtchBot, task: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(task, timeout=30)


@dataclass
class Seeded:
    occurrence_ids: list[int]
    action_due: dict[int, datetime]  # action id -> due


async def seed_sessions(
    database_url: str,
    *,
    guild_channels: Sequence[tuple[int, int]],
    starts: Sequence[datetime | Sequence[datetime]],
    rsvps: Sequence[Sequence[int]] = (),
    pending_kinds: set[str] | None = None,
    now: datetime,
    dm_channels: dict[int, int] | None = None,
) -> Seeded:
    """One series per entry of ``starts`` (a start, or the starts of its made sessions), round-robin over
    ``guild_channels``, every session with its six actions; actions due before ``now`` (or not in
    ``pending_kinds``) are already done, as after a normal run. ``rsvps[i]`` go to the first session of series i."""
    engine = create_engine(database_url)
    rows: dict[type, list[dict[str, Any]]] = {model: [] for model in (Cohort, Series, Occurrence, Action, Rsvp)}
    action_due: dict[int, datetime] = {}
    occurrence_ids: list[int] = []
    action_id = occurrence_id = 0
    for index, entry in enumerate(starts):
        sessions = [entry] if isinstance(entry, datetime) else list(entry)
        guild_id, channel_id = guild_channels[index % len(guild_channels)]
        cohort_id, number = index % len(guild_channels) + 1, index + 1
        if index < len(guild_channels):
            rows[Cohort].append(
                {
                    "id": cohort_id,
                    "guild_id": guild_id,
                    "name": f"Cohort {cohort_id}",
                    "name_key": f"cohort {cohort_id}",
                    "description": "bench",
                    "channel_id": channel_id,
                    "timezone": "UTC",
                    "created_by": 1,
                    "created_at": now,
                }
            )
        first = sessions[0].astimezone(UTC).replace(tzinfo=None)
        rows[Series].append(
            {
                "id": number,
                "guild_id": guild_id,
                "cohort_id": cohort_id,
                "title": f"Series {number}",
                "cadence": "fortnightly" if len(sessions) > 1 else "once",
                "monthly_by": "weekday",
                "first_date": first.date(),
                "start_time": first.time(),
                "timezone": "UTC",
                "duration_minutes": 60,
                "state": "active",
                "materialized_through": len(sessions) - 1,
                "next_start": sessions[-1] + timedelta(days=14)
                if len(sessions) > 1
                else datetime(9999, 12, 31, tzinfo=UTC),
                "created_by": 1,
                "created_at": now,
            }
        )
        for sequence, start in enumerate(sessions):
            occurrence_id += 1
            occurrence_ids.append(occurrence_id)
            end = start + timedelta(minutes=60)
            rows[Occurrence].append(
                {
                    "id": occurrence_id,
                    "guild_id": guild_id,
                    "series_id": number,
                    "sequence": sequence,
                    "scheduled_start": start,
                    "starts_at": start,
                    "ends_at": end,
                    "state": "scheduled",
                }
            )
            for kind, due in due_times(start, end).items():
                action_id += 1
                pending = due > now and (pending_kinds is None or kind.value in pending_kinds)
                rows[Action].append(
                    {
                        "id": action_id,
                        "guild_id": guild_id,
                        "occurrence_id": occurrence_id,
                        "kind": kind.value,
                        "due_at": due,
                        "state": "pending" if pending else "done",
                        "attempts": 0,
                    }
                )
                if pending:
                    action_due[action_id] = due
            if sequence == 0 and index < len(rsvps):
                rows[Rsvp].extend(
                    {
                        "guild_id": guild_id,
                        "occurrence_id": occurrence_id,
                        "user_id": user_id,
                        "status": "going",
                        "updated_at": now,
                    }
                    for user_id in rsvps[index]
                )
    async with engine.begin() as connection:
        for model, batch in rows.items():
            for chunk in range(0, len(batch), 5000):
                await connection.execute(insert(model), batch[chunk : chunk + 5000])
        if dm_channels:
            await connection.execute(
                insert(DmChannel), [{"user_id": u, "channel_id": c, "updated_at": now} for u, c in dm_channels.items()]
            )
    await engine.dispose()
    return Seeded(occurrence_ids=occurrence_ids, action_due=action_due)


def make_people(emu: Emulator, guild_id: int, count: int) -> list[int]:
    people = []
    for number in range(count):
        user = int(emu.create_user(f"manager-{number}")["id"])
        emu.add_member(guild_id, user)
        people.append(user)
    return people


def requests_with_nonce(emu: Emulator) -> list[Any]:
    return [
        r
        for r in emu.find_requests("POST", r"/channels/\d+/messages")
        if isinstance(r.json, dict) and r.json.get("nonce")
    ]


async def advance_sequences(database_url: str) -> None:
    """After rows were inserted with explicit ids (as the seeders do), move PostgreSQL's id sequences past them, so
    that the bot's own inserts get fresh ids. SQLite needs nothing: it takes the next id from the table."""
    if not database_url.startswith("postgresql"):
        return
    from bot.db.models import Base

    engine = create_engine(database_url)
    async with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if "id" not in table.c or not table.c.id.primary_key:
                continue
            sequence = (
                await connection.execute(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name})
            ).scalar_one()
            if sequence:
                await connection.execute(
                    text(f"SELECT setval('{sequence}', (SELECT coalesce(max(id), 0) + 1 FROM \"{table.name}\"), false)")
                )
    await engine.dispose()


def database_label(database_url: str) -> str:
    url = make_url(database_url)
    return "PostgreSQL" if url.drivername.startswith("postgresql") else "SQLite"


async def gathered(calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T | BaseException]:
    """Start every call at once (members acting together) and wait for all; a failure is returned, not raised.

    The emulator runs in this process and keeps every request it saw, so the heap grows burst by burst and a full
    garbage collection, landing in a burst at random, would cost either bot 100 ms or more. What exists now is
    collected and frozen first, for each bot alike, so that a burst measures the bot rather than the emulator's heap.
    """
    gc.collect()
    gc.freeze()
    return list(await asyncio.gather(*(call() for call in calls), return_exceptions=True))


def seen_latencies(emu: Emulator, results: Sequence[InteractionResult], since: float) -> dict[int, float]:
    """Milliseconds from the emulator dispatching each interaction to the member seeing its answer, by interaction
    id: the callback when it carries the answer (a message, a modal, autocomplete choices), or, after a deferral
    (callback type 5 or 6), the first follow-up or edit of @original with that interaction's token. An interaction
    not answered yet is left out."""
    callbacks: dict[str, float] = {}
    for request in emu.find_requests("POST", r"/interactions/\d+/[^/]+/callback", since):
        if request.status < 300:
            callbacks.setdefault(request.path.split("/")[2], request.at)
    followups: dict[str, float] = {}
    for request in emu.find_requests(None, r"/webhooks/\d+/[^/]+(/messages/@original)?", since):
        if request.method in ("POST", "PATCH") and request.status < 300:
            followups.setdefault(request.path.split("/")[3], request.at)
    seen: dict[int, float] = {}
    for result in results:
        pending = emu.interactions.by_id[result.id]
        deferred = pending.callback_type in (5, 6)
        at = followups.get(pending.token) if deferred else callbacks.get(str(result.id))
        if at is not None:
            seen[result.id] = (at - pending.dispatched_at) * 1000
    return seen


def shown_text(result: InteractionResult) -> str:
    """What the member reads in the answer: its content, and every embed's title, description and fields."""
    message = result.message or {}
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{field.get('name', '')} {field.get('value', '')}" for field in embed.get("fields", [])]
    return "\n".join(part for part in parts if part)


async def seed_reminders(
    database_url: str, *, guild_id: int, cohort_id: int, user_ids: Sequence[int], due: datetime, now: datetime
) -> dict[str, datetime]:
    """For each member, a one-off session starting an hour after ``due`` with their RSVP, whose one action is its
    1-hour reminder, pending and due at ``due``, in a database that already holds rows (ids are the database's).
    Returns the reminders' message nonces and their due time."""
    engine = create_engine(database_url)
    start = due + timedelta(hours=1)
    wall = start.astimezone(UTC).replace(tzinfo=None)
    due_by_nonce: dict[str, datetime] = {}
    async with engine.begin() as connection:
        for user_id in user_ids:
            series_id = (
                await connection.execute(
                    insert(Series)
                    .values(
                        guild_id=guild_id,
                        cohort_id=cohort_id,
                        title=f"Drop-in {user_id}",
                        cadence="once",
                        monthly_by="weekday",
                        first_date=wall.date(),
                        start_time=wall.time(),
                        timezone="UTC",
                        duration_minutes=60,
                        state="active",
                        materialized_through=0,
                        next_start=datetime(9999, 12, 31, tzinfo=UTC),
                        created_by=1,
                        created_at=now,
                    )
                    .returning(Series.id)
                )
            ).scalar_one()
            occurrence_id = (
                await connection.execute(
                    insert(Occurrence)
                    .values(
                        guild_id=guild_id,
                        series_id=series_id,
                        sequence=0,
                        scheduled_start=start,
                        starts_at=start,
                        ends_at=start + timedelta(hours=1),
                        state="scheduled",
                    )
                    .returning(Occurrence.id)
                )
            ).scalar_one()
            action_id = (
                await connection.execute(
                    insert(Action)
                    .values(
                        guild_id=guild_id,
                        occurrence_id=occurrence_id,
                        kind=ActionKind.REMIND_1H.value,
                        due_at=due,
                        state="pending",
                        attempts=0,
                    )
                    .returning(Action.id)
                )
            ).scalar_one()
            await connection.execute(
                insert(Rsvp).values(
                    guild_id=guild_id, occurrence_id=occurrence_id, user_id=user_id, status="going", updated_at=now
                )
            )
            due_by_nonce[nonce(action_id)] = due
    await engine.dispose()
    return due_by_nonce


def nonce_lateness(emu: Emulator, due_by_nonce: dict[str, datetime]) -> tuple[list[float], int]:
    """Seconds from each action's due time to the emulator receiving its first message (by the action's nonce),
    and how many were never sent."""
    offset = time.time() - time.monotonic()  # the emulator's monotonic clock onto wall time
    first: dict[str, float] = {}
    for request in requests_with_nonce(emu):
        key = request.json["nonce"]
        if request.status == 200 and key in due_by_nonce:
            first[key] = min(first.get(key, request.at), request.at)
    lateness = [first[key] + offset - due.timestamp() for key, due in due_by_nonce.items() if key in first]
    return lateness, len(due_by_nonce) - len(first)
