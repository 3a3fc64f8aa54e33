"""Choosing a language: the offer at a person's first contact, and the "Cymraeg" and "English" buttons.

The first time a person meets Cwtch their server's default is used and kept (see :mod:`bot.ui.readers`), and
:func:`offer_if_first_contact` (called by :func:`bot.ui.reply.reply` after the answer) offers them the choice, in
both languages, with a button for each.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.language import Language
from bot.services.languages import Reader
from bot.ui.persistent import guarded
from bot.ui.readers import READER
from bot.ui.reply import unkept

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

_OFFERED = "cwtch_language_offered"

CHOSEN = {
    Language.CY: "Diolch. Bydd Cwtch yn siarad Cymraeg â chi o hyn ymlaen. Newidiwch hyn unrhyw bryd gyda `/iaith`.",
    Language.EN: "Thank you. Cwtch will speak English with you from now on. Change it any time with `/language`.",
}
OFFER = (
    "Hoffech chi ddefnyddio Cwtch yn Gymraeg neu yn Saesneg? Dewiswch isod, neu `/iaith` unrhyw bryd.\n"
    "Would you like Cwtch in Welsh or in English? Choose below, or use `/language` any time."
)


async def offer_if_first_contact(interaction: discord.Interaction[Any]) -> None:
    """After the answer to a person's first contact, offer them the choice of language (once)."""
    reader = interaction.extras.get(READER)
    if not isinstance(reader, Reader) or not reader.first_contact or interaction.extras.get(_OFFERED):
        return
    interaction.extras[_OFFERED] = True
    await interaction.followup.send(
        OFFER, view=language_view(), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


def language_view() -> discord.ui.View:
    """ "Cymraeg" and "English", as sent with the offer (stopped: see ``unkept``)."""
    view = discord.ui.View(timeout=None)
    for language in (Language.CY, Language.EN):
        view.add_item(LanguageButton(language))
    return unkept(view)


class LanguageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cwtch:lang:(?P<language>cy|en)"):
    """ "Cymraeg" or "English": the person's language from now on."""

    def __init__(self, language: Language) -> None:
        super().__init__(
            discord.ui.Button(
                label=language.name_in_itself,
                style=discord.ButtonStyle.primary if language is Language.CY else discord.ButtonStyle.secondary,
                custom_id=f"cwtch:lang:{language.value}",
            )
        )
        self.language = language

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LanguageButton:
        return cls(Language(match["language"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            await choose(interaction, self.language)

        await guarded(interaction, handle)


async def choose(interaction: discord.Interaction[Any], language: Language) -> None:
    """Keep ``language`` for the person and say so, in it."""
    client: CwtchBot = interaction.client
    await client.services.languages.choose(interaction.user.id, language)
    interaction.extras[READER] = Reader(language)
    await interaction.response.send_message(
        CHOSEN[language],
        ephemeral=True,
        allowed_mentions=discord.AllowedMentions.none(),
    )
