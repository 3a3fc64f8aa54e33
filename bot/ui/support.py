"""Crisis signposting in Discord: the ``/support`` reply, and for admins an "Edit signposting" button that opens
a form prefilled with the guild's services (one per line; empty puts the UK defaults back)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import InvalidInput
from bot.domain.signposting import SUPPORT_TEXT_MAX
from bot.services.support import Signposting
from bot.ui.actors import actor_of
from bot.ui.embeds import support_embed
from bot.ui.persistent import FormValues, PersistentForm, guarded, guild_of
from bot.ui.reply import reply

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

MESSAGE_MAX = 2000


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


async def show_signposting(interaction: discord.Interaction[Any], preface: str | None = None) -> None:
    """Reply with the guild's signposting; admins (Manage Server) also get the "Edit signposting" button."""
    signposting = await _bot(interaction).services.support.signposting(interaction.guild_id)
    view = None
    if interaction.guild_id is not None and interaction.permissions.manage_guild:
        view = discord.ui.View(timeout=None)
        view.add_item(EditSignpostingButton())
    await reply(interaction, preface, embed=support_embed(signposting.signposts), view=view)


class SignpostingModal(PersistentForm, template=r"cwtch:support:form"):
    """The guild's services, one ``Name: how to reach them`` line each."""

    def __init__(self, current: str) -> None:
        super().__init__(title="Crisis signposting for this server", custom_id="cwtch:support:form")
        text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="services",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=SUPPORT_TEXT_MAX,
            default=current,
        )
        self.add_item(
            discord.ui.Label(
                text="Services, one per line",
                description="Name: how to reach them. Leave it empty to go back to the UK defaults.",
                component=text,
            )
        )

    @classmethod
    async def submit(cls, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues) -> None:
        guild_id = guild_of(interaction)
        draft = values.text("services")
        try:
            saved = await _bot(interaction).services.support.update(guild_id, actor_of(interaction), draft)
        except InvalidInput as refused:
            await reply(interaction, _refusal(refused.message, draft))
            return
        await reply(interaction, _saved(saved), embed=support_embed(saved.signposts))


def _saved(saved: Signposting) -> str:
    if not saved.customised:
        return "Back to the UK defaults. This is what members now see with `/support`:"
    return "Saved. This is what members now see with `/support` (and after a worrying feedback comment):"


def _refusal(message: str, draft: str) -> str:
    """The reason, and the admin's draft to copy back (a form's text is lost once it is submitted)."""
    text = f"{message} Nothing was changed."
    quoted = "\n\nHere is what you wrote, to copy and fix:\n```\n" + draft.replace("```", "'''") + "\n```"
    return text + quoted if len(text) + len(quoted) <= MESSAGE_MAX else text


class EditSignpostingButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cwtch:support:edit"):
    """Under ``/support`` for admins; the permission is checked again when pressed."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Edit signposting", style=discord.ButtonStyle.secondary, custom_id="cwtch:support:edit"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> EditSignpostingButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            current = await _bot(interaction).services.support.editable_text(
                guild_of(interaction), actor_of(interaction)
            )
            await interaction.response.send_modal(SignpostingModal(current))

        await guarded(interaction, handle)
