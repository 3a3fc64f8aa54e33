"""Erasure reaches every table that can hold a member's Discord ID, including tables added later.

Every table of the models is filled (parents first) with rows for three owners: the member who erases their data
and another member in the same guild, and the same member in another guild. Every BigInteger column that is not
a guild, channel, role, message, thread or event ID is taken to hold a person, so a new ``approver_id`` or
``user_id`` column is filled with the member's ID and must be reached by erasure, or this test fails. Afterwards
nothing in the guild (nor in any guild-less table) may hold the member's ID, and the other rows are untouched.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Integer,
    String,
    Table,
    Text,
    Time,
    insert,
    inspect,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import Base
from bot.db.types import EnumText, UTCDateTime
from bot.db.uow import UnitOfWorkFactory
from bot.domain.feedback import pseudonym
from bot.services.privacy import PrivacyService
from tests.fakes import FakeClock, FakeCommunityGateway, FakeRoleGateway, FakeSessionGateway

KEY = b"k" * 32
GUILD, OTHER_GUILD = 910000000000000001, 910000000000000002
MEMBER, OTHER = 810000000000000001, 810000000000000002
NOW = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
NOT_PEOPLE = ("guild_id", "channel_id", "role_id", "message_id", "thread_id", "event_id")


def holds_a_person(column: Column[Any]) -> bool:
    """A BigInteger that is not a reference to a row or to a guild, channel, role, message, thread or event."""
    return isinstance(column.type, BigInteger) and not column.foreign_keys and not column.name.endswith(NOT_PEOPLE)


class Filler:
    """Rows for every table, built from the column types; snowflakes that are not people come from a counter
    far from the people's IDs, so finding a person's ID anywhere means it is theirs."""

    def __init__(self) -> None:
        self.counter = itertools.count(700000000000000001)
        self.small = itertools.count(1)
        self.rows: dict[tuple[str, int, int], dict[str, Any]] = {}
        self.seen_keys: dict[tuple[str, tuple[Any, ...]], dict[str, Any]] = {}

    def value(self, table: Table, column: Column[Any], guild: int, owner: int, row: dict[str, Any]) -> Any:
        kind = column.type
        if table.name == "feedback_responses" and column.name == "pseudonym":
            return pseudonym(KEY, owner, row["occurrence_id"])
        if table.name == "audit_log" and column.name == "details":
            return {"user_id": owner, "note": f"corrected <@{owner}>"}
        if isinstance(kind, BigInteger):
            if column.name == "guild_id":
                return guild
            return owner if holds_a_person(column) else next(self.counter)
        if isinstance(kind, Boolean):
            return True
        if isinstance(kind, Integer):  # SmallInteger too: 4 is a valid answer on the agreement scale
            return 4
        if isinstance(kind, UTCDateTime):
            return NOW - timedelta(days=3)
        if isinstance(kind, Date):
            return date(2027, 1, 4) + timedelta(days=7 * next(self.small))
        if isinstance(kind, Time):
            return time(10, 0)
        if isinstance(kind, JSON):
            return []
        if isinstance(kind, EnumText):
            return next(iter(kind.enum))  # the first state, e.g. scheduled or active
        if isinstance(kind, String | Text):
            value = f"v{next(self.small)}"
            return value[: kind.length] if isinstance(kind, String) and kind.length else value
        raise AssertionError(f"{table.name}.{column.name}: teach the filler the type {kind!r}")

    def row(self, table: Table, guild: int, owner: int) -> dict[str, Any]:
        row: dict[str, Any] = {}
        columns = sorted(table.columns, key=lambda c: not c.foreign_keys)  # references first (pseudonym needs one)
        for column in columns:
            if column.foreign_keys:
                [key] = column.foreign_keys
                row[column.name] = self.rows[(key.column.table.name, guild, owner)][key.column.name]
            elif column.primary_key and isinstance(column.type, Integer) and not isinstance(column.type, BigInteger):
                continue  # made by the database
            else:
                row[column.name] = self.value(table, column, guild, owner, row)
        return row

    async def fill(self, engine: AsyncEngine, guild: int, owner: int) -> None:
        async with engine.begin() as connection:
            for table in Base.metadata.sorted_tables:
                row = self.row(table, guild, owner)
                key_columns = [c.name for c in table.primary_key.columns]
                if all(name in row for name in key_columns):  # a natural key: one row per guild (or per user)
                    natural = (table.name, tuple(row[name] for name in key_columns))
                    if natural in self.seen_keys:
                        self.rows[(table.name, guild, owner)] = self.seen_keys[natural]
                        continue
                    self.seen_keys[natural] = row
                made = (await connection.execute(insert(table).values(row).returning(*table.primary_key))).one()
                row.update(made._asdict())
                self.rows[(table.name, guild, owner)] = row


async def snapshot(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in the database, including tables the models don't declare (say, a search
    index made by a migration)."""

    def names(sync: Any) -> list[str]:
        return [name for name in inspect(sync).get_table_names() if name != "alembic_version"]

    async with engine.connect() as connection:
        tables = await connection.run_sync(names)
        return {
            name: [dict(row._mapping) for row in await connection.execute(text(f'SELECT * FROM "{name}"'))]
            for name in tables
        }


