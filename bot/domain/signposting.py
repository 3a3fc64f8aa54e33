"""What Cwtch tells people who may need help now, and the ground rules of every session.

The defaults depend on the reader: English readers see the UK services, Welsh readers the services that answer in
Welsh or in Wales (Samaritans' Welsh-language line, the C.A.L.L. helpline, Canopi for NHS and social care staff,
NHS 111 Wales). The texts are English, marked for the catalogue, and translated where they are shown.

A guild's admins may replace the defaults with their own: one service per line, ``Name: how to reach them``, shown
as they typed it to everyone. The limits keep the ``/support`` embed well inside Discord's (25 fields,
256-character field names, 1,024-character values, 6,000 characters in all) and the text inside one modal
paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import InvalidInput
from bot.domain.language import N_, Language


@dataclass(frozen=True, slots=True)
class Signpost:
    name: str
    how: str


EMERGENCY = Signpost(N_("Emergency"), N_("If you or someone else is in immediate danger, call **999**."))
UK_SIGNPOSTS: tuple[Signpost, ...] = (
    EMERGENCY,
    Signpost(N_("Samaritans"), N_("Call **116 123**, free, any time, day or night.")),
    Signpost("Shout", N_("Text **SHOUT** to **85258**, free, 24/7, if you'd rather not talk.")),
    Signpost(N_("NHS 111"), N_("Call **111** or go to 111.nhs.uk when you need urgent help that isn't an emergency.")),
)
# Checked against the services' own pages: Samaritans' Welsh-language line, the C.A.L.L. Mental Health Listening
# Line, Canopi (its phone number could not be verified, so its website is given), NHS 111 Wales.
WALES_SIGNPOSTS: tuple[Signpost, ...] = (
    EMERGENCY,
    Signpost(
        N_("Samaritans in Welsh"),
        N_(
            "Call **0808 164 0123**, free, 7pm to 11pm every day, to talk in Welsh. At any other time, call "
            "**116 123**, free, day or night."
        ),
    ),
    Signpost(
        N_("C.A.L.L. mental health listening line"),
        N_("Call **0800 132 737**, free, 24/7, or text **help** to **81066**."),
    ),
    Signpost(
        "Canopi",
        N_(
            "Free, confidential mental health support for NHS and social care staff in Wales. Refer yourself at "
            "canopi.nhs.wales."
        ),
    ),
    Signpost(N_("NHS 111 Wales"), N_("Call **111** and press **2** for urgent mental health help.")),
)

SUPPORT_INTRO = N_(
    "You don't have to cope alone. Peer support here is not a crisis service, "
    "so if you need help now, please reach out to one of these:"
)

SUPPORT_TEXT_MAX = 1500  # characters of the whole text, as typed in the modal
SUPPORT_LINES_MAX = 10  # services
SIGNPOST_NAME_MAX = 60
SIGNPOST_HOW_MAX = 300

GROUND_RULES: tuple[str, ...] = (
    N_("**Confidentiality**: what is shared in a session stays in the session. Don't repeat names or stories."),
    N_("**Respect**: listen, don't judge, let people finish. Everyone's experience of care work is valid."),
    N_("**Not a crisis service**: peers are not counsellors. If you need help now, use `/support`."),
    N_("**Look after yourself**: you can step away at any time, camera and microphone are your choice."),
)


def default_signposts(language: Language) -> tuple[Signpost, ...]:
    """The signposts a reader sees where the guild kept the defaults (their texts still to translate)."""
    return WALES_SIGNPOSTS if language is Language.CY else UK_SIGNPOSTS


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
            N_("Please keep the signposting to at most {most} characters (this has {length})."),
            most=SUPPORT_TEXT_MAX,
            length=len(raw),
        )
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) > SUPPORT_LINES_MAX:
        raise InvalidInput(
            N_("Please list at most {most} services, one per line (this has {count})."),
            most=SUPPORT_LINES_MAX,
            count=len(lines),
        )
    signposts: list[Signpost] = []
    for number, line in enumerate(lines, start=1):
        name, colon, how = (part.strip() for part in line.partition(":"))
        if not colon or not name or not how:
            raise InvalidInput(
                N_(
                    "Line {number} needs a name, a colon, then how to reach the service, "
                    "e.g. `Samaritans: call 116 123, free, any time`."
                ),
                number=number,
            )
        if len(name) > SIGNPOST_NAME_MAX:
            raise InvalidInput(
                N_("The name on line {number} is longer than {most} characters."), number=number, most=SIGNPOST_NAME_MAX
            )
        if len(how) > SIGNPOST_HOW_MAX:
            raise InvalidInput(
                N_("Line {number} says how to reach the service in {length} characters; please keep it to {most}."),
                number=number,
                length=len(how),
                most=SIGNPOST_HOW_MAX,
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
