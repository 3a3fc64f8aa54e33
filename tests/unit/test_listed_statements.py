"""Statements that read "one of this list": on PostgreSQL one statement text whatever the list's length (so that
asyncpg prepares it once per connection), on SQLite the list expanded at each execution."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from bot.db import rsvp_batches
from bot.db.chunks import by_dialect
from bot.db.models import CohortMembership


def test_on_postgresql_a_list_is_one_array_whatever_its_length() -> None:
    members = by_dialect(
        lambda among: CohortMembership.__table__.select().where(among(CohortMembership.user_id, "users"))
    )
    dialect = postgresql.asyncpg.dialect()  # type: ignore[attr-defined]
    short = members["postgresql"].compile(dialect=dialect)
    assert "= ANY (" in short.string and "POSTCOMPILE" not in short.string
    assert short.construct_params({"users": [1, 2]})["users"] == [1, 2]
    assert short.construct_params({"users": list(range(300))})["users"] == list(range(300))


def test_on_sqlite_a_list_is_expanded_when_run() -> None:
    statement = rsvp_batches._MEMBERS["sqlite"].compile(dialect=sqlite.dialect())
    assert "POSTCOMPILE_cohorts" in statement.string and "ANY" not in statement.string


def test_every_batch_read_has_both_forms() -> None:
    for name in ("_SESSIONS", "_MEMBERS", "_GROUND_RULES", "_RSVPS", "RSVP_COUNTS", "_WAITLISTS", "_ATTENDANCE"):
        forms = getattr(rsvp_batches, name)
        assert set(forms) == {"sqlite", "postgresql"}, name
        pg = forms["postgresql"].compile(dialect=postgresql.asyncpg.dialect())  # type: ignore[attr-defined]
        assert "POSTCOMPILE" not in pg.string and "ANY" in pg.string, name
