"""Fixtures shared by all tests: the network guard and a freshly migrated database per test.

The database is SQLite unless ``CWTCH_TEST_DATABASE_URL`` names a PostgreSQL server
(``postgresql+asyncpg://user:pass@127.0.0.1/postgres``); then each test gets its own database, cloned
from one built by ``alembic upgrade head``, one test ahead (see :class:`PostgresClones`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import queue
import shutil
import socket
import threading
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future
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


_MADE_AHEAD = 2  # short tests follow long ones: copies made during a long test serve the short ones after it


class PostgresClones:
    """Copies of the migrated template, each made while the test before it runs and dropped after its own.

    ``CREATE DATABASE`` copies the whole template, catalogues and all, which takes a few hundred milliseconds
    of the server's time; on a thread of its own, one connection makes the next tests' copies while this test
    runs, and drops the copies of tests that are over. Each test still gets a database nobody else has used.
    """

    def __init__(self, server_url: str, template: str) -> None:
        self._dsn = _postgres_admin_dsn(server_url, make_url(server_url).database or "postgres")
        self._template = template
        self._jobs: queue.SimpleQueue[tuple[str, Future[None]] | None] = queue.SimpleQueue()
        self._ahead: deque[tuple[str, Future[None]]] = deque()
        self._drops: list[Future[None]] = []
        self._thread = threading.Thread(target=self._work, name="cwtch-test-databases", daemon=True)
        self._thread.start()

    def _submit(self, statement: str) -> Future[None]:
        done: Future[None] = Future()
        self._jobs.put((statement, done))
        return done

    def _make_one(self) -> None:
        name = f"cwtch_test_{uuid.uuid4().hex[:12]}"
        self._ahead.append((name, self._submit(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')))

    def take(self) -> tuple[str, Future[None]]:
        """A database's name, and when it is ready; the next tests' are started at once."""
        while len(self._ahead) <= _MADE_AHEAD:
            self._make_one()
        return self._ahead.popleft()

    def drop(self, name: str) -> None:
        self._drops.append(self._submit(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        """Drop the copies made ahead, wait for every drop, and raise the first that failed."""
        for name, _ in self._ahead:
            self.drop(name)
        self._jobs.put(None)
        self._thread.join(timeout=60)
        for done in self._drops:
            done.result(timeout=0)

    def _work(self) -> None:
        async def run() -> None:
            import asyncpg

            connection = None
            while (job := self._jobs.get()) is not None:
                statement, done = job
                try:
                    connection = connection or await asyncpg.connect(self._dsn)
                    await connection.execute(statement)
                except Exception as exc:  # raised where the job is waited for: by its test, or by close()
                    done.set_exception(exc)
                else:
                    done.set_result(None)
            if connection is not None:
                await connection.close()

        asyncio.run(run())


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


@pytest.fixture(scope="session")
def postgres_clones(migrated_template: str) -> Iterator[PostgresClones | None]:
    """On PostgreSQL, the maker of each test's database; on SQLite, nothing (a file copy is quick)."""
    if not TEST_DATABASE_URL:
        yield None
        return
    template = make_url(migrated_template).database
    assert template is not None
    clones = PostgresClones(TEST_DATABASE_URL, template)
    yield clones
    clones.close()


@pytest.fixture
async def database_url(
    migrated_template: str, postgres_clones: PostgresClones | None, tmp_path: Path
) -> AsyncIterator[str]:
    """A fresh, migrated database for this test only."""
    if postgres_clones is not None:
        name, ready = postgres_clones.take()
        await asyncio.wrap_future(ready)
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
        postgres_clones.drop(name)
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
