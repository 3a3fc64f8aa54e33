"""``/language`` and its Welsh twin ``/iaith``: Cymraeg or English, kept for the person wherever they meet Cwtch."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.language import Language
from bot.ui.client import CwtchBot
from bot.ui.language import OFFER, choose, language_view
from bot.ui.session_items import prefer_welsh_sessions

CHOICES = [app_commands.Choice(name=language.name_in_itself, value=language.value) for language in Language]


class LanguageCog(commands.Cog):
    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @app_commands.command(name="language", description="Use Cwtch in Welsh or English (Cymraeg neu Saesneg)")
    @app_commands.describe(
        language="Cymraeg or English", welsh_sessions="Would you prefer Welsh-medium sessions? (this server)"
    )
    @app_commands.choices(language=CHOICES)
    async def language(
        self,
        interaction: discord.Interaction[CwtchBot],
        language: str | None = None,
        welsh_sessions: bool | None = None,
    ) -> None:
        await _language(interaction, language, welsh_sessions)

    @app_commands.command(name="iaith", description="Defnyddio Cwtch yn Gymraeg neu yn Saesneg (Welsh or English)")
    @app_commands.describe(
        language="Cymraeg neu English", welsh_sessions="Hoffech chi sesiynau cyfrwng Cymraeg? (y gweinydd hwn)"
    )
    @app_commands.rename(language="iaith", welsh_sessions="sesiynau_cymraeg")
    @app_commands.choices(language=CHOICES)
    async def iaith(
        self,
        interaction: discord.Interaction[CwtchBot],
        language: str | None = None,
        welsh_sessions: bool | None = None,
    ) -> None:
        await _language(interaction, language, welsh_sessions)


async def _language(interaction: discord.Interaction[CwtchBot], value: str | None, welsh_sessions: bool | None) -> None:
    chosen = next((language for language in Language if language.value == value), None)
    if chosen is not None:
        await choose(interaction, chosen)
    elif welsh_sessions is None:  # nothing given (or not one of the two): offer both
        await interaction.response.send_message(
            OFFER, view=language_view(), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )
    if welsh_sessions is not None:  # said after the choice of language, in it
        await prefer_welsh_sessions(interaction, welsh_sessions)


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(LanguageCog(bot))
