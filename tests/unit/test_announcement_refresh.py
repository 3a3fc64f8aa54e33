"""The announcement refresher on its own: a fake clock that moves only when the test says, a fake store of counts
and a fake gateway recording each edit, so "at most one edit a second, the last one true" is seen directly."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

from bot.domain.lifecycle import SessionState
from bot.services.announcement_refresh import AnnouncementRefresher
from bot.services.ports import SessionCard

SESSION, OTHER = 7, 8
STARTS = datetime(2027, 3, 16, 10, tzinfo=UTC)


class FakeTime:
    """``monotonic`` and ``sleep`` for the refresher: sleepers wake when the test moves the time past their end."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, woken))
        await woken

    async def advance(self, seconds: float) -> None:
        self.now += seconds
        for due, woken in list(self._sleepers):
            if due <= self.now:
                self._sleepers.remove((due, woken))
                woken.set_result(None)
        await settle()

    async def next_wake(self) -> bool:
        """Move the time to when the first sleeper wakes; False if nobody sleeps."""
        if not self._sleepers:
            return False
        await self.advance(max(0.0, min(due for due, _ in self._sleepers) - self.now))
        return True


async def settle() -> None:
    """Let every task that can run, run (a handful of trips round the event loop; nothing here waits on I/O)."""
    for _ in range(20):
        await asyncio.sleep(0)


class FakeSessions:
    """The committed count of each session, and the edits made, with when each began and what it showed."""

    def __init__(self, time: FakeTime, *, edit_takes: float = 0.0) -> None:
        self.going: dict[int, int] = {SESSION: 0, OTHER: 0}
        self.edits: list[tuple[float, int, int]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.fail_next = 0
        self._time = time
        self._edit_takes = edit_takes

    async def load(self, occurrence_id: int) -> SessionCard | None:
        if occurrence_id not in self.going:
            return None
        return SessionCard(
            occurrence_id=occurrence_id,
            guild_id=1,
            series_id=1,
            title="Peer support",
            cohort_name="Domiciliary care managers",
            cohort_channel_id=2,
            timezone="Europe/London",
            starts_at=STARTS,
            ends_at=STARTS,
            state=SessionState.SCHEDULED,
            going=self.going[occurrence_id],
        )

    async def refresh_announcement(self, card: SessionCard) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            self.edits.append((self._time(), card.occurrence_id, card.going))
            if self._edit_takes:
                await self._time.sleep(self._edit_takes)
            if self.fail_next:
                self.fail_next -= 1
                raise RuntimeError("Discord is having a moment")
        finally:
            self.in_flight -= 1

    def of(self, occurrence_id: int) -> list[tuple[float, int]]:
        return [(at, going) for at, occ, going in self.edits if occ == occurrence_id]


def refresher(time: FakeTime, sessions: FakeSessions) -> AnnouncementRefresher:
    return AnnouncementRefresher(sessions.load, sessions, interval=1.0, clock=time, sleep=time.sleep)


async def finish(time: FakeTime, refresh: AnnouncementRefresher) -> None:
    """Let fake time run until every pending edit is made, then check that ``idle`` agrees."""
    for _ in range(100):
        if not await time.next_wake():
            break
    await asyncio.wait_for(refresh.idle(), timeout=5)


def assert_spaced(edits: list[tuple[float, int]], interval: float = 1.0) -> None:
    starts = [at for at, _ in edits]
    assert all(later - earlier >= interval - 1e-9 for earlier, later in itertools.pairwise(starts)), starts


async def test_a_hundred_clicks_in_quick_succession_make_a_few_edits_the_last_one_true() -> None:
    time = FakeTime()
    sessions = FakeSessions(time)
    refresh = refresher(time, sessions)
    for click in range(100):  # 100 RSVPs over 1.5 seconds, each committed before it says the session changed
        sessions.going[SESSION] = click + 1
        refresh.changed(SESSION)
        await settle()
        await time.advance(0.015)
    await finish(time, refresh)

    edits = sessions.of(SESSION)
    assert 2 <= len(edits) <= 3, edits
    assert edits[0] == (0.0, 1)  # the first change is shown at once
    assert edits[-1][1] == 100  # the last edit shows the final count
    assert_spaced(edits)


async def test_an_edit_in_flight_is_never_joined_by_another_and_a_failure_is_only_logged() -> None:
    time = FakeTime()
    sessions = FakeSessions(time, edit_takes=1.5)  # Discord is slow: each edit takes longer than the interval
    sessions.fail_next = 1
    refresh = refresher(time, sessions)
    for click in range(30):
        sessions.going[SESSION] = click + 1
        refresh.changed(SESSION)  # never raises, never waits
        await time.advance(0.1)
    await finish(time, refresh)

    edits = sessions.of(SESSION)
    assert sessions.most_in_flight == 1
    assert edits[-1][1] == 30 and len(edits) <= 3, edits
    assert_spaced(edits, 1.5)  # each edit began after the one before had finished


async def test_sessions_are_edited_independently_and_a_quiet_session_at_once() -> None:
    time = FakeTime()
    sessions = FakeSessions(time)
    refresh = refresher(time, sessions)
    sessions.going[SESSION] = 1
    refresh.changed(SESSION)
    await settle()
    sessions.going[SESSION], sessions.going[OTHER] = 2, 1
    refresh.changed(SESSION)
    refresh.changed(OTHER)  # another session's announcement does not wait for this one's second
    await settle()
    assert sessions.of(OTHER) == [(0.0, 1)]
    assert sessions.of(SESSION) == [(0.0, 1)]  # its second change waits until the second is up

    await finish(time, refresh)
    assert sessions.of(SESSION) == [(0.0, 1), (1.0, 2)]
    await time.advance(5)
    sessions.going[SESSION] = 3
    refresh.changed(SESSION)  # long after the last edit: at once
    await settle()
    assert sessions.of(SESSION)[-1] == (time.now, 3)


async def test_a_session_gone_is_not_edited_and_idle_returns_at_once_when_nothing_is_pending() -> None:
    time = FakeTime()
    sessions = FakeSessions(time)
    refresh = refresher(time, sessions)
    await asyncio.wait_for(refresh.idle(), timeout=5)
    refresh.changed(99)  # deleted meanwhile: nothing to show
    await finish(time, refresh)
    assert sessions.edits == []
