"""What a report says is not counted yet, on a real database: a held session whose survey may still be sent is
"not yet closed"; one that can never have a survey (its send-survey action failed for good, or it has none) is
neither waiting nor open, instead of counting as an open survey forever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import Action, Survey
from bot.db.uow import UnitOfWorkFactory
from bot.domain.actions import MAX_ATTEMPTS, ActionKind
from bot.services.guild_setup import SetupService
from bot.services.reports import FeedbackReport
from bot.services.series import SeriesRequest
from tests.integration.test_release_blocks import (
    ADMIN,
    COORDINATOR,
    COORDINATOR_ROLE,
    DOM,
    FACILITATOR,
    FACILITATOR_ROLE,
    GUILD,
    YEAR,
    Plan,
    World,
)


@pytest.fixture
async def world(uow: UnitOfWorkFactory, engine: AsyncEngine) -> World:
    await SetupService(uow).set_roles(
        GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=COORDINATOR_ROLE
    )
    world = World(uow, engine)
    await world.cohorts.create(GUILD, FACILITATOR, name=DOM, description="d", channel_id=20)
    await world.series.create(GUILD, FACILITATOR, SeriesRequest(DOM, DOM, "fortnightly", "2026-03-03 10:00", 90))
    return world


async def noted(world: World) -> tuple[int, int]:
    """(closed sessions waiting, surveys not yet closed) in the cohort's report for the year."""
    report: FeedbackReport = await world.reports.feedback(GUILD, COORDINATOR, DOM, *YEAR)
    return report.waiting.sessions, report.waiting.open_surveys


async def send_survey_state(world: World, occurrence: int) -> str:
    async with world.engine.connect() as connection:
        query = select(Action.state).where(
            Action.occurrence_id == occurrence, Action.kind == ActionKind.SEND_SURVEY.value
        )
        return str(await connection.scalar(query))


async def has_survey(world: World, occurrence: int) -> bool:
    async with world.engine.connect() as connection:
        return (
            await connection.scalar(select(Survey.occurrence_id).where(Survey.occurrence_id == occurrence)) is not None
        )


async def test_a_session_whose_survey_can_never_be_sent_waits_nowhere(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unavailable(occurrence_id: int, *, nonce: str) -> int:
        raise ConnectionError("the database went away")  # before the survey's row was written

    monkeypatch.setattr(world.surveys, "send", unavailable)
    occurrence = await world.hold(DOM, Plan([]))  # nobody came; the survey fails to go out
    assert not await has_survey(world, occurrence)
    assert await send_survey_state(world, occurrence) == "pending"  # it will be tried again: not yet closed
    assert await noted(world) == (0, 1)

    for _ in range(MAX_ATTEMPTS):
        await world.at(world.clock() + timedelta(hours=1))
    assert await send_survey_state(world, occurrence) == "failed"  # given up: no survey can come now
    assert not await has_survey(world, occurrence)
    assert await noted(world) == (0, 0)


async def test_a_held_session_with_no_send_survey_action_waits_nowhere(world: World) -> None:
    """As for a session held before surveys were scheduled: nothing will ever send its survey."""
    occurrence, _, _ = await world.next_session(DOM)
    async with world.engine.begin() as connection:
        await connection.execute(
            delete(Action).where(Action.occurrence_id == occurrence, Action.kind == ActionKind.SEND_SURVEY.value)
        )
    assert await world.hold(DOM, Plan([])) == occurrence
    assert not await has_survey(world, occurrence)
    assert await noted(world) == (0, 0)

    # The next session's survey goes out as usual: open until it closes, then its session waits in the tail.
    await world.hold(DOM, Plan([]))
    assert await noted(world) == (0, 1)
    await world.settle()
    assert await noted(world) == (1, 0)


async def test_a_survey_whose_closing_never_ran_is_closed_by_the_sweep_and_counts(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(occurrence_id: int) -> None:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(world.surveys, "close", broken)
    people = [9100 + i for i in range(5)]
    occurrence = await world.hold(DOM, Plan(people, dict.fromkeys(people, "454")))
    async with world.engine.connect() as connection:
        closes_at = await connection.scalar(select(Survey.closes_at).where(Survey.occurrence_id == occurrence))
    assert closes_at is not None
    for _ in range(MAX_ATTEMPTS + 1):  # the close-survey action fails until it gives up
        await world.at(max(world.clock(), closes_at.replace(tzinfo=world.clock().tzinfo)) + timedelta(hours=1))
    assert await noted(world) == (0, 1)  # still "open": nothing else would ever close it
    assert await world.blocks() == []

    await world.releases.sweep()  # the daily sweep closes it, as of its closing time, and releases its block
    async with world.engine.connect() as connection:
        closed_at = await connection.scalar(select(Survey.closed_at).where(Survey.occurrence_id == occurrence))
    assert closed_at is not None and closed_at.replace(tzinfo=None) == closes_at.replace(tzinfo=None)
    assert await noted(world) == (0, 0)
    [block] = await world.blocks()
    assert block["responses"] == 5
