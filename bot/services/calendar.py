"""``/calendar``: an .ics feed of the active series of a guild (or one cohort), with cancelled and moved dates."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.db.uow import UnitOfWorkFactory
from bot.domain.calendar import CalendarSeries, build_calendar
from bot.domain.language import DEFAULT_LANGUAGE, N_, Language, SessionMedium
from bot.domain.lifecycle import SeriesState, SessionState
from bot.i18n import t
from bot.services.cards import recurrence_of
from bot.services.cohorts import find_cohort

DESCRIPTIONS = {
    None: N_("Peer support for {cohort}. RSVP in Discord."),
    SessionMedium.WELSH: N_("Peer support for {cohort}, held in Welsh. RSVP in Discord."),
    SessionMedium.BILINGUAL: N_("Peer support for {cohort}, held in Welsh and English. RSVP in Discord."),
}


class CalendarService:
    def __init__(self, uow: UnitOfWorkFactory, *, clock: Callable[[], datetime]) -> None:
        self._uow = uow
        self._clock = clock

    async def ics(
        self, guild_id: int, cohort: str | None, *, name: str, language: Language = DEFAULT_LANGUAGE
    ) -> tuple[str, bytes]:
        """``(filename, body)`` of the calendar of active series (paused and ended ones are left out), its
        descriptions in ``language``."""
        async with self._uow() as uow:
            cohort_id = None
            if cohort:
                found = await find_cohort(uow, guild_id, cohort)
                cohort_id, name = found.id, f"{name}: {found.name}"
            rows = [(s, c) for s, c in await uow.series.in_guild(guild_id, cohort_id) if s.state is SeriesState.ACTIVE]
            changed = await uow.occurrences.changed([series.id for series, _ in rows])
        entries = []
        for series, owner in rows:
            mine = [o for o in changed if o.series_id == series.id]
            entries.append(
                CalendarSeries(
                    uid=f"series-{series.id}.guild-{guild_id}@cwtch",
                    title=f"{series.title} ({owner.name})",
                    description=t(language, DESCRIPTIONS[series.medium], cohort=owner.name),
                    rule=recurrence_of(series),
                    duration=timedelta(minutes=series.duration_minutes),
                    location=series.link,
                    cancelled=frozenset(o.scheduled_start for o in mine if o.state == SessionState.CANCELLED),
                    moved={o.scheduled_start: o.starts_at for o in mine if o.state != SessionState.CANCELLED},
                )
            )
        slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "cwtch"
        return f"{slug[:60]}.ics", build_calendar(entries, now=self._clock(), name=name)
