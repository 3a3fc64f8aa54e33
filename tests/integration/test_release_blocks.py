"""Release blocks on a real database: blocks form when a survey closes and freeze, the tail waits, two processes
release once, reports are sums of whole blocks (so the issue's attacks find nothing smaller than a block), and the
first run after the upgrade releases the surveys closed before blocks existed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, upgrade_to_head
from bot.db.models import RELEASED_FIGURES, FeedbackResponse, Occurrence, ReleaseBlock, ReleaseMonth, Series, Survey
from bot.db.releases import NewBlock
from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.disclosure import Breakdown, Tally
from bot.domain.errors import AlreadyExists, InvalidInput
from bot.domain.feedback import pseudonym
from bot.domain.rsvp import Choice
from bot.scheduling.runtime import SchedulingRuntime
from bot.scheduling.scheduler import build_scheduler
from bot.services import releases
from bot.services.actions import ActionRunner
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.privacy import PrivacyService
from bot.services.releases import ReleaseService
from bot.services.reports import ReportService
from bot.services.rsvp import RsvpService
from bot.services.series import SeriesRequest, SeriesService
from bot.services.sessions import SessionService
from bot.services.surveys import SurveyService
from tests.fakes import FakeClock, FakeCommunityGateway, FakeRoleGateway, FakeSessionGateway

GUILD = 900000000000000042
FACILITATOR_ROLE, COORDINATOR_ROLE = 11, 12
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
COORDINATOR = Actor(user_id=5, role_ids=frozenset({COORDINATOR_ROLE}), is_admin=False)
DOM, CARE = "Domiciliary care managers", "Care home managers"
KEY = b"r" * 32
MIN_GROUP = 5
YEAR = ("2026-01-01", "2026-12-31")


@dataclass(frozen=True)
class Plan:
    """One session as it goes: who attended, what each who answered said (e.g. "542"), who said they'd come."""

    attendees: Sequence[int]
    answers: dict[int, str] = field(default_factory=dict)
    going: Sequence[int] = ()


