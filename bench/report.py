"""Report benchmark (issue 11, deliverable 6): ``/report feedback`` over 1,000,000 responses in 10,000 sessions on
SQLite, read from released blocks, beside the single hand-written SQL aggregate over the raw rows for the same scope
(the floor). Target: a bot-side median of 20 ms or less; the ratio to the floor is printed. Rendering (embed, chart,
CSV) is timed apart: the bot draws the chart off the event loop.

The seeded sessions' surveys are closed and released into blocks by the real release step
(:meth:`ReleaseService.sweep`, as the first scheduler tick after an upgrade runs it), whose time is printed too.
With 100 respondents a session, every session is a block of its own: the report adds up 10,000 blocks.

What is timed as "report data" is :meth:`ReportService.feedback` as the bot calls it, monthly rows: the unit of
work, the coordinator check, the released blocks as sums per cohort and month (``release_months``, which the release
step keeps; a month the period cuts would be summed from its blocks through the covering index
``ix_release_blocks_report``), the sessions no block counts yet, and the rows with their shares and intervals.
Each timed step begins with the garbage of the step before collected, outside its time (as ``timeit`` keeps
collection out of its timings): otherwise drawing the chart, which leaves a great deal, is paid for inside the
next report's time. The database has no planner statistics (no ANALYZE), like the bot's own: it never runs one.

    .venv/bin/python bench/report.py [--sessions 10000] [--per-session 100] [--runs 30] [--min-group 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from harness import percentile, seed_sessions, temp_database
from sqlalchemy import func, insert, select, text, update

from bot.db.engine import create_engine
from bot.db.models import Attendance, FeedbackResponse, GuildSettings, Occurrence, ReleaseBlock, Survey
from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.feedback import pseudonym
from bot.services.releases import ReleaseService
from bot.services.reports import FeedbackReport, ReportService
from bot.ui.reports import feedback_chart_png, feedback_csv, feedback_embed

GUILD, CHANNEL, COORDINATOR_ROLE = 10**17, 10**17 + 1, 77
ZONE = "Europe/London"  # the bot's default zone: the report's period is read in it
# The pseudonym key of the seeded answers. The release step matches attendees to answers through it, so it must be
# the key the bench's ReleaseService holds (a bot started on the seeded database has its own key; see seed()).
KEY = b"cwtch-bench-pseudonym-key-000000"
FIRST_PERSON = 10**15
HAND_WRITTEN = """
SELECT count(r.id),
       sum(CASE WHEN r.supported >= 4 THEN 1 ELSE 0 END),
       sum(CASE WHEN r.supported_others >= 4 THEN 1 ELSE 0 END),
       sum(CASE WHEN r.less_isolated >= 4 THEN 1 ELSE 0 END),
       (SELECT count(*) FROM attendance a JOIN occurrences o2 ON o2.id = a.occurrence_id
         WHERE a.present AND o2.guild_id = :guild AND o2.starts_at >= :start AND o2.starts_at < :end)
FROM feedback_responses r JOIN occurrences o ON o.id = r.occurrence_id
WHERE o.guild_id = :guild AND o.starts_at >= :start AND o.starts_at < :end
"""
# For reference: the same sums as one hand-written query over the blocks the report reads.
OVER_BLOCKS = """
SELECT sum(responses), sum(agreed_supported), sum(agreed_supported_others), sum(agreed_less_isolated),
       sum(attendees), count(*)
