"""The community's persistent "Share what works" button and its form: a member's practice, posted in the
resources forum with the "What works" tag."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.community import WHAT_WORKS_ADVICE_MAX, WHAT_WORKS_TEXT_MAX, WHAT_WORKS_TITLE_MAX
from bot.ui.links import channel_url
from bot.ui.persistent import FormValues, PersistentForm, guarded, guild_of
from bot.ui.reply import reply

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

SHARE_ID = "cwtch:whatworks"


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


class WhatWorksModal(PersistentForm, template=r"cwtch:whatworks:form"):
    """The form: a title, what worked, and (optionally) what they'd tell another manager."""

    def __init__(self) -> None:
        super().__init__(title="Share what works", custom_id=f"{SHARE_ID}:form")
        post_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="title",
            max_length=WHAT_WORKS_TITLE_MAX,
            placeholder="e.g. Ten-minute check-ins after hard visits",
        )
        what: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="what",
            style=discord.TextStyle.paragraph,
            max_length=WHAT_WORKS_TEXT_MAX,
            placeholder="What you tried, and how it helped you or your team",
        )
        advice: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="advice",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=WHAT_WORKS_ADVICE_MAX,
        )
        self.add_item(discord.ui.Label(text="Title", component=post_title))
        self.add_item(discord.ui.Label(text="What worked?", component=what))
        self.add_item(discord.ui.Label(text="What you'd tell another manager (optional)", component=advice))

    @classmethod
    async def submit(cls, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues) -> None:
        guild_id = guild_of(interaction)
        title, what, advice = values.text("title"), values.text("what"), values.text("advice")
        await interaction.response.defer(ephemeral=True, thinking=True)
        shared = await _bot(interaction).services.community.share_what_works(
            guild_id, interaction.user.id, title, what, advice
        )
        await reply(
            interaction,
            f"Thank you for sharing. Your post is up: <#{shared.thread_id}> "
            f"({channel_url(shared.guild_id, shared.thread_id)}).",
        )


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
        async def handle() -> None:
            await _bot(interaction).services.community.check_can_share(guild_of(interaction), interaction.user.id)
            await interaction.response.send_modal(WhatWorksModal())

        await guarded(interaction, handle)


def share_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(WhatWorksButton())
    return view
