"""The community's persistent "Share what works" button and its form: a member's practice, posted in the
resources forum with the "What works" tag."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.community import WHAT_WORKS_ADVICE_MAX, WHAT_WORKS_TEXT_MAX, WHAT_WORKS_TITLE_MAX
from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.i18n import t
from bot.ui.links import channel_url
from bot.ui.persistent import FormValues, PersistentForm, guarded, guild_of
from bot.ui.readers import language_of
from bot.ui.reply import reply

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

SHARE_ID = "cwtch:whatworks"
SHARE = N_("Share what works")


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


class WhatWorksModal(PersistentForm, template=r"cwtch:whatworks:form"):
    """The form: a title, what worked, and (optionally) what they'd tell another manager."""

    def __init__(self, language: Language) -> None:
        super().__init__(title=t(language, SHARE), custom_id=f"{SHARE_ID}:form")
        post_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="title",
            max_length=WHAT_WORKS_TITLE_MAX,
            placeholder=t(language, N_("e.g. Ten-minute check-ins after hard visits")),
        )
        what: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="what",
            style=discord.TextStyle.paragraph,
            max_length=WHAT_WORKS_TEXT_MAX,
            placeholder=t(language, N_("What you tried, and how it helped you or your team")),
        )
        advice: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="advice",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=WHAT_WORKS_ADVICE_MAX,
        )
        self.add_item(discord.ui.Label(text=t(language, N_("Title")), component=post_title))
        self.add_item(discord.ui.Label(text=t(language, N_("What worked?")), component=what))
        self.add_item(
            discord.ui.Label(text=t(language, N_("What you'd tell another manager (optional)")), component=advice)
        )

    @classmethod
    async def submit(cls, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues) -> None:
        guild_id = guild_of(interaction)
        title, what, advice = values.text("title"), values.text("what"), values.text("advice")
        await interaction.response.defer(ephemeral=True, thinking=True)
        shared = await _bot(interaction).services.community.share_what_works(
            guild_id, interaction.user.id, title, what, advice
        )
        text = t(
            await language_of(interaction),
            N_("Thank you for sharing. Your post is up: <#{thread_id}> ({link})."),
            thread_id=shared.thread_id,
            link=channel_url(shared.guild_id, shared.thread_id),
        )
        await reply(interaction, text)


class WhatWorksButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cwtch:whatworks"):
    """ "Share what works": opens the form for community members; others are pointed at ``/community join``."""

    def __init__(self, label: str = SHARE) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.primary, custom_id=SHARE_ID))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> WhatWorksButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            await _bot(interaction).services.community.check_can_share(guild_of(interaction), interaction.user.id)
            await interaction.response.send_modal(WhatWorksModal(await language_of(interaction)))

        await guarded(interaction, handle)


def share_view(language: Language = DEFAULT_LANGUAGE, *, label: str | None = None) -> discord.ui.View:
    """The "Share what works" button, labelled in ``language`` (or with ``label``: a channel post's own)."""
    view = discord.ui.View(timeout=None)
    view.add_item(WhatWorksButton(label or t(language, SHARE)))
    return view
