"""Wakes the services at the right time: a reconcile tick every 30 s, plus an exact job for each action due
before the next tick. The database is the truth; all of this is rebuilt from it on start."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.services.actions import ActionRunner
from bot.services.community_releases import CommunityReleaseService
from bot.services.digests import DigestService
from bot.services.privacy import PrivacyService
from bot.services.releases import ReleaseService
from bot.services.safety import SafetyService
from bot.services.series import SeriesService

log = logging.getLogger(__name__)

TICK = timedelta(seconds=30)
CONCURRENCY = 16
_RUNTIMES: dict[str, SchedulingRuntime] = {}
T = TypeVar("T")


async def reconcile_job(runtime_key: str) -> None:
    """The reconcile tick (a module-level function, as APScheduler jobs should be)."""
    runtime = _RUNTIMES.get(runtime_key)
    if runtime is not None:
        await runtime.tracked(runtime.tick())


async def action_job(runtime_key: str, action_id: int) -> None:
    runtime = _RUNTIMES.get(runtime_key)
    if runtime is not None:
        await runtime.tracked(runtime.run_actions([action_id]))


class SchedulingRuntime:
    def __init__(
        self,
        scheduler: AsyncIOScheduler,
        series: SeriesService,
        actions: ActionRunner,
        *,
        clock: Callable[[], datetime],
        tick: timedelta = TICK,
        privacy: PrivacyService | None = None,
        digests: DigestService | None = None,
        releases: ReleaseService | None = None,
        community_releases: CommunityReleaseService | None = None,
        safety: SafetyService | None = None,
    ) -> None:
        self._safety = safety
        self._scheduler = scheduler
        self._series = series
        self._actions = actions
        self._clock = clock
        self._tick = tick
        self._limit = asyncio.Semaphore(CONCURRENCY)
        self.key = uuid.uuid4().hex
        self.started = False
        self._inflight: set[asyncio.Task[Any]] = set()
        self._privacy = privacy
        self._digests = digests
        self._comments_purged_on: date | None = None
        self._releases = [sweeper for sweeper in (releases, community_releases) if sweeper is not None]
        self._released_on: date | None = None

    def start(self) -> None:
        """Register the reconcile tick (first run at once) and start the scheduler."""
        self.started = True
        _RUNTIMES[self.key] = self
        self._scheduler.add_job(
            reconcile_job,
            IntervalTrigger(seconds=self._tick.total_seconds(), timezone=UTC),
            args=[self.key],
            id=f"{self.key}:reconcile",
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
        )
        if not self._scheduler.running:
            self._scheduler.start()

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    async def tracked(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` as a task that :meth:`stop` lets finish, so a shutdown never cuts a send in half."""
        task = asyncio.ensure_future(work)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return await asyncio.shield(task)

    async def idle(self) -> None:
        """Wait until no tick or action is running (tests and shutdown use it)."""
        while self._inflight:
            await asyncio.wait(set(self._inflight))

    async def stop(self, grace: float = 10.0) -> None:
        """Stop scheduling, and give running ticks and actions ``grace`` seconds to finish."""
        _RUNTIMES.pop(self.key, None)
        if self._scheduler.running:
            self._scheduler.pause()  # no new jobs; the running ones finish below, then nothing is left to cancel
        if self._inflight:
            _, late = await asyncio.wait(set(self._inflight), timeout=grace)
            for task in late:
                log.warning("cancelling work still running after %.0f s of shutdown", grace)
                task.cancel()
        await asyncio.sleep(0)  # let the job wrappers return
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def wake(self) -> None:
        """Run a tick now (after a command made or moved sessions) instead of waiting for the next one."""
        if self._scheduler.running:
            self._scheduler.add_job(reconcile_job, args=[self.key], id=f"{self.key}:wake", replace_existing=True)

    async def tick(self) -> int:
        """Make sessions up to the horizon, run what is due, and set exact jobs for what falls before the next tick.

        Returns the number of actions run now.
        """
        try:
            await self._series.materialize_due()
            now = self._clock()
            due = await self._actions.due_before(now + self._tick)
        except Exception:
            log.exception("reconcile tick failed; the next one will try again")
            return 0
        run_now = [action_id for action_id, due_at in due if due_at <= now]
        for action_id, due_at in due:
            if due_at > now and self._scheduler.running:
                self._scheduler.add_job(
                    action_job,
                    DateTrigger(run_date=due_at, timezone=UTC),
                    args=[self.key, action_id],
                    id=f"{self.key}:action:{action_id}",
                    replace_existing=True,
                    misfire_grace_time=None,
                )
        await self.run_actions(run_now)
        await self._purge_comments_daily(now)
        await self._release_daily(now)
        await self._post_digests()
        await self._resend_alerts()
        return len(run_now)

    async def _resend_alerts(self) -> None:
        """Safeguarding alerts nobody took on within 24 hours, sent again once (claimed in the database)."""
        if self._safety is None:
            return
        try:
            await self._safety.resend_due()
        except Exception:
            log.exception("resending safeguarding alerts failed; the next tick will try again")

    async def _release_daily(self, now: datetime) -> None:
        """Release the full blocks of every cohort with closed, unreleased sessions, and of every guild's waiting
        community activity: on the first tick (after an upgrade, this releases what was kept before blocks
        existed) and once a day after. Each closing releases its own cohort's blocks at once anyway, and each
        community report its guild's."""
        if not self._releases or self._released_on == now.date():
            return
        try:
            for sweeper in self._releases:
                await sweeper.sweep()
        except Exception:
            log.exception("releasing report blocks failed; the next tick will try again")
            return
        self._released_on = now.date()

    async def _post_digests(self) -> None:
        """The weekly community digests that are due (claimed in the database, so each is posted once)."""
        if self._digests is None:
            return
        try:
            await self._digests.run_due()
        except Exception:
            log.exception("posting the weekly digests failed; the next tick will try again")

    async def _purge_comments_daily(self, now: datetime) -> None:
        """Delete feedback comments past their retention, once a day per process (the update is idempotent)."""
        if self._privacy is None or self._comments_purged_on == now.date():
            return
        try:
            await self._privacy.purge_comments()
        except Exception:
            log.exception("comment retention purge failed; the next tick will try again")
            return
        self._comments_purged_on = now.date()

    async def run_actions(self, action_ids: list[int]) -> None:
        async def run_one(action_id: int) -> None:
            async with self._limit:
                try:
                    await self._actions.run(action_id)
                except Exception:
                    log.exception("action %s crashed; its lease will let a later tick retry it", action_id)

        await asyncio.gather(*(run_one(action_id) for action_id in action_ids))
