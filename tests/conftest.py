"""Fixtures shared by all tests: the network guard and a freshly migrated database per test.

The database is SQLite unless ``CWTCH_TEST_DATABASE_URL`` names a PostgreSQL server
(``postgresql+asyncpg://user:pass@127.0.0.1/postgres``); then each test gets its own database, cloned
from one built by ``alembic upgrade head``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine
from bot.db.migrate import upgrade_to_head
from bot.db.uow import UnitOfWorkFactory

TEST_DATABASE_URL = os.environ.get("CWTCH_TEST_DATABASE_URL", "").strip()

# CI runs the property tests with fixed seeds (HYPOTHESIS_PROFILE=ci), so a run is repeatable; locally they
# explore new examples every time.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# --- network guard: nothing but loopback, ever -------------------------------------------------------------


class NetworkGuardError(RuntimeError):
    pass


def _is_loopback(address: Any) -> bool:
    if isinstance(address, str | bytes):  # Unix socket path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_loopback(address):
        raise NetworkGuardError(f"tests may only connect to 127.0.0.1, not {address!r}")
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _is_loopback(address):
        raise NetworkGuardError(f"tests may only connect to 127.0.0.1, not {address!r}")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and not _is_loopback((name, 0)):
        raise NetworkGuardError(f"tests may only resolve loopback names, not {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo


# --- databases -----------------------------------------------------------------------------------------------


def _postgres_admin_dsn(url: str, database: str) -> str:
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


async def _postgres_execute(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_postgres_admin_dsn(url, make_url(url).database or "postgres"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database built once per run by ``alembic upgrade head``; each test gets a copy."""
    if TEST_DATABASE_URL:
        name = f"cwtch_template_{uuid.uuid4().hex[:8]}"
        asyncio.run(_postgres_execute(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"'))
        url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
        upgrade_to_head(url)
        yield url
        asyncio.run(_postgres_execute(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade_to_head(url)
        yield url


@pytest.fixture
async def database_url(migrated_template: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database for this test only."""
    if TEST_DATABASE_URL:
        name = f"cwtch_test_{uuid.uuid4().hex[:12]}"
        template = make_url(migrated_template).database
        await _postgres_execute(TEST_DATABASE_URL, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
        await _postgres_execute(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        template_path = make_url(migrated_template).database
        assert template_path is not None
        path = tmp_path / "cwtch.db"
        shutil.copyfile(template_path, path)
        yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> Iterator[UnitOfWorkFactory]:
    """Units of work as the bot makes them (on SQLite: writes queued in the process, batches run inline)."""
    factory = UnitOfWorkFactory.for_engine(engine)
    yield factory
    factory.dispose()
