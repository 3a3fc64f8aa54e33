"""Building ``SessionCard``s and recurrence rules from stored rows (shared by the session services), and the local
day and time of a session as a picker shows it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.db.models import Cohort, Occurrence, Series
from bot.db.uow import UnitOfWork
from bot.domain.language import Language
from bot.domain.recurrence import Cadence, MonthlyBy, Recurrence
from bot.services.ports import SessionCard


def recurrence_of(series: Series) -> Recurrence:
    return Recurrence(
        cadence=Cadence(series.cadence),
        first_local=datetime.combine(series.first_date, series.start_time),
        zone=ZoneInfo(series.timezone),
        monthly_by=MonthlyBy(series.monthly_by),
        until=series.until,
        count=series.count,
    )


def card(
    occurrence: Occurrence, series: Series, cohort: Cohort, counts: dict[tuple[int, str], int] | None = None
) -> SessionCard:
    counts = counts or {}
    return SessionCard(
        occurrence_id=occurrence.id,
        guild_id=occurrence.guild_id,
        series_id=series.id,
        title=series.title,
        cohort_name=cohort.name,
        cohort_channel_id=cohort.channel_id,
        timezone=series.timezone,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        state=occurrence.state,
        capacity=series.capacity,
        going=counts.get((occurrence.id, "going"), 0),
        waitlisted=counts.get((occurrence.id, "waitlisted"), 0),
        room_channel_id=series.room_channel_id,
        link=series.link,
        cancel_reason=occurrence.cancel_reason,
        announcement_channel_id=occurrence.announcement_channel_id,
        announcement_message_id=occurrence.announcement_message_id,
        thread_id=occurrence.thread_id,
        event_id=occurrence.event_id,
        medium=series.medium,
    )


async def load_card(uow: UnitOfWork, occurrence_id: int) -> SessionCard | None:
    parts = await uow.occurrences.card_parts(occurrence_id)
    if parts is None:
        return None
    counts = await uow.rsvps.counts([occurrence_id])
    return card(*parts, counts=counts)


async def load_cards(uow: UnitOfWork, rows: Sequence[tuple[Occurrence, Series, Cohort]]) -> list[SessionCard]:
    counts = await uow.rsvps.counts([occurrence.id for occurrence, _, _ in rows])
    return [card(occurrence, series, cohort, counts) for occurrence, series, cohort in rows]


def local_label(moment: datetime, timezone: str, language: Language, *, comma: bool = False) -> str:
    """A session's day and time in its cohort's zone, for plain-text pickers (no Discord timestamps there):
    "Tue 16 Mar 2027 10:00" (with ``comma``: "Tue 16 Mar 2027, 10:00"), in Welsh "Maw 16 Mawrth 2027 10:00"."""
    between = ", " if comma else " "
    if language is Language.EN:
        return moment.astimezone(ZoneInfo(timezone)).strftime(f"%a %-d %b %Y{between}%H:%M")
    pattern = f"EEE d MMMM y{between}HH:mm"
    return format_datetime(moment, pattern, tzinfo=ZoneInfo(timezone), locale=language.value)
