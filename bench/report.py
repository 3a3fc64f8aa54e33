"""Report benchmark: ``/report feedback`` over 1,000,000 responses in 10,000 sessions on SQLite, beside the single
hand-written SQL aggregate over the same database (the floor). Targets (issue 4): under 300 ms of bot-side time,
and within 1.5x of the hand-written query.

    .venv/bin/python bench/report.py [--sessions 10000] [--per-session 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from harness import seed_sessions, summary, temp_database
from sqlalchemy import insert, text

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Attendance, FeedbackResponse, GuildSettings, Survey
from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.services.reports import ReportService
from bot.ui.reports import ReportScope, feedback_chart_png, feedback_csv, feedback_embed

GUILD, CHANNEL, COORDINATOR_ROLE = 10**17, 10**17 + 1, 77
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


async def seed(
    url: str, sessions: int, per_session: int, now: datetime, guild: int = GUILD, channel: int = CHANNEL
) -> list[int]:
    """A year of surveyed sessions with their attendance and responses (and the surveys' tallies)."""
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
            tally = {
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
                        "user_id": 10**15 + person,
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
                        "pseudonym": f"{occurrence}-{person}",
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
    async with engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
    await engine.dispose()
    return seeded.occurrence_ids


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--per-session", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    now = datetime.now(UTC)
    url = await temp_database()
    began = time.perf_counter()
    await seed(url, args.sessions, args.per_session, now)
    print(
        f"seeded {args.sessions} sessions, {args.sessions * args.per_session} responses in "
        f"{time.perf_counter() - began:.1f} s"
    )

    engine = create_engine(url)
    reports = ReportService(
        UnitOfWorkFactory(create_session_factory(engine)),
        clock=lambda: now,
        min_group=5,
        default_timezone="Europe/London",
    )
    coordinator = Actor(user_id=1, role_ids=frozenset({COORDINATOR_ROLE}), is_admin=False)
    start, end = (now - timedelta(days=365)).date(), now.date()
    service, rendering, floor = [], [], []
    for _ in range(args.runs):
        began = time.perf_counter()
        report = await reports.feedback(GUILD, coordinator, None, start.isoformat(), end.isoformat())
        service.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        scope = ReportScope(None, report.period.start, report.period.end, 5)
        feedback_embed(report.summary, scope)
        feedback_csv(report.summary, report.trend, scope)
        feedback_chart_png(report.trend, scope)
        rendering.append((time.perf_counter() - began) * 1000)
        bounds = {"guild": GUILD, "start": _utc(start), "end": _utc(end + timedelta(days=1))}
        began = time.perf_counter()
        async with engine.connect() as connection:
            row = (await connection.execute(text(HAND_WRITTEN), bounds)).one()
        floor.append((time.perf_counter() - began) * 1000)
    assert report.summary.responses == row[0] and report.summary.attendees == row[4], (report.summary, row)
    assert [f.agreed for f in report.summary.statements] == [row[1], row[2], row[3]]
    await engine.dispose()
    ratio = statistics.median(service) / statistics.median(floor)
    print(f"report data (query + aggregation, bot-side): {summary(service, 'ms')}; target < 300 ms")
    print(f"hand-written single SQL aggregate (floor):   {summary(floor, 'ms')}")
    print(f"ratio bot/floor (medians): {ratio:.2f} (target <= 1.5)")
    print(f"rendering embed + CSV + chart PNG (off the event loop in the bot): {summary(rendering, 'ms')}")
    shares = ", ".join(f"{f.key} {f.share}%" for f in report.summary.statements)
    print(
        f"figures: {report.summary.responses} responses, {report.summary.sessions} sessions, "
        f"response rate {report.summary.response_rate}%, {shares}"
    )


def _utc(day: date) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, datetime.min.time(), ZoneInfo("Europe/London")).astimezone(UTC)


if __name__ == "__main__":
    asyncio.run(main())
