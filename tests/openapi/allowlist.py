"""Where an exchange may differ from Discord's OpenAPI spec, and why: the only exceptions the validator makes.

Each entry excuses one kind of violation: an operation as the spec writes it (or ``"*"`` for any), a part
(``route``, ``path``, ``request``, ``status`` or ``response``), a place (a JSON path such as
``$.embeds[*].flags``, a parameter name or a status, where ``[*]`` is any index and ``*`` anything), the rule
that failed (the JSON Schema keyword, ``undeclared`` for a field the spec does not list, or ``status``), and
optionally a regex the message must match in full. Each says why the difference cannot matter to a bot, or why
Discord's documentation, not the spec, is right. Nothing else is excused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .validator import Violation


def _glob(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\[\*\]|\*)", pattern)
    wild = {"[*]": r"\[\d+\]", "*": ".*"}
    return re.compile("".join(wild.get(part, re.escape(part)) for part in parts))


@dataclass(frozen=True)
class Allowance:
    operation: str
    part: str
    where: str
    rule: str
    reason: str
    message: str = ".*"

    def excuses(self, violation: Violation) -> bool:
        return (
            self.operation in ("*", violation.operation)
            and self.part == violation.part
            and self.rule == violation.rule
            and _glob(self.where).fullmatch(violation.where) is not None
            and re.fullmatch(self.message, violation.message) is not None
        )


_COMMANDS = (
    "PUT /applications/{application_id}/commands",
    "PUT /applications/{application_id}/guilds/{guild_id}/commands",
)
_FORUM_POST = "POST /channels/{channel_id}/threads"

ALLOWED: tuple[Allowance, ...] = (
    # --- where the spec is stricter than Discord --------------------------------------------------------------
    Allowance(
        "*",
        "request",
        "*",
        "type",
        "Discord reads a snowflake from a JSON integer as well as from a string; the spec types snowflakes as "
        "strings because that is how Discord answers. discord.py 2.7 sends some as integers: recipient_id "
        "(opening a DM), allowed_mentions users and roles, a scheduled event's channel_id, forum tag ids, and "
        "the index ids of new attachments.",
        message=r"-?\d+ is not of type 'string' \(a snowflake\)",
    ),
    Allowance(
        "*",
        "request",
        "*",
        "type",
        "The spec's README: 'Our API accepts strings for int fields if they are parseable as ints'. discord.py "
        "sends permissions (a role's permissions, a command's default_member_permissions) as strings of digits.",
        message=r"'-?\d+' is not of type 'integer'.*",
    ),
    Allowance(
        "*",
        "response",
        "$.errors*",
        "type",
        "Inside an error's `errors`, Discord's field errors carry string codes ('BASE_TYPE_REQUIRED' in the "
        "docs' Invalid Form Body example); the spec reuses its top-level Error schema, whose code is an integer.",
        message=r"'[A-Z0-9_]+' is not of type 'integer'",
    ),
    *(
        Allowance(
            "*",
            part,
            "*.channel_types[*]",
            "oneOf",
            "GUILD_MEDIA (16) is a channel type in Discord's docs, and a channel option may ask for it; the "
            "spec's ChannelTypes enum stops at GUILD_FORUM (15).",
            message=r"16 is not valid under any of the given schemas",
        )
        for part in ("request", "response")
    ),
    *(
        Allowance(
            operation,
            "request",
            "$[*].nsfw",
            "undeclared",
            "Discord's docs list `nsfw` among the fields of a command to create or overwrite, and the spec's "
            "ApplicationCommandResponse has it, but its request schema leaves it out; discord.py sends it for "
            "every command.",
        )
        for operation in _COMMANDS
    ),
    Allowance(
        _FORUM_POST,
        "response",
        "$.message",
        "undeclared",
        "Discord's docs: starting a thread in a forum 'returns a channel, with a nested message object'; "
        "discord.py reads data['message'] for the post's first message. The spec's CreatedThreadResponse "
        "leaves the field out.",
    ),
    # --- what discord.py always sends and Discord ignores ----------------------------------------------------
    Allowance(
        "*",
        "request",
        "*.embeds[*].flags",
        "undeclared",
        "discord.py's Embed.to_dict always includes the embed's `flags` (0). Embed flags are set by Discord, "
        "which ignores them in a request; the spec's RichEmbed does not list them.",
    ),
    *(
        Allowance(
            operation,
            "request",
            where,
            "undeclared",
            "discord.py builds every message body with `tts` (false), also for a forum post's first message and "
            "a message update (callback type 7), whose schemas do not list it; Discord ignores it there.",
        )
        for operation, where in (
            (_FORUM_POST, "$.message.tts"),
            ("POST /interactions/{interaction_id}/{interaction_token}/callback", "$.data.tts"),
        )
    ),
    Allowance(
        _FORUM_POST,
        "request",
        "$.type",
        "undeclared",
        "discord.py 2.7 sends `type: 11` when it starts a thread in a forum; a forum post is always a public "
        "thread and Discord ignores the field, which the spec's CreateForumThreadRequest does not list.",
    ),
    # --- outside what the spec describes ---------------------------------------------------------------------
    Allowance(
        "*",
        "status",
        "5*",
        "status",
        "Discord's 5xx answers come from its edge (Cloudflare, Google's front end) with a text body, outside the "
        "API the spec describes; the emulator sends them only as faults a test injects.",
    ),
)
