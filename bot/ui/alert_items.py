"""The "I'll follow this up" button on a safeguarding alert: persistent, carrying the alert's ID
(``cwtch:alert:take:<alert>``). An alert sent by DM is pressed in the DM, so the alert's server comes from the
alert itself, never from the interaction. Its label is written as the alert is; its answers are in the language of
whoever pressed it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.language import N_, ChannelPosts
from bot.i18n import for_channel, t
from bot.ui.actors import actor_of
from bot.ui.persistent import ID, guarded, id_from, require_id
from bot.ui.readers import language_of
from bot.ui.reply import reply

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

TAKE_LABEL = N_("I'll follow this up")


class TakeAlertButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cwtch:alert:take:(?P<alert>{ID})"):
    def __init__(self, alert_id: int, posts: ChannelPosts = ChannelPosts.EN) -> None:
        super().__init__(
            discord.ui.Button(
                label=for_channel(posts, TAKE_LABEL, between=" / "),
                style=discord.ButtonStyle.primary,
                custom_id=f"cwtch:alert:take:{alert_id}",
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
            language = await language_of(interaction)
            if outcome.taken:
                said = t(language, N_("Thank you, it's yours: the others can see you're following this up."))
            elif outcome.taken_by == interaction.user.id:
                said = t(language, N_("You've already taken this on. Thank you."))
            else:
                said = t(
                    language, N_("<@{user}> has already taken this on, so nothing changed."), user=outcome.taken_by
                )
            await reply(interaction, said)

        await guarded(interaction, handle)


def alert_view(alert_id: int, posts: ChannelPosts = ChannelPosts.EN) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TakeAlertButton(alert_id, posts))
    return view
