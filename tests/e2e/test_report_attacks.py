"""A coordinator with every report in hand tries the attacks that used to work, through the real bot.

Reports add up whole release blocks only (``bot.domain.disclosure``): subtracting one cohort from all cohorts, the
months from the total, or a report from the same report asked after one more answer or an erasure, isolates
nobody.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import World
from tests.e2e.helpers import visible_text
from tests.e2e.test_sessions import announcements, occurrence_of, run_due
from tests.fakes import FakeClock

DOM, HOME = "Domiciliary care managers", "Care home managers"
RATE = "Response rate (responses of attendances)"
PERIOD = {"start": "2026-12", "end": "2027-03"}  # fixed, so the same report asked later reads the same


async def held_session(
    emu: Emulator,
    world: World,
    bot: CwtchBot,
    clock: FakeClock,
    cohort: str,
    channel: int,
    starts: datetime,
    people: list[int],
    answering: int,
) -> int:
    """A one-off session of ``cohort`` that ``people`` attend; the first ``answering`` of them answer its survey."""
    before = {m["id"] for m in announcements(emu, channel)}
    local = starts.strftime("%Y-%m-%d %H:%M")  # these tests run in winter: London is on UTC
    made = await emu.slash(
        world.guild_id,
        world.facilitator,
        "series create",
        {"cohort": cohort, "title": "Peer support", "cadence": "once", "start": local, "duration": 60},
    )
    assert "Series created" in visible_text(made), visible_text(made)
    await run_due(bot)
    [announcement] = [m for m in announcements(emu, channel) if m["id"] not in before]
    occurrence = occurrence_of(announcement)
    clock.set(starts)
    await run_due(bot)
    sheet = await emu.slash(world.guild_id, world.facilitator, "session attendance", {"session": str(occurrence)})
    assert sheet.message is not None
    await emu.click(
        world.guild_id, world.facilitator, sheet.message["id"], f"cwtch:attend:{occurrence}:present", values=people
    )
    await emu.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    await run_due(bot)
    for index, user in enumerate(people[:answering]):
        dm = next(m for m in emu.dm_messages(user) if f"cwtch:feedback:{occurrence}" in str(m.get("components")))
        form = await emu.click(world.guild_id, user, dm["id"], f"cwtch:feedback:{occurrence}")
        answers = {"supported": "5", "supported_others": str(4 - index % 3), "less_isolated": str(2 + index % 4)}
        answers["comment"] = f"A thought from attendee {index} of {cohort}"
        saved = await emu.submit_modal(world.guild_id, user, form, answers)
        assert "saved" in visible_text(saved)
    return occurrence


async def feedback_rows(emu: Emulator, world: World, **options: str) -> list[dict[str, str]]:
    before = len(emu.find_requests("POST", r"/webhooks/.*"))
    await emu.slash(world.guild_id, world.coordinator, "report feedback", {**PERIOD, **options})
    [sent] = [
        f for r in emu.find_requests("POST", r"/webhooks/.*")[before:] for f in r.files if f.filename == "feedback.csv"
    ]
    return list(csv.DictReader(io.StringIO(sent.data.decode("utf-8-sig"))))


def measure(rows: list[dict[str, str]], period: str, cohort: str, name: str) -> tuple[int, int]:
    [row] = [r for r in rows if r["Period"] == period and r["Cohort"] == cohort and r["Measure"] == name]
    return int(row["Agreed or answered"] or 0), int(row["Out of"] or 0)


def whole(rows: list[dict[str, str]]) -> dict[str, tuple[int, int]]:
    """The first period's (the whole report's) figures by measure."""
    first = rows[0]
    return {r["Measure"]: measure(rows, first["Period"], first["Cohort"], r["Measure"]) for r in rows[:5]}


async def attendance_text(emu: Emulator, world: World, **options: str) -> str:
    return visible_text(await emu.slash(world.guild_id, world.coordinator, "report attendance", {**PERIOD, **options}))


def people(emu: Emulator, world: World, prefix: str, count: int) -> list[int]:
    made = [int(emu.create_user(f"{prefix}-{n}")["id"]) for n in range(count)]
    for user in made:
        emu.add_member(world.guild_id, user)
    return made


async def test_subtracting_reports_isolates_nobody(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    clock.set(datetime.fromisoformat("2026-12-03T09:00:00+00:00"))
    dom, home = people(emulator, world, "dom", 7), people(emulator, world, "home", 2)
    first = datetime.fromisoformat("2026-12-08T10:00:00+00:00")
    await held_session(emulator, world, bot, clock, DOM, world.dom_channel, first, dom, answering=6)
    await held_session(emulator, world, bot, clock, HOME, world.home_channel, first + timedelta(hours=3), home, 2)
    clock.advance(timedelta(days=8))  # both surveys close: Dom's 6 people make a block, Care home's 2 must wait
    await run_due(bot)

    everyone = await feedback_rows(emulator, world)
    only_dom = await feedback_rows(emulator, world, cohort=DOM)
    only_home = await feedback_rows(emulator, world, cohort=HOME)
    # Attack 1: all cohorts minus one cohort. The small cohort is in no figure, so the difference is zero.
    assert whole(everyone) == whole(only_dom) and whole(everyone)[RATE] == (6, 7)
    assert whole(only_home)[RATE] == (0, 0)
    home_text = visible_text(
        await emulator.slash(world.guild_id, world.coordinator, "report feedback", {"cohort": HOME})
    )
    assert "No answers can be shown yet" in home_text and "1 closed session waiting" in home_text
    assert "Attended\n7" in await attendance_text(emulator, world)
    assert "Attended\n0" in await attendance_text(emulator, world, cohort=HOME)

    # Attack 2: the total minus the rows shown. Rows add up to the total exactly, whole blocks each.
    for breakdown in ("month", "cohort", "quarter"):
        rows = await feedback_rows(emulator, world, breakdown=breakdown)
        total = whole(rows)
        parts = [r for r in rows[5:] if r["Measure"] == RATE]
        assert sum(int(r["Agreed or answered"]) for r in parts) == total[RATE][0]
        assert sum(int(r["Out of"]) for r in parts) == total[RATE][1]

    # Attack 3: the same report before and after one more person answers (an open survey), and after an erasure.
    later = first + timedelta(days=14)
    await held_session(emulator, world, bot, clock, HOME, world.home_channel, later, home[:1] + dom[:1], 1)
    assert await feedback_rows(emulator, world) == everyone
    erased = await emulator.slash(world.guild_id, dom[0], "privacy delete")
    done = await emulator.click(world.guild_id, dom[0], erased.message["id"], erased.custom_ids()[0])
    assert "erased" in visible_text(done)
    assert await feedback_rows(emulator, world) == everyone  # the released block is an anonymous sum: it stays


async def test_facilitators_read_comments_once_released_without_names(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    clock.set(datetime.fromisoformat("2026-12-03T09:00:00+00:00"))
    dom, home = people(emulator, world, "dom", 6), people(emulator, world, "home", 2)
    first = datetime.fromisoformat("2026-12-08T10:00:00+00:00")
    dom_session = await held_session(emulator, world, bot, clock, DOM, world.dom_channel, first, dom, answering=6)
    later = first + timedelta(hours=3)
    home_session = await held_session(emulator, world, bot, clock, HOME, world.home_channel, later, home, 2)

    async def read(user: int, occurrence: int) -> str:
        result = await emulator.slash(world.guild_id, user, "feedback comments", {"session": str(occurrence)})
        assert result.ephemeral
        return visible_text(result)

    assert "still open" in await read(world.facilitator, dom_session)
    clock.advance(timedelta(days=8))
    await run_due(bot)
    assert "waiting for the cohort's next sessions" in await read(world.facilitator, home_session)
    assert "Only facilitators" in await read(world.member, dom_session)
    shown = await read(world.facilitator, dom_session)
    assert "6 comments" in shown
    assert all(f"A thought from attendee {n} of {DOM}" in shown for n in range(6))
    assert not any(str(user) in shown or f"dom-{n}" in shown for n, user in enumerate(dom))
    choices = await emulator.autocomplete(
        world.guild_id, world.facilitator, "feedback comments", {"session": ""}, "session"
    )
    assert [int(choice["value"]) for choice in choices] == [dom_session]
