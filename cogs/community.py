"""``/community join|leave``: the wellbeing community of practice, its role and its history."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.language import N_
from bot.i18n import t
from bot.ui.client import CwtchBot
from bot.ui.community_items import share_view
from bot.ui.readers import language_of
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
        language = await language_of(interaction)
        if not membership.joined:
            parts = [t(language, N_("You're already in the wellbeing community, so nothing has changed."))]
        elif membership.role_id:
            parts = [
                t(
                    language,
                    N_("Welcome to the wellbeing community! You now have the <@&{role_id}> role."),
                    role_id=membership.role_id,
                )
            ]
        else:
            parts = [t(language, N_("Welcome to the wellbeing community!"))]
        if membership.resources_channel_id:
            parts.append(
                t(
                    language,
                    N_("Wellbeing resources and members' posts live in <#{channel_id}>."),
                    channel_id=membership.resources_channel_id,
                )
            )
        parts.append(t(language, N_("Tried something that helped you or your team? Share it with the others:")))
        await reply(interaction, " ".join(parts), view=share_view(language))

    @community.command(name="leave", description="Leave the wellbeing community")
    async def leave(self, interaction: discord.Interaction[CwtchBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.services.community.leave(interaction.guild_id, interaction.user.id)
        language = await language_of(interaction)
        await reply(interaction, t(language, N_("You've left the wellbeing community. You're welcome back any time.")))


async def setup(bot: CwtchBot) -> None:
    await bot.add_cog(CommunityCog(bot))
