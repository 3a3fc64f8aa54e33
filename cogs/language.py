"""``/language`` and its Welsh twin ``/iaith``: Cymraeg or English, kept for the person wherever they meet Cwtch."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.language import Language
from bot.ui.client import CwtchBot
from bot.ui.language import OFFER, choose, language_view

CHOICES = [app_commands.Choice(name=language.name_in_itself, value=language.value) for language in Language]


class LanguageCog(commands.Cog):
    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @app_commands.command(name="language", description="Use Cwtch in Welsh or English (Cymraeg neu Saesneg)")
    @app_commands.describe(language="Cymraeg or English")
    @app_commands.choices(language=CHOICES)
    async def language(self, interaction: discord.Interaction[CwtchBot], language: str | None = None) -> None:
        await _language(interaction, language)

    @app_commands.command(name="iaith", description="Defnyddio Cwtch yn Gymraeg neu yn Saesneg (Welsh or English)")
    @app_commands.describe(language="Cymraeg neu English")
    @app_commands.rename(language="iaith")
    @app_commands.choices(language=CHOICES)
    async def iaith(self, interaction: discord.Interaction[CwtchBot], language: str | None = None) -> None:
        await _language(interaction, language)


async def _language(interaction: discord.Interaction[CwtchBot], value: str | None) -> None:
    chosen = next((language for language in Language if language.value == value), None)
    if chosen is None:  # none given (or not one of the two): offer both
        await interaction.response.send_message(
            OFFER, view=language_view(), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )
        return
    await choose(interaction, chosen)


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(LanguageCog(bot))
