"""``/session list``, read in batches: the lists asked for at the same moment are read together.

A list needs the guild's cohorts, the member's cohorts, the sessions ahead, their cards and the member's RSVPs.
Members asking at once mostly share all but the last two, so a batch reads each shared part once, and the
members' cohorts and RSVPs in one statement each, whatever the number asking (see :mod:`bot.services.batching`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.db.models import Cohort
from bot.db.uow import UnitOfWorkFactory
from bot.domain import cohorts as cohort_rules
from bot.domain import schedule
from bot.domain.errors import NotFound
from bot.domain.language import N_
from bot.domain.rsvp import open_for_rsvp
from bot.services.batching import Batcher
from bot.services.cards import load_cards
from bot.services.cohorts import no_such_cohort
from bot.services.ports import SessionCard

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class UpcomingSession:
    session: SessionCard
    my_status: str | None
    open_for_rsvp: bool = False  # scheduled and not started: the list offers an RSVP for it


@dataclass(frozen=True, slots=True)
class UpcomingPage:
    """One page of ``/session list``: whose sessions, which page of how many."""

    entries: list[UpcomingSession]
    page: int
    pages: int
    total: int
    cohort_id: int | None = None  # the cohort asked for; None: the member's own cohorts (or everyone's)
    cohort_name: str | None = None
    my_cohorts: tuple[str, ...] = ()  # the member's cohorts, when the page shows them (none: everyone's)


@dataclass(frozen=True, slots=True)
class ListRequest:
    guild_id: int
    user_id: int
    cohort: str | None  # a cohort's name as the member typed it
    cohort_id: int | None  # or its ID, from a page button
    page: int


@dataclass(frozen=True, slots=True)
class _Scope:
    """Whose sessions one request lists: the cohort asked for, or the member's own (or everyone's: None)."""

    chosen: Cohort | None
    cohort_ids: tuple[int, ...] | None
    mine: tuple[str, ...]


class SessionLists:
    def __init__(self, uow: UnitOfWorkFactory, *, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock
        self._batcher: Batcher[ListRequest, UpcomingPage] = Batcher(self._read)

    async def page(self, request: ListRequest) -> UpcomingPage:
        """Per series the next 90 days or next three sessions (whichever is more), paged.

        Without a cohort (by name, or by ID from a page button): the member's own cohorts, or everyone's if they are
        in none."""
        return await self._batcher.get(request)

    async def _read(self, requests: Sequence[ListRequest]) -> dict[ListRequest, UpcomingPage | Exception]:
        now = self._clock()
        found: dict[ListRequest, UpcomingPage | Exception] = {}
        async with self._uow.reading() as uow:
            cohorts = await uow.cohorts.in_guilds({r.guild_id for r in requests})
            unnamed = [r for r in requests if r.cohort is None and r.cohort_id is None]
            memberships = await uow.cohorts.memberships_of_people({(r.guild_id, r.user_id) for r in unnamed})
            scopes: dict[ListRequest, _Scope] = {}
            for request in requests:
                try:
                    scopes[request] = _scope(request, cohorts[request.guild_id], memberships)
                except NotFound as refusal:
                    found[request] = refusal
            # What is listed depends only on the server and the cohorts: worked out once for everyone asking.
            listed = {
                key: schedule.listed(
                    [schedule.Slot(*row) for row in await uow.occurrences.timeline(key[0], now, cohort_ids=key[1])],
                    now,
                )
                for key in {(r.guild_id, scope.cohort_ids) for r, scope in scopes.items()}
            }
            pages: dict[ListRequest, tuple[schedule.Page, list[int]]] = {}
            for request, scope in scopes.items():
                shown = listed[request.guild_id, scope.cohort_ids]
                where = schedule.page_of(len(shown), request.page)
                pages[request] = (where, [slot.occurrence_id for slot in shown[where.start : where.stop]])
            wanted = sorted({o for _, ids in pages.values() for o in ids})
            cards = {c.occurrence_id: c for c in await load_cards(uow, await uow.occurrences.card_rows(wanted))}
            statuses = await uow.rsvps.statuses_of_people({r.user_id for r in pages}, wanted)
        for request, (where, ids) in pages.items():
            scope = scopes[request]
            shown_cards = [cards[o] for o in ids if o in cards]
            entries = [
                UpcomingSession(
                    c, statuses.get((request.user_id, c.occurrence_id)), open_for_rsvp(c.state, c.starts_at, now)
                )
                for c in shown_cards
            ]
            found[request] = UpcomingPage(
                entries=entries,
                page=where.number,
                pages=where.count,
                total=where.total,
                cohort_id=scope.chosen.id if scope.chosen else None,
                cohort_name=scope.chosen.name if scope.chosen else None,
                my_cohorts=scope.mine,
            )
        return found


def _scope(request: ListRequest, cohorts: Sequence[Cohort], memberships: dict[tuple[int, int], set[int]]) -> _Scope:
    if request.cohort is not None:
        key = cohort_rules.name_key(request.cohort)
        chosen = next((c for c in cohorts if c.name_key == key), None)
        if chosen is None:
            raise no_such_cohort(request.cohort)
        return _Scope(chosen, (chosen.id,), ())
    if request.cohort_id is not None:
        chosen = next((c for c in cohorts if c.id == request.cohort_id), None)
        if chosen is None:
            raise NotFound(N_("That cohort is no longer here. `/session list` shows the sessions there are."))
        return _Scope(chosen, (chosen.id,), ())
    member_of = memberships[request.guild_id, request.user_id]
    mine = tuple(c.name for c in cohorts if c.id in member_of)
    return _Scope(None, tuple(sorted(member_of)) or None, mine)
