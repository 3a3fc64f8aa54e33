"""Start-up benchmark: rebuild the scheduler from a database holding 10,000 active series and their pending
actions (as after a restart): the first reconcile tick reads what is due soon for this process and sets an
exact job for each. Target (issue 3): under 2 s.

    .venv/bin/python bench/scheduler_rebuild.py [--series 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

from harness import seed_sessions, summary, temp_database

from bot.db.engine import create_engine
from bot.db.uow import UnitOfWorkFactory
from bot.domain.actions import SURVEY_OPEN
from bot.scheduling.runtime import SchedulingRuntime
from bot.scheduling.scheduler import build_scheduler
from bot.services.actions import ActionRunner
from bot.services.releases import ReleaseService
from bot.services.series import SeriesService
from bot.services.surveys import SurveyService


class NoDiscord:
    """Nothing is due yet, so nothing may reach Discord during the rebuild."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the rebuild called Discord ({name})")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    url = await temp_database()
    # Fortnightly series whose next session falls anywhere in the coming two weeks, with their sessions made
    # up to the 62-day horizon (five each): every session has its six actions, pending where still ahead.
    spacing = 14 * 86400 / args.series
    starts = [[now + timedelta(seconds=60 + i * spacing, days=14 * n) for n in range(5)] for i in range(args.series)]
    guilds = [(10**17 + g * 2**22, 10**17 + 10**6 + g) for g in range(1000)]
    began = time.perf_counter()
    seeded = await seed_sessions(url, guild_channels=guilds, starts=starts, now=now)
    print(
        f"seeded {args.series} active series, {len(seeded.occurrence_ids)} sessions, "
        f"{len(seeded.action_due)} pending actions "
        f"in {time.perf_counter() - began:.1f} s"
    )

    clock = lambda: now  # noqa: E731 - the moment of the restart, fixed for every run
    timings, jobs = [], 0
    key = b"k" * 32  # pseudonym key: nothing here makes or reads a pseudonym
    for _ in range(args.runs):
        engine = create_engine(url)
        uow = UnitOfWorkFactory.for_engine(engine)  # as bot/app.py makes it
        scheduler = build_scheduler()
        scheduler.start(paused=True)  # jobs are set but not run: we time the rebuild only
        began = time.perf_counter()
        # As bot/services/container.py builds them: the first tick also sweeps for unreleased report blocks.
        releases = ReleaseService(uow, clock=clock, key=key, min_group=5)
        runtime = SchedulingRuntime(
            scheduler,
            SeriesService(uow, clock=clock),
            ActionRunner(
                uow,
                NoDiscord(),  # type: ignore[arg-type]
                clock=clock,
                worker="bench",
                surveys=SurveyService(uow, NoDiscord(), clock=clock, key=key, survey_open=SURVEY_OPEN),  # type: ignore[arg-type]
                releases=releases,
            ),
            clock=clock,
            releases=releases,
        )
        ran = await runtime.tick()
        timings.append(time.perf_counter() - began)
        jobs = len(scheduler.get_jobs())
        assert ran == 0
        scheduler.shutdown(wait=False)
        uow.dispose()
        await engine.dispose()
    print(f"scheduler rebuilt ({jobs} exact jobs for the next 30 s): {summary(timings)}; target < 2 s")


if __name__ == "__main__":
    asyncio.run(main())
