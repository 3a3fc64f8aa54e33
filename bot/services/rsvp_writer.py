"""Group commit of RSVP and check-in clicks: the clicks arriving at the same moment are decided and written together.

A burst of members pressing "I'll be there" (an announcement to a large cohort) or "I'm here" (a session starting)
would otherwise cost one write transaction of several statements each, queued behind SQLite's single writer. Here
each click joins the next batch, and a batch costs a handful of statements whatever its size: the batch's sessions,
memberships, ground-rules acceptances, RSVPs and counts are read at once inside the write transaction; each click
is then decided in the order it arrived, with the same rules as one by one (``bot.domain.rsvp``,
``bot.domain.lifecycle``), so places and the waitlist come out exactly as they would have; the changes go in as a
few executemany statements and the batch commits once. Each click gets its own outcome or its own refusal.

The batch is plain synchronous code run by ``UnitOfWorkFactory.run_sync`` (see ``bot.services.response_writer``,
the survey's group commit, which this follows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.db import rsvp_batches as db
from bot.db.models import Cohort, Occurrence, Series
from bot.db.rsvp_batches import RsvpRow
from bot.db.uow import SyncSession, UnitOfWorkFactory
from bot.domain import lifecycle
from bot.domain import rsvp as rules
from bot.domain.errors import NotFound, UserFacingError
from bot.domain.language import N_
from bot.domain.rsvp import Choice, RsvpStatus
from bot.services.batching import GroupCommit
from bot.services.cards import card
from bot.services.ports import SessionCard


class GroundRulesRequired(UserFacingError):
    """The member must accept the ground rules before their first RSVP."""

    def __init__(self, joined: str | None = None) -> None:
        if joined:
            super().__init__(
                N_(
                    "Welcome to **{cohort}**: you've joined the cohort. "
                    "Before your first RSVP, please read and accept the ground rules."
                ),
                cohort=joined,
            )
        else:
            super().__init__(N_("Before your first RSVP, please read and accept the ground rules."))


@dataclass(frozen=True, slots=True)
class RsvpOutcome:
    session: SessionCard
    status: RsvpStatus
    promoted: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Click:
    """One member's press of "I'll be there" / "Can't make it" (``choice``) or of "I'm here" (``choice`` None)."""

    guild_id: int
    user_id: int
    occurrence_id: int
    choice: Choice | None
    at: datetime


@dataclass(frozen=True, slots=True)
class _Recorded:
    """What a batch decided for one RSVP click, before the session cards are built."""

    occurrence_id: int
    status: RsvpStatus
    promoted: list[int]


class RsvpWriter:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._group: GroupCommit[Click, RsvpOutcome | SessionCard] = GroupCommit(
            uow, write_batch, linger=uow.batch_linger
        )

    async def rsvp(self, click: Click) -> RsvpOutcome:
        """Record an RSVP once it is committed; raises its refusal, or the error the write met."""
        assert click.choice is not None
        outcome = await self._group.submit(click)
        assert isinstance(outcome, RsvpOutcome)
        return outcome

    async def check_in(self, click: Click) -> SessionCard:
        """Record a check-in (attendance, source "checkin"; a second one changes nothing) once it is committed."""
        assert click.choice is None
        session = await self._group.submit(click)
        assert isinstance(session, SessionCard)
        return session


def write_batch(session: SyncSession, clicks: list[Click]) -> list[RsvpOutcome | SessionCard | Exception]:
    """Decide each click in order and store what the allowed ones changed; returns, in order, each click's outcome
    (an RSVP's, or the session a check-in was for) or its refusal. Synchronous, so the batch runs in one go."""
    ledger = _Ledger.read(session, clicks)
    decided: list[_Recorded | int | Exception] = []
    for click in clicks:
        try:
            decided.append(ledger.rsvp(click) if click.choice is not None else ledger.check_in(click))
        except UserFacingError as refusal:
            decided.append(refusal)
    ledger.write(session)
    cards = ledger.cards()
    verdicts: list[RsvpOutcome | SessionCard | Exception] = []
    for verdict in decided:
        if isinstance(verdict, _Recorded):
            verdicts.append(RsvpOutcome(cards[verdict.occurrence_id], verdict.status, verdict.promoted))
        elif isinstance(verdict, int):
            verdicts.append(cards[verdict])
        else:
            verdicts.append(verdict)
    return verdicts


