"""Hostile input against the real bot on the emulator: every command of the synced tree, fed what Discord's client
lets a person send (any Unicode up to an option's length, markdown, mentions, SQL, extreme dates, numbers up to
2**53, digits that are not ASCII), must be answered with a reply that is not the generic apology, log no error, and
ping no one. Then the values testers found, one by one, each refused politely and specifically.

Cases are drawn by hypothesis into a list first (a plain function under ``@given``), then played against one bot:
the bot is started once, and a failing case is reported with everything needed to replay it.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.domain.inputs import zone_names
from bot.domain.resources import THEMES
from bot.emulator import Emulator
from bot.emulator.rest import RecordedRequest
from bot.ui.client import CwtchBot
from bot.ui.errors import GENERIC_APOLOGY
from tests.e2e.conftest import World, facilitator_actor
from tests.e2e.helpers import command_leaves, visible_text
from tests.e2e.test_sessions import create_dom_series, run_due

DISCORD_INT = 2**53  # Discord's integer options hold -2**53..2**53
STRING_MAX = 6000  # and a string option without max_length up to 6,000 characters
PER_COMMAND = 10  # cases drawn per command and run: the whole file stays well under a minute on two shared cores
SUBCOMMAND, GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(1, 12)

# What testers and attackers type: markdown, mentions, SQL, format strings, control and invisible characters,
# right-to-left overrides, combining marks, emoji, digits that are not ASCII, paths, far-away dates.
HOSTILE = (
    " ",
    "²",
    "①",
    "٣",
    "١٢",
    "１２",
    "𝟙𝟚",
    "0",
    "-1",
    str(2**63),
    str(2**64),
    "9" * 30,
    "America",
    "../../etc/passwd",
    "/usr/share/zoneinfo/UTC",
    "localtime",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01 00:00",
    "9999-12-31 23:59",
    "２０２７-03-16 10:00",
    "@everyone",
    "@here",
    "<@123>",
    "<@!123>",
    "<@&456>",
    "<#789>",
    "</support:1>",
    "**bold** __under__ ~~gone~~ ||hidden|| `code` ```block``` > quote # Heading",
    "[link](https://example.org)",
    "'; DROP TABLE cohorts; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM series;--",
    "%s %d {0} {name} ${HOME}",
    'NEAR(a b) * OR AND NOT "',
    "\x00",
    "\u200b\u200d\ufeff",
    "\u202eevil\u202c",
    "Z̷̧a̸l̶g̵o̴",
    "🏴󠁧󠁢󠁷󠁬󠁳󠁿 Cymru am byth",
    "Gwasanaeth cymorth – ŵ ŷ",
    "\n\n\n",
    "javascript:alert(1)",
    "https://example.org/" + "a" * 80,
)
USERS = ("admin", "admin", "facilitator", "coordinator", "member")


@dataclass
class Case:
    """One command as a person sends it; ``typed`` holds what they typed into autocompleted options and, when they
    picked from the list, which choice (``None``: they sent what they typed)."""

    command: str
    user: str
    options: dict[str, Any] = field(default_factory=dict)
    typed: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    menu_text: str | None = None  # the message a "Report to facilitators" case reports

    def describe(self) -> str:
        shown = {
            k: (v[:60] + f"...({len(v)})" if isinstance(v, str) and len(v) > 60 else v) for k, v in self.options.items()
        }
        return f"/{self.command} by {self.user} {json.dumps(shown, ensure_ascii=True)} typed={self.typed!r:.200}"


def shaped(name: str) -> st.SearchStrategy[str]:
    """Values shaped like what the option expects, so cases also get past the first check."""
    days = st.dates(min_value=date(2026, 1, 1), max_value=date(2031, 12, 31))
    if name in ("start", "end", "until"):
        clock = st.tuples(days, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
        return st.one_of(
            days.map(date.isoformat),
            clock.map(lambda t: f"{t[0]:%Y-%m-%d} {t[1]:02d}:{t[2]:02d}"),
            st.sampled_from(["2000-01-01", "2100-12-31", "1999-12-31 23:59", "2101-01-01 00:00", "2027-02-29"]),
        )
    if name == "timezone":
        return st.sampled_from(sorted(zone_names()))
    if name in ("link", "url"):
        path = st.text(st.characters(codec="ascii", categories=["L", "N"]), max_size=30)
        return st.builds(
            lambda scheme, host, tail: f"{scheme}://{host}/{tail}",
            st.sampled_from(["https", "http", "ftp"]),
            st.sampled_from(["example.org", "teams.microsoft.com", "127.0.0.1", "xn--80ak6aa92e.com", "a..b"]),
            path,
        )
    if name in ("tags", "tag"):
        return st.lists(st.sampled_from(THEMES), min_size=1, max_size=7).map(", ".join)
    if name in ("cohort", "name"):
        return st.sampled_from(["Domiciliary care managers", "care home MANAGERS ", "Gardeners"])
    if name == "reason":
        return st.sampled_from(["Snow", "Facilitator unwell @everyone <@&1>"])
    return st.sampled_from(["Peer support", "Sleep", "burnout"])


def text_for(option: dict[str, Any]) -> st.SearchStrategy[str]:
    low = max(1, int(option.get("min_length") or 1))
    high = int(option.get("max_length") or STRING_MAX)
    piece = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=40), shaped(option["name"]))
    long = st.builds(lambda text, times: text * times, piece, st.integers(2, STRING_MAX))
    mixed = st.lists(piece, min_size=2, max_size=6).map(" ".join)
    return st.one_of(piece, piece, mixed, long).map(lambda text: text[:high]).filter(lambda text: len(text) >= low)


@dataclass(frozen=True)
class Server:
    """What a person could point an option at in this server."""

    users: tuple[int, ...]
    roles: tuple[int, ...]
    channels: tuple[tuple[int, int], ...]  # (id, type)


def value_for(option: dict[str, Any], server: Server, data: st.DataObject) -> Any:
    kind, name = int(option["type"]), option["name"]
    if option.get("choices"):
        return data.draw(st.sampled_from([choice["value"] for choice in option["choices"]]), label=name)
    if kind == STRING:
        return data.draw(text_for(option), label=name)
    if kind in (INTEGER, NUMBER):
        low = option.get("min_value", -DISCORD_INT)
        high = option.get("max_value", DISCORD_INT)
        numbers = st.integers(low, high) if kind == INTEGER else st.floats(low, high, allow_nan=False)
        return data.draw(st.one_of(st.sampled_from([low, high]), numbers), label=name)
    if kind == BOOLEAN:
        return data.draw(st.booleans(), label=name)
    if kind == USER:
        return data.draw(st.sampled_from(server.users), label=name)
    if kind == ROLE:
        return data.draw(st.sampled_from(server.roles), label=name)
    if kind == MENTIONABLE:
        return data.draw(st.sampled_from(server.users + server.roles), label=name)
    if kind == CHANNEL:
        allowed = option.get("channel_types")
        fits = [cid for cid, ctype in server.channels if not allowed or ctype in allowed]
        return data.draw(st.sampled_from(fits), label=name) if fits else None
    if kind == ATTACHMENT:
        return {"filename": "notes.txt", "data": data.draw(st.text(max_size=200), label=name)}
    raise AssertionError(f"option {name!r} has a type ({kind}) this fuzz does not know; teach it")


def draw_cases(tree: list[dict[str, Any]], server: Server, per_command: int) -> list[Case]:
    """``per_command`` cases for every command of the tree, drawn by hypothesis (derandomized in CI)."""
    drawn: list[list[Case]] = []
    for command in command_leaves(tree):
        drawn.append([])
        collect(command, server, per_command, drawn[-1])()
    # Interleaved, so no command's cases all come after, say, every session was cancelled.
    return [case for round_ in itertools.zip_longest(*drawn) for case in round_ if case is not None]


def collect(
    command: tuple[str, list[dict[str, Any]], int], server: Server, count: int, into: list[Case]
) -> Callable[[], None]:
    """A function that, called, draws ``count`` cases of ``command`` into ``into``."""
    name, options, kind = command

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # the cases only collect; nothing here can fail or shrink
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def draw(data: st.DataObject) -> None:
        case = Case(name, data.draw(st.sampled_from(USERS), label="user"))
        if kind != 1:
            case.menu_text = data.draw(text_for({"name": "content", "max_length": 2000}), label="message")
        for option in options:
            if not option.get("required") and not data.draw(st.booleans(), label=f"give {option['name']}"):
                continue
            if option.get("autocomplete"):
                typed = data.draw(text_for(option), label=option["name"])
                picked = data.draw(st.none() | st.integers(0, 24), label=f"pick {option['name']}")
                case.typed[option["name"]] = (typed, picked)
                continue
            value = value_for(option, server, data)
            if value is not None:
                case.options[option["name"]] = value
            elif option.get("required"):
                return  # nothing in this server fits: no person could send it
        into.append(case)

    return draw


def alerts_the_role(body: dict[str, Any]) -> bool:
    """A safeguarding alert pings, by design, the one role it begins with (the facilitators) and nobody else."""
    mentions = body.get("allowed_mentions") or {}
    roles = [str(role) for role in mentions.get("roles") or []]
    return (
        len(roles) == 1
        and not mentions.get("parse")
        and not mentions.get("users")
        and str(body.get("content", "")).startswith(f"<@&{roles[0]}> ")
    )


def pinging(emulator: Emulator, since: int) -> list[str]:
    """Every message the bot sent since ``since`` whose ``allowed_mentions`` could ping someone."""
    found = []
    for request in emulator.requests[since:]:
        path, body = request.path.split("?")[0], request.json
        if request.method not in ("POST", "PATCH") or not isinstance(body, dict):
            continue
        if re.fullmatch(r"/interactions/\d+/[^/]+/callback", path):
            body = body.get("data") if body.get("type") in (4, 7) else None
        elif re.fullmatch(r"/channels/\d+/threads", path):
            body = body.get("message")
        elif not re.fullmatch(r"/(channels/\d+/messages(/\d+)?|webhooks/\d+/[^/]+(/messages/[^/]+)?)", path):
            continue
        if not body or not body.get("content"):
            continue
        mentions = body.get("allowed_mentions")
        if alerts_the_role(body):
            continue
        if mentions is None or mentions.get("parse") or mentions.get("users") or mentions.get("roles"):
            found.append(f"{request.method} {path}: allowed_mentions={mentions} content={body['content'][:80]!r}")
    return found


async def play(emulator: Emulator, world: World, bot: CwtchBot, case: Case) -> list[str]:
    """Send one case as its person would; return what went wrong (nothing, if all is well)."""
    guild, user = world.guild_id, getattr(world, case.user)
    options = dict(case.options)
    for name, (typed, picked) in case.typed.items():
        choices = await emulator.autocomplete(guild, user, case.command, {**options, name: typed}, name, timeout=5)
        if picked is not None and not choices:  # nothing matched: they clear the box and pick from the whole list
            choices = await emulator.autocomplete(guild, user, case.command, {**options, name: ""}, name, timeout=5)
        values = [str(choice["value"]) for choice in choices]
        options[name] = values[picked % len(values)] if picked is not None and values else typed
    if case.menu_text is not None:
        target = emulator.user_message(world.general, world.other_member, case.menu_text)
        result = await emulator.message_command(guild, user, case.command, target["id"], timeout=10)
    else:
        result = await emulator.slash(guild, user, case.command, options, timeout=10)
    await bot.runtime.idle()  # what the command set off in the background, too
    text = "\n".join([visible_text(result), *(str(m.get("content") or "") for m in result.followups)])
    problems = []
    if result.message is None and result.modal is None:
        problems.append(f"no answer ({result!r})")
    if GENERIC_APOLOGY in text or "Traceback" in text:
        problems.append(f"the generic apology: {text[:200]!r}")
    return problems


async def test_every_command_survives_hostile_input(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture
) -> None:
    voice = int(emulator.create_channel(world.guild_id, "peer-support-room", type=2)["id"])
    # Series and sessions for the pickers to find (and for cases to pause, cancel, move, start and end).
    await create_dom_series(emulator, world, room=voice)
    await create_dom_series(emulator, world, title="Drop-in", cadence="weekly", start="2027-03-11 12:00")
    await create_dom_series(emulator, world, title="Link-up", link="https://teams.example.org/meet", capacity=2)
    await run_due(bot)
    tree = emulator.commands() + emulator.commands(world.guild_id)
    server_state = emulator.guild(world.guild_id)
    server = Server(
        users=(world.admin, world.facilitator, world.coordinator, world.member, world.other_member),
        roles=tuple(int(role) for role in server_state.roles),
        channels=tuple((int(cid), int(ch["type"])) for cid, ch in server_state.channels.items()),
    )
    cases = draw_cases(tree, server, PER_COMMAND)
    assert {case.command for case in cases} == {name for name, _, _ in command_leaves(tree)}
    since = len(emulator.requests)
    failures: list[str] = []
    with caplog.at_level(logging.ERROR):
        for case in cases:
            logged = len(caplog.records)
            try:
                problems = await play(emulator, world, bot, case)
            except AssertionError as refused:  # the emulator got no answer, or refused what the bot sent
                problems = [f"not answered: {str(refused)[:300]}"]
            errors = [r for r in caplog.records[logged:] if r.levelno >= logging.ERROR]
            problems += [f"ERROR logged by {r.name}: {r.getMessage()[:200]}" for r in errors]
            failures += [f"{case.describe()}\n    {problem}" for problem in problems]
    failures += [f"pinged: {ping}" for ping in pinging(emulator, since)]
    assert not failures, f"{len(failures)} problem(s) in {len(cases)} cases:\n" + "\n".join(failures[:30])


# --- the values testers found, one by one ------------------------------------------------------------------------

SERIES = {
    "cohort": "Domiciliary care managers",
    "title": "Peer support",
    "cadence": "weekly",
    "start": "2027-04-01 10:00",
    "duration": 60,
}
LONG = "x" * STRING_MAX
NOT_ASCII_IDS = ("①", "²", "٣", "١٢", "１２", "𝟙", str(2**31), str(2**63), "9" * 30, "0", "-1")
PICKERS = {
    "series pause": {},
    "series resume": {},
    "series end": {},
    "series edit": {"title": "Renamed"},
    "session cancel": {},
    "session move": {"start": "2027-04-01 10:00"},
    "session start": {},
    "session end": {},
    "session attendance": {},
}


def zone_cases() -> list[tuple[str, str, dict[str, Any], str]]:
    zones = ("America", "Europe", "A" * 64, "A" * 300, "Europe/Lond\u00f6n", "🕰" * 30, "../../etc/passwd", "localtime")
    return [
        (
            "facilitator",
            "cohort create",
            {"name": f"Zone test {n}", "description": "Testing", "channel": "{general}", "timezone": zone},
            "I don't know the time zone",
        )
        for n, zone in enumerate(zones)
    ]


def date_cases() -> list[tuple[str, str, dict[str, Any], str]]:
    far = "between the years 2000 and 2100"
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("facilitator", "series create", {**SERIES, "start": "0001-01-01 00:00"}, far),
        ("facilitator", "series create", {**SERIES, "start": "9999-12-31 23:59"}, far),
        ("facilitator", "series create", {**SERIES, "until": "9999-12-31"}, far),
        ("facilitator", "series create", {**SERIES, "until": "0001-01-01"}, far),
        ("facilitator", "series create", {**SERIES, "start": "２０２７-04-01 10:00"}, "couldn't read"),
        ("facilitator", "series create", {**SERIES, "start": LONG}, "couldn't read"),
    ]
    for report in ("report feedback", "report attendance", "report community"):
        cases += [
            ("coordinator", report, {"start": "0001-01-01"}, far),
            ("coordinator", report, {"end": "9999-12-31"}, far),
            ("coordinator", report, {"start": "2000-01-01", "end": "9999-12-31"}, far),
            ("coordinator", report, {"start": LONG}, "couldn't read"),
            ("coordinator", report, {"end": "٢٠٢٧-٠١-٠١"}, "couldn't read"),
        ]
    return cases


def id_cases() -> list[tuple[str, str, dict[str, Any], str]]:
    return [
        ("facilitator", command, {**extra, command.split()[0]: bad}, "pick one from the list")
        for command, extra in PICKERS.items()
        for bad in NOT_ASCII_IDS
    ]


def number_cases() -> list[tuple[str, str, dict[str, Any], str]]:
    cases: list[tuple[str, str, dict[str, Any], str]] = []
    for big in (DISCORD_INT, -DISCORD_INT, -1, 0):
        cases += [
            ("facilitator", "series create", {**SERIES, "duration": big}, "between 15 and 480"),
            ("facilitator", "series create", {**SERIES, "capacity": big}, "at least 1"),
            ("facilitator", "series create", {**SERIES, "count": big}, "from 1 to 1000"),
        ]
    return cases


def long_quote_cases() -> list[tuple[str, str, dict[str, Any], str]]:
    resource = {"title": "Sleep", "url": "https://example.org/sleep", "summary": "Sleeping well.", "tags": LONG}
    return [
        ("facilitator", "resource add", resource, "no tag called"),
        ("member", "resource suggest", resource, "no tag called"),
        ("member", "resource list", {"tag": LONG}, "no tag called"),
        ("member", "resource search", {"query": "sleep", "tag": LONG}, "no tag called"),
        ("member", "resource list", {"tag": "@everyone <@&1> " * 300}, "no tag called"),
        ("member", "cohort join", {"name": "y " * 3000}, "at most 80 characters"),
        ("member", "calendar", {"cohort": "Gardeners " + "z" * 70}, "no cohort called"),
        ("member", "session list", {"cohort": "y" * 6000}, "at most 80 characters"),
    ]


async def refuse_all(
    emulator: Emulator,
    world: World,
    caplog: pytest.LogCaptureFixture,
    cases: list[tuple[str, str, dict[str, Any], str]],
) -> None:
    failures = []
    with caplog.at_level(logging.ERROR):
        for who, command, options, expected in cases:
            filled = {k: (world.general if v == "{general}" else v) for k, v in options.items()}
            label = f"/{command} by {who} with {json.dumps(filled, ensure_ascii=True)[:160]}"
            try:
                result = await emulator.slash(world.guild_id, getattr(world, who), command, filled)
            except AssertionError as refused:
                failures.append(f"{label}: not answered: {str(refused)[:200]}")
                continue
            text = visible_text(result)
            if not (result.ephemeral and expected in text) or GENERIC_APOLOGY in text or len(text) > 600:
                failures.append(f"{label}: expected a short private {expected!r}, got {text[:300]!r}")
    failures += [f"ERROR logged by {r.name}: {r.getMessage()[:200]}" for r in caplog.records if r.levelno >= 40]
    assert not failures, "\n".join(failures)


async def test_bad_time_zones_are_refused(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture
) -> None:
    await refuse_all(emulator, world, caplog, zone_cases())
    names = [
        choice["value"]
        for choice in await emulator.autocomplete(
            world.guild_id, world.facilitator, "cohort join", {"name": "zone"}, "name"
        )
    ]
    assert names == []  # no cohort was made


async def test_far_away_and_unreadable_dates_are_refused(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture
) -> None:
    await refuse_all(emulator, world, caplog, date_cases())
    assert await bot.services.series.listing(world.guild_id, facilitator_actor(world)) == []


async def test_dates_at_the_edges_of_the_range_work(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture
) -> None:
    far = {**SERIES, "title": "Far", "start": "2100-12-31 23:30", "duration": 480}
    long = {**SERIES, "title": "Long", "cadence": "monthly", "monthly_by": "day", "until": "2100-12-31"}
    with caplog.at_level(logging.ERROR):
        for options in (far, long):
            created = await emulator.slash(world.guild_id, world.facilitator, "series create", options)
            assert "Series created" in visible_text(created), visible_text(created)
        calendar = await emulator.slash(world.guild_id, world.member, "calendar", {})
        assert "calendar" in visible_text(calendar)
        for report in ("report feedback", "report attendance", "report community"):
            answer = await emulator.slash(
                world.guild_id, world.coordinator, report, {"start": "2000-01-01", "end": "2100-12-31"}, timeout=30
            )
            assert "2000" in visible_text(answer) and GENERIC_APOLOGY not in visible_text(answer)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_picked_values_that_are_not_our_ids_are_refused(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture
) -> None:
    await create_dom_series(emulator, world)
    [first, *_] = await emulator.autocomplete(
        world.guild_id, world.facilitator, "session move", {"session": ""}, "session"
    )
    session = str(first["value"])
    moves = [
        ("facilitator", "session move", {"session": session, "start": LONG}, "couldn't read"),
        ("facilitator", "session move", {"session": session, "start": "9999-12-31 23:59"}, "between the years"),
        ("facilitator", "session move", {"session": session, "start": "0001-01-01 00:00"}, "between the years"),
    ]
    await refuse_all(emulator, world, caplog, id_cases() + moves)
    [series] = await bot.services.series.listing(world.guild_id, facilitator_actor(world))
    assert series.state == "active"


async def test_numbers_out_of_range_are_refused(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture
) -> None:
    await refuse_all(emulator, world, caplog, number_cases())
    assert await bot.services.series.listing(world.guild_id, facilitator_actor(world)) == []


async def test_refusals_quote_long_input_briefly(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture
) -> None:
    await refuse_all(emulator, world, caplog, long_quote_cases())


def test_drawn_cases_respect_what_discord_lets_a_person_send() -> None:
    # The fuzz is only fair if it sends what a client could: within lengths, ranges and choices.
    option = {"name": "start", "type": STRING, "max_length": 32}
    tree = [
        {
            "name": "t",
            "type": 1,
            "options": [option, {"name": "n", "type": INTEGER, "min_value": 15, "max_value": 480, "required": True}],
        }
    ]
    for case in draw_cases(tree, Server((1,), (2,), ((3, 0),)), 50):
        assert 1 <= len(case.options.get("start", "x")) <= 32
        assert 15 <= case.options["n"] <= 480


def test_the_ping_check_catches_messages_that_could_ping() -> None:
    def sent(path: str, body: dict[str, Any]) -> RecordedRequest:
        return RecordedRequest("POST", path, {}, body, [], 200, 0.0)

    quiet = {"content": "<@1> @everyone", "allowed_mentions": {"parse": []}}
    loud = [
        sent("/channels/1/messages", {"content": "@everyone hello"}),
        sent("/channels/1/messages", {"content": "<@1>", "allowed_mentions": {"parse": ["users"]}}),
        sent("/webhooks/1/token", {"content": "<@&2>", "allowed_mentions": {"parse": [], "roles": ["2"]}}),
        sent("/interactions/1/token/callback", {"type": 4, "data": {"content": "<@1>"}}),
        sent("/channels/1/threads", {"name": "t", "message": {"content": "<@1>"}}),
    ]
    fine = [
        sent("/channels/1/messages", quiet),
        sent("/interactions/1/token/callback", {"type": 4, "data": quiet}),
        sent("/interactions/1/token/callback", {"type": 5, "data": {"flags": 64}}),
        sent("/channels/1/messages", {"embeds": [{"description": "<@1>"}]}),
    ]
    emulator = SimpleNamespace(requests=loud + fine)
    assert len(pinging(emulator, 0)) == len(loud)


async def test_nul_characters_are_dropped_before_any_lookup(
    emulator: Emulator, world: World, bot: CwtchBot, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL text cannot hold NUL: a name or a search with one is read without it, never an error."""
    joined = await emulator.slash(
        world.guild_id, world.member, "cohort join", {"name": "Domiciliary\x00 care managers"}
    )
    assert "Domiciliary care managers" in visible_text(joined) and GENERIC_APOLOGY not in visible_text(joined)
    with caplog.at_level(logging.ERROR):
        found = await emulator.autocomplete(world.guild_id, world.member, "cohort join", {"name": "Care\x00"}, "name")
        await refuse_all(emulator, world, caplog, [("member", "calendar", {"cohort": "\x00Nope"}, "no cohort called")])
    assert "Care home managers" in [choice["value"] for choice in found]
