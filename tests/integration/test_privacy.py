"""Privacy and safety use cases on a real database: export, erasure with exact figures for everyone else,
comment retention, message reports and per-guild signposting."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.errors import BotLacksPermission, InvalidInput, NotAllowed
from bot.domain.language import ChannelPosts
from bot.domain.privacy import ERASED_USER
from bot.domain.rsvp import Choice, RsvpStatus
from bot.domain.signposting import UK_SIGNPOSTS, Signpost
from bot.scheduling.runtime import SchedulingRuntime
from bot.scheduling.scheduler import build_scheduler
from bot.services.actions import ActionRunner
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.ports import Notice
from bot.services.privacy import PrivacyService
from bot.services.releases import ReleaseService
from bot.services.reports import ReportService
from bot.services.rsvp import RsvpService
from bot.services.safety import AlertNotice, ReportOutcome, SafetyService, Sent
from bot.services.series import SeriesRequest, SeriesService
from bot.services.sessions import SessionService
from bot.services.support import SupportService
from bot.services.surveys import SurveyService
from bot.ui.links import message_url
from tests.fakes import FakeClock, FakeCommunityGateway, FakeRoleGateway, FakeSessionGateway

GUILD = 900000000000000001
FACILITATOR_ROLE, COORDINATOR_ROLE, DOM_ROLE = 11, 12, 13
FACILITATORS_CHANNEL = 30
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
COORDINATOR = Actor(user_id=5, role_ids=frozenset({COORDINATOR_ROLE}), is_admin=False)
ALICE, BOB, CARYS, DAFYDD = 101, 102, 103, 104
PEOPLE = [200, 201, 202, 203, 204, 205]
KEY = b"k" * 32


class FakeSafetyGateway:
    """Safeguarding alerts as the services send them: posts in the facilitators' channel, DMs (nobody's open)."""

    def __init__(self) -> None:
        self.alerts: list[tuple[int, int, str | None, int | None]] = []
        self.refuse = False

    async def post_alert(self, channel_id: int, notice: AlertNotice, *, nonce: str) -> Sent:
        if self.refuse:
            raise BotLacksPermission("I couldn't post in the facilitators' channel.")
        self.alerts.append((notice.guild_id, channel_id, notice.link, notice.reporter_id))
        return Sent(channel_id, 9000 + len(self.alerts))

    async def dm_alert(self, user_id: int, notice: AlertNotice, *, nonce: str) -> Sent | None:
        return None

    async def owner_of(self, guild_id: int) -> int | None:
        return None

    async def mark_taken(
        self, channel_id: int, message_id: int, taken_by: int, *, posts: ChannelPosts = ChannelPosts.EN
    ) -> None:
        return None


class World:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow
        self.clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
        self.gateway = FakeSessionGateway()
        self.community = FakeCommunityGateway()
        self.roles = FakeRoleGateway()
        self.cohorts = CohortService(uow, self.roles, default_timezone="Europe/London")
        self.series = SeriesService(uow, clock=self.clock)
        self.sessions = SessionService(uow, self.gateway, clock=self.clock)
        self.rsvp = RsvpService(uow, self.gateway, clock=self.clock)
        self.surveys = SurveyService(uow, self.gateway, clock=self.clock, key=KEY, survey_open=timedelta(days=7))
        self.releases = ReleaseService(uow, clock=self.clock, key=KEY, min_group=5)
        self.runner = ActionRunner(
            uow, self.gateway, clock=self.clock, worker="test-1", surveys=self.surveys, releases=self.releases
        )
        self.reports = ReportService(uow, clock=self.clock, min_group=5, default_timezone="Europe/London")
        self.privacy = PrivacyService(
            uow,
            self.roles,
            self.gateway,
            self.community,
            clock=self.clock,
            key=KEY,
            survey_open=timedelta(days=7),
            comment_retention=timedelta(days=365),
        )

    async def tick(self) -> None:
        for action_id, _ in await self.runner.due_before(self.clock() + timedelta(seconds=1)):
            await self.runner.run(action_id)


@pytest.fixture
async def world(uow: UnitOfWorkFactory) -> World:
    setup = SetupService(uow)
    await setup.set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=COORDINATOR_ROLE)
    await setup.set_channels(
        GUILD, ADMIN, announcements_channel_id=31, resources_channel_id=32, facilitators_channel_id=FACILITATORS_CHANNEL
    )
    world = World(uow)
    await world.cohorts.create(
        GUILD, FACILITATOR, name="Domiciliary care managers", description="d", channel_id=20, role_id=DOM_ROLE
    )
    return world


ANSWERS = {
    ALICE: ("5", "5", "5"),
    BOB: ("4", "4", "2"),
    200: ("5", "5", "4"),
    201: ("4", "3", "3"),
    202: ("2", "4", "4"),
    203: ("5", "4", "1"),
    204: ("4", "4", "4"),
}


async def a_season(world: World) -> tuple[int, int]:
    """One session held (Alice, Bob and six others attend; seven answer) and the next one booked (capacity 2:
    Alice and Bob going, Carys on the waitlist). Returns (held, next)."""
    for user in (ALICE, BOB, CARYS):  # a session is for its cohort
        await world.cohorts.join(GUILD, user, "Domiciliary care managers")
    await world.series.create(
        GUILD,
        FACILITATOR,
        SeriesRequest("Domiciliary care managers", "Peer support", "fortnightly", "2026-03-17 10:00", 90, 2),
    )
    held, following = [u.session.occurrence_id for u in (await world.sessions.upcoming(GUILD, ALICE)).entries][:2]
    for user in (ALICE, BOB, CARYS):
        await world.rsvp.accept_ground_rules(GUILD, user)
    await world.rsvp.respond(GUILD, ALICE, held, Choice.YES)
    for user in (ALICE, BOB, CARYS):
        await world.rsvp.respond(GUILD, user, following, Choice.YES)
    await world.rsvp.set_reminders(GUILD, ALICE, False)
    world.clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=UTC))
    await world.sessions.start(GUILD, FACILITATOR, held)
    await world.sessions.correct_attendance(GUILD, FACILITATOR, held, [ALICE, BOB, *PEOPLE], present=True)
    world.clock.set(datetime(2026, 3, 17, 11, 30, tzinfo=UTC))
    await world.tick()
    for user, values in ANSWERS.items():
        comment = "Alice's own words" if user == ALICE else ("Bob's own words" if user == BOB else None)
        await world.surveys.submit(GUILD, user, held, values, comment)
    return held, following


def figures(report: Any) -> tuple[Any, ...]:
    total = report.total
    return (
        total.tally.responses,
        total.tally.attendees,
        total.response_rate,
        [(s.agreed, s.n) for s in total.statements],
    )


async def close_the_survey(world: World) -> None:
    """Let the held session's survey close (seven days after it ended): its block is released then."""
    world.clock.set(datetime(2026, 3, 24, 11, 31, tzinfo=UTC))
    await world.tick()


