"""Many members pressing "I'll be there" or "I'm here" at once, through the emulator: each hears their own answer
first, the places and the waitlist come out right, and the announcement is edited a few times, not once a click."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta

import pytest

from bot.domain.language import Language
from bot.emulator import Emulator
from bot.emulator.interactions import InteractionFailed, InteractionResult
from bot.ui import errors
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World, facilitator_actor
from tests.e2e.helpers import visible_text
from tests.e2e.test_sessions import (
    announcements,
    create_dom_series,
    eventually,
    occurrence_of,
    run_due,
    visible_text_of,
)
from tests.fakes import FakeClock

DOM = "Domiciliary care managers"


async def managers(emulator: Emulator, world: World, bot: CwtchBot, count: int) -> list[int]:
    """``count`` new members of the cohort who have accepted the ground rules and chosen English (as ``/cohort
    join``, the "I agree" button and ``/language`` would leave them: no first-contact offer follows their answer)."""
    people = []
    for n in range(count):
        user = int(emulator.create_user(f"manager-{n}")["id"])
        emulator.add_member(world.guild_id, user)
        await bot.services.cohorts.join(world.guild_id, user, DOM)
        await bot.services.rsvp.accept_ground_rules(world.guild_id, user)
        await bot.services.languages.choose(user, Language.EN)
        people.append(user)
    return people


def first_request(emulator: Emulator, since: int, method: str, pattern: str) -> int | None:
    """Where the first request matching ``method`` and ``pattern`` after ``since`` is in the emulator's record."""
    for index, request in enumerate(emulator.requests[since:], start=since):
        if request.method == method and re.search(pattern, request.path):
            return index
    return None


def answer_of(emulator: Emulator, since: int, result: InteractionResult) -> int:
    """Where the member's answer (the follow-up after the deferral) is in the emulator's record."""
    found = first_request(emulator, since, "POST", rf"/webhooks/\d+/{re.escape(result.interaction['token'])}$")
    assert found is not None, result
    return found


def dm_openings(emulator: Emulator, since: int) -> dict[int, int]:
    """Whose DM channel the bot opened after ``since``, and where in the emulator's record."""
    opened: dict[int, int] = {}
    for index, request in enumerate(emulator.requests[since:], start=since):
        if request.method == "POST" and request.path.endswith("/users/@me/channels"):
            opened.setdefault(int(request.json["recipient_id"]), index)
    return opened


