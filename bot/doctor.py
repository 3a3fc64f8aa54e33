"""``cwtch doctor``: each check says ok or what is wrong and how to fix it. Never prints the token."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(settings: Settings) -> list[Check]:
    from bot.db.migrate import current_revision, head_revision

    checks = [Check("configuration", True, "all keys are valid")]
    if settings.discord_token:
        checks.append(Check("DISCORD_TOKEN", True, "set (not shown)"))
    else:
        checks.append(Check("DISCORD_TOKEN", False, "not set; put DISCORD_TOKEN=… in .env (see config.example.env)"))
    try:
        current = current_revision(settings.database_url)
    except Exception as exc:  # any driver error means "unreachable" to the person reading this
        checks.append(
            Check(
                "database",
                False,
                f"{settings.database_location()} is unreachable ({type(exc).__name__}: {exc})",
            )
        )
        return checks
    checks.append(Check("database", True, f"{settings.database_location()} is reachable"))
    head = head_revision(settings.database_url)
    if current == head:
        checks.append(Check("migrations", True, f"at the newest revision ({head})"))
    else:
        checks.append(
            Check("migrations", False, f"at {current or 'no revision'}, newest is {head}; run `cwtch migrate`")
        )
    if settings.discord_api_base_url:
        checks.append(Check("Discord API", True, f"using {settings.discord_api_base_url} instead of Discord"))
    return checks
