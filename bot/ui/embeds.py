"""Embeds Cwtch shows everywhere: crisis signposting and the ground rules, in the reader's language; the colours."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.language import N_, Language
from bot.domain.signposting import GROUND_RULES, SUPPORT_INTRO, Signpost, default_signposts
from bot.i18n import t
from bot.services.support import Signposting

CWTCH_COLOUR = discord.Colour(0x2E8B8B)
SUPPORT_COLOUR = discord.Colour(0xC0392B)


def support_embed(language: Language, signposts: Sequence[Signpost] | None = None) -> discord.Embed:
    """Crisis signposting in ``language``: the guild's own services as its admins typed them, or (``None``) the
    defaults for the reader: the UK's in English, the services that answer in Welsh or in Wales in Welsh."""
    embed = discord.Embed(
        title=t(language, N_("Help, right now")), description=t(language, SUPPORT_INTRO), colour=SUPPORT_COLOUR
    )
    if signposts is None:
        signposts = [Signpost(t(language, s.name), t(language, s.how)) for s in default_signposts(language)]
    for signpost in signposts:
        embed.add_field(name=signpost.name, value=signpost.how, inline=False)
    embed.set_footer(text=t(language, N_("Cwtch peer support is not a crisis service.")))
    return embed


def signposting_embed(signposting: Signposting, language: Language) -> discord.Embed:
    """A guild's signposting as ``language``'s reader sees it."""
    return support_embed(language, signposting.signposts if signposting.customised else None)


def ground_rules_embed(language: Language = Language.EN) -> discord.Embed:
    rules = (t(language, rule) for rule in GROUND_RULES)
    return discord.Embed(
        title=t(language, N_("Ground rules for peer support")),
        description="\n".join(f"{number}. {rule}" for number, rule in enumerate(rules, start=1)),
        colour=CWTCH_COLOUR,
    )
