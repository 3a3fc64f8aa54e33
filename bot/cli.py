"""The ``cwtch`` command: ``run``, ``migrate``, ``doctor``, ``invite`` and ``demo``.

The only place that reads ``.env``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dotenv import load_dotenv

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger("cwtch")

MISSING_TOKEN = (
    "DISCORD_TOKEN is not set: put your bot token in a file named .env next to where you run cwtch "
    "(copy config.example.env to .env and fill it in), or set it in the environment."
)
TOKEN_REFUSED = "Discord refused DISCORD_TOKEN: check the token in .env (Developer Portal → Bot → Reset Token)."
EXIT_CONFIG = 2


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", stream=sys.stderr, force=True
    )
    if level != "DEBUG":
        for chatty in ("alembic", "apscheduler"):
            logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def _settings() -> Settings:
    load_dotenv(dotenv_path=os.path.join(os.getcwd(), ".env"))
    return load_settings(os.environ)


def _migrate(settings: Settings) -> str:
    from bot.db.migrate import current_revision, upgrade_to_head

    upgrade_to_head(settings.database_url)
    return f"{settings.database_location()} is migrated to revision {current_revision(settings.database_url)}."


def cmd_run(settings: Settings) -> int:
    if settings.discord_token is None:
        print(MISSING_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    import discord

    from bot.app import run_bot

    _quiet_voice_warnings()
    log.info(_migrate(settings))
    try:
        asyncio.run(run_bot(settings))
    except discord.LoginFailure:
        print(TOKEN_REFUSED, file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("Discord asked for a privileged intent; Cwtch needs none. Please report this.", file=sys.stderr)
        return 1
    except Exception as exc:
        problem = _unreachable(settings, exc)
        if problem is None:
            raise
        print(problem, file=sys.stderr)
        return 1
    return 0


def _unreachable(settings: Settings, exc: BaseException) -> str | None:
    """One line for an operator when Discord (or the proxy or emulator in DISCORD_API_BASE_URL) can't be reached;
    None when ``exc`` is something else, which then keeps its traceback."""
    import aiohttp
    import discord

    reason: str | None = None
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        reason = f"the proxy refused the connection ({_os_reason(exc)})"
    elif isinstance(exc, aiohttp.ClientConnectorDNSError):
        reason = f"the name {exc.host} does not resolve"
    elif isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        reason = "its TLS certificate was not accepted"
    elif isinstance(exc, aiohttp.ClientConnectorError):
        reason = f"{exc.host}:{exc.port} did not accept the connection ({_os_reason(exc)})"
    elif isinstance(exc, TimeoutError):
        reason = "no answer in time"
    elif isinstance(exc, aiohttp.ClientError | OSError):
        reason = f"the connection failed ({type(exc).__name__}{f': {exc}' if str(exc) else ''})"
    elif isinstance(exc, discord.GatewayNotFound):
        reason = "it gave no gateway URL"
    elif isinstance(exc, discord.HTTPException):
        reason = f"it answered HTTP {exc.status}"
    if reason is None:
        return None
    base = settings.discord_api_base_url or discord.http.Route.BASE
    return f"Can't reach Discord at {base}: {reason}. Check the network, DNS or DISCORD_API_BASE_URL."


def _os_reason(exc: aiohttp.ClientConnectorError) -> str:
    errno = exc.os_error.errno
    return os.strerror(errno) if errno else str(exc.os_error)


def _quiet_voice_warnings() -> None:
    """Cwtch reads who is in a voice room but never joins one: discord.py's warnings that its voice libraries are
    missing would only alarm operators."""
    import discord

    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


async def _application_id(settings: Settings) -> int:
    """The application's ID as Discord knows it for this token (``GET /oauth2/applications/@me``)."""
    import discord

    from bot.ui.client import point_discord_py_at

    assert settings.discord_token is not None
    if settings.discord_api_base_url:
        point_discord_py_at(settings.discord_api_base_url)
    async with discord.Client(intents=discord.Intents(guilds=True)) as client:
        await client.login(settings.discord_token)
        application = await client.application_info()
    return application.id


