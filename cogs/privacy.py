"""``/privacy notice|export|delete``: what Cwtch holds about a member, a copy of it, and its erasure; in the
member's language."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import t
from bot.ui.client import CwtchBot
from bot.ui.privacy import ASK_TO_ERASE, EXPORTED, erase_view, export_file, notice_embed
from bot.ui.readers import language_of
from bot.ui.reply import reply


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(name="privacy", description="Your data in Cwtch", guild_only=True)

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @privacy.command(name="notice", description="What Cwtch holds about you, why, and for how long")
    async def notice(self, interaction: discord.Interaction[CwtchBot]) -> None:
        language = await language_of(interaction)
        await reply(interaction, embed=notice_embed(self.bot.services.privacy.notice(), language))

    @privacy.command(name="export", description="A copy of everything Cwtch holds about you here (a JSON file)")
    async def export(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        language = await language_of(interaction)
        data = await self.bot.services.privacy.export(interaction.guild_id, interaction.user.id, language)
        await reply(interaction, t(language, EXPORTED), file=export_file(data, interaction.guild_id))

    @privacy.command(name="delete", description="Erase everything Cwtch holds about you here (asks to confirm)")
    async def delete(self, interaction: discord.Interaction[CwtchBot]) -> None:
        issued = self.bot.services.privacy.confirmation()
        language = await language_of(interaction)
        await reply(interaction, t(language, ASK_TO_ERASE), view=erase_view(interaction.user.id, issued, language))


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
