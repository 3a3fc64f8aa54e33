"""Embeds Cwtch shows: signposting, ground rules, cohorts, setup summaries."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.signposting import GROUND_RULES, SUPPORT_INTRO, UK_SIGNPOSTS, Signpost
from bot.services.cohorts import CohortInfo
from bot.services.guild_setup import GuildConfig

CWTCH_COLOUR = discord.Colour(0x2E8B8B)
SUPPORT_COLOUR = discord.Colour(0xC0392B)


def support_embed(signposts: Sequence[Signpost] = UK_SIGNPOSTS) -> discord.Embed:
    """Crisis signposting: the guild's own services, or the UK defaults."""
    embed = discord.Embed(title="Help, right now", description=SUPPORT_INTRO, colour=SUPPORT_COLOUR)
    for signpost in signposts:
        embed.add_field(name=signpost.name, value=signpost.how, inline=False)
    embed.set_footer(text="Cwtch peer support is not a crisis service.")
    return embed


def ground_rules_embed() -> discord.Embed:
    return discord.Embed(
        title="Ground rules for peer support",
        description="\n".join(f"{number}. {rule}" for number, rule in enumerate(GROUND_RULES, start=1)),
        colour=CWTCH_COLOUR,
    )


def cohort_list_embed(cohorts: Sequence[CohortInfo]) -> discord.Embed:
    embed = discord.Embed(title="Cohorts", colour=CWTCH_COLOUR)
    if not cohorts:
        embed.description = "There are no cohorts here yet. A facilitator can create one with `/cohort create`."
        return embed
    embed.description = "Join one with `/cohort join`." if len(cohorts) <= 25 else "The first 25 are shown."
    for cohort in cohorts[:25]:
        mark = " (you're in it)" if cohort.is_member else ""
        members = "1 member" if cohort.member_count == 1 else f"{cohort.member_count} members"
        embed.add_field(
            name=f"{cohort.name}{mark}"[:256],
            value=f"{cohort.description[:700]}\n<#{cohort.channel_id}> · {members} · {cohort.timezone}",
            inline=False,
        )
    return embed


def cohort_created_embed(cohort: CohortInfo) -> discord.Embed:
    embed = discord.Embed(title=f"Cohort created: {cohort.name}", description=cohort.description, colour=CWTCH_COLOUR)
    embed.add_field(name="Channel", value=f"<#{cohort.channel_id}>")
    embed.add_field(name="Role on join", value=f"<@&{cohort.role_id}>" if cohort.role_id else "none")
    embed.add_field(name="Time zone", value=cohort.timezone)
    return embed


def setup_embed(config: GuildConfig) -> discord.Embed:
    def role(role_id: int | None) -> str:
        return f"<@&{role_id}>" if role_id else "not set"

    def channel(channel_id: int | None) -> str:
        return f"<#{channel_id}>" if channel_id else "not set"

    embed = discord.Embed(title="Cwtch setup", colour=CWTCH_COLOUR)
    embed.add_field(name="Facilitator role", value=role(config.facilitator_role_id))
    embed.add_field(name="Coordinator role", value=role(config.coordinator_role_id))
    embed.add_field(name="\u200b", value="\u200b")
    embed.add_field(name="Announcements", value=channel(config.announcements_channel_id))
    embed.add_field(name="Resources", value=channel(config.resources_channel_id))
    embed.add_field(name="Facilitators", value=channel(config.facilitators_channel_id))
    return embed
