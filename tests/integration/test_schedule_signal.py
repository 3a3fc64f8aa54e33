"""Services, not cogs, say when what is due has changed, and only after committing: a listener that reads the
database at that moment already sees the change."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.db.uow import UnitOfWorkFactory
from bot.domain.series_rules import StopAction
from bot.domain.shards import ShardSet
from bot.services.schedule_signal import ScheduleSignal
from bot.services.series import SeriesService
from bot.services.sessions import SessionService
from tests.integration.test_session_services import FACILITATOR, GUILD, World, fortnightly, world  # noqa: F401


async def test_each_change_to_what_is_due_wakes_the_scheduler_once_committed(
    world: World,  # noqa: F811
    uow: UnitOfWorkFactory,
) -> None:
    signal = ScheduleSignal()
    heard: list[str] = []
    signal.listen(lambda: heard.append("changed"))
    sessions = SessionService(uow, world.gateway, clock=world.clock, schedule_changed=signal)
    series = SeriesService(uow, clock=world.clock, gateway=world.gateway, sessions=sessions, schedule_changed=signal)

    made = await series.create(GUILD, FACILITATOR, fortnightly())
    assert heard == ["changed"]
    first, second = (entry.session.occurrence_id for entry in (await sessions.upcoming(GUILD, 7)).entries[:2])

    # When the listener hears of a move, the new time is already committed for any other unit of work.
    seen: list[datetime] = []

    async def read() -> None:
        async with uow.reading() as other:
            found = await other.occurrences.get(second)
            assert found is not None
            seen.append(found.starts_at)

    pending: list[asyncio.Task[None]] = []
    signal.listen(lambda: pending.append(asyncio.ensure_future(read())) if not pending else None)
    await sessions.move(GUILD, FACILITATOR, second, "2026-04-01 13:00")
    await asyncio.gather(*pending)
    assert seen == [datetime(2026, 4, 1, 12, 0, tzinfo=UTC)] and len(heard) == 2

    world.clock.set(datetime(2026, 3, 17, 10, 30, tzinfo=UTC))
    await sessions.end(GUILD, FACILITATOR, first)  # the survey is due now
    assert len(heard) == 3
    preview = await series.preview_stop(GUILD, FACILITATOR, made.id, StopAction.PAUSE)
    await series.confirm_stop(GUILD, FACILITATOR, made.id, StopAction.PAUSE, preview.issued_at)
    assert len(heard) == 3  # pausing only cancels: nothing new falls due
    await series.resume(GUILD, FACILITATOR, made.id)
    assert len(heard) == 4


async def test_a_process_on_some_shards_reads_only_its_guilds_actions(
    world: World,  # noqa: F811
    uow: UnitOfWorkFactory,
) -> None:
    """The shard filter runs as SQL on both databases (PostgreSQL has no bigint >> bigint) and matches
    ``ShardSet.owns``."""
    await world.series.create(GUILD, FACILITATOR, fortnightly())
    until = datetime(2027, 12, 31, tzinfo=UTC)
    async with uow.reading() as reading:
        everything = await reading.actions.due_before(until, world.clock(), ShardSet())
        owner = ShardSet(count=2, ids=((GUILD >> 22) % 2,))
        other = ShardSet(count=2, ids=(1 - (GUILD >> 22) % 2,))
        assert everything and await reading.actions.due_before(until, world.clock(), owner) == everything
        assert await reading.actions.due_before(until, world.clock(), other) == []
