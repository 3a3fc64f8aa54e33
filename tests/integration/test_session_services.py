"""Series, sessions, RSVPs and the action ledger on a real database, with Discord's side faked."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.rsvp import Choice, RsvpStatus
from bot.services.actions import ActionRunner
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.ports import Notice
from bot.services.releases import ReleaseService
from bot.services.rsvp import GroundRulesRequired, RsvpService
from bot.services.series import SeriesRequest, SeriesService
from bot.services.sessions import SessionService
from bot.services.surveys import SubmitOutcome, SurveyService
from tests.fakes import FakeClock, FakeRoleGateway, FakeSessionGateway

GUILD = 900000000000000001
FACILITATOR_ROLE = 11
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
MEMBER = Actor(user_id=3, role_ids=frozenset(), is_admin=False)
ALICE, BOB, CARYS = 101, 102, 103


class World:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
        self.gateway = FakeSessionGateway()
        self.uow = uow
        self.series = SeriesService(uow, clock=self.clock)
        self.sessions = SessionService(uow, self.gateway, clock=self.clock)
        self.rsvp = RsvpService(uow, self.gateway, clock=self.clock)
        self.surveys = SurveyService(uow, self.gateway, clock=self.clock, key=b"k" * 32, survey_open=timedelta(days=7))
        self.releases = ReleaseService(uow, clock=self.clock, key=b"k" * 32, min_group=5)
        self.runner = ActionRunner(
            uow, self.gateway, clock=self.clock, worker="test-1", surveys=self.surveys, releases=self.releases
        )

    async def tick(self) -> dict[int, str]:
        """What the reconcile tick does: run everything due now."""
        due = await self.runner.due_before(self.clock() + timedelta(seconds=1))
        return {action_id: await self.runner.run(action_id) for action_id, _ in due}

    async def actions(self, occurrence_id: int) -> dict[str, str]:
        async with self.uow() as uow:
            return {a.kind: a.state for a in await uow.actions.of_occurrence(occurrence_id)}


@pytest.fixture
async def world(uow: UnitOfWorkFactory) -> World:
    await SetupService(uow).set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=12)
    cohorts = CohortService(uow, FakeRoleGateway(), default_timezone="Europe/London")
    await cohorts.create(GUILD, FACILITATOR, name="Domiciliary care managers", description="d", channel_id=20)
    await cohorts.create(GUILD, FACILITATOR, name="Care home managers", description="d", channel_id=21)
    for user in (ALICE, BOB, CARYS):  # a session is for its cohort: these members answer the fortnightly one
        await cohorts.join(GUILD, user, "Domiciliary care managers")
    return World(uow)


def fortnightly(**changes: object) -> SeriesRequest:
    values: dict[str, object] = {
        "cohort": "Domiciliary care managers",
        "title": "Peer support",
        "cadence": "fortnightly",
        "start": "2026-03-17 10:00",
        "duration": 90,
        "capacity": 2,
    }
    values.update(changes)
    return SeriesRequest(**values)  # type: ignore[arg-type]


async def test_seed_series_are_made_with_their_sessions_and_actions(world: World) -> None:
    dom = await world.series.create(GUILD, FACILITATOR, fortnightly())
    assert dom.rule == "every other Tuesday at 10:00 (Europe/London)"
    assert dom.next_starts[:2] == (datetime(2026, 3, 17, 10, tzinfo=UTC), datetime(2026, 3, 31, 9, tzinfo=UTC))
    home = await world.series.create(
        GUILD,
        FACILITATOR,
        SeriesRequest("Care home managers", "Care home peer support", "bimonthly", "2026-03-11 14:00", 90),
    )
    assert home.rule == "every other month on the 2nd Wednesday at 14:00 (Europe/London)"
    # Every session 13 months ahead is made: March 2026 to March 2027, every other month.
    assert [start.month for start in home.next_starts] == [3, 5, 7, 9, 11]
    upcoming = (await world.sessions.upcoming(GUILD, ALICE, "care home managers")).entries
    assert [u.session.title for u in upcoming] == ["Care home peer support"] * 3  # the next three, months ahead
    occurrence = upcoming[1].session.occurrence_id
    assert set(await world.actions(occurrence)) == {
        "mirror_event",
        "announce",
        "remind_24h",
        "remind_1h",
        "open_room",
        "close_room",
        "send_survey",
        "survey_reminder",
        "close_survey",
    }
    assert [s.title for s in await world.series.listing(GUILD, FACILITATOR, "care home managers")] == [
        "Care home peer support"
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": "2026-02-17 10:00"}, "in the past"),
        ({"start": "17/03/2026 10am"}, "YYYY-MM-DD HH:MM"),
        ({"start": "2026-02-30 10:00"}, "not a real date"),
        ({"start": "2026-03-29 01:30"}, "doesn't exist in Europe/London"),
        ({"duration": 10}, "between 15 and 480"),
        ({"duration": 481}, "between 15 and 480"),
        ({"capacity": 0}, "at least 1"),
        ({"cadence": "daily"}, "Cadence must be one of"),
        ({"cohort": "Gardeners"}, "no cohort called"),
        ({"count": 3, "until": "2026-06-01"}, "not both"),
        ({"until": "next year"}, "in `until`"),  # refusals name the option, the same in Welsh and English
        ({"link": "teams.microsoft.com/x"}, "https://"),
        ({"title": "t" * 101}, "at most 100"),
    ],
)
async def test_bad_series_input_is_refused(world: World, changes: dict[str, object], message: str) -> None:
    with pytest.raises((InvalidInput, NotFound), match=message):
        await world.series.create(GUILD, FACILITATOR, fortnightly(**changes))
    assert await world.series.listing(GUILD, FACILITATOR) == []


async def test_only_facilitators_create_series(world: World) -> None:
    with pytest.raises(NotAllowed):
        await world.series.create(GUILD, MEMBER, fortnightly())


async def test_actions_run_once_when_due_and_catch_up_after_downtime(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, fortnightly())
    first = (await world.sessions.upcoming(GUILD, ALICE)).entries[0].session.occurrence_id
    results = await world.tick()  # 1 March: events for the sessions within 28 days
    assert set(results.values()) == {"done"}
    assert [occ for occ, _ in world.gateway.of("event")][:1] == [first]
    assert world.gateway.of("announce") == []

    world.clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))  # 7 days before: announced
    await world.tick()
    assert [occ for occ, _ in world.gateway.of("announce")] == [first]
    assert await world.tick() == {}  # nothing is sent twice

    await world.rsvp.accept_ground_rules(GUILD, ALICE)
    await world.rsvp.respond(GUILD, ALICE, first, Choice.YES)
    world.clock.set(datetime(2026, 3, 16, 10, 0, tzinfo=UTC))
    await world.tick()
    assert world.gateway.of("dm") == [(first, (ALICE, Notice.REMIND_24H))]

    # Down from 08:00 to 10:30 on the day: the 1-hour reminder no longer makes sense; the room still opens.
    world.clock.set(datetime(2026, 3, 17, 10, 30, tzinfo=UTC))
    await world.tick()
    states = await world.actions(first)
    assert states["remind_1h"] == "skipped" and states["open_room"] == "done"
    assert [occ for occ, _ in world.gateway.of("open")] == [first]
    world.clock.set(datetime(2026, 3, 17, 11, 30, tzinfo=UTC))
    await world.tick()
    assert (await world.actions(first))["close_room"] == "done"
    assert [occ for occ, _ in world.gateway.of("close")] == [first]


async def test_failed_sends_are_retried_with_backoff_and_claims_expire(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, fortnightly())
    world.gateway.fail_next = 1
    world.clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))
    results = await world.tick()
    assert "pending" in results.values()
    assert await world.tick() == {}  # backing off
    world.clock.advance(timedelta(seconds=16))
    assert set((await world.tick()).values()) == {"done"}

    # A process claims an action and dies; after the lease another takes it over.
    world.clock.set(datetime(2026, 3, 16, 10, 0, tzinfo=UTC))
    [(action_id, _)] = await world.runner.due_before(world.clock() + timedelta(seconds=1))
    async with world.uow() as uow:
        assert await uow.actions.claim(action_id, "dead-process", world.clock(), timedelta(minutes=2))
        await uow.commit()
    other = ActionRunner(
        world.uow, world.gateway, clock=world.clock, worker="test-2", surveys=world.surveys, releases=world.releases
    )
    assert await other.run(action_id) == "not claimed"
    world.clock.advance(timedelta(minutes=3))
    assert [a for a, _ in await other.due_before(world.clock())] == [action_id]
    assert await other.run(action_id) == "done"


async def test_rsvp_capacity_waitlist_and_promotion(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, fortnightly())
    first = (await world.sessions.upcoming(GUILD, ALICE)).entries[0].session.occurrence_id
    with pytest.raises(GroundRulesRequired):
        await world.rsvp.respond(GUILD, ALICE, first, Choice.YES)
    for user in (ALICE, BOB, CARYS):
        await world.rsvp.accept_ground_rules(GUILD, user)
    assert (await world.rsvp.respond(GUILD, ALICE, first, Choice.YES)).status is RsvpStatus.GOING
    assert (await world.rsvp.respond(GUILD, BOB, first, Choice.YES)).status is RsvpStatus.GOING
    carys = await world.rsvp.respond(GUILD, CARYS, first, Choice.YES)
    assert carys.status is RsvpStatus.WAITLISTED and carys.session.going == 2 and carys.session.waitlisted == 1
    assert (await world.rsvp.respond(GUILD, ALICE, first, Choice.YES)).status is RsvpStatus.GOING  # idempotent
    left = await world.rsvp.respond(GUILD, ALICE, first, Choice.NO)
    assert left.status is RsvpStatus.DECLINED and left.promoted == [CARYS]
    assert (first, (CARYS, Notice.PROMOTED)) in world.gateway.of("dm")
    assert left.session.going == 2 and left.session.waitlisted == 0
    mine = {u.session.occurrence_id: u.my_status for u in (await world.sessions.upcoming(GUILD, CARYS)).entries}
    assert mine[first] == "going"
    world.clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=UTC))
    with pytest.raises(InvalidInput, match="already started"):
        await world.rsvp.respond(GUILD, ALICE, first, Choice.YES)


async def test_cancel_and_move_one_session(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, fortnightly())
    upcoming = (await world.sessions.upcoming(GUILD, ALICE)).entries
    second, third = upcoming[1].session.occurrence_id, upcoming[2].session.occurrence_id
    await world.rsvp.accept_ground_rules(GUILD, ALICE)
    await world.rsvp.respond(GUILD, ALICE, second, Choice.YES)
    world.clock.set(datetime(2026, 3, 4, 9, 0, tzinfo=UTC))
    await world.tick()  # mirrors the events of the sessions up to 28 days ahead

    with pytest.raises(NotAllowed):
        await world.sessions.cancel(GUILD, MEMBER, second, "x")
    cancelled = await world.sessions.cancel(GUILD, FACILITATOR, second, "Facilitator unwell")
    assert cancelled.state == "cancelled" and cancelled.cancel_reason == "Facilitator unwell"
    assert set((await world.actions(second)).values()) <= {"skipped", "done"}
    assert (second, (ALICE, Notice.CANCELLED)) in world.gateway.of("dm")
    assert [occ for occ, _ in world.gateway.of("cancel_event")] == [second]
    with pytest.raises(InvalidInput, match="cancelled"):
        await world.rsvp.respond(GUILD, ALICE, second, Choice.YES)

    moved = await world.sessions.move(GUILD, FACILITATOR, third, "2026-04-15 13:30")
    assert moved.starts_at == datetime(2026, 4, 15, 12, 30, tzinfo=UTC)  # BST
    assert moved.ends_at - moved.starts_at == timedelta(minutes=90)
    async with world.uow() as uow:
        due = {a.kind: a.due_at for a in await uow.actions.of_occurrence(third)}
    assert due["remind_1h"] == datetime(2026, 4, 15, 11, 30, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="in the past"):
        await world.sessions.move(GUILD, FACILITATOR, third, "2026-02-01 10:00")


async def test_pause_and_resume(world: World) -> None:
    info = await world.series.create(GUILD, FACILITATOR, fortnightly())
    paused, cancelled = await world.series.pause(GUILD, FACILITATOR, info.id)
    assert paused.state == "paused" and len(cancelled) == 28  # every session made, 13 months ahead
    assert (await world.sessions.upcoming(GUILD, ALICE)).entries == []  # a paused series' sessions are not listed
    with pytest.raises(InvalidInput, match="already paused"):
        await world.series.pause(GUILD, FACILITATOR, info.id)
    resumed, restored = await world.series.resume(GUILD, FACILITATOR, info.id)
    assert resumed.state == "active" and len(resumed.next_starts) == 5 and len(restored) == 28
    listed = (await world.sessions.upcoming(GUILD, ALICE)).entries
    assert len(listed) == 6 and all(u.session.state == "scheduled" for u in listed)
    ended, _ = await world.series.end(GUILD, FACILITATOR, info.id)
    assert ended.state == "ended"
    with pytest.raises(InvalidInput):
        await world.series.resume(GUILD, FACILITATOR, info.id)


async def test_attendance_by_check_in_and_correction(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, fortnightly())
    first = (await world.sessions.upcoming(GUILD, ALICE)).entries[0].session.occurrence_id
    with pytest.raises(InvalidInput, match="hasn't started"):
        await world.rsvp.check_in(GUILD, ALICE, first)
    world.clock.set(datetime(2026, 3, 17, 9, 55, tzinfo=UTC))
    await world.sessions.start(GUILD, FACILITATOR, first)
    await world.rsvp.check_in(GUILD, ALICE, first)
    sheet = await world.sessions.attendance(GUILD, FACILITATOR, first)
    assert sheet.present == [(ALICE, "checkin")]
    sheet = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [BOB], present=True)
    assert sorted(sheet.present) == [(ALICE, "checkin"), (BOB, "facilitator")]
    sheet = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [ALICE], present=False)
    assert sheet.present == [(BOB, "facilitator")]
    world.clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=UTC))
    assert (await world.actions(first))["open_room"] == "skipped"
    await world.sessions.end(GUILD, FACILITATOR, first)
    with pytest.raises(InvalidInput, match="over"):
        await world.rsvp.check_in(GUILD, BOB, first)


async def test_no_more_than_100_events_a_guild(world: World) -> None:
    for number in range(26):  # 26 weekly series: 104 sessions inside the 28-day event horizon
        await world.series.create(
            GUILD, FACILITATOR, fortnightly(title=f"Drop-in {number}", cadence="weekly", start="2026-03-02 10:00")
        )
    await world.tick()
    assert len(world.gateway.of("event")) == 100
    async with world.uow() as uow:
        deferred = [
            a
            for o in await uow.occurrences.upcoming(GUILD, world.clock(), limit=150)  # the first weeks' sessions
            for a in await uow.actions.of_occurrence(o[0].id)
            if a.kind == "mirror_event" and a.state == "pending" and a.note == "event limit reached"
        ]
    assert len(deferred) == 4
    assert min(a.due_at for a in deferred) == datetime(2026, 3, 2, 11, 30, tzinfo=UTC)  # when the first one ends


async def test_the_tick_makes_sessions_only_when_the_horizon_reaches_them(world: World) -> None:
    await world.series.create(GUILD, FACILITATOR, fortnightly())
    await world.series.create(GUILD, FACILITATOR, fortnightly(title="Short run", count=2))
    assert await world.series.materialize_due() == 0  # creation already made everything inside the horizon
    world.clock.advance(timedelta(days=13))
    assert await world.series.materialize_due() == 1  # one more fortnightly session came inside 13 months
    assert await world.series.materialize_due() == 0
    world.clock.advance(timedelta(days=365))
    made = await world.series.materialize_due()
    assert made > 20  # a year of catch-up for the open-ended series; the 2-session one is complete
    async with world.uow() as uow:
        counts = {s.title: s.materialized_through + 1 for s, _ in await uow.series.in_guild(GUILD)}
    assert counts["Short run"] == 2


async def test_survey_tallies_match_the_answers(world: World) -> None:
    from sqlalchemy import select

    from bot.db.models import FeedbackResponse
    from bot.services.reports import ReportService

    await world.series.create(GUILD, FACILITATOR, fortnightly())
    first = (await world.sessions.upcoming(GUILD, ALICE)).entries[0].session.occurrence_id
    world.clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=UTC))
    await world.sessions.start(GUILD, FACILITATOR, first)
    people = list(range(200, 208))
    await world.sessions.correct_attendance(GUILD, FACILITATOR, first, people, present=True)
    world.clock.set(datetime(2026, 3, 17, 11, 30, tzinfo=UTC))
    await world.tick()  # room closes, survey goes out
    answers = [("5", "4", "4"), ("4", "4", "2"), ("5", "5", "4"), ("4", "3", "3"), ("2", "4", "4"), ("5", "4", "1")]
    for person, values in zip(people, answers, strict=False):
        await world.surveys.submit(GUILD, person, first, values, None)
    await world.surveys.submit(GUILD, people[4], first, ("4", "1", "5"), "edited")  # an edit moves the tallies
    await world.surveys.submit(None, people[0], first, ("1", "1", "1"), None)  # from a DM: no guild
    with pytest.raises(NotAllowed):
        await world.surveys.submit(GUILD, 999, first, ("5", "5", "5"), None)
    async with world.uow() as uow:
        rows = (await uow.feedback._session.scalars(select(FeedbackResponse))).all()
        survey = await uow.feedback.survey(first)
    assert survey is not None and (survey.responses, survey.attendees) == (len(rows), 8) == (6, 8)
    tallies = (survey.agreed_supported, survey.agreed_supported_others, survey.agreed_less_isolated)
    columns = ("supported", "supported_others", "less_isolated")
    assert tallies == tuple(sum(getattr(row, column) >= 4 for row in rows) for column in columns)

    # Once the survey closes, its session is released as a block (six people answered) and the report reads it.
    world.clock.set(datetime(2026, 3, 24, 11, 31, tzinfo=UTC))
    await world.tick()
    coordinator = Actor(user_id=5, role_ids=frozenset({12}), is_admin=False)
    report = await ReportService(world.uow, clock=world.clock, min_group=5, default_timezone="Europe/London").feedback(
        GUILD, coordinator, None, None, None
    )
    total = report.total
    assert total.tally.responses == 6 and total.tally.attendees == 8 and total.tally.sessions == 1
    assert tuple(figure.agreed for figure in total.statements) == tallies
    assert [f.share for f in total.statements] == [83, 50, 33]  # 5/6, 3/6, 2/6 after the two edits
    assert total.response_rate == 75


async def test_a_burst_of_submits_is_judged_one_by_one_in_one_batch(world: World) -> None:
    """Submits arriving together share a write, but each gets its own answer: saved, edited, refused."""
    from sqlalchemy import func, select

    from bot.db.models import FeedbackResponse, Survey

    await world.series.create(GUILD, FACILITATOR, fortnightly())
    first = (await world.sessions.upcoming(GUILD, ALICE)).entries[0].session.occurrence_id
    world.clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=UTC))
    await world.sessions.start(GUILD, FACILITATOR, first)
    people = list(range(300, 306))
    await world.sessions.correct_attendance(GUILD, FACILITATOR, first, people, present=True)
    world.clock.set(datetime(2026, 3, 17, 11, 30, tzinfo=UTC))
    await world.tick()

    submits = [world.surveys.submit(GUILD, person, first, ("5", "4", "2"), None) for person in people[:5]] + [
        world.surveys.submit(GUILD, people[0], first, ("1", "1", "1"), None),  # the same person again
        world.surveys.submit(GUILD, 999, first, ("5", "5", "5"), None),  # did not attend
        world.surveys.submit(GUILD + 1, people[5], first, ("5", "5", "5"), None),  # from another server
        world.surveys.submit(GUILD, people[5], 10**9, ("5", "5", "5"), None),  # no such session
    ]
    outcomes = await asyncio.gather(*submits, return_exceptions=True)

    assert [type(o).__name__ for o in outcomes[5:]] == ["SubmitOutcome", "NotAllowed", "NotFound", "NotFound"]
    assert [o.edited for o in outcomes[:6] if isinstance(o, SubmitOutcome)] == [False] * 5 + [True]
    async with world.uow.reading() as uow:
        stored = (await uow.feedback._session.scalars(select(FeedbackResponse))).all()
        survey = await uow.feedback._session.get(Survey, first)
        count = await uow.feedback._session.scalar(select(func.count()).select_from(FeedbackResponse))
    assert count == len(stored) == 5
    assert survey is not None and survey.responses == 5 and survey.agreed_supported == 4  # the repeat said 1
    world.clock.set(datetime(2026, 3, 25, 12, 0, tzinfo=UTC))  # a week later: closed
    with pytest.raises(InvalidInput, match="closed"):
        await world.surveys.submit(GUILD, people[5], first, ("5", "5", "5"), None)


async def test_a_batch_whose_write_fails_tells_each_submitter_and_the_next_batch_is_written(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections.abc import Sequence

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from bot.db.models import FeedbackResponse
    from bot.services import response_writer

    await world.series.create(GUILD, FACILITATOR, fortnightly())
    first = (await world.sessions.upcoming(GUILD, ALICE)).entries[0].session.occurrence_id
    world.clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=UTC))
    await world.sessions.start(GUILD, FACILITATOR, first)
    await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [ALICE, BOB, CARYS], present=True)
    world.clock.set(datetime(2026, 3, 17, 11, 30, tzinfo=UTC))
    await world.tick()

    written = response_writer.save_responses
    failures = iter([RuntimeError("the disk is full")])

    def save_or_fail(session: Session, rows: Sequence[dict[str, object]]) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        written(session, rows)

    monkeypatch.setattr(response_writer, "save_responses", save_or_fail)
    together = [world.surveys.submit(GUILD, person, first, ("5", "4", "2"), None) for person in (ALICE, BOB)]
    outcomes = await asyncio.gather(*together, return_exceptions=True)
    assert [str(outcome) for outcome in outcomes] == ["the disk is full"] * 2  # each submitter hears of it

    again = await world.surveys.submit(GUILD, CARYS, first, ("5", "4", "2"), None)
    assert isinstance(again, SubmitOutcome) and not again.edited
    async with world.uow.reading() as uow:
        count = await uow.feedback._session.scalar(select(func.count()).select_from(FeedbackResponse))
    assert count == 1  # the failed batch kept nothing; the next one was written