@dataclass
class _Ledger:
    """What a batch read, kept up to date as its clicks are decided, and what it must write."""

    sessions: dict[int, tuple[Occurrence, Series, Cohort]]
    members: set[tuple[int, int]]
    accepted: set[tuple[int, int]]
    rsvps: dict[tuple[int, int], RsvpRow]
    counts: dict[tuple[int, RsvpStatus], int]
    waitlists: dict[int, dict[int, RsvpRow]]  # only of sessions someone in the batch may leave
    attendance: dict[tuple[int, int], db.AttendanceRow]
    new_rsvps: dict[tuple[int, int], int] = field(default_factory=dict)  # -> its place in the insert order
    changed_rsvps: set[tuple[int, int]] = field(default_factory=set)
    new_attendance: dict[tuple[int, int], int] = field(default_factory=dict)  # -> guild
    checked_in: set[int] = field(default_factory=set)  # attendance rows to mark present

    @classmethod
    def read(cls, session: SyncSession, clicks: Sequence[Click]) -> _Ledger:
        sessions = db.sessions_of(session, {click.occurrence_id for click in clicks})
        answers = [click for click in clicks if click.choice is not None and click.occurrence_id in sessions]
        check_ins = [click for click in clicks if click.choice is None and click.occurrence_id in sessions]
        answered = {click.occurrence_id for click in answers}
        rsvps = db.rsvps(session, answered, {click.user_id for click in answers})
        # A place is given up only by "Can't make it": only those sessions' waitlists are needed.
        waitlists = db.waitlists(session, {click.occurrence_id for click in answers if click.choice is Choice.NO})
        for occurrence_id, waitlist in waitlists.items():
            for user_id in waitlist:
                waitlist[user_id] = rsvps.get((occurrence_id, user_id), waitlist[user_id])
        saying_yes = [click for click in answers if click.choice is Choice.YES]
        return cls(
            sessions=sessions,
            members=db.memberships(
                session, {cohort.id for _, _, cohort in sessions.values()}, {click.user_id for click in clicks}
            ),
            accepted=db.ground_rules_accepted(
                session, {click.guild_id for click in saying_yes}, {click.user_id for click in saying_yes}
            ),
            rsvps=rsvps,
            counts=db.rsvp_counts(session, list(sessions)),
            waitlists=waitlists,
            attendance=db.attendance(
                session, {click.occurrence_id for click in check_ins}, {click.user_id for click in check_ins}
            ),
        )

    def _session(self, click: Click) -> tuple[Occurrence, Series, Cohort]:
        found = self.sessions.get(click.occurrence_id)
        if found is None or found[0].guild_id != click.guild_id:
            raise NotFound(N_("I can't find that session any more."))
        return found

    def rsvp(self, click: Click) -> _Recorded:
        """Decide one RSVP as ``RsvpService`` always has; a place given up goes to the first on the waitlist."""
        assert click.choice is not None
        occurrence, series, cohort = self._session(click)
        lifecycle.rsvp(occurrence.state, occurrence.starts_at, click.at)
        key = (occurrence.id, click.user_id)
        row = self.rsvps.get(key)
        current = row.status if row is not None else None
        rules.require_in_cohort((cohort.id, click.user_id) in self.members, cohort.name, click.choice, current)
        if click.choice is Choice.YES and (click.guild_id, click.user_id) not in self.accepted:
            raise GroundRulesRequired()
        others_going = self.counts.get((occurrence.id, RsvpStatus.GOING), 0) - (1 if current is RsvpStatus.GOING else 0)
        status = rules.status_for(click.choice, current, others_going, series.capacity)
        if row is None:
            self.rsvps[key] = RsvpRow(None, status, click.at)
            self.new_rsvps[key] = len(self.new_rsvps)
            self._counted(occurrence.id, click.user_id, None, status)
        elif row.status is not status:
            self._set(key, status, click.at)
        promoted: list[int] = []
        if current is RsvpStatus.GOING and status is not RsvpStatus.GOING:
            promoted = self._fill_free_places(occurrence.id, series.capacity, click.at)
        return _Recorded(occurrence.id, status, promoted)

    def _fill_free_places(self, occurrence_id: int, capacity: int | None, now: datetime) -> list[int]:
        """As ``bot.services.places.fill_free_places``: the first on the waitlist move into the places now free."""
        waitlist = self.waitlists[occurrence_id]
        ordered = sorted(waitlist, key=lambda user: self._waitlist_order((occurrence_id, user), waitlist[user]))
        moved = rules.promotions(capacity, self.counts.get((occurrence_id, RsvpStatus.GOING), 0), ordered)
        for user in moved:
            self.rsvps.setdefault((occurrence_id, user), waitlist[user])
            self._set((occurrence_id, user), RsvpStatus.GOING, now)
        return moved

    def _waitlist_order(self, key: tuple[int, int], row: RsvpRow) -> tuple[datetime, int]:
        """Where a row sorts in ``ORDER BY updated_at, id``: rows this batch inserts get the next IDs, in order."""
        if row.id is not None:
            return row.updated_at, row.id
        return row.updated_at, _AFTER_EVERY_ID + self.new_rsvps[key]

    def _set(self, key: tuple[int, int], status: RsvpStatus, now: datetime) -> None:
        row = self.rsvps[key]
        self._counted(key[0], key[1], row.status, status)
        row.status, row.updated_at = status, now
        if row.id is not None:
            self.changed_rsvps.add(key)

    def _counted(self, occurrence_id: int, user_id: int, before: RsvpStatus | None, after: RsvpStatus) -> None:
        if before is not None:
            self.counts[(occurrence_id, before)] = self.counts.get((occurrence_id, before), 0) - 1
        self.counts[(occurrence_id, after)] = self.counts.get((occurrence_id, after), 0) + 1
        waitlist = self.waitlists.get(occurrence_id)
        if waitlist is not None:
            waitlist.pop(user_id, None)
            if after is RsvpStatus.WAITLISTED:
                waitlist[user_id] = self.rsvps[(occurrence_id, user_id)]

    def check_in(self, click: Click) -> int:
        """Record one check-in as ``AttendanceRepository.record`` does; returns the session's ID."""
        occurrence, _, cohort = self._session(click)
        lifecycle.check_in(occurrence.state)
        rules.require_in_cohort((cohort.id, click.user_id) in self.members, cohort.name)
        key = (occurrence.id, click.user_id)
        row = self.attendance.get(key)
        if row is None:
            self.new_attendance.setdefault(key, occurrence.guild_id)
        elif not row.present and row.source != "facilitator":  # a facilitator's correction wins over a check-in
            self.checked_in.add(row.id)
        return occurrence.id

    def write(self, session: SyncSession) -> None:
        db.add_rsvps(
            session,
            [
                {
                    "guild_id": self.sessions[occurrence_id][0].guild_id,
                    "occurrence_id": occurrence_id,
                    "user_id": user_id,
                    "status": self.rsvps[(occurrence_id, user_id)].status,
                    "updated_at": self.rsvps[(occurrence_id, user_id)].updated_at,
                }
                for occurrence_id, user_id in self.new_rsvps
            ],
        )
        changed = [self.rsvps[key] for key in sorted(self.changed_rsvps)]
        db.change_rsvps(session, [(row.id, row.status, row.updated_at) for row in changed if row.id is not None])
        db.add_attendance(
            session,
            [
                {"guild_id": guild_id, "occurrence_id": occ, "user_id": user, "present": True, "source": "checkin"}
                for (occ, user), guild_id in self.new_attendance.items()
            ],
        )
        db.mark_checked_in(session, self.checked_in)

    def cards(self) -> dict[int, SessionCard]:
        """Each session of the batch as it stands once the batch is written."""
        counts = {(occurrence_id, str(status)): n for (occurrence_id, status), n in self.counts.items()}
        return {occurrence_id: card(*parts, counts=counts) for occurrence_id, parts in self.sessions.items()}


_AFTER_EVERY_ID = 1 << 62  # rows a batch inserts get IDs after every row already there
