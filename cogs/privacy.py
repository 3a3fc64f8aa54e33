"""``/privacy notice|export|delete``: what Cwtch holds about a member, a copy of it, and its erasure."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui.client import CwtchBot
from bot.ui.privacy import ASK_TO_ERASE, erase_view, export_file, notice_embed
from bot.ui.reply import reply


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(name="privacy", description="Your data in Cwtch", guild_only=True)

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @privacy.command(name="notice", description="What Cwtch holds about you, why, and for how long")
    async def notice(self, interaction: discord.Interaction[CwtchBot]) -> None:
        await reply(interaction, embed=notice_embed(self.bot.services.privacy.notice()))

    @privacy.command(name="export", description="A copy of everything Cwtch holds about you here (a JSON file)")
    async def export(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.bot.services.privacy.export(interaction.guild_id, interaction.user.id)
        await reply(
            interaction,
            "Here is everything Cwtch holds about you in this server. Only you can see this message.",
            file=export_file(data, interaction.guild_id),
        )

    @privacy.command(name="delete", description="Erase everything Cwtch holds about you here (asks to confirm)")
    async def delete(self, interaction: discord.Interaction[CwtchBot]) -> None:
        issued = self.bot.services.privacy.confirmation()
        await reply(interaction, ASK_TO_ERASE, view=erase_view(interaction.user.id, issued))


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
