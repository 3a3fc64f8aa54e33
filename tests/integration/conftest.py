"""Fixtures of the integration tests that need a SQLite file whatever database the rest of the suite uses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.db.engine import create_engine
from bot.db.migrate import upgrade_to_head
from bot.db.uow import UnitOfWorkFactory


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[tuple[UnitOfWorkFactory, str]]:
    """Units of work as the bot makes them on a migrated SQLite file, and the file's path."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cwtch.db'}"
    await asyncio.to_thread(upgrade_to_head, url)
    engine = create_engine(url)
    factory = UnitOfWorkFactory.for_engine(engine)
    yield factory, str(make_url(url).database)
    factory.dispose()
    await engine.dispose()