async def test_a_burst_of_rsvps_answers_everyone_first_and_edits_the_announcement_a_few_times(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    await create_dom_series(emulator, world, capacity=5)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(message)
    people = await managers(emulator, world, bot, 12)

    since = len(emulator.requests)
    results = await asyncio.gather(
        *(emulator.click(world.guild_id, user, message["id"], f"cwtch:rsvp:{occurrence}:yes") for user in people)
    )
    said = [visible_text(result) for result in results]
    assert all(result.ephemeral for result in results)
    assert sum("You're going" in text for text in said) == 5
    assert sum("on the waitlist" in text for text in said) == 7

    await bot.services.announcements.idle()
    shown = visible_text_of(emulator.message(message["id"]) or {})
    assert "5 of 5 places taken, 7 on the waitlist" in shown
    edits = emulator.find_requests("PATCH", rf"/channels/\d+/messages/{message['id']}$")
    edits = [edit for edit in edits if edit in emulator.requests[since:]]
    assert 1 <= len(edits) <= 3, len(edits)  # not one a click
    first_edit = first_request(emulator, since, "PATCH", rf"/channels/\d+/messages/{message['id']}$")
    assert first_edit is not None and first_edit > min(answer_of(emulator, since, r) for r in results)

    # Each member's DM channel (for their reminders) is opened after their answer, never before it.
    async def openings() -> dict[int, int]:
        return dm_openings(emulator, since)

    opened = await eventually(openings, lambda found: len(found) == len(people))
    for user, result in zip(people, results, strict=True):
        assert opened[user] > answer_of(emulator, since, result)

    listing = await emulator.slash(world.guild_id, people[0], "session list", {})
    assert "you're going" in visible_text(listing)


async def test_a_burst_of_check_ins_records_everyone_once(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_dom_series(emulator, world, link="https://teams.example.org/meet/abc")
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(message)
    people = await managers(emulator, world, bot, 10)
    clock.set(FIRST_DOM - timedelta(minutes=5))
    started = await emulator.slash(world.guild_id, world.facilitator, "session start", {"session": str(occurrence)})
    assert "is open" in visible_text(started)
    thread = int(emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")[0].response["id"])
    [opening] = [m for m in emulator.messages(thread) if "is starting now" in (m.get("content") or "")]

    pressed = [*people, *people[:4], world.other_member]  # some press twice; one is not in the cohort
    results = await asyncio.gather(
        *(emulator.click(world.guild_id, user, opening["id"], f"cwtch:checkin:{occurrence}") for user in pressed)
    )
    said = [visible_text(result) for result in results]
    assert all("Welcome to **Peer support**, you're checked in." in text for text in said[:-1]), said
    assert "not in that cohort yet" in said[-1]
    sheet = visible_text(
        await emulator.slash(world.guild_id, world.facilitator, "session attendance", {"session": str(occurrence)})
    )
    assert all(sheet.count(f"<@{user}> (checkin)") == 1 for user in people), sheet
    assert f"<@{world.other_member}>" not in sheet


async def test_clicks_and_commands_that_reach_the_bot_too_late_cost_no_request_and_change_nothing(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a burst larger than the process can take, interactions reach the bot after Discord's 3 seconds. The
    member's app has already said it failed; the bot leaves them alone instead of spending a request Discord would
    refuse on each, so that those still in time are answered sooner."""
    await create_dom_series(emulator, world)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(message)
    [late, in_time] = await managers(emulator, world, bot, 2)

    monkeypatch.setattr(errors, "_left_alone", errors._LeftAlone())  # nothing said before this test
    caplog.set_level(logging.DEBUG, logger="bot.ui.errors")
    emulator.delivery_lag = 3.8  # Discord made these 3.8 s before the bot got them
    since = len(emulator.requests)
    with pytest.raises(InteractionFailed):
        await emulator.click(world.guild_id, late, message["id"], f"cwtch:rsvp:{occurrence}:yes")
    with pytest.raises(InteractionFailed):
        await emulator.slash(world.guild_id, late, "session list", {})

    async def left_alone() -> int:
        return sum("after Discord made it: left alone" in record.getMessage() for record in caplog.records)

    await eventually(left_alone, lambda count: count == 2)  # the bot has seen both
    await asyncio.sleep(0.1)
    assert [f"{r.method} {r.path}" for r in emulator.requests[since:]] == []  # not even a deferral
    # One warning says so, not one per interaction: an overload brings thousands a minute.
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "too late" in r.getMessage()]
    assert len(warned) == 1 and warned[0].startswith("1 interaction(s) reached the bot too late"), warned

    emulator.delivery_lag = 2.0  # late, but still within Discord's 3 seconds: answered as ever
    said = visible_text(
        await emulator.click(world.guild_id, in_time, message["id"], f"cwtch:rsvp:{occurrence}:yes", timeout=5.0)
    )
    assert "You're going" in said, said
    emulator.delivery_lag = 0.0
    listing = visible_text(await emulator.slash(world.guild_id, late, "session list", {}))
    assert "you're going" not in listing  # the late click changed nothing: the member can simply press again
    assert "You're going" in visible_text(
        await emulator.click(world.guild_id, late, message["id"], f"cwtch:rsvp:{occurrence}:yes")
    )


async def test_a_check_in_is_written_while_its_deferral_is_on_its_way_and_answered_only_after_it(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    """The work behind a deferred answer starts at once, not once Discord has taken the deferral (under a burst the
    deferrals come back slowly); the answer itself still waits for the deferral."""
    await create_dom_series(emulator, world, link="https://teams.example.org/meet/abc")
    await run_due(bot)
    occurrence = occurrence_of(announcements(emulator, world.dom_channel)[0])
    [user] = await managers(emulator, world, bot, 1)
    clock.set(FIRST_DOM - timedelta(minutes=5))
    await emulator.slash(world.guild_id, world.facilitator, "session start", {"session": str(occurrence)})
    thread = int(emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")[0].response["id"])
    [opening] = [m for m in emulator.messages(thread) if "is starting now" in (m.get("content") or "")]
    emulator.faults.add("POST", r"/interactions/\d+/[^/]+/callback", delay=1.0)  # Discord slow to take the deferral

    since = len(emulator.requests)
    pressing = asyncio.create_task(emulator.click(world.guild_id, user, opening["id"], f"cwtch:checkin:{occurrence}"))

    async def sheet_and_deferral() -> tuple[list[tuple[int, str]], int | None]:
        sheet = await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)
        return sheet.present, first_request(emulator, since, "POST", r"/interactions/\d+/[^/]+/callback")

    _, deferral = await eventually(sheet_and_deferral, lambda found: (user, "checkin") in found[0])
    assert deferral is None  # recorded while Discord had not yet taken the deferral
    result = await pressing
    assert "you're checked in" in visible_text(result)
    deferral = first_request(emulator, since, "POST", r"/interactions/\d+/[^/]+/callback")
    assert deferral is not None and deferral < answer_of(emulator, since, result)
