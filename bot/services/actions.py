"""Running the action ledger: claim before the side effect, then done, skipped, or retried with backoff.

Any number of processes may call :meth:`ActionRunner.run` for the same action; the claim in the database lets
exactly one of them act. A claim whose lease ran out (its process died mid-send) is taken over, and the
message nonce makes Discord refuse a duplicate of what the dead process may already have sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from bot.db.uow import UnitOfWorkFactory
from bot.domain.actions import LEASE, MAX_EVENTS_PER_GUILD, ActionKind, ActionState, nonce, retry_at, skip_reason
from bot.domain.shards import ALL_SHARDS, ShardSet
from bot.services import rooms
from bot.services.cards import load_card
from bot.services.messaging import Messenger
from bot.services.ports import Notice, SessionCard, SessionGateway
from bot.services.releases import ReleaseService
from bot.services.surveys import SurveyService, survey_window_of

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
SURVEY_MESSAGES = (ActionKind.SEND_SURVEY, ActionKind.SURVEY_REMINDER)  # run only while their survey is open


class Deferred(Exception):
    """An action that cannot run yet (not a failure): try again at ``until``."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until = until
        self.reason = reason


class ActionRunner:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: SessionGateway,
        *,
        clock: Clock,
        worker: str,
        surveys: SurveyService,
        releases: ReleaseService,
        shards: ShardSet = ALL_SHARDS,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self.worker = worker
        self._shards = shards
        self._event_locks: dict[int, asyncio.Lock] = {}
        self._messenger = Messenger(uow, gateway)
        self._surveys = surveys
        self._releases = releases
        self._handlers: dict[ActionKind, Callable[[int, SessionCard, ActionKind], Awaitable[None]]] = {
            ActionKind.MIRROR_EVENT: self._mirror_event,
            ActionKind.ANNOUNCE: self._announce,
            ActionKind.REMIND_24H: self._remind,
            ActionKind.REMIND_1H: self._remind,
            ActionKind.OPEN_ROOM: self._open_room,
            ActionKind.CLOSE_ROOM: self._close_room,
            ActionKind.SEND_SURVEY: self._send_survey,
            ActionKind.SURVEY_REMINDER: self._remind_survey,
            ActionKind.CLOSE_SURVEY: self._close_survey,
        }

    async def due_before(self, until: datetime) -> Sequence[tuple[int, datetime]]:
        """Pending actions of this process's guilds due before ``until`` (and claims whose lease ran out)."""
        async with self._uow() as uow:
            return await uow.actions.due_before(until, self._clock(), self._shards)

    async def run(self, action_id: int) -> str:
        """Run one action if it is due and ours to take; returns what became of it."""
        now = self._clock()
        async with self._uow() as uow:
            if not await uow.actions.claim(action_id, self.worker, now, LEASE):
                return "not claimed"
            await uow.commit()
            action = await uow.actions.get(action_id)
            assert action is not None
            kind, attempts = ActionKind(action.kind), action.attempts
            session = await load_card(uow, action.occurrence_id)
            survey = None
            if session is not None and kind in SURVEY_MESSAGES:
                survey = await survey_window_of(uow, session.occurrence_id, session.ends_at)
        if session is None:
            return await self._finish(action_id, ActionState.SKIPPED, "session deleted")
        reason = skip_reason(kind, session.state, session.starts_at, session.ends_at, now, survey)
        if reason is not None:
            log.info("action %s (%s) skipped: %s", action_id, kind, reason)
            return await self._finish(action_id, ActionState.SKIPPED, reason)
        try:
            await self._handlers[kind](action_id, session, kind)
        except Deferred as later:
            async with self._uow() as uow:
                await uow.actions.retry_later(action_id, later.until, later.reason)
                await uow.commit()
            return ActionState.PENDING.value
        except Exception as exc:
            return await self._retry(action_id, kind, attempts, exc)
        return await self._finish(action_id, ActionState.DONE)

    async def _finish(self, action_id: int, state: ActionState, note: str | None = None) -> str:
        async with self._uow() as uow:
            await uow.actions.finish(action_id, state, self._clock(), note)
            await uow.commit()
        return state.value

    async def _retry(self, action_id: int, kind: ActionKind, attempts: int, error: Exception) -> str:
        when = retry_at(attempts, self._clock())
        note = f"attempt {attempts}: {type(error).__name__}"
        if when is None:
            log.error("action %s (%s) failed for good after %d attempts", action_id, kind, attempts, exc_info=error)
            return await self._finish(action_id, ActionState.FAILED, note)
        log.warning("action %s (%s) failed (%s); retrying at %s", action_id, kind, note, when.isoformat())
        async with self._uow() as uow:
            await uow.actions.retry_later(action_id, when, note)
            await uow.commit()
        return ActionState.PENDING.value

    # handlers ----------------------------------------------------------------------------------------------

    async def _mirror_event(self, action_id: int, session: SessionCard, kind: ActionKind) -> None:
        # One at a time per guild, so the count below cannot be raced past the limit by this process.
        async with self._event_locks.setdefault(session.guild_id, asyncio.Lock()):
            if session.event_id is None:
                async with self._uow() as uow:
                    mirrored = await uow.occurrences.mirrored_events(session.guild_id, self._clock())
                if len(mirrored) >= MAX_EVENTS_PER_GUILD:
                    # Discord allows 100 active events a guild: wait until the earliest mirrored one is over.
                    raise Deferred(min(mirrored), "event limit reached")
            event_id = await self._gateway.upsert_event(session)
            async with self._uow() as uow:
                occurrence = await uow.occurrences.get(session.occurrence_id)
                if occurrence is not None:
                    occurrence.event_id = event_id
                    await uow.commit()

    async def _announce(self, action_id: int, session: SessionCard, kind: ActionKind) -> None:
        posted = await self._gateway.announce(session, nonce=nonce(action_id))
        async with self._uow() as uow:
            occurrence = await uow.occurrences.get(session.occurrence_id)
            if occurrence is not None:
                occurrence.announcement_channel_id = posted.channel_id
                occurrence.announcement_message_id = posted.message_id
                occurrence.thread_id = posted.thread_id or occurrence.thread_id
                await uow.commit()

    async def _remind(self, action_id: int, session: SessionCard, kind: ActionKind) -> None:
        async with self._uow() as uow:
            going = await uow.rsvps.users(session.occurrence_id, "going")
            opted_out = await uow.preferences.reminders_off(session.guild_id, going)
        wanted = [user_id for user_id in going if user_id not in opted_out]
        await self._messenger.tell(session, wanted, Notice(kind.value), nonce=nonce(action_id))

    async def _open_room(self, action_id: int, session: SessionCard, kind: ActionKind) -> None:
        await rooms.open_room(self._uow, self._gateway, session.occurrence_id, self._clock(), nonce=nonce(action_id))

    async def _close_room(self, action_id: int, session: SessionCard, kind: ActionKind) -> None:
        await rooms.close_room(self._uow, self._gateway, session.occurrence_id, self._clock())

    async def _send_survey(self, action_id: int, session: SessionCard, kind: ActionKind) -> None:
        await self._surveys.send(session.occurrence_id, nonce=nonce(action_id))

    async def _remind_survey(self, action_id: int, session: SessionCard, kind: ActionKind) -> None:
        await self._surveys.remind(session.occurrence_id, nonce=nonce(action_id))

    async def _close_survey(self, action_id: int, session: SessionCard, kind: ActionKind) -> None:
        await self._surveys.close(session.occurrence_id)
        # Then release the blocks this closing completes. Should it fail (or the process die here), the action is
        # retried: closing again changes nothing, and the release runs again.
        await self._releases.after_close(session.occurrence_id)