async def test_export_holds_the_members_data_and_nothing_of_anyone_else(world: World) -> None:
    held, following = await a_season(world)
    safety = SafetyService(world.uow, FakeSafetyGateway(), clock=world.clock)
    await safety.report_message(GUILD, ALICE, 40, 41, message_url(1, 40, 41))
    await safety.report_message(GUILD, BOB, 40, 42, message_url(1, 40, 42))

    export = await world.privacy.export(GUILD, ALICE)
    assert export["user_id"] == str(ALICE) and export["guild_id"] == str(GUILD)
    assert [m["cohort"] for m in export["cohort_memberships"]] == ["Domiciliary care managers"]
    assert [(r["session_id"], r["status"]) for r in export["rsvps"]] == [(held, "going"), (following, "going")]
    assert [(a["session_id"], a["present"], a["source"]) for a in export["attendance"]] == [(held, True, "facilitator")]
    [feedback] = export["feedback_responses"]
    assert feedback["session_id"] == held and feedback["comment"] == "Alice's own words"
    assert feedback["supported"] == feedback["less_isolated"] == "Strongly agree"
    assert export["preferences"]["reminders"] is False and export["preferences"]["ground_rules_accepted_at"]
    assert [r["message_id"] for r in export["message_reports"]] == ["41"]
    text = repr(export)
    # Bob's ID as a whole number, not digits inside a timestamp (".102345").
    assert "Bob's own words" not in text and not re.search(rf"\b{BOB}\b", text)
    assert repr("42") not in repr(export["message_reports"])

    facilitator = await world.privacy.export(GUILD, FACILITATOR.user_id)
    assert [c["cohort"] for c in facilitator["cohorts_created"]] == ["Domiciliary care managers"]
    assert [s["series"] for s in facilitator["series_created"]] == ["Peer support"]
    assert {e["action"] for e in facilitator["audit_log"]} >= {"cohort.create", "series.create", "session.start"}
    assert facilitator["feedback_responses"] == [] and facilitator["rsvps"] == []