FROM release_blocks WHERE guild_id = :guild AND dated >= :first AND dated <= :last
"""


async def seed(
    url: str, sessions: int, per_session: int, now: datetime, guild: int = GUILD, channel: int = CHANNEL
) -> list[int]:
    """A year of surveyed sessions with their attendance and responses (and the surveys' tallies), surveys still
    open (``closed_at`` unset); :func:`close_and_release` closes and releases them. Each session has
    ``per_session * 5 / 4`` attendees, the first ``per_session`` of whom answered under their real pseudonym
    (with :data:`KEY`)."""
    starts = [now - timedelta(days=364) + timedelta(minutes=52 * i) for i in range(sessions)]
    seeded = await seed_sessions(url, guild_channels=[(guild, channel)], starts=starts, now=now)
    engine = create_engine(url)
    rng = random.Random(7)
    async with engine.begin() as connection:
        await connection.execute(
            insert(GuildSettings),
            [{"guild_id": guild, "coordinator_role_id": COORDINATOR_ROLE, "created_at": now, "updated_at": now}],
        )
        attendance, responses, surveys = [], [], []
        for occurrence in seeded.occurrence_ids:
            tally: dict[str, Any] = {
                "occurrence_id": occurrence,
                "guild_id": guild,
                "opened_at": now,
                "closes_at": now,
                "attendees": per_session + per_session // 4,
                "responses": per_session,
                "agreed_supported": 0,
                "agreed_supported_others": 0,
                "agreed_less_isolated": 0,
            }
            surveys.append(tally)
            for person in range(per_session + per_session // 4):
                attendance.append(
                    {
                        "guild_id": guild,
                        "occurrence_id": occurrence,
                        "user_id": FIRST_PERSON + person,
                        "present": True,
                        "source": "voice",
                        "recorded_at": now,
                    }
                )
            for person in range(per_session):
                answers = (rng.choice((2, 3, 4, 4, 5, 5)), rng.randint(2, 5), rng.randint(1, 5))
                for column, answer in zip(
                    ("agreed_supported", "agreed_supported_others", "agreed_less_isolated"), answers, strict=True
                ):
                    tally[column] += int(answer >= 4)  # what SurveyService.submit keeps in step
                responses.append(
                    {
                        "guild_id": guild,
                        "occurrence_id": occurrence,
                        "pseudonym": pseudonym(KEY, FIRST_PERSON + person, occurrence),
                        "supported": answers[0],
                        "supported_others": answers[1],
                        "less_isolated": answers[2],
                        "comment": None,
                        "submitted_at": now,
                        "updated_at": now,
                    }
                )
            if len(responses) >= 50_000:
                await connection.execute(insert(Attendance), attendance)
                await connection.execute(insert(FeedbackResponse), responses)
                attendance, responses = [], []
        if responses:
            await connection.execute(insert(Attendance), attendance)
            await connection.execute(insert(FeedbackResponse), responses)
        await connection.execute(insert(Survey), surveys)
    await engine.dispose()
    return seeded.occurrence_ids


async def close_and_release(url: str, now: datetime, min_group: int) -> int:
    """Close every seeded session and its survey (as the close-survey actions would), then release the blocks with
    the real release step; returns how many blocks it released."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(update(Occurrence).values(state="closed"))
        await connection.execute(update(Survey).values(closed_at=now))
    uow = UnitOfWorkFactory.for_engine(engine)
    released = await ReleaseService(uow, clock=lambda: now, key=KEY, min_group=min_group).sweep()
    uow.dispose()
    await engine.dispose()
    return released


def _utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZoneInfo(ZONE)).astimezone(UTC)


def _clock_in() -> float:
    """Collect what the step before left, then start the clock: each step is timed for its own work only."""
    gc.collect()
    return time.perf_counter()


def _timed_ms(began: float) -> float:
    return (time.perf_counter() - began) * 1000


