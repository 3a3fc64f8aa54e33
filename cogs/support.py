"""``/support`` (and its Welsh twin ``/cymorth``), ``/ground-rules`` and the "Report to facilitators" message menu:
answered anywhere, at once, privately, in the reader's language."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui.client import CwtchBot
from bot.ui.embeds import ground_rules_embed
from bot.ui.readers import language_of
from bot.ui.reply import reply
from bot.ui.safety import report_words
from bot.ui.support import show_signposting

REPORT_MENU = "Report to facilitators"


class SupportCog(commands.Cog):
    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot
        self.report_menu = app_commands.ContextMenu(name=REPORT_MENU, callback=self.report_message)
        self.report_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.report_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.report_menu.name, type=self.report_menu.type)

    @app_commands.command(name="support", description="Where to get help right now (crisis signposting)")
    async def support(self, interaction: discord.Interaction[CwtchBot]) -> None:
        await show_signposting(interaction)

    @app_commands.command(name="cymorth", description="Ble i gael help ar unwaith (where to get help right now)")
    async def cymorth(self, interaction: discord.Interaction[CwtchBot]) -> None:
        await show_signposting(interaction)

    @app_commands.command(name="ground-rules", description="The ground rules of our peer-support sessions")
    async def ground_rules(self, interaction: discord.Interaction[CwtchBot]) -> None:
        await reply(interaction, embed=ground_rules_embed(await language_of(interaction)))

    async def report_message(self, interaction: discord.Interaction[CwtchBot], message: discord.Message) -> None:
        """Send the message's link and the reporter to the facilitators; never the message's text."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.services.safety.report_message(
            interaction.guild_id, interaction.user.id, message.channel.id, message.id, message.jump_url
        )
        await reply(interaction, report_words(outcome, await language_of(interaction)))


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(SupportCog(bot))
