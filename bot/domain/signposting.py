"""What Cwtch tells people who may need help now, and the ground rules of every session.

A guild's admins may replace the UK signposting with their own: one service per line, ``Name: how to reach
them``. The limits keep the ``/support`` embed well inside Discord's (25 fields, 256-character field names,
1,024-character values, 6,000 characters in all) and the text inside one modal paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Signpost:
    name: str
    how: str


UK_SIGNPOSTS: tuple[Signpost, ...] = (
    Signpost("Emergency", "If you or someone else is in immediate danger, call **999**."),
    Signpost("Samaritans", "Call **116 123**, free, any time, day or night."),
    Signpost("Shout", "Text **SHOUT** to **85258**, free, 24/7, if you'd rather not talk."),
    Signpost("NHS 111", "Call **111** or go to 111.nhs.uk when you need urgent help that isn't an emergency."),
)

SUPPORT_INTRO = (
    "You don't have to cope alone. Peer support here is not a crisis service, "
    "so if you need help now, please reach out to one of these:"
)

SUPPORT_TEXT_MAX = 1500  # characters of the whole text, as typed in the modal
SUPPORT_LINES_MAX = 10  # services
SIGNPOST_NAME_MAX = 60
SIGNPOST_HOW_MAX = 300

GROUND_RULES: tuple[str, ...] = (
    "**Confidentiality**: what is shared in a session stays in the session. Don't repeat names or stories.",
    "**Respect**: listen, don't judge, let people finish. Everyone's experience of care work is valid.",
    "**Not a crisis service**: peers are not counsellors. If you need help now, use `/support`.",
    "**Look after yourself**: you can step away at any time, camera and microphone are your choice.",
)


def signposts_text(signposts: tuple[Signpost, ...]) -> str:
    """The signposts as an admin edits them: one ``Name: how`` line each."""
    return "\n".join(f"{signpost.name}: {signpost.how}" for signpost in signposts)


def parse_signposts(text: str | None) -> tuple[Signpost, ...] | None:
    """An admin's signposting text as signposts; ``None`` when it is empty (meaning: back to the UK defaults).

    Blank lines are ignored; each other line needs a name, a colon, and how to reach the service."""
    raw = (text or "").strip()
    if not raw:
        return None
    if len(raw) > SUPPORT_TEXT_MAX:
        raise InvalidInput(
            f"Please keep the signposting to at most {SUPPORT_TEXT_MAX} characters (this has {len(raw)})."
        )
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) > SUPPORT_LINES_MAX:
        raise InvalidInput(f"Please list at most {SUPPORT_LINES_MAX} services, one per line (this has {len(lines)}).")
    signposts: list[Signpost] = []
    for number, line in enumerate(lines, start=1):
        name, colon, how = (part.strip() for part in line.partition(":"))
        if not colon or not name or not how:
            raise InvalidInput(
                f"Line {number} needs a name, a colon, then how to reach the service, "
                "e.g. `Samaritans: call 116 123, free, any time`."
            )
        if len(name) > SIGNPOST_NAME_MAX:
            raise InvalidInput(f"The name on line {number} is longer than {SIGNPOST_NAME_MAX} characters.")
        if len(how) > SIGNPOST_HOW_MAX:
            raise InvalidInput(
                f"Line {number} says how to reach the service in {len(how)} characters; "
                f"please keep it to {SIGNPOST_HOW_MAX}."
            )
        signposts.append(Signpost(name, how))
    return tuple(signposts)


def guild_signposts(stored: str | None) -> tuple[Signpost, ...]:
    """The signposts a guild shows: its own text when it set one, else the UK defaults.

    Stored text was validated when saved; should it no longer parse (say the limits shrank), the defaults are
    shown rather than nothing."""
    try:
        return parse_signposts(stored) or UK_SIGNPOSTS
    except InvalidInput:
        return UK_SIGNPOSTS
