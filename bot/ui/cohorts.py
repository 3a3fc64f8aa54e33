"""How cohorts look to the person who asked: ``/cohort list`` and a new cohort, in their language."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.language import N_, Language
from bot.i18n import t
from bot.services.cohorts import CohortInfo
from bot.ui.embeds import CWTCH_COLOUR
from bot.ui.wording import counted

LISTED_MAX = 25  # Discord's limit of fields in an embed


def cohort_list_embed(cohorts: Sequence[CohortInfo], language: Language) -> discord.Embed:
    embed = discord.Embed(title=t(language, N_("Cohorts")), colour=CWTCH_COLOUR)
    if not cohorts:
        embed.description = t(
            language, N_("There are no cohorts here yet. A facilitator can create one with `/cohort create`.")
        )
        return embed
    embed.description = t(
        language, N_("Join one with `/cohort join`.") if len(cohorts) <= LISTED_MAX else N_("The first 25 are shown.")
    )
    for cohort in cohorts[:LISTED_MAX]:
        name = t(language, N_("{name} (you're in it)"), name=cohort.name) if cohort.is_member else cohort.name
        members = counted(language, cohort.member_count, N_("{count} member"), N_("{count} members"))
        embed.add_field(
            name=name[:256],
            value=f"{cohort.description[:700]}\n<#{cohort.channel_id}> · {members} · {cohort.timezone}",
            inline=False,
        )
    return embed


def cohort_created_embed(cohort: CohortInfo, language: Language) -> discord.Embed:
    embed = discord.Embed(
        title=t(language, N_("Cohort created: {name}"), name=cohort.name)[:256],
        description=cohort.description,
        colour=CWTCH_COLOUR,
    )
    embed.add_field(name=t(language, N_("Channel")), value=f"<#{cohort.channel_id}>")
    role = f"<@&{cohort.role_id}>" if cohort.role_id else t(language, N_("none"))
    embed.add_field(name=t(language, N_("Role on join")), value=role)
    embed.add_field(name=t(language, N_("Time zone")), value=cohort.timezone)
    return embed
