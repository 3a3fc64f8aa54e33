"""Releasing fixed blocks of closed sessions, the only figures reports read (see ``bot.domain.disclosure``).

Per cohort, the sessions whose surveys closed wait in start order until they hold at least ``min_group`` distinct
respondents; then they are released as one block, whose counts are frozen in its own row. Who answered is worked
out here, in memory: the attendees' pseudonyms (computed with the key, which never enters the database) are matched
with the pseudonyms of the session's answers. Those person keys are used to count distinct people and then
dropped; a block keeps only counts.

It runs for a session's cohort right after its survey closes (the close-survey action; a crash between the two is
retried with the action), and for every cohort with closed, unreleased sessions at start-up and daily after (so the
first run after upgrading releases every survey closed before blocks existed). Two processes may release the same
cohort at once: the conditional update in ``ReleaseRepository.release`` lets one of them win; the other rolls back
and reads again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.releases import NewBlock, PendingSession
from bot.db.uow import UnitOfWorkFactory
from bot.domain import feedback as feedback_rules
from bot.domain.disclosure import BlockDraft, ClosedSession, Tally, next_blocks
from bot.domain.shards import ALL_SHARDS, ShardSet

log = logging.getLogger(__name__)
CLOSE_GRACE = timedelta(hours=1)  # how long past its closing time a survey's own close action has to run
Clock = Callable[[], datetime]
PAGE = 500  # sessions read at a time
ATTEMPTS = 3  # releases of one cohort tried in a row when racing another process


class ReleaseService:
    def __init__(
        self, uow: UnitOfWorkFactory, *, clock: Clock, key: bytes, min_group: int, shards: ShardSet = ALL_SHARDS
    ) -> None:
        if min_group < 1:
            raise ValueError("min_group must be 1 or more")
        self._uow = uow
        self._clock = clock
        self._key = key
        self._min_group = min_group
        self._shards = shards

    async def after_close(self, occurrence_id: int) -> int:
        """Release what the closing of this session's survey completes; returns the number of blocks released."""
        async with self._uow.reading() as uow:
            cohort_id = await uow.releases.cohort_of(occurrence_id)
        return 0 if cohort_id is None else await self.release(cohort_id)

    async def sweep(self) -> int:
        """Release the full blocks of every cohort (of this process's guilds) with closed, unreleased sessions.
        A cohort that fails is logged and left for the next sweep; the others go ahead.

        A survey still open well past its closing time (its close-survey action failed for good) is closed first,
        as of its closing time: otherwise it would count as open forever and hold back its cohort's blocks."""
        async with self._uow() as uow:
            overdue = await uow.releases.close_overdue(self._clock() - CLOSE_GRACE, self._shards)
            await uow.commit()
        if overdue:
            log.warning("closed %d surveys whose close-survey action never ran", overdue)
        async with self._uow.reading() as uow:
            cohorts = await uow.releases.cohorts_waiting(self._shards)
        released = 0
        for cohort_id in cohorts:
            try:
                released += await self.release(cohort_id)
            except Exception:
                log.exception("releasing the blocks of cohort %s failed; the next sweep will try again", cohort_id)
        return released

    async def release(self, cohort_id: int) -> int:
        """Release the cohort's full blocks; returns how many. Its tail waits. Should another process release some
        of the same sessions meanwhile, this one rolls back and reads again."""
        for _ in range(ATTEMPTS):
            released = await self._release_once(cohort_id)
            if released is not None:
                return released
            log.info("cohort %s: another process released these sessions first; reading again", cohort_id)
        log.warning("cohort %s: still racing another process; the next closing or sweep releases the rest", cohort_id)
        return 0

    async def _release_once(self, cohort_id: int) -> int | None:
        """One write transaction: the blocks it released, or None when another process got there first."""
        async with self._uow() as uow:
            found = await uow.releases.cohort_zone(cohort_id)
            if found is None:
                return 0
            guild_id, timezone = found
            now, zone = self._clock(), ZoneInfo(timezone)
            chain = await uow.releases.waiting_sessions(cohort_id)
            drafts: list[BlockDraft] = []
            tail: list[ClosedSession] = []
            # Page by page, so that the first run after an upgrade (every survey ever closed) holds a page of
            # answers in memory at a time. Blocks are greedy in start order, so carrying the tail over from one page
            # to the next makes the same blocks as one pass would.
            for start in range(0, len(chain), PAGE):
                page = await uow.releases.pending(cohort_id, chain[start : start + PAGE])
                sessions = tail + [self._closed(session) for session in page]
                made = next_blocks(sessions, self._min_group)
                for draft in made:
                    if not await uow.releases.release(_new_block(guild_id, draft, zone, now)):
                        return None  # leaving without commit rolls back the blocks inserted here
                drafts += made
                used = {occurrence_id for draft in made for occurrence_id in draft.occurrence_ids}
                tail = [session for session in sessions if session.occurrence_id not in used]
            if not drafts:
                return 0
            await uow.commit()
        log.info("cohort %s: released %d block(s) of %d session(s)", cohort_id, len(drafts), _sessions(drafts))
        return len(drafts)

    def _closed(self, session: PendingSession) -> ClosedSession:
        """The session as the domain sees it. Respondents are the attendees whose pseudonym answered. An answer
        whose author is no longer recorded as present counts in the tally but not as a person, so a block's
        ``people`` never claims more people than it really pools."""
        respondents = frozenset(
            user_id
            for user_id in session.present
            if feedback_rules.pseudonym(self._key, user_id, session.occurrence_id) in session.pseudonyms
        )
        tally = Tally(
            sessions=1,
            responses=session.responses,
            agreed=session.agreed,
            attendees=len(session.present),
            rsvps=session.rsvps,
            waitlisted=session.waitlisted,
            no_shows=session.no_shows,
        )
        return ClosedSession(session.occurrence_id, session.cohort_id, session.starts_at, respondents, tally)


def _new_block(guild_id: int, draft: BlockDraft, zone: ZoneInfo, now: datetime) -> NewBlock:
    tally = draft.tally
    return NewBlock(
        guild_id=guild_id,
        cohort_id=draft.cohort_id,
        occurrence_ids=draft.occurrence_ids,
        first_start=draft.first_start,
        last_start=draft.last_start,
        dated=draft.dated_in(zone),
        sessions=tally.sessions,
        responses=tally.responses,
        agreed=tally.agreed,
        attendees=tally.attendees,
        rsvps=tally.rsvps,
        waitlisted=tally.waitlisted,
        no_shows=tally.no_shows,
        people=draft.people,
        released_at=now,
    )


def _sessions(drafts: list[BlockDraft]) -> int:
    return sum(len(draft.occurrence_ids) for draft in drafts)
