"""Opening and closing a session's room: shared by the scheduled actions and the facilitators' commands."""

from __future__ import annotations

from datetime import datetime

from bot.db.uow import UnitOfWorkFactory
from bot.domain import lifecycle
from bot.domain.lifecycle import SessionState
from bot.services.cards import load_card
from bot.services.ports import SessionCard, SessionGateway


async def open_room(
    uow_factory: UnitOfWorkFactory, gateway: SessionGateway, occurrence_id: int, now: datetime, *, nonce: str
) -> SessionCard | None:
    """Mark the session open and open its room; returns ``None`` if it was not waiting to open."""
    async with uow_factory() as uow:
        occurrence = await uow.occurrences.get(occurrence_id)
        if occurrence is None or not lifecycle.may_open(occurrence.state):
            return None
        occurrence.state, occurrence.opened_at = SessionState.OPEN, now
        await uow.commit()
        session = await load_card(uow, occurrence_id)
    assert session is not None
    opened = await gateway.open_room(session, nonce=nonce)
    async with uow_factory() as uow:
        occurrence = await uow.occurrences.get(occurrence_id)
        if occurrence is not None and opened.thread_id is not None:
            occurrence.thread_id = opened.thread_id
        for user_id in opened.in_voice:  # already waiting in the room: no join event will come for them
            await uow.attendance.record(session.guild_id, occurrence_id, user_id, present=True, source="voice")
        await uow.commit()
        session = await load_card(uow, occurrence_id)
    assert session is not None
    await gateway.refresh_announcement(session)
    return session


async def close_room(
    uow_factory: UnitOfWorkFactory, gateway: SessionGateway, occurrence_id: int, now: datetime
) -> SessionCard | None:
    """Mark the session closed and close its room; returns ``None`` if it was already closed or cancelled."""
    async with uow_factory() as uow:
        occurrence = await uow.occurrences.get(occurrence_id)
        if occurrence is None or not lifecycle.may_close(occurrence.state):
            return None
        was_open = occurrence.state is SessionState.OPEN
        occurrence.state, occurrence.closed_at = SessionState.CLOSED, now
        if occurrence.opened_at is None:
            occurrence.opened_at = now
        await uow.commit()
        session = await load_card(uow, occurrence_id)
    assert session is not None
    await gateway.close_room(session, was_open=was_open)
    await gateway.refresh_announcement(session)
    return session
