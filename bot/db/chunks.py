"""Long ``IN (...)`` lists split into chunks that both databases accept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

CHUNK = 500  # bound parameters per IN (...) list, well under SQLite's and asyncpg's limits

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
