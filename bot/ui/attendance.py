"""The facilitator's attendance sheet: two member pickers to mark people present or absent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.ui.actors import actor_of
from bot.ui.errors import report_error
from bot.ui.session_embeds import attendance_embed

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot


class AttendanceView(discord.ui.View):
    def __init__(self, occurrence_id: int) -> None:
        super().__init__(timeout=900)
        self.occurrence_id = occurrence_id

    async def _correct(self, interaction: discord.Interaction[Any], users: list[Any], present: bool) -> None:
        assert interaction.guild_id is not None
        bot: CwtchBot = interaction.client
        sheet = await bot.services.sessions.correct_attendance(
            interaction.guild_id, actor_of(interaction), self.occurrence_id, [user.id for user in users], present
        )
        await interaction.response.edit_message(embed=attendance_embed(sheet), view=self)

    @discord.ui.select(cls=discord.ui.UserSelect, placeholder="Mark present…", min_values=1, max_values=25)
    async def mark_present(self, interaction: discord.Interaction[Any], select: discord.ui.UserSelect[Any]) -> None:
        await self._correct(interaction, list(select.values), present=True)

    @discord.ui.select(cls=discord.ui.UserSelect, placeholder="Mark absent…", min_values=1, max_values=25)
    async def mark_absent(self, interaction: discord.Interaction[Any], select: discord.ui.UserSelect[Any]) -> None:
        await self._correct(interaction, list(select.values), present=False)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)