def mentions(row: dict[str, Any], person: int) -> bool:
    return any(
        value == person or (isinstance(value, str | dict | list) and str(person) in str(value))
        for value in row.values()
    )


def in_guild(row: dict[str, Any], guild: int) -> bool:
    return row.get("guild_id", guild) == guild  # guild-less tables (DM channels) belong to every guild's view


async def test_erasure_reaches_every_table_that_holds_a_person(engine: AsyncEngine, uow: UnitOfWorkFactory) -> None:
    filler = Filler()
    await filler.fill(engine, GUILD, MEMBER)
    await filler.fill(engine, GUILD, OTHER)
    await filler.fill(engine, OTHER_GUILD, MEMBER)
    before = await snapshot(engine)

    people_columns = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if holds_a_person(column)
    }
    assert {"rsvps.user_id", "attendance.user_id", "audit_log.actor_id", "resources.added_by"} <= people_columns
    assert {"safeguarding_alerts.taken_by", "safeguarding_alert_messages.recipient_id"} <= people_columns
    assert not [column for column in people_columns if column.startswith("release_blocks.")]  # counts only
    for name in {column.split(".")[0] for column in people_columns}:  # the filler really put the member there
        assert any(mentions(row, MEMBER) for row in before[name]), name
    assert any(mentions(row, MEMBER) for row in before["feedback_responses"]) is False  # pseudonyms only...
    assert len(before["feedback_responses"]) == 3  # ...but one response each, found through the pseudonym

    clock = FakeClock(NOW)
    community = FakeCommunityGateway()
    privacy = PrivacyService(
        uow,
        FakeRoleGateway(),
        FakeSessionGateway(),
        community,
        clock=clock,
        key=KEY,
        survey_open=timedelta(days=7),
        comment_retention=timedelta(days=365),
    )
    outcome = await privacy.erase(GUILD, MEMBER)
    after = await snapshot(engine)

    left = {
        name: [row for row in rows if in_guild(row, GUILD) and mentions(row, MEMBER)] for name, rows in after.items()
    }
    assert {name: rows for name, rows in left.items() if rows} == {}
    # Released blocks hold no one's ID, and an erasure never recounts them: their frozen figures stay as they were.
    assert before["release_blocks"] and after["release_blocks"] == before["release_blocks"]
    assert outcome.deleted["feedback_responses"] == 1
    assert community.deleted == [filler.rows[("what_works_threads", GUILD, MEMBER)]["thread_id"]]  # the post too
    mine = {pseudonym(KEY, MEMBER, row["occurrence_id"]) for row in before["feedback_responses"]}
    assert not [row for row in after["feedback_responses"] if row["pseudonym"] in mine and row["guild_id"] == GUILD]

    # The other member's rows, and the member's rows in the other guild, are exactly as they were.
    def kept(rows: list[dict[str, Any]], person: int, guild: int) -> list[dict[str, Any]]:
        return [row for row in rows if mentions(row, person) and row.get("guild_id") == guild]

    for name in before:
        assert kept(after[name], OTHER, GUILD) == kept(before[name], OTHER, GUILD), name
        assert kept(after[name], MEMBER, OTHER_GUILD) == kept(before[name], MEMBER, OTHER_GUILD), name
    theirs = pseudonym(KEY, OTHER, filler.rows[("occurrences", GUILD, OTHER)]["id"])
    assert [row["pseudonym"] for row in after["feedback_responses"] if row["guild_id"] == GUILD] == [theirs]
    export = await privacy.export(GUILD, MEMBER)
    held = {key: value for key, value in export.items() if isinstance(value, list) and value}
    assert held == {} and export["preferences"] is None and export["dm_channel"] is None
