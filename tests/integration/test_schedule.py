"""The whole schedule on a real database: sessions made 13 months ahead (and always the next three), listed per
series and paged, booked and corrected at any distance, and only by the session's cohort."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

import pytest

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.errors import BotLacksPermission, InvalidInput, NotFound
from bot.domain.rsvp import Choice, JoinCohortFirst, RsvpStatus
from bot.services.actions import ActionRunner
from bot.services.calendar import CalendarService
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.ports import Notice
from bot.services.releases import ReleaseService
from bot.services.rsvp import GroundRulesRequired, RsvpService
from bot.services.series import MATERIALIZE_AHEAD, SeriesRequest, SeriesService
from bot.services.session_list import UpcomingPage
from bot.services.sessions import SessionService
from bot.services.surveys import SurveyService
from tests.fakes import FakeClock, FakeRoleGateway, FakeSessionGateway

GUILD = 900000000000000002
FACILITATOR_ROLE, HOME_ROLE, DOM_ROLE = 11, 21, 22
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
ALICE, BOB = 101, 102
HOME, DOM = "Care home managers", "Domiciliary care managers"
JANUARY = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


class World:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow
        self.clock = FakeClock(JANUARY)
        self.gateway = FakeSessionGateway()
        self.roles = FakeRoleGateway()
        self.cohorts = CohortService(uow, self.roles, default_timezone="Europe/London")
        self.series = SeriesService(uow, clock=self.clock)
        self.sessions = SessionService(uow, self.gateway, clock=self.clock)
        self.rsvp = RsvpService(uow, self.gateway, clock=self.clock, cohorts=self.cohorts)
        self.calendar = CalendarService(uow, clock=self.clock)
        surveys = SurveyService(uow, self.gateway, clock=self.clock, key=b"k" * 32, survey_open=timedelta(days=7))
        releases = ReleaseService(uow, clock=self.clock, key=b"k" * 32, min_group=5)
        self.runner = ActionRunner(uow, self.gateway, clock=self.clock, worker="t", surveys=surveys, releases=releases)

    async def tick(self) -> None:
        await self.series.materialize_due()
        for action_id, _ in await self.runner.due_before(self.clock() + timedelta(seconds=1)):
            await self.runner.run(action_id)

    async def booked(self, user: int) -> None:
        await self.rsvp.accept_ground_rules(GUILD, user)


@pytest.fixture
async def world(uow: UnitOfWorkFactory) -> World:
    await SetupService(uow).set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=12)
    world = World(uow)
    await world.cohorts.create(GUILD, FACILITATOR, name=HOME, description="d", channel_id=30, role_id=HOME_ROLE)
    await world.cohorts.create(GUILD, FACILITATOR, name=DOM, description="d", channel_id=31, role_id=DOM_ROLE)
    return world


def bimonthly(**changes: object) -> SeriesRequest:
    values: dict[str, object] = {
        "cohort": HOME,
        "title": "Care home peer support",
        "cadence": "bimonthly",
        "start": "2027-02-10 14:00",  # the 2nd Wednesday
        "duration": 90,
    }
    values.update(changes)
    return SeriesRequest(**values)  # type: ignore[arg-type]


def fortnightly(**changes: object) -> SeriesRequest:
    values: dict[str, object] = {
        "cohort": DOM,
        "title": "Peer support",
        "cadence": "fortnightly",
        "start": "2027-01-19 10:00",
        "duration": 90,
    }
    values.update(changes)
    return SeriesRequest(**values)  # type: ignore[arg-type]


async def test_sessions_are_made_thirteen_months_ahead_at_wall_clock_time(world: World) -> None:
    home = await world.series.create(GUILD, FACILITATOR, bimonthly())
    async with world.uow() as uow:
        made = await uow.occurrences.of_series(home.id)
    starts = [o.starts_at for o in made]
    assert all(start <= JANUARY + MATERIALIZE_AHEAD for start in starts)
    assert len(starts) == 7  # Feb 2027 to Feb 2028, every other month
    assert [s.hour for s in starts] == [14, 13, 13, 13, 13, 14, 14]  # 14:00 London: GMT, BST ... GMT
    # A series that starts beyond the horizon still has its next three sessions.
    far = await world.series.create(GUILD, FACILITATOR, bimonthly(title="Far", start="2028-06-14 14:00"))
    assert len(far.next_starts) == 3
    # The tick keeps 13 months made as time moves on, and makes nothing twice.
    assert await world.series.materialize_due() == 0
    world.clock.set(JANUARY + timedelta(days=62))
    assert await world.series.materialize_due() == 1
    assert await world.series.materialize_due() == 0


async def test_the_list_shows_three_bimonthly_sessions_and_ninety_days_of_fortnightly(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, bimonthly())
    await world.series.create(GUILD, FACILITATOR, fortnightly())
    everyone = await world.sessions.upcoming(GUILD, ALICE)  # in no cohort: everyone's sessions
    assert everyone.my_cohorts == () and everyone.cohort_id is None
    titles = [e.session.title for e in everyone.entries]
    assert titles.count("Care home peer support") == 3 and everyone.total == 3 + 6
    assert (everyone.page, everyone.pages) == (1, 1)

    await world.cohorts.join(GUILD, ALICE, HOME)
    mine = await world.sessions.upcoming(GUILD, ALICE)
    assert mine.my_cohorts == (HOME,)
    assert [e.session.starts_at for e in mine.entries] == [
        datetime(2027, 2, 10, 14, tzinfo=UTC),
        datetime(2027, 4, 14, 13, tzinfo=UTC),  # after the clocks went forward: still 14:00 in London
        datetime(2027, 6, 9, 13, tzinfo=UTC),
    ]
    assert all(e.open_for_rsvp and e.my_status is None for e in mine.entries)
    other = await world.sessions.upcoming(GUILD, ALICE, "domiciliary CARE managers")
    assert other.cohort_name == DOM and {e.session.cohort_name for e in other.entries} == {DOM}
    again = await world.sessions.upcoming(GUILD, ALICE, cohort_id=other.cohort_id)
    assert [e.session.occurrence_id for e in again.entries] == [e.session.occurrence_id for e in other.entries]
    with pytest.raises(NotFound):
        await world.sessions.upcoming(GUILD, ALICE, cohort_id=999_999)


async def test_pages_hold_ten_and_never_cut_silently(world: World) -> None:
    for n in range(3):
        await world.series.create(GUILD, FACILITATOR, fortnightly(title=f"Group {n}", cadence="weekly"))
    first = await world.sessions.upcoming(GUILD, BOB)
    assert first.total == 3 * 12 and (first.page, first.pages) == (1, 4) and len(first.entries) == 10
    seen = [
        e.session.occurrence_id
        for p in range(1, 5)
        for e in (await world.sessions.upcoming(GUILD, BOB, page=p)).entries
    ]
    assert len(seen) == len(set(seen)) == first.total
    assert (await world.sessions.upcoming(GUILD, BOB, page=40)).page == 4


async def test_lists_asked_for_at_the_same_moment_are_each_the_askers_own(world: World) -> None:
    """A burst of lists is read in one batch: each member still gets their own cohorts, RSVPs, page or refusal,
    exactly as if they had asked alone."""
    await world.series.create(GUILD, FACILITATOR, bimonthly())
    for n in range(2):
        await world.series.create(GUILD, FACILITATOR, fortnightly(title=f"Group {n}", cadence="weekly"))
    await world.cohorts.join(GUILD, ALICE, HOME)
    await world.booked(ALICE)
    first_home = (await world.sessions.upcoming(GUILD, ALICE)).entries[0].session.occurrence_id
    await world.rsvp.respond(GUILD, ALICE, first_home, Choice.YES)
    asks = [
        (ALICE, None, None, 1),
        (BOB, None, None, 1),
        (BOB, None, None, 3),
        (ALICE, "domiciliary care MANAGERS", None, 2),
        (BOB, "No such cohort", None, 1),
        (ALICE, None, 999_999, 1),
    ]

    def ask(user: int, cohort: str | None, cohort_id: int | None, page: int) -> Awaitable[UpcomingPage]:
        return world.sessions.upcoming(GUILD, user, cohort, cohort_id=cohort_id, page=page)

    together = await asyncio.gather(*(ask(*a) for a in asks), return_exceptions=True)
    alone = [await asyncio.gather(ask(*a), return_exceptions=True) for a in asks]
    for asked, (concurrent, [single]) in zip(asks, zip(together, alone, strict=True), strict=True):
        if isinstance(single, Exception):
            assert type(concurrent) is type(single) and str(concurrent) == str(single), asked
        else:
            assert concurrent == single, asked
    mine = together[0]
    assert not isinstance(mine, BaseException)
    assert mine.my_cohorts == (HOME,) and mine.entries[0].my_status == "going"
    everyone = together[1]
    assert not isinstance(everyone, BaseException)
    assert everyone.my_cohorts == () and all(e.my_status is None for e in everyone.entries)
    assert isinstance(together[4], NotFound) and "No such cohort" in str(together[4])
    assert isinstance(together[5], NotFound)


async def test_cohort_lists_and_names_asked_for_at_the_same_moment_are_each_the_askers_own(world: World) -> None:
    await world.cohorts.join(GUILD, ALICE, HOME)
    alice, bob, home_names, dom_names, nothing = await asyncio.gather(
        world.cohorts.listing(GUILD, ALICE),
        world.cohorts.listing(GUILD, BOB),
        world.cohorts.names(GUILD, " home "),
        world.cohorts.names(GUILD, "DOM"),
        world.cohorts.names(GUILD, "zzz"),
    )
    assert [(c.name, c.member_count, c.is_member) for c in alice] == [(HOME, 1, True), (DOM, 0, False)]
    assert [(c.name, c.member_count, c.is_member) for c in bob] == [(HOME, 1, False), (DOM, 0, False)]
    assert (home_names, dom_names, nothing) == ([HOME], [DOM], [])


async def test_a_manager_books_months_ahead_and_a_far_cancellation_follows_everywhere(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, bimonthly())
    await world.cohorts.join(GUILD, ALICE, HOME)
    await world.booked(ALICE)
    feb, apr, jun = [e.session.occurrence_id for e in (await world.sessions.upcoming(GUILD, ALICE)).entries]
    for occurrence in (feb, apr, jun):
        assert (await world.rsvp.respond(GUILD, ALICE, occurrence, Choice.YES)).status is RsvpStatus.GOING
    assert [e.my_status for e in (await world.sessions.upcoming(GUILD, ALICE)).entries] == ["going"] * 3
    await world.tick()
    assert world.gateway.of("event") == [] and world.gateway.of("announce") == []  # Discord's horizons hold

    # In January the facilitator cancels April's session and moves June's, three and five months ahead.
    labels = dict((label, i) for label, i in await world.sessions.choices(GUILD, "care apr 2027"))
    assert list(labels.values()) == [apr]
    await world.sessions.cancel(GUILD, FACILITATOR, apr, "Easter holidays")
    assert (apr, (ALICE, Notice.CANCELLED)) in world.gateway.of("dm")
    moved = await world.sessions.move(GUILD, FACILITATOR, jun, "2027-06-16 14:00")
    assert moved.starts_at == datetime(2027, 6, 16, 13, tzinfo=UTC)
    assert (jun, (ALICE, Notice.MOVED)) in world.gateway.of("dm")
    listed = (await world.sessions.upcoming(GUILD, ALICE)).entries
    assert [(e.session.state, e.open_for_rsvp) for e in listed[:3]] == [
        ("scheduled", True),
        ("cancelled", False),
        ("scheduled", True),
    ]
    with pytest.raises(InvalidInput, match="cancelled"):
        await world.rsvp.respond(GUILD, ALICE, apr, Choice.YES)
    _, ics = await world.calendar.ics(GUILD, HOME, name="Cwtch")
    text = ics.decode().replace("\r\n ", "")
    assert "EXDATE;TZID=Europe/London:20270414T140000" in text
    assert "RECURRENCE-ID;TZID=Europe/London:20270609T140000" in text
    assert "DTSTART;TZID=Europe/London:20270616T140000" in text

    # Nothing is announced for April; June is announced a week before its new date, at 14:00 London.
    world.clock.set(datetime(2027, 4, 8, 9, tzinfo=UTC))
    await world.tick()
    assert apr not in [o for o, _ in world.gateway.of("announce")]
    world.clock.set(datetime(2027, 6, 9, 14, tzinfo=UTC))
    await world.tick()
    assert jun in [o for o, _ in world.gateway.of("announce")]


async def test_outside_the_cohort_nothing_is_recorded_until_they_join(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, bimonthly())
    first = (await world.sessions.upcoming(GUILD, BOB)).entries[0].session.occurrence_id
    for user in (BOB, FACILITATOR.user_id):  # facilitators too: a session is for its cohort
        await world.booked(user)
        with pytest.raises(JoinCohortFirst) as outside:
            await world.rsvp.respond(GUILD, user, first, Choice.YES)
        assert outside.value.cohort_name == HOME
    with pytest.raises(InvalidInput, match="no RSVP to change"):
        await world.rsvp.respond(GUILD, BOB, first, Choice.NO)
    async with world.uow() as uow:
        assert await uow.rsvps.of(first, BOB) is None
        assert await uow.cohorts.memberships_of(GUILD, BOB) == set()

    outcome = await world.rsvp.join_and_respond(GUILD, BOB, first, Choice.YES)
    assert outcome.status is RsvpStatus.GOING and outcome.session.going == 1
    assert world.roles.roles_of(GUILD, BOB) == {HOME_ROLE}  # joined as /cohort join does, role and all
    again = await world.rsvp.join_and_respond(GUILD, BOB, first, Choice.YES)  # a second click: no harm
    assert again.status is RsvpStatus.GOING and again.session.going == 1

    # Leaving the cohort keeps the answer given; "can't make it" still frees the place.
    await world.cohorts.leave(GUILD, BOB, HOME)
    assert (await world.rsvp.respond(GUILD, BOB, first, Choice.NO)).status is RsvpStatus.DECLINED


async def test_joining_first_asks_for_the_ground_rules_and_keeps_nothing_if_discord_refuses(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, bimonthly())
    first = (await world.sessions.upcoming(GUILD, BOB)).entries[0].session.occurrence_id
    with pytest.raises(GroundRulesRequired, match=f"Welcome to \\*\\*{HOME}\\*\\*"):
        await world.rsvp.join_and_respond(GUILD, BOB, first, Choice.YES)
    async with world.uow() as uow:
        assert await uow.cohorts.memberships_of(GUILD, BOB) != set() and await uow.rsvps.of(first, BOB) is None

    world.roles.unassignable.add(HOME_ROLE)
    await world.booked(ALICE)
    with pytest.raises(BotLacksPermission):
        await world.rsvp.join_and_respond(GUILD, ALICE, first, Choice.YES)
    async with world.uow() as uow:
        assert await uow.cohorts.memberships_of(GUILD, ALICE) == set() and await uow.rsvps.of(first, ALICE) is None


async def test_check_in_is_for_the_cohort_too(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, bimonthly())
    first = (await world.sessions.upcoming(GUILD, BOB)).entries[0].session.occurrence_id
    with pytest.raises(InvalidInput, match="hasn't started"):
        await world.rsvp.join_and_check_in(GUILD, BOB, first)  # nobody joins for a session not running
    async with world.uow() as uow:
        assert await uow.cohorts.memberships_of(GUILD, BOB) == set()
    world.clock.set(datetime(2027, 2, 10, 13, 55, tzinfo=UTC))
    await world.sessions.start(GUILD, FACILITATOR, first)
    with pytest.raises(JoinCohortFirst):
        await world.rsvp.check_in(GUILD, BOB, first)
    assert (await world.sessions.attendance(GUILD, FACILITATOR, first)).present == []
    session = await world.rsvp.join_and_check_in(GUILD, BOB, first)
    assert session.occurrence_id == first
    assert (await world.sessions.attendance(GUILD, FACILITATOR, first)).present == [(BOB, "checkin")]
