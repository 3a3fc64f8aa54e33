"""``/support`` and ``/ground-rules``: answered anywhere, at once, privately."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui.client import CwtchBot
from bot.ui.embeds import ground_rules_embed, support_embed
from bot.ui.reply import reply


class SupportCog(commands.Cog):
    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @app_commands.command(name="support", description="Where to get help right now (crisis signposting)")
    async def support(self, interaction: discord.Interaction[CwtchBot]) -> None:
        await reply(interaction, embed=support_embed())

    @app_commands.command(name="ground-rules", description="The ground rules of our peer-support sessions")
    async def ground_rules(self, interaction: discord.Interaction[CwtchBot]) -> None:
        await reply(interaction, embed=ground_rules_embed())


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(SupportCog(bot))
