"""The command tree matches the command contract of product.md, and fits Discord's limits."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord import AppCommandType, app_commands

from bot.app import build_bot
from bot.settings import load_settings
from bot.ui.client import EXTENSIONS, CwtchBot

# The contract (product.md, "Command contract"): option names in order; "?" marks an optional one.
# None means the contract leaves the options open ("…").
CONTRACT: dict[str, list[str] | None] = {
    "setup roles": ["facilitator", "coordinator"],
    "setup channels": ["announcements?", "resources?", "facilitators?"],
    "setup status": [],
    "setup language": ["default?", "channel_posts?"],
    "cohort create": ["name", "description", "channel", "role?", "timezone?"],
    "cohort list": [],
    "cohort join": ["name"],
    "cohort leave": ["name"],
    "series create": [
        "cohort",
        "title",
        "cadence",
        "start",
        "duration",
        "capacity?",
        "room?",
        "link?",
        "monthly_by?",
        "until?",
        "count?",
        "language?",  # held in Welsh (Cymraeg) or bilingually; none: English
    ],
    "series list": ["cohort?"],
    "series pause": ["series"],
    "series resume": ["series"],
    "series end": ["series"],
    "series edit": [
        "series",
        "title?",
        "duration?",
        "capacity?",
        "room?",
        "link?",
        "start_time?",
        "from_date?",
        "language?",  # Cymraeg, bilingual, or back to English
    ],
    "session list": ["cohort?"],
    "session cancel": ["session", "reason?"],
    "session move": ["session", "start"],
    "session start": ["session"],
    "session end": ["session"],
    "session attendance": ["session"],
    "feedback give": [],
    "feedback comments": ["session"],
    "report feedback": ["cohort?", "start?", "end?", "breakdown?"],  # breakdown: rows by month, quarter, FY or cohort
    "report attendance": None,
    "report community": None,
    "resource add": ["title", "url", "summary", "tags"],
    "resource suggest": None,
    "resource search": ["query", "tag?"],
    "resource list": ["tag?"],
    "community join": [],
    "community leave": [],
    "ground-rules": [],
    "support": [],
    "cymorth": [],  # /support in Welsh
    "reminders on": [],
    "reminders off": [],
    "calendar": ["cohort?"],
    "privacy notice": [],
    "privacy export": [],
    "privacy delete": [],
    "language": ["language?", "welsh_sessions?"],  # welsh_sessions: would rather join Welsh-medium sessions
    "iaith": ["iaith?", "sesiynau_cymraeg?"],  # /language in Welsh
}
# Delivered so far (issues 2 and 3); later issues add theirs here.
IMPLEMENTED = {
    "series create",
    "series list",
    "series pause",
    "series resume",
    "series end",
    "series edit",
    "session list",
    "session cancel",
    "session move",
    "session start",
    "session end",
    "session attendance",
    "reminders on",
    "reminders off",
    "calendar",
    "feedback give",
    "feedback comments",
    "report feedback",
    "report attendance",
    "setup roles",
    "setup channels",
    "setup status",
    "setup language",
    "cohort create",
    "cohort list",
    "cohort join",
    "cohort leave",
    "support",
    "cymorth",
    "ground-rules",
    "community join",
    "community leave",
    "report community",
    "resource add",
    "resource suggest",
    "resource search",
    "resource list",
    "privacy notice",
    "privacy export",
    "privacy delete",
    "language",
    "iaith",
}
NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[CwtchBot]:
    client = build_bot(
        load_settings({"DATABASE_URL": "sqlite+aiosqlite:///:memory:", "SECRET_KEY_FILE": str(tmp_path / "key")})
    )
    async with client:  # no login: the tree is built offline
        for extension in EXTENSIONS:
            await client.load_extension(extension)
        yield client


def leaves(bot: CwtchBot) -> dict[str, app_commands.Command[object, ..., object]]:
    found: dict[str, app_commands.Command[object, ..., object]] = {}
    for command in bot.tree.walk_commands():
        if isinstance(command, app_commands.Command):
            assert command.qualified_name not in found, f"duplicate command {command.qualified_name}"
            found[command.qualified_name] = command
    return found


async def test_every_command_is_in_the_contract_with_its_options(bot: CwtchBot) -> None:
    for name, command in leaves(bot).items():
        assert name in CONTRACT, f"/{name} is not in the command contract"
        expected = CONTRACT[name]
        if expected is None:
            continue
        actual = [p.display_name + ("" if p.required else "?") for p in command.parameters]
        assert actual == expected, f"/{name} has options {actual}, the contract says {expected}"


async def test_delivered_commands_are_all_there(bot: CwtchBot) -> None:
    assert set(leaves(bot)) >= IMPLEMENTED, IMPLEMENTED - set(leaves(bot))


async def test_names_and_descriptions_fit_discord(bot: CwtchBot) -> None:
    payload = [command.to_dict(bot.tree) for command in bot.tree.get_commands(type=AppCommandType.chat_input)]
    names = [entry["name"] for entry in payload]
    assert len(names) == len(set(names))

    def check(entry: dict[str, object]) -> None:
        name, description = str(entry["name"]), str(entry.get("description", ""))
        assert NAME.match(name) and name == name.lower(), name
        assert 1 <= len(description) <= 100, (name, description)
        options = entry.get("options") or []
        assert isinstance(options, list) and len(options) <= 25
        for option in options:
            assert len(option.get("choices") or []) <= 25
            check(option)

    for entry in payload:
        check(entry)


async def test_the_only_context_menu_is_report_to_facilitators(bot: CwtchBot) -> None:
    # Message and user commands are not slash commands: the contract above walks chat-input commands only.
    menus = [menu.to_dict(bot.tree) for menu in bot.tree.get_commands(type=AppCommandType.message)]
    assert [menu["name"] for menu in menus] == ["Report to facilitators"]
    assert bot.tree.get_commands(type=AppCommandType.user) == []
    assert all(1 <= len(menu["name"]) <= 32 and not menu.get("description") for menu in menus)
    assert "Report to facilitators" not in leaves(bot)


async def test_admin_commands_are_hidden_from_members_by_default(bot: CwtchBot) -> None:
    setup = bot.tree.get_command("setup")
    assert setup is not None and setup.default_permissions is not None
    assert setup.default_permissions.manage_guild


def test_dynamic_items_round_trip_and_fit() -> None:
    import asyncio
    import re

    from bot.domain.language import Language
    from bot.domain.rsvp import Choice
    from bot.domain.series_rules import StopAction
    from bot.ui.alert_items import TakeAlertButton
    from bot.ui.attendance import AttendancePicker
    from bot.ui.community_items import WhatWorksButton
    from bot.ui.feedback import FeedbackButton
    from bot.ui.language import LanguageButton
    from bot.ui.privacy import EraseButton
    from bot.ui.registry import DYNAMIC_ITEMS
    from bot.ui.resource_items import ApproveResourceButton, DeclineResourceButton, OpenResourceButton
    from bot.ui.series_items import StopSeriesButton
    from bot.ui.session_items import CheckInButton, GroundRulesButton, JoinCohortButton, RsvpButton
    from bot.ui.session_list import SessionPageButton, SessionPicker
    from bot.ui.support import EditSignpostingButton

    biggest, user = 2**31 - 1, 2**63 - 1  # the largest row ID (sessions, resources) and Discord ID (users)
    examples = [
        RsvpButton(biggest, Choice.YES),
        RsvpButton(7, Choice.NO),
        GroundRulesButton(biggest),
        CheckInButton(9),
        JoinCohortButton(biggest, "rsvp"),
        JoinCohortButton(4, "checkin"),
        SessionPageButton(biggest, 9999),
        SessionPageButton(0, 0),
        SessionPicker(),
        AttendancePicker(biggest, "present"),
        AttendancePicker(3, "absent"),
        FeedbackButton(biggest),
        EditSignpostingButton(),
        EraseButton("erase", user, 2**40),
        EraseButton("keep", 7, 1_800_000_000),
        WhatWorksButton(),
        OpenResourceButton(biggest),
        ApproveResourceButton(biggest),
        DeclineResourceButton(12),
        TakeAlertButton(biggest),
        StopSeriesButton("confirm", StopAction.END, biggest, 2**40),
        StopSeriesButton("keep", StopAction.PAUSE, 5, 1_800_000_000),
        LanguageButton(Language.CY),
        LanguageButton(Language.EN),
    ]
    assert {type(item) for item in examples} == set(DYNAMIC_ITEMS)
    for item in examples:
        custom_id = item.item.custom_id
        assert custom_id is not None and len(custom_id) <= 100 and custom_id.startswith("cwtch:")
        cls = type(item)
        match = re.fullmatch(cls.__discord_ui_compiled_template__, custom_id)
        assert match is not None
        parsed = asyncio.run(cls.from_custom_id(None, item.item, match))  # type: ignore[arg-type]
        assert parsed.item.custom_id == custom_id
        if isinstance(item, LanguageButton):  # carries a language, not an ID
            assert isinstance(parsed, LanguageButton) and parsed.language is item.language
            continue
        # The IDs an item carries (occurrence_id, resource_id...) come back from its custom_id.
        ids = {name: value for name, value in vars(item).items() if name.endswith("_id") and not name.startswith("_")}
        assert ids or not match.groupdict(), f"{cls.__name__} does not keep the IDs its custom_id carries"
        assert {name: getattr(parsed, name, None) for name in ids} == ids
    templates = [cls.__discord_ui_compiled_template__.pattern for cls in DYNAMIC_ITEMS]
    assert len(set(templates)) == len(templates)


def test_forged_ids_in_custom_ids_name_no_record() -> None:
    """An ID over 64 bits, or in other digits, parses to 0 (which names nothing) or does not match at all."""
    import asyncio
    import re

    from bot.ui.feedback import FeedbackButton
    from bot.ui.registry import DYNAMIC_ITEMS

    template = FeedbackButton.__discord_ui_compiled_template__
    for forged in ("2147483648", "9223372036854775808", "9999999999999999999"):
        match = re.fullmatch(template, f"cwtch:feedback:{forged}")
        assert match is not None
        parsed = asyncio.run(FeedbackButton.from_custom_id(None, None, match))  # type: ignore[arg-type]
        assert parsed.occurrence_id == 0
    for forged in ("12345678901234567890", "\u2460", "\u00b2", "\u0663", "-1", ""):
        custom_id = f"cwtch:feedback:{forged}"
        assert not any(re.fullmatch(cls.__discord_ui_compiled_template__, custom_id) for cls in DYNAMIC_ITEMS)


def test_forms_match_their_custom_ids_and_never_stay_in_memory() -> None:
    """Every form Cwtch opens is matched by its template (any number open at once) and is never stored."""
    import asyncio
    from datetime import UTC, datetime

    from bot.domain.language import Language
    from bot.services.ports import ResourceCard, SessionCard
    from bot.services.surveys import SurveyForm
    from bot.ui.community_items import WhatWorksModal
    from bot.ui.feedback import FeedbackModal
    from bot.ui.registry import DYNAMIC_ITEMS, FORMS
    from bot.ui.resource_items import DeclineModal
    from bot.ui.support import SignpostingModal

    async def build() -> list[object]:
        at = datetime(2027, 1, 5, 10, tzinfo=UTC)
        card = SessionCard(2**31 - 1, 1, 2, "Peer support", "Dom", 3, "Europe/London", at, at, "ended")
        resource = ResourceCard(id=2**31 - 1, guild_id=1, title="t", url="https://example.org", summary="s", tags=())
        return [
            FeedbackModal(SurveyForm(card, None, None)),
            WhatWorksModal(Language.CY),
            SignpostingModal(""),
            DeclineModal(resource, Language.CY),
        ]

    forms = asyncio.run(build())
    assert {type(form) for form in forms} == set(FORMS)
    for form in forms:
        assert isinstance(form, FORMS)
        assert len(form.custom_id) <= 100 and form.custom_id.startswith("cwtch:")
        assert type(form).__form_template__.fullmatch(form.custom_id)
        assert form.is_finished()  # discord.py keeps only unfinished modals in memory
        others = [f for f in FORMS if f is not type(form)]
        assert not any(f.__form_template__.fullmatch(form.custom_id) for f in others)
        assert not any(i.__discord_ui_compiled_template__.fullmatch(form.custom_id) for i in DYNAMIC_ITEMS)
