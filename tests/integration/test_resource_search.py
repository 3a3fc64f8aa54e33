"""The resource repository on a real database (SQLite FTS5 or PostgreSQL full-text search): ranking, tag filter,
guild isolation, pending suggestions never found, the index kept in step, and the digest's reads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Resource
from bot.db.resources import POSTGRES_SEARCH_DOCUMENT
from bot.db.uow import UnitOfWorkFactory
from bot.domain import resources as rules
from bot.domain.errors import InvalidInput
from bot.domain.resources import ResourceStatus

GUILD, OTHER_GUILD = 900000000000000001, 900000000000000002
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


async def add(
    uow: UnitOfWorkFactory,
    title: str,
    summary: str,
    tags: tuple[str, ...] = ("Mental health",),
    *,
    guild_id: int = GUILD,
    status: ResourceStatus = ResourceStatus.APPROVED,
    at: datetime = T0,
) -> int:
    async with uow() as work:
        url = f"https://example.org/{title.lower().replace(' ', '-')}"
        resource = await work.resources.add(
            Resource(
                guild_id=guild_id,
                title=title,
                url=url,
                url_key=rules.url_key(url),
                summary=summary,
                tags=list(tags),
                status=status,
                thread_id=None if status is ResourceStatus.PENDING else 7000 + len(title),
                suggested_by=None if status is ResourceStatus.APPROVED else 42,
                created_at=at,
                approved_at=at if status is ResourceStatus.APPROVED else None,
            )
        )
        await work.commit()
        return resource.id


async def search(uow: UnitOfWorkFactory, query: str, tag: str | None = None, guild_id: int = GUILD) -> list[str]:
    async with uow.reading() as work:
        found, total = await work.resources.search(guild_id, rules.search_terms(query), tag=tag)
    assert total >= len(found)
    return [resource.title for resource in found]


async def test_a_word_in_the_summary_finds_the_resource_stemmed(uow: UnitOfWorkFactory) -> None:
    await add(uow, "Looking after yourself", "Practical ideas for coping with night shifts and broken sleep.")
    await add(uow, "Team meetings that work", "How to run a short, kind huddle.", ("Team culture",))
    assert await search(uow, "shift") == ["Looking after yourself"]
    assert await search(uow, "Coped") == ["Looking after yourself"]  # stemming: coped ~ coping
    assert await search(uow, "huddles") == ["Team meetings that work"]
    assert await search(uow, "gardening") == []


async def test_a_title_match_outranks_a_summary_only_match(uow: UnitOfWorkFactory) -> None:
    await add(uow, "Peer supervision guide", "A longer read about burnout in care work and what helps.")
    await add(uow, "Burnout", "Signs to notice early.")
    await add(uow, "Unrelated", "Nothing about that at all.")
    assert await search(uow, "burnout") == ["Burnout", "Peer supervision guide"]
    # More of the words matched ranks higher, whatever the order the resources were added in.
    await add(uow, "Sleep and burnout", "Rest well.")
    assert (await search(uow, "sleep burnout"))[0] == "Sleep and burnout"


async def test_tags_are_searched_and_filter(uow: UnitOfWorkFactory) -> None:
    await add(uow, "Grief at work", "Supporting staff after a death.", ("Bereavement", "Peer support"))
    await add(uow, "Talking to staff", "Supporting staff through change.", ("Leadership",))
    assert set(await search(uow, "supporting staff")) == {"Grief at work", "Talking to staff"}
    assert await search(uow, "supporting staff", tag="Leadership") == ["Talking to staff"]
    assert await search(uow, "supporting", tag="Recognition") == []
    assert await search(uow, "bereavement") == ["Grief at work"]  # found by its tag alone
    async with uow.reading() as work:
        listed, total = await work.resources.newest(GUILD, tag="Peer support")
    assert [r.title for r in listed] == ["Grief at work"] and total == 1


async def test_other_guilds_and_pending_suggestions_are_never_found(uow: UnitOfWorkFactory) -> None:
    await add(uow, "Resilience in our guild", "Resilience for managers.")
    await add(uow, "Resilience elsewhere", "Resilience for managers.", guild_id=OTHER_GUILD)
    await add(uow, "Resilience suggested", "Resilience for managers.", status=ResourceStatus.PENDING)
    assert await search(uow, "resilience") == ["Resilience in our guild"]
    assert await search(uow, "resilience", guild_id=OTHER_GUILD) == ["Resilience elsewhere"]
    async with uow.reading() as work:
        listed, total = await work.resources.newest(GUILD)
    assert [r.title for r in listed] == ["Resilience in our guild"] and total == 1


async def test_the_index_follows_approval_edits_and_deletions(uow: UnitOfWorkFactory) -> None:
    pending = await add(uow, "Money worries toolkit", "Where to get debt advice.", status=ResourceStatus.PENDING)
    async with uow() as work:
        assert await work.resources.approve_pending(GUILD, pending, approved_by=5, at=T0)
        assert not await work.resources.approve_pending(GUILD, pending, approved_by=6, at=T0)  # only once
        await work.commit()
    assert await search(uow, "debt") == ["Money worries toolkit"]
    async with uow() as work:
        resource = await work.resources.get(GUILD, pending)
        assert resource is not None and resource.added_by == 5 and resource.status == ResourceStatus.APPROVED
        resource.summary = "Where to find free financial help."
        await work.commit()
    assert await search(uow, "debt") == []
    assert await search(uow, "financial") == ["Money worries toolkit"]
    declined = await add(uow, "Another debt guide", "Debt debt debt.", status=ResourceStatus.PENDING)
    async with uow() as work:
        assert not await work.resources.remove_pending(GUILD, pending)  # approved ones are not "declined"
        assert await work.resources.remove_pending(GUILD, declined)
        await work.commit()
    async with uow.reading() as work:
        assert await work.resources.get(GUILD, declined) is None
        assert await work.resources.get(OTHER_GUILD, pending) is None  # another guild's id finds nothing


NASTY = [
    '"',
    '""',
    "'",
    "*",
    "sleep*",
    "NEAR(sleep burnout, 2)",
    "title:sleep",
    "-sleep",
    "^sleep",
    "sleep AND OR NOT",
    "(sleep",
    "sleep)",
    "{title}: sleep",
    "'; DROP TABLE resources; --",
    "sleep & | ! <-> :*",
    "😴 sleep",
    "a" * 100,
    "\\",
    "%_",
]


async def test_nasty_queries_are_only_words_to_the_database(uow: UnitOfWorkFactory) -> None:
    await add(uow, "Sleep", "Rest and sleep.")
    for query in NASTY:
        try:
            terms = rules.search_terms(query)
        except InvalidInput:
            continue
        async with uow.reading() as work:
            found, _ = await work.resources.search(GUILD, terms)
        assert ("sleep" not in terms) or [r.title for r in found] == ["Sleep"], query


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(max_size=60))
def test_no_query_is_a_syntax_error(database_url: str, query: str) -> None:
    try:
        terms = rules.search_terms(query)
    except InvalidInput:
        return

    async def run() -> None:
        engine = create_engine(database_url)
        try:
            async with UnitOfWorkFactory(create_session_factory(engine)).reading() as work:
                await work.resources.search(GUILD, terms, tag="Leadership")
        finally:
            await engine.dispose()

    asyncio.run(run())


async def test_search_uses_the_full_text_index(engine: AsyncEngine, uow: UnitOfWorkFactory) -> None:
    await add(uow, "Sleep", "Rest and sleep.")
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        assert await search(uow, "sleep", tag="Mental health") == ["Sleep"]
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    statement, parameters = next((s, p) for s, p in statements if "ORDER BY" in s)
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = str((await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all())
            assert "VIRTUAL TABLE INDEX" in plan, plan
        else:
            # The repository's document must be the index's expression, or PostgreSQL cannot use the index.
            assert POSTGRES_SEARCH_DOCUMENT in statement
            await connection.exec_driver_sql("SET enable_seqscan = off")  # the table is tiny
            query = f"SELECT id FROM resources WHERE {POSTGRES_SEARCH_DOCUMENT} @@ plainto_tsquery('english', 'sleep')"
            plan = str((await connection.exec_driver_sql("EXPLAIN " + query)).all())
            assert "ix_resources_search" in plan, plan


async def test_the_digest_reads_of_a_period(uow: UnitOfWorkFactory) -> None:
    week = T0 + timedelta(days=7)
    early = await add(uow, "Before the week", "x.", ("Leadership",), at=T0 - timedelta(days=1))
    first = await add(uow, "First of the week", "x.", ("Leadership", "Learning"), at=T0)
    second = await add(uow, "Second of the week", "x.", ("Learning",), at=T0 + timedelta(days=3))
    await add(uow, "Next week", "x.", at=week)
    await add(uow, "Suggested", "x.", status=ResourceStatus.PENDING, at=T0 + timedelta(days=1))
    await add(uow, "Elsewhere", "x.", guild_id=OTHER_GUILD, at=T0 + timedelta(days=1))
    async with uow() as work:
        for resource_id, times, at in [(first, 3, T0), (second, 1, T0 + timedelta(days=4)), (early, 2, T0)]:
            for _ in range(times):
                await work.resources.record_open(GUILD, resource_id, at)
        await work.resources.record_open(GUILD, early, week)  # outside the period
        await work.commit()
    async with uow.reading() as work:
        added = await work.resources.approved_between(GUILD, T0, week)
        opens = await work.resources.opens_between(GUILD, T0, week)
        by_tag = await work.resources.opens_by_tag_between(GUILD, T0, week)
    assert [(r.id, r.title, r.tags) for r in added] == [
        (first, "First of the week", ("Leadership", "Learning")),
        (second, "Second of the week", ("Learning",)),
    ]
    assert all(r.thread_id is not None and r.approved_at.tzinfo is not None for r in added)
    assert [(o.resource_id, o.opens) for o in opens] == [(first, 3), (early, 2), (second, 1)]
    assert by_tag == {"Leadership": 5, "Learning": 4}
    assert list(by_tag) == ["Leadership", "Learning"]
