"""Attendance corrected after the fact, catch-up after downtime and moved sessions, on a real database with
Discord's side faked (issue 13, items 2 and 5)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Occurrence
from bot.db.uow import UnitOfWorkFactory
from bot.domain.actions import late_survey_nonce
from bot.domain.rsvp import Choice
from bot.services.ports import Notice
from tests.integration.test_session_services import (
    ADMIN,
    ALICE,
    BOB,
    CARYS,
    FACILITATOR,
    FACILITATOR_ROLE,
    GUILD,
    World,
    fortnightly,
)

DAVE = 104
FIRST = datetime(2026, 3, 17, 10, 0, tzinfo=UTC)  # the first fortnightly session (GMT)
FIRST_END = FIRST + timedelta(minutes=90)


@pytest.fixture
async def world(uow: UnitOfWorkFactory) -> World:
    from bot.services.cohorts import CohortService
    from bot.services.guild_setup import SetupService
    from tests.fakes import FakeRoleGateway

    await SetupService(uow).set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=12)
    cohorts = CohortService(uow, FakeRoleGateway(), default_timezone="Europe/London")
    await cohorts.create(GUILD, FACILITATOR, name="Domiciliary care managers", description="d", channel_id=20)
    for member in (ALICE, BOB, CARYS, DAVE):
        await cohorts.join(GUILD, member, "Domiciliary care managers")
    return World(uow)


async def sessions(world: World) -> list[int]:
    """The series' sessions, soonest first."""
    async with world.uow() as uow:
        rows = await uow.run_sync(
            lambda session: session.scalars(select(Occurrence.id).order_by(Occurrence.starts_at)).all()
        )
    return list(rows)


async def first_session(world: World) -> int:
    await world.series.create(GUILD, FACILITATOR, fortnightly(capacity=None))
    return (await sessions(world))[0]


async def held(world: World, occurrence_id: int, attendees: list[int]) -> None:
    """The session is announced, runs with ``attendees`` checked in and ends on time; its survey goes out."""
    world.clock.set(FIRST - timedelta(days=7))
    await world.tick()
    world.clock.set(FIRST)
    await world.tick()
    for user_id in attendees:
        await world.rsvp.check_in(GUILD, user_id, occurrence_id)
    world.clock.set(FIRST_END)
    await world.tick()


def surveys_to(world: World, user_id: int) -> int:
    return sum(1 for _, (user, notice) in world.gateway.of("dm") if user == user_id and notice is Notice.SURVEY)


async def test_attendance_is_offered_for_sessions_on_now_or_ended_in_the_last_30_days(world: World) -> None:
    first = await first_session(world)
    assert await world.sessions.attendance_choices(GUILD, "") == []  # nothing has been held yet

    world.clock.set(FIRST)
    await world.tick()
    [(label, found)] = await world.sessions.attendance_choices(GUILD, "peer")
    assert found == first and label.endswith("(on now)") and "17 Mar 2026 10:00" in label

    world.clock.set(FIRST_END + timedelta(days=14, minutes=1))  # the second session has run too
    await world.tick()
    choices = await world.sessions.attendance_choices(GUILD, "")
    assert [occurrence for _, occurrence in choices][-1] == first and len(choices) == 2  # the latest first
    assert await world.sessions.attendance_choices(GUILD, "peer 17 mar") == [choices[-1]]
    assert await world.sessions.attendance_choices(GUILD, "nothing like it") == []

    world.clock.set(FIRST_END + timedelta(days=30, seconds=1))
    assert first not in [occurrence for _, occurrence in await world.sessions.attendance_choices(GUILD, "")]


async def test_marking_present_after_the_session_sends_the_survey_once(world: World) -> None:
    first = await first_session(world)
    await held(world, first, [ALICE])
    assert surveys_to(world, ALICE) == 1

    world.clock.advance(timedelta(days=1))  # the day after: Bob joined by phone
    sheet = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [BOB], present=True)
    assert sheet.surveyed == (BOB,) and (BOB, "facilitator") in sheet.present
    assert surveys_to(world, BOB) == 1

    # Marked again, by mistake absent and then present again: never a second survey.
    again = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [BOB, ALICE], present=True)
    assert again.surveyed == ()
    await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [BOB, ALICE], present=False)
    again = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [BOB, ALICE], present=True)
    assert again.surveyed == () and surveys_to(world, BOB) == surveys_to(world, ALICE) == 1

    # Carys was marked absent before it went out: marked present now, she is sent it.
    async with world.uow() as uow:
        await uow.attendance.record(GUILD, first, CARYS, present=False, source="facilitator")
        await uow.commit()
    sheet = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [CARYS], present=True)
    assert sheet.surveyed == (CARYS,) and surveys_to(world, CARYS) == 1
    async with world.uow() as uow:
        survey = await uow.feedback.survey(first)
    assert survey is not None and survey.attendees == 3  # the response rate counts them

    # The survey's late offer can be answered like any other.
    outcome = await world.surveys.submit(None, BOB, first, ("5", "4", "4"), None)
    assert not outcome.edited

    # Once the survey has closed, nobody is sent it.
    world.clock.set(FIRST_END + timedelta(days=7))
    await world.tick()
    sheet = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [DAVE], present=True)
    assert sheet.surveyed == () and surveys_to(world, DAVE) == 0


