"""The action ledger: plan, claim (one process wins), finish, retry, and list what is due."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, insert, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Action
from bot.domain.actions import ActionKind
from bot.domain.shards import ShardSet


def shard_filter(guild_id: InstrumentedAttribute[int], shards: ShardSet) -> ColumnElement[bool] | None:
    """The SQL of ``ShardSet.owns``: rows of the guilds on these shards (``None`` when that is all of them)."""
    if shards.is_everything:
        return None
    assert shards.count is not None and shards.ids is not None
    # The shift is a literal: bound, it would take the column's type, and PostgreSQL has no bigint >> bigint.
    return guild_id.op(">>")(literal_column("22")).op("%")(shards.count).in_(list(shards.ids))


class ActionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def plan(self, guild_id: int, occurrence_id: int, due: Mapping[ActionKind, datetime]) -> None:
        """Create the actions of an occurrence that do not exist yet (idempotent)."""
        existing = set(await self._session.scalars(select(Action.kind).where(Action.occurrence_id == occurrence_id)))
        for kind, due_at in due.items():
            if kind not in existing:
                self._session.add(Action(guild_id=guild_id, occurrence_id=occurrence_id, kind=kind, due_at=due_at))
        await self._session.flush()

    async def plan_new(self, guild_id: int, due: Mapping[int, Mapping[ActionKind, datetime]]) -> None:
        """Create the actions of occurrences just made (they have none yet) in one statement: a year of sessions
        costs one round trip, not one per action."""
        rows = [
            {"guild_id": guild_id, "occurrence_id": occurrence_id, "kind": kind.value, "due_at": due_at}
            for occurrence_id, times in due.items()
            for kind, due_at in times.items()
        ]
        if rows:
            await self._session.execute(insert(Action), rows)

    async def reschedule(self, occurrence_id: int, due: Mapping[ActionKind, datetime], rearm: set[str]) -> None:
        """Move the due times of an occurrence's actions; those in ``rearm`` become pending again."""
        for action in await self.of_occurrence(occurrence_id):
            action.due_at = due.get(ActionKind(action.kind), action.due_at)
            if action.kind in rearm:
                action.state, action.attempts, action.note = "pending", 0, None
                action.claimed_by = action.lease_until = action.finished_at = None
        await self._session.flush()

    async def of_occurrence(self, occurrence_id: int) -> Sequence[Action]:
        query = select(Action).where(Action.occurrence_id == occurrence_id).order_by(Action.due_at, Action.id)
        return (await self._session.scalars(query)).all()

    async def get(self, action_id: int) -> Action | None:
        return await self._session.get(Action, action_id)

    async def skip_pending(
        self, occurrence_id: int, note: str, now: datetime, kinds: Sequence[str] | None = None
    ) -> None:
        query = update(Action).where(Action.occurrence_id == occurrence_id, Action.state == "pending")
        if kinds is not None:
            query = query.where(Action.kind.in_(kinds))
        await self._session.execute(query.values(state="skipped", note=note, finished_at=now))

    async def claim(self, action_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
        """Take the action if it is due and nobody holds a live claim on it. Exactly one process can win."""
        result = await self._session.execute(
            update(Action)
            .where(
                Action.id == action_id,
                or_(
                    and_(Action.state == "pending", Action.due_at <= now),
                    and_(Action.state == "claimed", Action.lease_until < now),
                ),
            )
            .values(state="claimed", claimed_by=worker, lease_until=now + lease, attempts=Action.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def finish(self, action_id: int, state: str, now: datetime, note: str | None = None) -> None:
        await self._session.execute(
            update(Action)
            .where(Action.id == action_id)
            .values(state=state, finished_at=now, note=note, lease_until=None)
            .execution_options(synchronize_session=False)
        )

    async def retry_later(self, action_id: int, due_at: datetime, note: str) -> None:
        await self._session.execute(
            update(Action)
            .where(Action.id == action_id)
            .values(state="pending", due_at=due_at, note=note, claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )

    async def due_before(
        self, until: datetime, now: datetime, shards: ShardSet, limit: int = 5000
    ) -> Sequence[tuple[int, datetime]]:
        """``(id, due_at)`` of pending actions due before ``until`` and of claims whose lease ran out."""
        query = select(Action.id, Action.due_at).where(
            or_(
                and_(Action.state == "pending", Action.due_at < until),
                and_(Action.state == "claimed", Action.lease_until < now),
            )
        )
        owned = shard_filter(Action.guild_id, shards)
        if owned is not None:
            query = query.where(owned)
        return (await self._session.execute(query.order_by(Action.due_at).limit(limit))).tuples().all()
