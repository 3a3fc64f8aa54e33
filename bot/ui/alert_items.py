"""The "I'll follow this up" button on a safeguarding alert: persistent, carrying the alert's ID
(``cwtch:alert:take:<alert>``). An alert sent by DM is pressed in the DM, so the alert's server comes from the
alert itself, never from the interaction."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.ui.actors import actor_of
from bot.ui.persistent import ID, guarded, id_from, require_id
from bot.ui.reply import reply

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot


class TakeAlertButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cwtch:alert:take:(?P<alert>{ID})"):
    def __init__(self, alert_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="I'll follow this up", style=discord.ButtonStyle.primary, custom_id=f"cwtch:alert:take:{alert_id}"
            )
        )
        self.alert_id = alert_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> TakeAlertButton:
        return cls(id_from(match, "alert"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            alert_id = require_id(self.alert_id, "alert")
            await interaction.response.defer(ephemeral=True, thinking=True)
            bot: CwtchBot = interaction.client
            outcome = await bot.services.safety.take(
                alert_id, actor_of(interaction), in_dm=interaction.guild_id is None
            )
            if outcome.taken:
                await reply(interaction, "Thank you, it's yours: the others can see you're following this up.")
            elif outcome.taken_by == interaction.user.id:
                await reply(interaction, "You've already taken this on. Thank you.")
            else:
                await reply(interaction, f"<@{outcome.taken_by}> has already taken this on, so nothing changed.")

        await guarded(interaction, handle)


def alert_view(alert_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TakeAlertButton(alert_id))
    return view