def _ms(values: Sequence[float]) -> str:
    return (
        f"median {statistics.median(values):.3f} ms, p95 {percentile(values, 0.95):.3f} ms, "
        f"max {max(values):.3f} ms (n={len(values)})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--per-session", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--min-group", type=int, default=5)
    args = parser.parse_args()
    now = datetime.now(UTC)
    url = await temp_database()
    began = time.perf_counter()
    await seed(url, args.sessions, args.per_session, now)
    print(
        f"seeded {args.sessions} sessions, {args.sessions * args.per_session} responses in "
        f"{time.perf_counter() - began:.1f} s"
    )
    began = time.perf_counter()
    released = await close_and_release(url, now, args.min_group)
    print(
        f"release step (ReleaseService.sweep over {args.sessions} closed sessions): {released} blocks in "
        f"{time.perf_counter() - began:.1f} s"
    )

    engine = create_engine(url)
    uow = UnitOfWorkFactory.for_engine(engine)  # as bot/app.py makes it
    reports = ReportService(
        uow,
        clock=lambda: now,
        min_group=args.min_group,
        default_timezone=ZONE,
    )
    coordinator = Actor(user_id=1, role_ids=frozenset({COORDINATOR_ROLE}), is_admin=False)
    start, end = (now - timedelta(days=365)).astimezone(ZoneInfo(ZONE)).date(), now.astimezone(ZoneInfo(ZONE)).date()
    bounds = {"guild": GUILD, "start": _utc(start), "end": _utc(end + timedelta(days=1))}
    # One untimed run of each first: the bot answers reports warm (compiled statements, pooled connection). The
    # first chart of a process also loads matplotlib's fonts: that is printed on its own.
    report = await reports.feedback(GUILD, coordinator, None, start.isoformat(), end.isoformat())
    async with engine.connect() as connection:
        await connection.execute(text(HAND_WRITTEN), bounds)
    began = time.perf_counter()
    feedback_chart_png(report)
    first_chart = _timed_ms(began)
    service: list[float] = []
    floor: list[float] = []
    blocks_floor: list[float] = []
    embed: list[float] = []
    chart: list[float] = []
    csv: list[float] = []
    for _ in range(args.runs):
        began = _clock_in()
        report = await reports.feedback(GUILD, coordinator, None, start.isoformat(), end.isoformat())
        service.append(_timed_ms(began))
        began = _clock_in()
        async with engine.connect() as connection:
            row = (await connection.execute(text(HAND_WRITTEN), bounds)).one()
        floor.append(_timed_ms(began))
        began = _clock_in()
        async with engine.connect() as connection:
            summed = (await connection.execute(text(OVER_BLOCKS), {"guild": GUILD, "first": start, "last": end})).one()
        blocks_floor.append(_timed_ms(began))
        began = _clock_in()
        feedback_embed(report)
        embed.append(_timed_ms(began))
        began = _clock_in()
        feedback_chart_png(report)
        chart.append(_timed_ms(began))
        began = _clock_in()
        feedback_csv(report)
        csv.append(_timed_ms(began))
    async with engine.connect() as connection:
        stored = (await connection.execute(select(func.count()).select_from(ReleaseBlock))).scalar_one()
    uow.dispose()
    await engine.dispose()
    _check(report, row, summed)

    ratio = statistics.median(service) / statistics.median(floor)
    print(f"blocks: {stored} released, {len(report.total.blocks)} in the report's period")
    print(f"report data (scope, blocks, waiting; bot-side, monthly rows): {_ms(service)}; target <= 20 ms")
    print(f"hand-written single SQL aggregate over the raw rows (floor):  {_ms(floor)}")
    print(f"ratio bot/floor (medians): {ratio:.3f}")
    print(f"for reference, one hand-written SUM over the same blocks:      {_ms(blocks_floor)}")
    rendering = [sum(parts) for parts in zip(embed, chart, csv, strict=True)]
    print(f"rendering (the chart off the event loop in the bot): embed {_ms(embed)}")
    print(f"  chart PNG {_ms(chart)}")
    print(f"  CSV {_ms(csv)}")
    print(f"  all three {_ms(rendering)}")
    print(f"  first chart in the process (loads fonts; not in the figures above): {first_chart:.1f} ms")
    total = report.total
    shares = ", ".join(f"{s.key} {s.share}%" for s in total.statements)
    print(
        f"figures: {total.tally.responses} responses, {total.tally.sessions} sessions, {len(report.rows)} monthly "
        f"rows, response rate {total.response_rate}%, {shares}; waiting: {report.waiting.sessions} closed sessions, "
        f"{report.waiting.open_surveys} open surveys"
    )


def _check(report: FeedbackReport, row: Sequence[int], summed: Sequence[int]) -> None:
    """The report adds up to what the raw rows say (every session is released and in the period) and to the sum
    of the stored blocks."""
    tally = report.total.tally
    figures = (tally.responses, *tally.agreed, tally.attendees)
    assert figures == tuple(row), (figures, row)
    assert figures == tuple(summed[:5]) and len(report.total.blocks) == summed[5], (figures, summed)
    assert sum(r.tally.responses for r in report.rows) == tally.responses


if __name__ == "__main__":
    asyncio.run(main())
