"""The ``cwtch`` command as an operator uses it, each in its own process."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.emulator import Emulator
from tests.e2e.conftest import TOKEN, World

CLEAN_ENV_KEYS = (
    "DISCORD_TOKEN",
    "DATABASE_URL",
    "DISCORD_API_BASE_URL",
    "DEV_GUILD_ID",
    "DEFAULT_TIMEZONE",
    "FEEDBACK_MIN_GROUP",
    "SHARD_COUNT",
    "SHARD_IDS",
    "LOG_LEVEL",
)


def cli_env(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in CLEAN_ENV_KEYS}
    env.update(values)
    return env


async def cwtch(cwd: Path, *args: str, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=cli_env(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_run_without_a_token_says_what_to_set(tmp_path: Path) -> None:
    code, out, err = await cwtch(tmp_path, "run")
    assert code == 2
    assert err.count("\n") == 1 and "DISCORD_TOKEN" in err and ".env" in err and "config.example.env" in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("key", "value"), [("DEFAULT_TIMEZONE", "Atlantis/Capital"), ("DATABASE_URL", "oracle://x"), ("DEV_GUILD_ID", "x")]
)
async def test_bad_configuration_names_the_key(tmp_path: Path, key: str, value: str) -> None:
    code, out, err = await cwtch(tmp_path, "run", **{key: value, "DISCORD_TOKEN": TOKEN})
    assert code == 2 and key in err and "Traceback" not in err + out


async def test_dotenv_is_read_from_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEFAULT_TIMEZONE=Nowhere/Land\n")
    code, _, err = await cwtch(tmp_path, "doctor")
    assert code == 2 and "DEFAULT_TIMEZONE" in err


async def test_migrate_and_doctor(tmp_path: Path) -> None:
    code, out, _ = await cwtch(tmp_path, "doctor")
    assert code == 1
    assert "problem  DISCORD_TOKEN" in out and "run `cwtch migrate`" in out

    code, out, _ = await cwtch(tmp_path, "migrate")
    assert code == 0 and "SQLite file cwtch.db is migrated to revision" in out
    assert (tmp_path / "cwtch.db").exists()

    code, out, _ = await cwtch(tmp_path, "doctor", DISCORD_TOKEN="secret-token-value")
    assert code == 0, out
    assert "ok       DISCORD_TOKEN: set (not shown)" in out and "secret-token-value" not in out
    assert "ok       migrations" in out and "All checks passed." in out


async def test_doctor_reports_an_unreachable_database(tmp_path: Path) -> None:
    code, out, _ = await cwtch(
        tmp_path, "doctor", DISCORD_TOKEN=TOKEN, DATABASE_URL="postgresql+asyncpg://nobody:pw@127.0.0.1:9/cwtch"
    )
    assert code == 1 and "problem  database" in out and "unreachable" in out and "pw" not in out


async def test_run_connects_to_the_emulator_and_stops_cleanly_on_sigterm(
    tmp_path: Path, emulator: Emulator, world: World
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=cli_env(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=emulator.api_base),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await emulator.wait_ready(timeout=30)
        assert process.stderr is not None
        log = b""
        while b"ready as" not in log:
            log += await asyncio.wait_for(process.stderr.readline(), timeout=30)
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = (log + rest).decode()
    assert process.returncode == 0, text
    assert "shutting down" in text and "stopped" in text and "Traceback" not in text
    assert (tmp_path / "cwtch.db").exists()


def readme_permissions() -> discord.Permissions:
    """The bot permissions "Creating the Discord application" in the README tells operators to tick."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    listed = readme.split("bot permissions:", 1)[1].split(".\n", 1)[0]
    names = [" ".join(name.split()).lower().replace(" ", "_") for name in listed.split(",")]
    permissions = discord.Permissions()
    for name in names:
        name = {"view_channels": "view_channel"}.get(name, name)
        assert name in discord.Permissions.VALID_FLAGS, f"the README lists an unknown permission {name!r}"
        setattr(permissions, name, True)
    return permissions


async def test_invite_prints_the_url_with_exactly_the_permissions_cwtch_needs(
    tmp_path: Path, emulator: Emulator
) -> None:
    code, out, err = await cwtch(tmp_path, "invite", DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=emulator.api_base)
    assert code == 0, err
    assert out.count("\n") == 1 and err == ""
    url = urlsplit(out.strip())
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == ("https", "discord.com", "/oauth2/authorize")
    assert query["client_id"] == [str(emulator.application_id)]
    assert query["scope"] == ["bot applications.commands"]
    expected = readme_permissions()
    assert expected.value and query["permissions"] == [str(expected.value)]
    assert emulator.find_requests("GET", r"/oauth2/applications/@me$")

    code, out, err = await cwtch(tmp_path, "invite", DISCORD_TOKEN="wrong", DISCORD_API_BASE_URL=emulator.api_base)
    assert code == 1 and out == "" and err.count("\n") == 1 and "refused DISCORD_TOKEN" in err

    code, out, err = await cwtch(tmp_path, "invite")
    assert code == 2 and "DISCORD_TOKEN" in err and "Traceback" not in err + out


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("base", "reason"),
    [
        (None, "127.0.0.1:{port} did not accept the connection (Connection refused)"),
        ("http://cwtch-no-such-host.invalid/api/v10", "the name cwtch-no-such-host.invalid does not resolve"),
    ],
)
@pytest.mark.parametrize("command", ["run", "invite"])
async def test_an_unreachable_discord_is_one_line_not_a_traceback(
    tmp_path: Path, base: str | None, reason: str, command: str
) -> None:
    port = closed_port()
    base, reason = base or f"http://127.0.0.1:{port}/api/v10", reason.format(port=port)
    code, out, err = await cwtch(tmp_path, command, DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=base, LOG_LEVEL="ERROR")
    assert code == 1, err
    assert (out + err).count("\n") == 1, out + err
    assert f"Can't reach Discord at {base}: {reason}. Check the network, DNS or DISCORD_API_BASE_URL." in err
    if command == "run":  # with the usual logging, the same line ends what it prints
        code, out, err = await cwtch(tmp_path, command, DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=base)
        assert code == 1 and "Traceback" not in out + err
        assert err.splitlines()[-1].startswith(f"Can't reach Discord at {base}: {reason}.")


async def test_a_refused_token_is_one_line(tmp_path: Path, emulator: Emulator) -> None:
    code, out, err = await cwtch(
        tmp_path, "run", DISCORD_TOKEN="wrong", DISCORD_API_BASE_URL=emulator.api_base, LOG_LEVEL="ERROR"
    )
    assert code == 1 and (out + err).count("\n") == 1 and "refused DISCORD_TOKEN" in err
