"""The community's persistent "Share what works" button and its form: a member's practice, posted in the
resources forum with the "What works" tag."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.community import WHAT_WORKS_ADVICE_MAX, WHAT_WORKS_TEXT_MAX, WHAT_WORKS_TITLE_MAX
from bot.ui.errors import report_error
from bot.ui.links import channel_url
from bot.ui.reply import reply

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

SHARE_ID = "cwtch:whatworks"


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


class WhatWorksModal(discord.ui.Modal):
    """The form: a title, what worked, and (optionally) what they'd tell another manager."""

    def __init__(self) -> None:
        super().__init__(title="Share what works", custom_id=f"{SHARE_ID}:form")
        self.post_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="title",
            max_length=WHAT_WORKS_TITLE_MAX,
            placeholder="e.g. Ten-minute check-ins after hard visits",
        )
        self.what: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="what",
            style=discord.TextStyle.paragraph,
            max_length=WHAT_WORKS_TEXT_MAX,
            placeholder="What you tried, and how it helped you or your team",
        )
        self.advice: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="advice",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=WHAT_WORKS_ADVICE_MAX,
        )
        self.add_item(discord.ui.Label(text="Title", component=self.post_title))
        self.add_item(discord.ui.Label(text="What worked?", component=self.what))
        self.add_item(discord.ui.Label(text="What you'd tell another manager (optional)", component=self.advice))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        shared = await _bot(interaction).services.community.share_what_works(
            interaction.guild_id, interaction.user.id, self.post_title.value, self.what.value, self.advice.value
        )
        await reply(
            interaction,
            f"Thank you for sharing. Your post is up: <#{shared.thread_id}> "
            f"({channel_url(shared.guild_id, shared.thread_id)}).",
        )

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:  # type: ignore[override]
        await report_error(interaction, error)


class WhatWorksButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cwtch:whatworks"):
    """ "Share what works": opens the form for community members; others are pointed at ``/community join``."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(label="Share what works", style=discord.ButtonStyle.primary, custom_id=SHARE_ID)
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> WhatWorksButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _bot(interaction).services.community.check_can_share(interaction.guild_id, interaction.user.id)
            await interaction.response.send_modal(WhatWorksModal())
        except Exception as error:
            await report_error(interaction, error)


def share_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(WhatWorksButton())
    return view