class World:
    def __init__(self, uow: UnitOfWorkFactory, engine: AsyncEngine) -> None:
        self.uow = uow
        self.engine = engine
        self.clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
        self.gateway = FakeSessionGateway()
        self.roles = FakeRoleGateway()
        self.cohorts = CohortService(uow, self.roles, default_timezone="Europe/London")
        self.series = SeriesService(uow, clock=self.clock)
        self.sessions = SessionService(uow, self.gateway, clock=self.clock)
        self.rsvp = RsvpService(uow, self.gateway, clock=self.clock)
        self.surveys = SurveyService(uow, self.gateway, clock=self.clock, key=KEY, survey_open=timedelta(days=7))
        self.releases = ReleaseService(uow, clock=self.clock, key=KEY, min_group=MIN_GROUP)
        self.runner = ActionRunner(
            uow, self.gateway, clock=self.clock, worker="test-1", surveys=self.surveys, releases=self.releases
        )
        self.reports = ReportService(uow, clock=self.clock, min_group=MIN_GROUP, default_timezone="Europe/London")
        self.privacy = PrivacyService(
            uow,
            self.roles,
            self.gateway,
            FakeCommunityGateway(),
            clock=self.clock,
            key=KEY,
            survey_open=timedelta(days=7),
            comment_retention=timedelta(days=365),
        )

    async def tick(self) -> None:
        """What the reconcile tick does with sessions: make them up to the horizon and run what is due."""
        await self.series.materialize_due()
        for action_id, _ in await self.runner.due_before(self.clock() + timedelta(seconds=1)):
            await self.runner.run(action_id)

    async def at(self, moment: datetime) -> None:
        assert moment >= self.clock(), "the plan must run in time order"
        self.clock.set(moment)
        await self.tick()

    async def next_session(self, cohort: str) -> tuple[int, datetime, datetime]:
        """The cohort's next scheduled session: (occurrence, start, end). Series are named after their cohort."""
        async with self.engine.connect() as connection:
            query = (
                select(Occurrence.id, Occurrence.starts_at, Occurrence.ends_at)
                .join(Series, Series.id == Occurrence.series_id)
                .where(Series.title == cohort, Occurrence.state == "scheduled")
                .order_by(Occurrence.starts_at)
                .limit(1)
            )
            occurrence, starts_at, ends_at = (await connection.execute(query)).one()
        return occurrence, _aware(starts_at), _aware(ends_at)

    async def hold(self, cohort: str, plan: Plan) -> int:
        """Hold the cohort's next session as planned and answer its survey; the survey stays open."""
        occurrence, starts_at, ends_at = await self.next_session(cohort)
        for user in plan.going:
            with contextlib.suppress(AlreadyExists):  # a session is for its cohort
                await self.cohorts.join(GUILD, user, cohort)
            await self.rsvp.accept_ground_rules(GUILD, user)
            await self.rsvp.respond(GUILD, user, occurrence, Choice.YES)
        assert starts_at >= self.clock(), "the plan must run in time order"
        self.clock.set(starts_at)
        await self.sessions.start(GUILD, FACILITATOR, occurrence)
        if plan.attendees:
            await self.sessions.correct_attendance(GUILD, FACILITATOR, occurrence, list(plan.attendees), present=True)
        await self.at(ends_at)  # the room closes, the survey goes out
        for user, values in plan.answers.items():
            await self.surveys.submit(GUILD, user, occurrence, (values[0], values[1], values[2]), None)
        return occurrence

    async def run(self, plans: dict[str, list[Plan]]) -> dict[str, list[int]]:
        """Hold the planned sessions of several cohorts in time order; returns their occurrences per cohort."""
        left = {cohort: list(items) for cohort, items in plans.items()}
        held: dict[str, list[int]] = {cohort: [] for cohort in plans}
        while any(left.values()):
            starts = {cohort: (await self.next_session(cohort))[1] for cohort, items in left.items() if items}
            cohort = min(starts, key=lambda name: starts[name])
            held[cohort].append(await self.hold(cohort, left[cohort].pop(0)))
        return held

    async def settle(self) -> None:
        """Let every open survey close (the survey closing releases what it completes)."""
        async with self.engine.connect() as connection:
            closes = await connection.scalar(select(func.max(Survey.closes_at)).where(Survey.closed_at.is_(None)))
        if closes is not None:
            await self.at(_aware(closes) + timedelta(minutes=1))

    async def blocks(self) -> list[dict[str, Any]]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(select(ReleaseBlock.__table__).order_by(ReleaseBlock.id))
            return [dict(row._mapping) for row in rows]

    async def months(self) -> list[dict[str, Any]]:
        async with self.engine.connect() as connection:
            query = select(ReleaseMonth.__table__).order_by(ReleaseMonth.cohort_id, ReleaseMonth.month_start)
            return [dict(row._mapping) for row in await connection.execute(query)]

    async def block_of(self) -> dict[int, int | None]:
        async with self.engine.connect() as connection:
            return dict((await connection.execute(select(Survey.occurrence_id, Survey.block_id))).tuples().all())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@pytest.fixture
async def world(uow: UnitOfWorkFactory, engine: AsyncEngine) -> World:
    setup = SetupService(uow)
    await setup.set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=COORDINATOR_ROLE)
    world = World(uow, engine)
    # A fortnightly cohort, so a survey (open seven days) always closes before the cohort's next session. Series
    # are named after their cohort, to find them in the plan.
    await world.cohorts.create(GUILD, FACILITATOR, name=DOM, description="d", channel_id=20)
    await world.series.create(GUILD, FACILITATOR, SeriesRequest(DOM, DOM, "fortnightly", "2026-03-03 10:00", 90))
    return world


async def add_care_homes(world: World) -> None:
    """A second fortnightly cohort, meeting two days after the first."""
    await world.cohorts.create(GUILD, FACILITATOR, name=CARE, description="c", channel_id=21)
    await world.series.create(GUILD, FACILITATOR, SeriesRequest(CARE, CARE, "fortnightly", "2026-03-05 14:00", 90))


