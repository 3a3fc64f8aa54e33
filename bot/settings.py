"""Settings read from the environment once, at start-up, into a frozen object.

Only the entry point calls :func:`load_settings`; everything else receives the ``Settings`` it builds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///cwtch.db"
DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_SECRET_KEY_FILE = "cwtch_secret.key"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_SHARD_IDS = re.compile(r"^\s*\d+\s*(-\s*\d+\s*)?(,\s*\d+\s*(-\s*\d+\s*)?)*$")


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the key and the fix."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated configuration of one Cwtch process."""

    discord_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    discord_api_base_url: str | None = None
    dev_guild_id: int | None = None
    default_timezone: str = DEFAULT_TIMEZONE
    feedback_min_group: int = 5
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    log_level: str = "INFO"
    survey_open_days: int = 7
    comment_retention_days: int = 365
    secret_key_file: str = DEFAULT_SECRET_KEY_FILE

    def database_location(self) -> str:
        """Where the database is, for people: the file for SQLite, host and name for PostgreSQL, no password."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite":
            return f"SQLite file {url.database}" if url.database not in (None, "", ":memory:") else "SQLite in memory"
        return f"PostgreSQL database {url.database!r} on {url.host or 'localhost'}:{url.port or 5432}"


def _optional(env: Mapping[str, str], key: str) -> str | None:
    value = env.get(key, "").strip()
    return value or None


def _snowflake(env: Mapping[str, str], key: str) -> int | None:
    value = _optional(env, key)
    if value is None:
        return None
    if not value.isdigit() or not 15 <= len(value) <= 20:
        raise SettingsError(key, f"expected a Discord ID (15-20 digits), got {value!r}")
    return int(value)


def _positive_int(env: Mapping[str, str], key: str, default: int | None) -> int | None:
    value = _optional(env, key)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(key, f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def normalise_database_url(raw: str) -> str:
    """Return the URL with its async driver (``sqlite`` → aiosqlite, ``postgresql`` → asyncpg)."""
    try:
        url: URL = make_url(raw)
    except ArgumentError as exc:
        raise SettingsError(
            "DATABASE_URL",
            "is not a database URL; use sqlite+aiosqlite:///cwtch.db or postgresql+asyncpg://…",
        ) from exc
    driver = _DRIVERS.get(url.drivername)
    if driver is None:
        raise SettingsError(
            "DATABASE_URL",
            f"unsupported database {url.drivername!r}; use sqlite+aiosqlite:///… or postgresql+asyncpg://…",
        )
    if driver.startswith("postgresql") and not url.database:
        raise SettingsError("DATABASE_URL", "names no database; add it after the host, e.g. …@localhost/cwtch")
    return url.set(drivername=driver).render_as_string(hide_password=False)


def parse_shard_ids(raw: str) -> tuple[int, ...]:
    """Parse ``0,1,4-7`` into ``(0, 1, 4, 5, 6, 7)``."""
    if not _SHARD_IDS.match(raw):
        raise SettingsError("SHARD_IDS", f"expected shard numbers like 0,1 or 0-3, got {raw!r}")
    ids: set[int] = set()
    for part in raw.split(","):
        low, _, high = part.partition("-")
        start = int(low)
        end = int(high) if high.strip() else start
        if end < start:
            raise SettingsError("SHARD_IDS", f"range {part.strip()!r} runs backwards")
        ids.update(range(start, end + 1))
    return tuple(sorted(ids))


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validate ``env`` (normally ``os.environ`` after ``.env`` was loaded) into :class:`Settings`."""
    timezone = _optional(env, "DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            "DEFAULT_TIMEZONE", f"unknown time zone {timezone!r}; use an IANA name such as Europe/London"
        ) from exc

    base = _optional(env, "DISCORD_API_BASE_URL")
    if base is not None:
        if not re.match(r"^https?://[^\s/]+", base):
            raise SettingsError("DISCORD_API_BASE_URL", f"expected an http(s) URL, got {base!r}")
        base = base.rstrip("/")

    level = (_optional(env, "LOG_LEVEL") or "INFO").upper()
    if level not in LOG_LEVELS:
        raise SettingsError("LOG_LEVEL", f"expected one of {', '.join(LOG_LEVELS)}, got {level!r}")

    shard_count = _positive_int(env, "SHARD_COUNT", None)
    raw_ids = _optional(env, "SHARD_IDS")
    shard_ids = parse_shard_ids(raw_ids) if raw_ids else None
    if shard_ids is not None:
        if shard_count is None:
            raise SettingsError("SHARD_IDS", "needs SHARD_COUNT too (the total number of shards)")
        if max(shard_ids) >= shard_count:
            raise SettingsError("SHARD_IDS", f"every shard ID must be below SHARD_COUNT ({shard_count})")

    min_group = _positive_int(env, "FEEDBACK_MIN_GROUP", 5)
    assert min_group is not None
    survey_days = _positive_int(env, "SURVEY_OPEN_DAYS", 7)
    assert survey_days is not None
    if survey_days > 30:
        raise SettingsError("SURVEY_OPEN_DAYS", f"a survey can stay open at most 30 days, got {survey_days}")
    retention_days = _positive_int(env, "COMMENT_RETENTION_DAYS", 365)
    assert retention_days is not None
    return Settings(
        discord_token=_optional(env, "DISCORD_TOKEN"),
        database_url=normalise_database_url(_optional(env, "DATABASE_URL") or DEFAULT_DATABASE_URL),
        discord_api_base_url=base,
        dev_guild_id=_snowflake(env, "DEV_GUILD_ID"),
        default_timezone=timezone,
        feedback_min_group=min_group,
        shard_count=shard_count,
        shard_ids=shard_ids,
        log_level=level,
        survey_open_days=survey_days,
        comment_retention_days=retention_days,
        secret_key_file=_optional(env, "SECRET_KEY_FILE") or DEFAULT_SECRET_KEY_FILE,
    )