async def test_marked_present_before_the_survey_goes_out_they_get_it_with_everyone(world: World) -> None:
    first = await first_session(world)
    world.clock.set(FIRST)
    await world.tick()
    sheet = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [BOB], present=True)
    assert sheet.surveyed == () and surveys_to(world, BOB) == 0  # not sent yet: it goes to everyone at the end
    world.clock.set(FIRST_END)
    await world.tick()
    assert surveys_to(world, BOB) == 1


async def test_a_survey_discord_refused_is_reported_and_a_closed_dm_falls_back_to_the_thread(world: World) -> None:
    first = await first_session(world)
    await held(world, first, [ALICE])
    world.gateway.fail_next = 1
    sheet = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [BOB], present=True)
    assert sheet.unreachable == (BOB,) and sheet.surveyed == ()

    world.gateway.closed_dms.add(CARYS)
    sheet = await world.sessions.correct_attendance(GUILD, FACILITATOR, first, [CARYS], present=True)
    assert sheet.surveyed == (CARYS,)
    assert world.gateway.of("thread")[-1] == (first, ((CARYS,), Notice.SURVEY))


async def test_three_days_down_nothing_stale_is_sent_and_every_skip_is_recorded(world: World) -> None:
    first, second = (await first_session(world)), (await sessions(world))[1]
    second_start = FIRST + timedelta(days=14)
    await world.rsvp.accept_ground_rules(GUILD, ALICE)
    await world.rsvp.respond(GUILD, ALICE, second, Choice.YES)
    await held(world, first, [ALICE])
    sent_before = len(world.gateway.calls)

    # Down from the end of the first session until a week and a day later: its reminder and its closing passed.
    world.clock.set(FIRST_END + timedelta(days=8))
    await world.tick()
    states = await world.actions(first)
    assert (states["send_survey"], states["survey_reminder"], states["close_survey"]) == ("done", "skipped", "done")
    async with world.uow() as uow:
        notes = {a.kind: a.note for a in await uow.actions.of_occurrence(first)}
        survey = await uow.feedback.survey(first)
    assert notes["survey_reminder"] == "survey already closed"
    assert survey is not None and survey.closed_at is not None
    assert not any(notice is Notice.SURVEY_REMINDER for _, (user, notice) in world.gateway.of("dm")), (
        "no 'still open' reminder for a closed survey"
    )

    # Down across the whole second session and its survey's week: no reminder after the start, no survey.
    world.clock.set(second_start + timedelta(days=9))
    await world.tick()
    states = await world.actions(second)
    async with world.uow() as uow:
        notes = {a.kind: a.note for a in await uow.actions.of_occurrence(second)}
    assert states["remind_1h"] == "skipped" and notes["remind_1h"] == "session already started"
    assert states["remind_24h"] == "skipped" and notes["remind_24h"] == "session already started"
    assert states["send_survey"] == "skipped" and notes["send_survey"] == "survey already closed"
    assert states["survey_reminder"] == "skipped" and notes["survey_reminder"] == "survey already closed"
    assert states["close_room"] == states["close_survey"] == "done"  # closing still runs
    later = world.gateway.calls[sent_before:]
    assert not [c for c in later if c[0] in ("dm", "thread", "survey") and c[1] in (first, second)], later


async def test_a_moved_session_is_told_with_both_times_and_its_thread_renamed(world: World) -> None:
    first = await first_session(world)
    world.clock.set(FIRST - timedelta(days=7))
    await world.tick()  # announced, with its thread
    await world.rsvp.accept_ground_rules(GUILD, ALICE)
    await world.rsvp.respond(GUILD, ALICE, first, Choice.YES)

    moved = await world.sessions.move(GUILD, FACILITATOR, first, "2026-03-18 14:00")
    assert moved.moved_from == FIRST and moved.starts_at == datetime(2026, 3, 18, 14, 0, tzinfo=UTC)
    assert world.gateway.of("dm")[-1] == (first, (ALICE, Notice.MOVED))
    [(occurrence, (thread_id, renamed_to))] = world.gateway.of("rename")
    assert occurrence == first and thread_id is not None and renamed_to == moved.starts_at
    assert late_survey_nonce(first, ALICE) != late_survey_nonce(first, BOB)


async def test_two_facilitators_marking_the_same_member_at_once_send_one_survey(world: World) -> None:
    first = await first_session(world)
    await held(world, first, [ALICE])
    sheets = await asyncio.gather(
        *(world.sessions.correct_attendance(GUILD, FACILITATOR, first, [BOB, CARYS], present=True) for _ in range(4))
    )
    assert sorted(user for sheet in sheets for user in sheet.surveyed) == [BOB, CARYS]
    assert surveys_to(world, BOB) == surveys_to(world, CARYS) == 1
