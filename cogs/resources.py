"""``/resource``: facilitators add wellbeing resources, members suggest them, everyone searches and lists them."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.language import N_
from bot.domain.resources import (
    SUMMARY_MAX,
    TAG_TEXT_MAX,
    TAGS_TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
    suggest_tags,
    suggest_themes,
)
from bot.i18n import t
from bot.ui.actors import actor_of
from bot.ui.client import CwtchBot
from bot.ui.readers import language_of
from bot.ui.reply import acknowledge, reply
from bot.ui.resource_items import resource_refusals, results_answer
from bot.ui.wording import language_for_autocomplete, names_in, theme_names

TAGS_HELP = "One to five themes, separated by commas, e.g. Mental health, Leadership"
FIELDS_HELP = {
    "title": "The resource's name, as members will see it",
    "url": "The web address, starting with https://",
    "summary": "What it offers and who it helps, in a few sentences",
    "tags": TAGS_HELP,
}


async def _tag_lists(interaction: discord.Interaction[CwtchBot], current: str) -> list[app_commands.Choice[str]]:
    """The themes by their names in the member's language; what is sent back is the themes themselves."""
    language = await language_for_autocomplete(interaction)
    return [
        app_commands.Choice(name=theme_names(tags.split(", "), language)[:100], value=tags)
        for tags in suggest_tags(current, names=names_in(language))
    ]


async def _one_tag(interaction: discord.Interaction[CwtchBot], current: str) -> list[app_commands.Choice[str]]:
    language = await language_for_autocomplete(interaction)
    names = names_in(language)
    return [app_commands.Choice(name=names[theme], value=theme) for theme in suggest_themes(current, names)]


# What Discord lets a member type into each option; the services check it all again.
Tags = app_commands.Range[str, 1, TAGS_TEXT_MAX]
Tag = app_commands.Range[str, 1, TAG_TEXT_MAX]


class ResourceCog(commands.Cog):
    resource = app_commands.Group(name="resource", description="Wellbeing resources", guild_only=True)

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @resource.command(name="add", description="Add a resource to the resources forum (facilitators)")
    @app_commands.describe(**FIELDS_HELP)
    @app_commands.autocomplete(tags=_tag_lists)
    async def add(
        self,
        interaction: discord.Interaction[CwtchBot],
        title: app_commands.Range[str, 1, TITLE_MAX],
        url: app_commands.Range[str, 1, URL_MAX],
        summary: app_commands.Range[str, 1, SUMMARY_MAX],
        tags: Tags,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with resource_refusals(interaction):
            card = await self.bot.services.resources.add(
                interaction.guild_id, actor_of(interaction), title=title, url=url, summary=summary, tags=tags
            )
        text = t(
            await language_of(interaction),
            N_("Added **{title}** to the resources forum: <#{thread_id}>."),
            title=card.title,
            thread_id=card.thread_id,
        )
        await reply(interaction, text)

    @resource.command(name="suggest", description="Suggest a resource; a facilitator reviews it")
    @app_commands.describe(**FIELDS_HELP)
    @app_commands.autocomplete(tags=_tag_lists)
    async def suggest(
        self,
        interaction: discord.Interaction[CwtchBot],
        title: app_commands.Range[str, 1, TITLE_MAX],
        url: app_commands.Range[str, 1, URL_MAX],
        summary: app_commands.Range[str, 1, SUMMARY_MAX],
        tags: Tags,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with resource_refusals(interaction):
            card = await self.bot.services.resources.suggest(
                interaction.guild_id, interaction.user.id, title=title, url=url, summary=summary, tags=tags
            )
        text = t(
            await language_of(interaction),
            N_("Thank you! A facilitator will review **{title}**. I'll tell you by DM when they have decided."),
            title=card.title,
        )
        await reply(interaction, text)

    @resource.command(name="search", description="Find resources by words in their title, summary or tags")
    @app_commands.describe(query="A few words, e.g. sleep or burnout", tag="Only resources with this tag")
    @app_commands.autocomplete(tag=_one_tag)
    async def search(
        self,
        interaction: discord.Interaction[CwtchBot],
        query: app_commands.Range[str, 1, 100],
        tag: Tag | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        acknowledge(interaction)  # at once: a busy moment must not pass Discord's 3 s
        async with resource_refusals(interaction):
            page = await self.bot.services.resources.search(interaction.guild_id, query, tag)
        language = await language_of(interaction)
        embed, view = results_answer(page, language)
        await reply(interaction, embed=embed, view=view)

    @resource.command(name="list", description="The newest resources, optionally with one tag")
    @app_commands.describe(tag="Only resources with this tag")
    @app_commands.autocomplete(tag=_one_tag)
    async def list_(self, interaction: discord.Interaction[CwtchBot], tag: Tag | None = None) -> None:
        assert interaction.guild_id is not None
        async with resource_refusals(interaction):
            page = await self.bot.services.resources.listing(interaction.guild_id, tag)
        language = await language_of(interaction)
        embed, view = results_answer(page, language)
        await reply(interaction, embed=embed, view=view)


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(ResourceCog(bot))
