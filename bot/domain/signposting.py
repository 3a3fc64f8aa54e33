"""What Cwtch tells people who may need help now, and the ground rules of every session."""

from __future__ import annotations

from dataclasses import dataclass


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

GROUND_RULES: tuple[str, ...] = (
    "**Confidentiality**: what is shared in a session stays in the session. Don't repeat names or stories.",
    "**Respect**: listen, don't judge, let people finish. Everyone's experience of care work is valid.",
    "**Not a crisis service**: peers are not counsellors. If you need help now, use `/support`.",
    "**Look after yourself**: you can step away at any time, camera and microphone are your choice.",
)
