"""Crisis signposting in Discord: the ``/support`` reply (``/cymorth`` in Welsh), and for admins an "Edit
signposting" button that opens a form prefilled with the guild's services (one per line; empty puts the defaults
back). Everything is in the reader's language, except the services a guild's admins typed: those are their words."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import InvalidInput
from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.domain.signposting import SUPPORT_TEXT_MAX, Signpost, default_signposts, signposts_text
from bot.i18n import t
from bot.services.support import Signposting
from bot.ui.actors import actor_of
from bot.ui.embeds import signposting_embed
from bot.ui.persistent import FormValues, PersistentForm, guarded, guild_of
from bot.ui.readers import language_of
from bot.ui.reply import reply

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

log = logging.getLogger(__name__)
MESSAGE_MAX = 2000
EDIT_LABEL = N_("Edit signposting")


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


async def show_signposting(interaction: discord.Interaction[Any]) -> None:
    """Reply with the guild's signposting; admins (Manage Server) also get the "Edit signposting" button."""
    signposting = await _bot(interaction).services.support.signposting(interaction.guild_id)
    try:
        language = await language_of(interaction)
    except Exception:  # someone who needs help now gets it, in English if their language can't be read
        log.warning("could not read the language of user %s; signposting in English", interaction.user.id)
        language = DEFAULT_LANGUAGE
    view = None
    if interaction.guild_id is not None and interaction.permissions.manage_guild:
        view = discord.ui.View(timeout=None)
        view.add_item(EditSignpostingButton(language))
    await reply(interaction, embed=signposting_embed(signposting, language), view=view)


class SignpostingModal(PersistentForm, template=r"cwtch:support:form"):
    """The guild's services, one ``Name: how to reach them`` line each."""

    def __init__(self, current: str, language: Language = Language.EN) -> None:
        super().__init__(title=t(language, N_("Crisis signposting for this server")), custom_id="cwtch:support:form")
        text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="services",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=SUPPORT_TEXT_MAX,
            default=current,
        )
        self.add_item(
            discord.ui.Label(
                text=t(language, N_("Services, one per line")),
                description=t(language, N_("Name: how to reach them. Leave it empty to go back to the defaults.")),
                component=text,
            )
        )

    @classmethod
    async def submit(cls, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues) -> None:
        guild_id = guild_of(interaction)
        draft = values.text("services")
        language = await language_of(interaction)
        try:
            saved = await _bot(interaction).services.support.update(guild_id, actor_of(interaction), draft)
        except InvalidInput as refused:
            await reply(interaction, _refusal(t(language, refused.template, **refused.values), draft, language))
            return
        await reply(interaction, _saved(saved, language), embed=signposting_embed(saved, language))


def editable_text(signposting: Signposting, language: Language) -> str:
    """What the form is prefilled with: the guild's own services, or the defaults as ``language``'s reader sees
    them (saving those unchanged keeps them, in that language, for everyone)."""
    if signposting.customised:
        return signposts_text(signposting.signposts)
    shown = tuple(Signpost(t(language, s.name), t(language, s.how)) for s in default_signposts(language))
    return signposts_text(shown)


def _saved(saved: Signposting, language: Language) -> str:
    if not saved.customised:
        return t(language, N_("Back to the UK defaults. This is what members now see with `/support`:"))
    return t(
        language,
        N_("Saved. This is what members now see with `/support` (and after a worrying feedback comment):"),
    )


def _refusal(message: str, draft: str, language: Language) -> str:
    """The reason, and the admin's draft to copy back (a form's text is lost once it is submitted)."""
    text = message + " " + t(language, N_("Nothing was changed."))
    again = t(language, N_("Here is what you wrote, to copy and fix:"))
    quoted = f"\n\n{again}\n```\n" + draft.replace("```", "'''") + "\n```"
    return text + quoted if len(text) + len(quoted) <= MESSAGE_MAX else text


class EditSignpostingButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cwtch:support:edit"):
    """Under ``/support`` for admins; the permission is checked again when pressed."""

    def __init__(self, language: Language = Language.EN) -> None:
        super().__init__(
            discord.ui.Button(
                label=t(language, EDIT_LABEL), style=discord.ButtonStyle.secondary, custom_id="cwtch:support:edit"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> EditSignpostingButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            signposting = await _bot(interaction).services.support.editable(
                guild_of(interaction), actor_of(interaction)
            )
            language = await language_of(interaction)
            await interaction.response.send_modal(SignpostingModal(editable_text(signposting, language), language))

        await guarded(interaction, handle)
