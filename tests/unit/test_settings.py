from __future__ import annotations

import pytest

from bot.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings, parse_shard_ids


def test_defaults_from_an_empty_environment() -> None:
    settings = load_settings({})
    assert settings.discord_token is None
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.default_timezone == "Europe/London"
    assert settings.feedback_min_group == 5
    assert settings.shard_count is None and settings.shard_ids is None
    assert settings.log_level == "INFO"
    assert settings.database_location().startswith("SQLite file ")


def test_full_environment_is_parsed() -> None:
    settings = load_settings(
        {
            "DISCORD_TOKEN": " abc.def ",
            "DATABASE_URL": "postgresql://cwtch:secret@db.internal:5433/cwtch",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:8080/api/v10/",
            "DEV_GUILD_ID": "123456789012345678",
            "DEFAULT_TIMEZONE": "Europe/Dublin",
            "FEEDBACK_MIN_GROUP": "7",
            "SHARD_COUNT": "8",
            "SHARD_IDS": "0-2,5",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.discord_token == "abc.def"
    assert settings.database_url == "postgresql+asyncpg://cwtch:secret@db.internal:5433/cwtch"
    assert settings.discord_api_base_url == "http://127.0.0.1:8080/api/v10"
    assert settings.dev_guild_id == 123456789012345678
    assert settings.feedback_min_group == 7
    assert settings.shard_count == 8 and settings.shard_ids == (0, 1, 2, 5)
    assert settings.log_level == "DEBUG"
    assert settings.database_location() == "PostgreSQL database 'cwtch' on db.internal:5433"
    assert "secret" not in settings.database_location()


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql+asyncpg://u@h"}, "DATABASE_URL"),
        ({"DEV_GUILD_ID": "my-server"}, "DEV_GUILD_ID"),
        ({"DEV_GUILD_ID": "12"}, "DEV_GUILD_ID"),
        ({"FEEDBACK_MIN_GROUP": "five"}, "FEEDBACK_MIN_GROUP"),
        ({"FEEDBACK_MIN_GROUP": "0"}, "FEEDBACK_MIN_GROUP"),
        ({"SHARD_COUNT": "-1"}, "SHARD_COUNT"),
        ({"SHARD_IDS": "0,1"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0-2"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "a"}, "SHARD_IDS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DISCORD_API_BASE_URL": "discord"}, "DISCORD_API_BASE_URL"),
    ],
)
def test_bad_values_name_their_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env)
    assert info.value.key == key
    assert str(info.value).startswith(f"{key}: ")


def test_sqlite_url_gets_the_async_driver() -> None:
    assert (
        load_settings({"DATABASE_URL": "sqlite:///data/cwtch.db"}).database_url == "sqlite+aiosqlite:///data/cwtch.db"
    )


def test_shard_ranges() -> None:
    assert parse_shard_ids("3") == (3,)
    assert parse_shard_ids("4-6, 1") == (1, 4, 5, 6)
    with pytest.raises(SettingsError):
        parse_shard_ids("6-4")


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(AttributeError):
        settings.discord_token = "x"  # type: ignore[misc]