def tally_of(block: dict[str, Any]) -> Tally:
    return Tally(
        sessions=block["sessions"],
        responses=block["responses"],
        agreed=(block["agreed_supported"], block["agreed_supported_others"], block["agreed_less_isolated"]),
        attendees=block["attendees"],
        rsvps=block["rsvps"],
        waitlisted=block["waitlisted"],
        no_shows=block["no_shows"],
    )


def total(tallies: Sequence[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result += tally
    return result


def minus(a: Tally, b: Tally) -> tuple[int, ...]:
    """A difference an attacker could take, figure by figure."""
    return tuple(x - y for x, y in zip(_flat(a), _flat(b), strict=True))


def _flat(t: Tally) -> tuple[int, ...]:
    return (t.sessions, t.responses, *t.agreed, t.attendees, t.rsvps, t.waitlisted, t.no_shows)


def whole_blocks(difference: tuple[int, ...], ids: set[int], blocks: dict[int, dict[str, Any]]) -> bool:
    """Whether a difference of released figures is exactly the sum of these whole blocks, each pooling at least
    the threshold of people."""
    return all(blocks[i]["people"] >= MIN_GROUP for i in ids) and difference == _flat(
        total([tally_of(blocks[i]) for i in ids])
    )


def months_of(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ``release_months`` must hold: the blocks summed by hand per cohort and month of their date."""
    months: dict[tuple[int, date], dict[str, Any]] = {}
    for block in sorted(blocks, key=lambda b: b["id"]):
        key = (block["cohort_id"], block["dated"].replace(day=1))
        month = months.setdefault(
            key,
            {"cohort_id": key[0], "month_start": key[1], "guild_id": block["guild_id"], "ids": []}
            | {"earliest": block["dated"], "latest": block["dated"]}
            | dict.fromkeys(RELEASED_FIGURES, 0),
        )
        month["earliest"], month["latest"] = (
            min(month["earliest"], block["dated"]),
            max(month["latest"], block["dated"]),
        )
        month["ids"].append(block["id"])
        for name in RELEASED_FIGURES:
            month[name] += block[name]
    return [
        {key: value for key, value in month.items() if key != "ids"} | {"block_ids": ",".join(map(str, month["ids"]))}
        for _, month in sorted(months.items())
    ]


def agreed(values: Sequence[str]) -> tuple[int, int, int]:
    first, second, third = (sum(int(v[i]) >= 4 for v in values) for i in range(3))
    return first, second, third


A, B, C, D, E, F, G, X = 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1099


# --- blocks form, freeze, and the tail waits ---------------------------------------------------------------


async def test_a_block_forms_once_enough_people_answered_and_never_changes(world: World) -> None:
    first = await world.hold(DOM, Plan([A, B, C, D], {A: "554", B: "442", C: "333"}, going=[A, B, X]))
    report = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    assert report.total.tally == Tally() and report.rows == []
    assert (report.waiting.sessions, report.waiting.open_surveys) == (0, 1)  # the survey is open
    assert report.waiting.next_close == datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
    await world.settle()
    assert await world.blocks() == []  # three people: the session waits in the tail
    report = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    assert report.total.tally == Tally() and (report.waiting.sessions, report.waiting.open_surveys) == (1, 0)
    with pytest.raises(InvalidInput, match="closed"):  # no edit after the survey closed
        await world.surveys.submit(GUILD, A, first, ("1", "1", "1"), None)

    second = await world.hold(DOM, Plan([A, D, E], {A: "455", D: "544"}))  # A again: four people so far
    await world.settle()
    assert await world.blocks() == []
    third = await world.hold(DOM, Plan([F], {F: "111"}))  # the fifth person: a block of three sessions
    await world.settle()

    [block] = await world.blocks()
    answers = ["554", "442", "333", "455", "544", "111"]
    assert tally_of(block) == Tally(
        sessions=3, responses=6, agreed=agreed(answers), attendees=8, rsvps=3, waitlisted=0, no_shows=1
    )
    assert block["people"] == 5 and block["cohort_id"] is not None and block["guild_id"] == GUILD
    assert block["dated"] == date(2026, 3, 31)  # its last session's local date
    assert _aware(block["first_start"]) == datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    assert _aware(block["last_start"]) == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert {o: b for o, b in (await world.block_of()).items() if o in (first, second, third)} == dict.fromkeys(
        (first, second, third), block["id"]
    )
    report = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    assert report.total.tally == tally_of(block) and report.total.blocks == (block["id"],)
    assert [row.label for row in report.rows] == ["2026-03"]
    assert [(s.agreed, s.n, s.share) for s in report.total.statements] == [(4, 6, 67), (4, 6, 67), (3, 6, 50)]
    assert [s.interval for s in report.total.statements] == [(30, 90), (30, 90), (19, 81)]
    assert report.total.response_rate == 75 and report.waiting.sessions == report.waiting.open_surveys == 0

    # The tail waits: two more people are not enough for a block of their own.
    await world.hold(DOM, Plan([A, B], {A: "555", B: "555"}))
    await world.settle()
    assert len(await world.blocks()) == 1
    later = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    assert later.total == report.total and (later.waiting.sessions, later.waiting.open_surveys) == (1, 0)

    # An erasure deletes A's rows and recounts the surveys' tallies, but the released block stays as it was.
    await world.privacy.erase(GUILD, A)
    assert await world.blocks() == [block]
    async with world.uow() as uow:
        survey = await uow.feedback.survey(first)
    assert survey is not None and survey.responses == 2  # A's answer went from the survey itself
    after = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    assert after.total == report.total
    attendance = await world.reports.attendance(GUILD, COORDINATOR, DOM, *YEAR)
    assert attendance.total.tally == tally_of(block) and attendance.rows == []


async def test_an_answer_whose_author_is_no_longer_present_counts_in_no_person(world: World) -> None:
    """Respondents are matched through the attendees' pseudonyms: an answer whose author a facilitator later
    marked absent adds to the tally but not to ``people``, so a block never claims more people than it holds."""
    occurrence = await world.hold(DOM, Plan([A, B, C, D, E], {p: "555" for p in (A, B, C, D, E)}))
    await world.sessions.correct_attendance(GUILD, FACILITATOR, occurrence, [E], present=False)
    await world.settle()
    assert await world.blocks() == []  # four people matched, though five answered
    await world.hold(DOM, Plan([F], {F: "444"}))
    await world.settle()
    [block] = await world.blocks()
    assert (block["people"], block["responses"], block["attendees"]) == (5, 6, 5)


# --- two processes release once ----------------------------------------------------------------------------


async def forget_blocks(world: World) -> None:
    """Back to the state before any release (as after the upgrade): surveys closed, no blocks."""
    async with world.uow() as uow:
        session = uow.reports._session
        await session.execute(Survey.__table__.update().values(block_id=None))
        await session.execute(ReleaseMonth.__table__.delete())
        await session.execute(ReleaseBlock.__table__.delete())
        await uow.commit()


async def test_two_processes_releasing_at_once_release_each_session_once(
    world: World, database_url: str, engine: AsyncEngine
) -> None:
    for n in range(4):  # four sessions of three people each: two blocks, of two sessions each
        people = [2000 + 3 * n + i for i in range(3)]
        await world.hold(DOM, Plan(people, dict.fromkeys(people, "545")))
    await world.settle()
    expected = [tally_of(block) for block in await world.blocks()]
    assert len(expected) == 2
    await forget_blocks(world)

    # Two processes: their own engines, units of work and (on SQLite) in-process write queues.
    other_engine = create_engine(database_url)
    other_uow = UnitOfWorkFactory.for_engine(other_engine)
    try:
        mine = ReleaseService(world.uow, clock=world.clock, key=KEY, min_group=MIN_GROUP)
        theirs = ReleaseService(other_uow, clock=world.clock, key=KEY, min_group=MIN_GROUP)
        cohort = await _cohort_id(world, DOM)
        results = await asyncio.gather(*(service.release(cohort) for service in (mine, theirs, mine, theirs)))
    finally:
        other_uow.dispose()
        await other_engine.dispose()
    assert sum(results) == 2
    blocks = await world.blocks()
    assert [tally_of(block) for block in blocks] == expected
    assert await world.months() == months_of(blocks)  # each block added to its month once
    claimed = [b for b in (await world.block_of()).values() if b is not None]
    assert sorted(claimed) == sorted([blocks[0]["id"]] * 2 + [blocks[1]["id"]] * 2)

    # A process that read the sessions before another released them loses at the conditional update.
    [first, *_] = blocks
    stale = NewBlock(
        guild_id=GUILD,
        cohort_id=cohort,
        occurrence_ids=tuple(o for o, b in (await world.block_of()).items() if b == first["id"]),
        first_start=_aware(first["first_start"]),
        last_start=_aware(first["last_start"]),
        dated=first["dated"],
        sessions=2,
        responses=6,
        agreed=(6, 6, 6),
        attendees=6,
        rsvps=0,
        waitlisted=0,
        no_shows=0,
        people=6,
        released_at=world.clock(),
    )
    async with world.uow() as uow:
        assert await uow.releases.release(stale) is False
    assert await world.blocks() == blocks  # rolled back: no second block
    assert await world.months() == months_of(blocks)


async def _cohort_id(world: World, name: str) -> int:
    async with world.uow.reading() as uow:
        return next(c.id for c in await uow.cohorts.in_guild(GUILD) if c.name == name)


# --- reports are sums of whole blocks, whoever asks whatever ----------------------------------------------


def _plans() -> dict[str, list[Plan]]:
    """Four months of both cohorts: two to four people a session from pools that overlap, varied answers."""
    pools = {DOM: [3000 + i for i in range(7)], CARE: [4000 + i for i in range(6)]}
    values = ["554", "442", "333", "455", "544", "111", "525", "215"]
    plans: dict[str, list[Plan]] = {}
    for cohort, pool in pools.items():
        plans[cohort] = []
        for n in range(8):
            attendees = [pool[(n * 3 + i) % len(pool)] for i in range(2 + n % 3)]
            answered = attendees[n % 2 :]  # all, or all but one
            plans[cohort].append(
                Plan(attendees, {p: values[(n + i) % len(values)] for i, p in enumerate(answered)}, going=attendees[:1])
            )
    return plans


async def test_reports_add_up_whole_blocks_and_no_difference_isolates_anyone(world: World) -> None:
    await add_care_homes(world)
    await world.run(_plans())
    await world.settle()
    stored = {block["id"]: block for block in await world.blocks()}
    assert len(stored) >= 4 and all(block["people"] >= MIN_GROUP for block in stored.values())
    dom, care = await _cohort_id(world, DOM), await _cohort_id(world, CARE)

    everything = await world.reports.feedback(GUILD, COORDINATOR, None, *YEAR)
    assert set(everything.total.blocks) == set(stored)
    assert everything.total.tally == total([tally_of(block) for block in stored.values()])  # the hand sum
    for row in everything.rows:  # each month is the hand sum of the blocks dated in it
        mine = [block for block in stored.values() if block["dated"].strftime("%Y-%m") == row.label]
        assert set(row.blocks) == {block["id"] for block in mine} and row.tally == total([tally_of(b) for b in mine])
    assert sorted(i for row in everything.rows for i in row.blocks) == sorted(stored)  # months partition the total
    by_cohort = await world.reports.feedback(GUILD, COORDINATOR, None, *YEAR, breakdown=Breakdown.COHORT)
    assert [row.label for row in by_cohort.rows] == [DOM, CARE]  # by cohort id, named
    attendance = await world.reports.attendance(GUILD, COORDINATOR, None, *YEAR)
    assert attendance.total.tally == everything.total.tally

    # Attack 1: all cohorts minus one cohort is exactly the other cohort's whole blocks.
    only_dom = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    care_blocks = {i for i, block in stored.items() if block["cohort_id"] == care}
    assert care_blocks and set(only_dom.total.blocks) == {i for i, b in stored.items() if b["cohort_id"] == dom}
    assert whole_blocks(minus(everything.total.tally, only_dom.total.tally), care_blocks, stored)

    # Attack 2: the total minus every month shown but one is exactly that month's whole blocks.
    for hidden in everything.rows:
        shown = total([row.tally for row in everything.rows if row is not hidden])
        assert whole_blocks(minus(everything.total.tally, shown), set(hidden.blocks), stored)
    # ... and so is any period minus a shorter one (blocks are dated once, never cut by a boundary).
    spring = await world.reports.feedback(GUILD, COORDINATOR, None, "2026-03", "2026-Q2")
    april_on = await world.reports.feedback(GUILD, COORDINATOR, None, "2026-04-01", "2026-06-30")
    march = {i for i, b in stored.items() if b["dated"].month == 3}
    assert whole_blocks(minus(spring.total.tally, april_on.total.tally), march, stored)

    assert await world.months() == months_of(list(stored.values()))  # whole months, kept as the blocks' sums

    # Attack 3: the same report before and after one more answer.
    before = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    newcomer = 3999
    occurrence = await world.hold(DOM, Plan([newcomer], {}))
    await world.surveys.submit(GUILD, newcomer, occurrence, ("5", "5", "5"), None)
    while_open = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    assert while_open.total == before.total  # an open survey counts nowhere
    assert while_open.waiting.open_surveys == 1
    await world.settle()
    after = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    released = set(after.total.blocks) - set(before.total.blocks)
    assert len(released) == 1  # the answer completed the tail: one new block, of five people or more
    assert set(before.total.blocks) <= set(after.total.blocks)
    now_stored = {block["id"]: block for block in await world.blocks()}
    assert whole_blocks(minus(after.total.tally, before.total.tally), released, now_stored)
    assert {i: now_stored[i] for i in stored} == stored  # nothing released before moved


async def test_a_block_is_dated_in_its_cohorts_zone(world: World) -> None:
    await world.cohorts.create(
        GUILD, FACILITATOR, name="Aotearoa", description="a", channel_id=22, timezone="Pacific/Auckland"
    )
    request = SeriesRequest("Aotearoa", "Aotearoa", "fortnightly", "2026-03-31 08:00", 60)  # 30 March, 19:00 UTC
    await world.series.create(GUILD, FACILITATOR, request)
    people = [5000 + i for i in range(5)]
    await world.hold("Aotearoa", Plan(people, dict.fromkeys(people, "444")))
    await world.settle()
    [block] = await world.blocks()
    assert _aware(block["last_start"]).date() == date(2026, 3, 30) and block["dated"] == date(2026, 3, 31)
    assert _aware(block["last_start"]).astimezone(ZoneInfo("Pacific/Auckland")).date() == block["dated"]
    march = await world.reports.feedback(GUILD, COORDINATOR, "Aotearoa", "2026-03", "2026-03")
    april = await world.reports.feedback(GUILD, COORDINATOR, "Aotearoa", "2026-04", "2026-04")
    assert march.total.blocks == (block["id"],) and april.total.blocks == ()


# --- the first run after the upgrade -----------------------------------------------------------------------


async def test_surveys_closed_before_the_upgrade_are_released_by_the_first_run(
    world: World, database_url: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        people = [6000 + 2 * n + i for i in range(2 + n)]
        await world.hold(DOM, Plan(people, dict.fromkeys(people, "453")))
    await world.settle()
    released = [tally_of(block) for block in await world.blocks()]
    assert len(released) == 1

    # The same data in a database from before blocks: down to 0004 (no blocks, no block_id), and up again.
    world.uow.dispose()
    await engine.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0004")
    await asyncio.to_thread(upgrade_to_head, database_url)
    assert await world.blocks() == [] and set((await world.block_of()).values()) == {None}
    waiting = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    assert waiting.total.tally == Tally() and waiting.waiting.sessions == 3

    runtime = SchedulingRuntime(
        build_scheduler(), world.series, world.runner, clock=world.clock, releases=world.releases
    )
    monkeypatch.setattr(releases, "PAGE", 1)  # a session at a time: the tail carries over from page to page
    await runtime.tick()  # the first tick of the upgraded bot
    assert [tally_of(block) for block in await world.blocks()] == released
    report = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    assert report.total.tally == released[0] and report.waiting.sessions == 1  # the third session: the tail


async def test_answers_are_matched_with_the_services_key_only(world: World) -> None:
    """A pseudonym made with another key matches no attendee: it counts in the tally, as no person."""
    occurrence = await world.hold(DOM, Plan([A, B, C, D, E], {A: "555", B: "555", C: "555", D: "555"}))
    async with world.uow() as uow:
        uow.reports._session.add(
            FeedbackResponse(
                guild_id=GUILD,
                occurrence_id=occurrence,
                pseudonym=pseudonym(b"x" * 32, E, occurrence),
                supported=5,
                supported_others=5,
                less_isolated=5,
                submitted_at=world.clock(),
                updated_at=world.clock(),
            )
        )
        await uow.commit()
    await world.settle()
    assert await world.blocks() == []  # four matched people, though five answers


async def test_the_upgrade_sums_existing_blocks_into_months(
    world: World, database_url: str, engine: AsyncEngine
) -> None:
    await add_care_homes(world)
    await world.run(_plans())
    await world.settle()
    kept = await world.months()
    assert len(kept) >= 2 and kept == months_of(await world.blocks())
    before = await world.reports.feedback(GUILD, COORDINATOR, None, *YEAR, breakdown=Breakdown.MONTH)

    # A database from before release_months: down to 0010 and up again; the upgrade sums the blocks.
    world.uow.dispose()
    await engine.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0010")
    await asyncio.to_thread(upgrade_to_head, database_url)
    assert await world.months() == kept
    assert await world.reports.feedback(GUILD, COORDINATOR, None, *YEAR, breakdown=Breakdown.MONTH) == before


async def test_a_period_that_cuts_months_counts_the_whole_blocks_inside_it(world: World) -> None:
    """Whole months come from release_months; a month the period cuts is summed from its blocks inside it."""
    for n in range(6):  # fortnightly from 3 March, five answers each: a block a session, three of them in March
        people = [7000 + 5 * n + i for i in range(5)]
        await world.hold(DOM, Plan(people, {p: "545" if i % 2 else "224" for i, p in enumerate(people)}))
    await world.settle()
    stored = {block["id"]: block for block in await world.blocks()}
    assert len(stored) == 6 and await world.months() == months_of(list(stored.values()))
    assert sum(block["dated"].month == 3 for block in stored.values()) == 3
    for first, last in [
        ("2026-03-10", "2026-04-20"),  # cuts March and April
        ("2026-03-17", "2026-03-17"),  # one day, one block
        ("2026-03-18", "2026-03-30"),  # inside March, between blocks: nothing
        ("2026-03-01", "2026-04-30"),  # whole months only
        ("2026-02-15", "2026-05-13"),  # whole months, and cut ones holding every block of theirs
    ]:
        inside = {i for i, b in stored.items() if date.fromisoformat(first) <= b["dated"] <= date.fromisoformat(last)}
        report = await world.reports.feedback(GUILD, COORDINATOR, DOM, first, last)
        assert set(report.total.blocks) == inside, (first, last)
        assert report.total.tally == total([tally_of(stored[i]) for i in inside]), (first, last)
        everyone = await world.reports.feedback(GUILD, COORDINATOR, None, first, last, breakdown=Breakdown.MONTH)
        assert everyone.total == report.total and sorted(i for r in everyone.rows for i in r.blocks) == sorted(inside)
