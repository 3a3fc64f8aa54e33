"""RSVPs and check-ins arriving together are decided and written in one batch (``bot.services.rsvp_writer``): on a
real database, places and the waitlist come out as one by one, and each caller hears only their own outcome."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.rsvp import Choice, JoinCohortFirst, RsvpStatus
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.ports import Notice, SessionCard
from bot.services.rsvp import GroundRulesRequired, RsvpOutcome, RsvpService
from bot.services.series import SeriesRequest, SeriesService
from bot.services.sessions import SessionService
from tests.fakes import FakeClock, FakeRoleGateway, FakeSessionGateway

GUILD, OTHER_GUILD = 900000000000000001, 900000000000000002
FACILITATOR_ROLE = 11
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
DOM = "Domiciliary care managers"
MEMBERS = list(range(1001, 1041))  # in the cohort, ground rules accepted
OUTSIDER, NO_RULES = 2001, 2002  # not in the cohort; in it, but has not accepted the ground rules


class World:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
        self.gateway = FakeSessionGateway()
        self.uow = uow
        self.series = SeriesService(uow, clock=self.clock)
        self.sessions = SessionService(uow, self.gateway, clock=self.clock)
        self.rsvp = RsvpService(uow, self.gateway, clock=self.clock)

    async def upcoming(self, capacity: int | None) -> list[int]:
        """A new fortnightly series with this capacity: its sessions, soonest first."""
        title = f"Peer support {capacity}"
        request = SeriesRequest(
            cohort=DOM,
            title=title,
            cadence="fortnightly",
            start="2026-03-17 10:00",
            duration=90,
            capacity=capacity,
        )
        await self.series.create(GUILD, FACILITATOR, request)
        entries = (await self.sessions.upcoming(GUILD, MEMBERS[0])).entries
        return [e.session.occurrence_id for e in entries if e.session.title == title]

    async def statuses(self, occurrence_id: int) -> dict[str, list[int]]:
        async with self.uow.reading() as uow:
            return {status: await uow.rsvps.users(occurrence_id, status) for status in RsvpStatus}


@pytest.fixture
async def world(uow: UnitOfWorkFactory) -> World:
    await SetupService(uow).set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=12)
    cohorts = CohortService(uow, FakeRoleGateway(), default_timezone="Europe/London")
    await cohorts.create(GUILD, FACILITATOR, name=DOM, description="d", channel_id=20)
    made = World(uow)
    for user in [*MEMBERS, NO_RULES]:
        await cohorts.join(GUILD, user, DOM)
    for user in MEMBERS:
        await made.rsvp.accept_ground_rules(GUILD, user)
    return made


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run meanwhile, by any engine (an executemany counts once)."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


async def test_a_burst_fills_the_places_in_arrival_order_and_waitlists_the_rest(world: World) -> None:
    [first, *_] = await world.upcoming(capacity=10)
    burst = MEMBERS[:35]
    with statements() as ran:
        outcomes = await asyncio.gather(*(world.rsvp.respond(GUILD, user, first, Choice.YES) for user in burst))
    assert [o.status for o in outcomes] == [RsvpStatus.GOING] * 10 + [RsvpStatus.WAITLISTED] * 25
    assert all(o.session.going == 10 and o.session.waitlisted == 25 for o in outcomes)
    assert len(ran) <= 12, ran  # one batch: a handful of statements, not a transaction per click
    stored = await world.statuses(first)
    assert stored["going"] == burst[:10]
    assert stored["waitlisted"] == burst[10:]  # the waitlist in the order people clicked

    # Clicking again changes nothing; a second burst joins the end of the waitlist.
    again = await asyncio.gather(
        *(world.rsvp.respond(GUILD, user, first, Choice.YES) for user in [burst[0], burst[20], *MEMBERS[35:]])
    )
    assert [o.status for o in again] == [RsvpStatus.GOING] + [RsvpStatus.WAITLISTED] * 6
    assert (await world.statuses(first))["waitlisted"] == burst[10:] + MEMBERS[35:]


async def test_each_click_of_a_mixed_batch_gets_its_own_answer(world: World) -> None:
    first, second, *_ = await world.upcoming(capacity=None)
    await world.sessions.cancel(GUILD, FACILITATOR, second, "Facilitator unwell")
    alice, bob, carys = MEMBERS[:3]
    clicks = [
        (GUILD, alice, first, Choice.YES),
        (GUILD, OUTSIDER, first, Choice.YES),
        (GUILD, NO_RULES, first, Choice.YES),
        (GUILD, bob, second, Choice.YES),
        (GUILD, OUTSIDER, first, Choice.NO),  # never answered: nothing to change
        (GUILD, carys, 987654, Choice.YES),
        (OTHER_GUILD, carys, first, Choice.YES),  # a session of another server
        (GUILD, carys, first, Choice.YES),
        (GUILD, NO_RULES, first, Choice.NO),  # "can't make it" needs no ground rules
    ]
    answers = await asyncio.gather(*(world.rsvp.respond(*click) for click in clicks), return_exceptions=True)

    assert isinstance(answers[0], RsvpOutcome) and answers[0].status is RsvpStatus.GOING
    assert isinstance(answers[1], JoinCohortFirst) and answers[1].cohort_name == DOM
    assert isinstance(answers[2], GroundRulesRequired)
    assert isinstance(answers[3], InvalidInput) and "cancelled" in answers[3].message
    assert isinstance(answers[4], InvalidInput) and "no RSVP to change" in answers[4].message
    assert isinstance(answers[5], NotFound) and isinstance(answers[6], NotFound)
    assert isinstance(answers[7], RsvpOutcome) and answers[7].status is RsvpStatus.GOING
    assert isinstance(answers[8], RsvpOutcome) and answers[8].status is RsvpStatus.DECLINED
    assert len({id(answer) for answer in answers}) == len(answers)  # nobody is handed another's refusal
    assert (await world.statuses(first)) == {"going": [alice, carys], "waitlisted": [], "declined": [NO_RULES]}
    assert (await world.statuses(second)) == {"going": [], "waitlisted": [], "declined": []}


async def test_a_decline_in_a_batch_promotes_the_first_waitlisted(world: World) -> None:
    [first, *_] = await world.upcoming(capacity=2)
    alice, bob, carys, dai, eira = MEMBERS[:5]
    for user in (alice, bob, carys, dai):
        await world.rsvp.respond(GUILD, user, first, Choice.YES)
    assert (await world.statuses(first))["waitlisted"] == [carys, dai]

    eira_first, alice_leaves, bob_leaves = await asyncio.gather(
        world.rsvp.respond(GUILD, eira, first, Choice.YES),
        world.rsvp.respond(GUILD, alice, first, Choice.NO),
        world.rsvp.respond(GUILD, bob, first, Choice.NO),
    )
    assert eira_first.status is RsvpStatus.WAITLISTED
    assert alice_leaves.status is RsvpStatus.DECLINED and alice_leaves.promoted == [carys]
    assert bob_leaves.promoted == [dai]
    assert (await world.statuses(first)) == {"going": [carys, dai], "waitlisted": [eira], "declined": [alice, bob]}
    told = [detail for occurrence, detail in world.gateway.of("dm") if occurrence == first]
    assert sorted(told) == [(carys, Notice.PROMOTED), (dai, Notice.PROMOTED)]  # each told once (in any order)


async def test_a_batch_decides_exactly_as_one_by_one(world: World) -> None:
    one_by_one, together, *_ = await world.upcoming(capacity=3)
    people = MEMBERS[:8]
    rng = random.Random(14)
    clicks = [(rng.choice(people), rng.choice([Choice.YES, Choice.YES, Choice.NO])) for _ in range(60)]

    def seen(outcome: RsvpOutcome) -> tuple[str, list[int], int, int]:
        return outcome.status, outcome.promoted, outcome.session.going, outcome.session.waitlisted

    alone = [seen(await world.rsvp.respond(GUILD, user, one_by_one, choice)) for user, choice in clicks]
    batched = await asyncio.gather(*(world.rsvp.respond(GUILD, user, together, choice) for user, choice in clicks))
    final = batched[-1].session
    assert [(status, promoted) for status, promoted, _, _ in alone] == [(o.status, o.promoted) for o in batched]
    assert alone[-1][2:] == (final.going, final.waitlisted)  # every answer shows the counts as committed
    assert await world.statuses(one_by_one) == await world.statuses(together)


async def test_concurrent_check_ins_are_all_recorded_once(world: World) -> None:
    first, second, *_ = await world.upcoming(capacity=None)
    world.clock.set(datetime(2026, 3, 17, 9, 55, tzinfo=UTC))
    await world.sessions.start(GUILD, FACILITATOR, first)
    corrected = MEMBERS[0]  # a facilitator marked them absent: a check-in does not overrule that
    async with world.uow() as uow:
        await uow.attendance.record(GUILD, first, corrected, present=False, source="facilitator")
        await uow.commit()
    people = MEMBERS[:30]

    with statements() as ran:
        answers = await asyncio.gather(
            *(world.rsvp.check_in(GUILD, user, first) for user in people + people[:10]),  # some press twice
            world.rsvp.check_in(GUILD, OUTSIDER, first),
            world.rsvp.check_in(GUILD, MEMBERS[31], second),  # not running yet
            return_exceptions=True,
        )
    *checked, outsider, early = answers
    assert all(isinstance(a, SessionCard) and a.occurrence_id == first and a.title for a in checked), checked
    assert isinstance(outsider, JoinCohortFirst)
    assert isinstance(early, InvalidInput) and "hasn't started yet" in early.message
    assert len(ran) <= 12, ran
    async with world.uow.reading() as uow:
        rows = await uow.attendance.of_occurrence(first)
        assert await uow.attendance.of_occurrence(second) == []
    by_user = {row.user_id: (row.present, row.source) for row in rows}
    assert len(rows) == len(by_user) == 30  # once each
    assert by_user.pop(corrected) == (False, "facilitator")
    assert set(by_user.values()) == {(True, "checkin")}

    # Voice presence marked someone absent earlier? A check-in marks them present.
    async with world.uow() as uow:
        row = await uow.attendance.of(first, MEMBERS[1])
        assert row is not None
        row.present, row.source = False, "voice"
        await uow.commit()
    await asyncio.gather(world.rsvp.check_in(GUILD, MEMBERS[1], first), world.rsvp.check_in(GUILD, MEMBERS[1], first))
    async with world.uow.reading() as uow:
        present = await uow.attendance.present(first)
    assert MEMBERS[1] in present and corrected not in present


async def test_dm_channels_for_reminders_are_opened_once_each_together(world: World) -> None:
    people = MEMBERS[:5]
    with statements() as ran:
        await asyncio.gather(*(world.rsvp.prepare_reminders(user) for user in people + people[:2]))
    opened = [user for call, _, user in world.gateway.calls if call == "open_dm"]
    assert sorted(opened) == people
    assert len(ran) <= 8, ran  # one read and one write for them all
    async with world.uow.reading() as uow:
        assert set(await uow.dm_channels.of(people)) == set(people)

    with statements() as again:  # they answer again: nothing to do, not even a read
        await asyncio.gather(*(world.rsvp.prepare_reminders(user) for user in people))
    assert again == [] and len([call for call, _, _ in world.gateway.calls if call == "open_dm"]) == 5
