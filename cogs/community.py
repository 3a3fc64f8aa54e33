"""``/community join|leave``: the wellbeing community of practice, its role and its history."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui.client import CwtchBot
from bot.ui.community_items import share_view
from bot.ui.reply import reply


class CommunityCog(commands.Cog):
    community = app_commands.Group(name="community", description="The wellbeing community of practice", guild_only=True)

    def __init__(self, bot: CwtchBot) -> None:
        self.bot = bot

    @community.command(name="join", description="Join the wellbeing community: find out what works")
    async def join(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        membership = await self.bot.services.community.join(interaction.guild_id, interaction.user.id)
        forum = (
            f" Wellbeing resources and members' posts live in <#{membership.resources_channel_id}>."
            if membership.resources_channel_id
            else ""
        )
        if membership.joined:
            role = f" You now have the <@&{membership.role_id}> role." if membership.role_id else ""
            text = f"Welcome to the wellbeing community!{role}{forum}"
        else:
            text = f"You're already in the wellbeing community, so nothing has changed.{forum}"
        text += " Tried something that helped you or your team? Share it with the others:"
        await reply(interaction, text, view=share_view())

    @community.command(name="leave", description="Leave the wellbeing community")
    async def leave(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.services.community.leave(interaction.guild_id, interaction.user.id)
        await reply(interaction, "You've left the wellbeing community. You're welcome back any time.")


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(CommunityCog(bot))