async def test_erasure_leaves_nothing_of_the_member_and_everyone_elses_figures_exact(world: World) -> None:
    _, following = await a_season(world)
    bob_before = await world.privacy.export(GUILD, BOB)
    before = await world.reports.feedback(GUILD, COORDINATOR, None, None, None)
    assert figures(before)[:3] == (0, 0, None)  # the survey is open: nothing is counted yet, the session waits
    assert (before.waiting.sessions, before.waiting.open_surveys) == (0, 1)
    assert world.roles.roles_of(GUILD, ALICE) == {DOM_ROLE}

    outcome = await world.privacy.erase(GUILD, ALICE)

    assert outcome.deleted["feedback_responses"] == 1 and outcome.deleted["rsvps"] == 2
    assert outcome.deleted["attendance"] == 1 and outcome.deleted["cohort_memberships"] == 1
    assert outcome.deleted["member_preferences"] == 1 and outcome.roles_removed == 1 and outcome.roles_kept == []
    assert world.roles.roles_of(GUILD, ALICE) == set() and world.roles.roles_of(GUILD, BOB) == {DOM_ROLE}
    export = await world.privacy.export(GUILD, ALICE)
    assert {k: v for k, v in export.items() if isinstance(v, list) and v} == {}
    assert export["preferences"] is None and export["dm_channel"] is None

    # Once the survey closes, its block counts the others exactly: six answers of seven attendees, as a hand count
    # of their answers.
    await close_the_survey(world)
    after = await world.reports.feedback(GUILD, COORDINATOR, None, None, None)
    assert after.waiting.sessions == after.waiting.open_surveys == 0
    others = [values for user, values in ANSWERS.items() if user != ALICE]
    agreed = [sum(int(v[i]) >= 4 for v in others) for i in range(3)]
    assert figures(after) == (6, 7, 86, [(a, 6) for a in agreed])
    bob_after = await world.privacy.export(GUILD, BOB)
    assert bob_after | {"generated_at": None} == bob_before | {"generated_at": None}

    # Alice's place in the next session went to Carys, who is told; the announcement shows the new counts.
    mine = {u.session.occurrence_id: u.my_status for u in (await world.sessions.upcoming(GUILD, CARYS)).entries}
    assert mine[following] == RsvpStatus.GOING
    assert (following, (CARYS, Notice.PROMOTED)) in world.gateway.of("dm")
    assert world.gateway.of("refresh")[-1] == (following, ("scheduled", 2, 0))
    assert await world.privacy.erase(GUILD, ALICE) == type(outcome)(
        {name: 0 for name in outcome.deleted}, {name: 0 for name in outcome.anonymised}
    )  # a second erasure finds nothing


async def test_erasing_a_facilitator_keeps_their_cohorts_and_series_but_not_their_id(world: World) -> None:
    await a_season(world)
    outcome = await world.privacy.erase(GUILD, FACILITATOR.user_id)
    assert outcome.anonymised["cohorts"] == 1 and outcome.anonymised["series"] == 1
    assert outcome.anonymised["audit_log"] >= 4
    async with world.uow() as uow:
        entries = await uow.audit.recent(GUILD)
    assert FACILITATOR.user_id not in {e.actor_id for e in entries} and ERASED_USER in {e.actor_id for e in entries}
    assert [c.name for c in await world.cohorts.listing(GUILD, BOB)] == ["Domiciliary care managers"]
    assert len(await world.series.listing(GUILD, ADMIN)) == 1


async def test_a_role_the_bot_cannot_take_back_is_reported_not_fatal(world: World) -> None:
    await world.cohorts.join(GUILD, ALICE, "Domiciliary care managers")
    world.roles.unassignable.add(DOM_ROLE)
    outcome = await world.privacy.erase(GUILD, ALICE)
    assert outcome.roles_kept == [DOM_ROLE] and outcome.deleted["cohort_memberships"] == 1


