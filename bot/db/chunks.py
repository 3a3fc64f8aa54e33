"""Long ``IN (...)`` lists split into chunks that both databases accept, and lists that PostgreSQL prepares once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

CHUNK = 500  # bound parameters per IN (...) list, well under SQLite's and asyncpg's limits

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


Among = Callable[[Any, str], ColumnElement[bool]]  # (column, parameter name) -> "column is one of the list"


def listed(column: Any, name: str) -> ColumnElement[bool]:
    """``column IN (...)``, the list expanded into the statement at each execution (SQLite)."""
    return column.in_(bindparam(name, expanding=True))


def in_array(column: Any, name: str) -> ColumnElement[bool]:
    """``column = ANY(...)``, the list sent as one array (PostgreSQL): one statement whatever the list's length.
    Expanded, each new length was a new statement, which asyncpg prepares in a round trip of its own; under a burst,
    batches of every size came, and each such round trip waited its turn behind the interactions arriving."""
    return column == any_(bindparam(name, type_=ARRAY(column.type)))


def by_dialect(build: Callable[[Among], T]) -> dict[str, T]:
    """A statement built once for each database, by how it says "one of this list"."""
    return {"sqlite": build(listed), "postgresql": build(in_array)}


def dialect_of(session: Session | AsyncSession) -> str:
    """The database a session talks to: ``sqlite`` or ``postgresql``."""
    return session.get_bind().dialect.name