def cmd_invite(settings: Settings) -> int:
    if settings.discord_token is None:
        print(MISSING_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    import discord

    from bot.ui.setup import invite_url

    _quiet_voice_warnings()
    try:
        application_id = asyncio.run(_application_id(settings))
    except discord.LoginFailure:
        print(TOKEN_REFUSED, file=sys.stderr)
        return 1
    except Exception as exc:
        problem = _unreachable(settings, exc)
        if problem is None:
            raise
        print(problem, file=sys.stderr)
        return 1
    print(invite_url(application_id))
    return 0


def cmd_migrate(settings: Settings) -> int:
    print(_migrate(settings))
    return 0


def cmd_doctor(settings: Settings) -> int:
    from bot.doctor import run_checks

    checks = run_checks(settings)
    for check in checks:
        print(f"{'ok     ' if check.ok else 'problem'}  {check.name}: {check.detail}")
    problems = sum(not check.ok for check in checks)
    print("All checks passed." if not problems else f"{problems} problem(s) found; see the fixes above.")
    return 0 if not problems else 1


def cmd_demo(out: str | None) -> int:
    """Play the scripted story against the local emulator. Reads no ``.env``: it needs no token, no network and
    no database of the user's, so nothing in their configuration can stop it or be touched by it."""
    folder = Path(out).expanduser() if out else Path(tempfile.mkdtemp(prefix="cwtch-demo-"))
    if folder.exists() and not folder.is_dir():
        print(f"--out {folder} is a file; give a folder (it is created if missing).", file=sys.stderr)
        return EXIT_CONFIG
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"Can't create the folder {folder}: {exc.strerror}. Give another with --out.", file=sys.stderr)
        return EXIT_CONFIG
    from bot.demo.runner import DemoError, run_demo

    def emit(line: str) -> None:
        print(line, flush=True)

    try:
        result = asyncio.run(run_demo(folder, emit))
    except DemoError as exc:
        print(f"\nThe demo stopped: {exc}", file=sys.stderr)
        return 1
    except Exception:
        log.exception("the demo failed")
        print("\nThe demo failed unexpectedly (details above); please report it.", file=sys.stderr)
        return 1
    print(f"\nThe report's chart, its CSV and this transcript are in {result.folder}:")
    for path in (result.chart, result.table, result.transcript):
        print(f"  {path.name}")
    print(f"(The demo took {result.seconds:.0f} seconds.)")
    return 0


COMMANDS = {"run": cmd_run, "migrate": cmd_migrate, "doctor": cmd_doctor, "invite": cmd_invite}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cwtch", description="Cwtch: peer support for social care managers.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="migrate the database, then start the bot")
    sub.add_parser("migrate", help="apply database migrations and say where the database is")
    sub.add_parser("doctor", help="check configuration, database and token, and say how to fix problems")
    sub.add_parser("invite", help="print the URL that adds Cwtch to a server with exactly the permissions it needs")
    demo = sub.add_parser(
        "demo",
        help="watch Cwtch run a peer-support session end to end, locally, with no token or network",
        description="Start a local stand-in for Discord and the real bot on a temporary database, play a short "
        "scripted story (setup, cohorts, RSVPs, a session, the survey, a resource, the feedback report) and print "
        "what each person saw.",
    )
    demo.add_argument(
        "--out",
        metavar="DIR",
        help="where to write the report's chart, its CSV and the transcript (default: a new temp folder)",
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        _configure_logging("ERROR")  # the transcript is the output; only real trouble is logged beside it
        return cmd_demo(args.out)
    try:
        settings = _settings()
    except SettingsError as exc:
        print(
            f"Configuration problem: {exc} (set it in .env or the environment; see config.example.env)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    # The invite URL is the output; below DEBUG, only real trouble is logged beside it.
    _configure_logging(settings.log_level if args.command != "invite" or settings.log_level == "DEBUG" else "ERROR")
    return COMMANDS[args.command](settings)


if __name__ == "__main__":
    sys.exit(main())