async def test_old_comments_are_purged_daily_and_answers_stay(world: World) -> None:
    held, _ = await a_season(world)
    await close_the_survey(world)
    runtime = SchedulingRuntime(build_scheduler(), world.series, world.runner, clock=world.clock, privacy=world.privacy)
    assert await world.privacy.purge_comments() == 0  # a week old: kept
    before = await world.reports.feedback(GUILD, COORDINATOR, None, "2026-01-01", "2026-12-31")
    assert figures(before)[:2] == (7, 8)

    world.clock.advance(timedelta(days=365, minutes=1))
    await runtime.tick()
    export = await world.privacy.export(GUILD, ALICE)
    assert export["feedback_responses"][0]["comment"] is None
    assert export["feedback_responses"][0]["supported"] == "Strongly agree"
    after = await world.reports.feedback(GUILD, COORDINATOR, None, "2026-01-01", "2026-12-31")
    assert figures(after) == figures(before)

    # Once a day per process: a comment that comes of age later the same day waits for tomorrow's tick.
    async with world.uow() as uow:
        [(response, _, _)] = await uow.privacy.responses({held: _pseudonym(BOB, held)})
        response.comment = "written again"
        response.updated_at = world.clock() - timedelta(days=400)
        await uow.commit()
    await runtime.tick()
    assert (await world.privacy.export(GUILD, BOB))["feedback_responses"][0]["comment"] == "written again"
    world.clock.advance(timedelta(days=1))
    await runtime.tick()
    assert (await world.privacy.export(GUILD, BOB))["feedback_responses"][0]["comment"] is None
    assert await world.privacy.purge_comments() == 0  # idempotent


def _pseudonym(user: int, occurrence: int) -> str:
    from bot.domain.feedback import pseudonym

    return pseudonym(KEY, user, occurrence)


async def test_a_message_report_alerts_once_and_keeps_only_the_link(uow: UnitOfWorkFactory) -> None:
    gateway = FakeSafetyGateway()
    safety = SafetyService(uow, gateway, clock=FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC)))
    link = message_url(GUILD, 40, 41)
    # Nobody to reach yet (no channel, no known facilitator, no owner): the report is kept for the resend.
    assert await safety.report_message(GUILD, DAFYDD, 40, 41, link) is ReportOutcome.UNREACHED
    assert gateway.alerts == []
    await SetupService(uow).set_channels(
        GUILD, ADMIN, announcements_channel_id=31, resources_channel_id=32, facilitators_channel_id=FACILITATORS_CHANNEL
    )
    assert await safety.report_message(GUILD, ALICE, 40, 41, link) is ReportOutcome.ALERTED
    assert await safety.report_message(GUILD, ALICE, 40, 41, link) is ReportOutcome.REPEAT
    assert await safety.report_message(GUILD, BOB, 40, 41, link) is ReportOutcome.ALERTED
    assert gateway.alerts == [(GUILD, FACILITATORS_CHANNEL, link, ALICE), (GUILD, FACILITATORS_CHANNEL, link, BOB)]

    gateway.refuse = True  # the channel refuses the bot, and nobody else can be reached: kept for the resend
    assert await safety.report_message(GUILD, CARYS, 40, 41, link) is ReportOutcome.UNREACHED
    gateway.refuse = False
    assert await safety.report_message(GUILD, CARYS, 40, 41, link) is ReportOutcome.REPEAT
    async with uow() as work:
        reports = await work.privacy.message_reports(GUILD, ALICE)
    assert [(r.channel_id, r.message_id, r.reporter_id) for r in reports] == [(40, 41, ALICE)]


async def test_signposting_is_set_by_admins_audited_and_reset(uow: UnitOfWorkFactory) -> None:
    support = SupportService(uow)
    assert await support.signposting(GUILD) == await support.signposting(None)
    assert (await support.signposting(GUILD)).signposts == UK_SIGNPOSTS
    with pytest.raises(NotAllowed, match="Manage Server"):
        await support.editable_text(GUILD, FACILITATOR)
    with pytest.raises(NotAllowed):
        await support.update(GUILD, FACILITATOR, "Samaritans Cymru: 116 123")
    assert (await support.editable_text(GUILD, ADMIN)).startswith("Emergency: If you or someone else")

    saved = await support.update(GUILD, ADMIN, "Samaritans Cymru: call 116 123\n\nCALL: 0800 132 737")
    assert saved.customised and saved.signposts == (
        Signpost("Samaritans Cymru", "call 116 123"),
        Signpost("CALL", "0800 132 737"),
    )
    assert await support.signposting(GUILD) == saved
    assert await support.editable_text(GUILD, ADMIN) == "Samaritans Cymru: call 116 123\nCALL: 0800 132 737"
    with pytest.raises(InvalidInput, match="Line 1 needs"):
        await support.update(GUILD, ADMIN, "just a phone number 116 123")
    assert await support.signposting(GUILD) == saved  # a refusal changes nothing

    reset = await support.update(GUILD, ADMIN, "  ")
    assert not reset.customised and reset.signposts == UK_SIGNPOSTS
    async with uow() as work:
        audit = [(e.action, e.details) for e in await work.audit.recent(GUILD)]
    assert audit[:2] == [
        ("support.reset", {"services": []}),
        ("support.edit", {"services": ["Samaritans Cymru", "CALL"]}),
    ]
