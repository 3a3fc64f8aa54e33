"""``/privacy`` in Discord: the notice embed, the export file, and the erasure confirmation buttons
(``cwtch:privacy:<erase|keep>:<user>:<issued>``: only the member who asked can press them, for a few minutes).
All in the reader's language (the export's keys stay data names)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import NotAllowed
from bot.domain.ids import SNOWFLAKE_MAX
from bot.domain.language import N_, Language
from bot.domain.privacy import NoticeSection
from bot.i18n import t
from bot.services.privacy import ErasureOutcome
from bot.ui.embeds import CWTCH_COLOUR
from bot.ui.persistent import ID, guarded, guild_of, id_from
from bot.ui.readers import language_of

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

ERASE, KEEP = "erase", "keep"
ASK_TO_ERASE = N_(
    "**Erase your data in this server?** This deletes your cohort memberships, RSVPs (your places in upcoming "
    "sessions go to the waitlist), attendance, feedback answers and comments, settings (your language too), "
    "community history, suggestions and the reports you filed, and removes your ID from records that are also "
    "other people's. Coordinators' totals will no longer count you. This can't be undone; `/privacy export` "
    "first if you want a copy."
)
EXPORTED = N_("Here is everything Cwtch holds about you in this server. Only you can see this message.")


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


def notice_embed(sections: Sequence[NoticeSection], language: Language = Language.EN) -> discord.Embed:
    embed = discord.Embed(
        title=t(language, N_("Your data and Cwtch")),
        description=t(language, N_("What Cwtch holds about you in this server, why, and for how long.")),
        colour=CWTCH_COLOUR,
    )
    for section in sections:
        embed.add_field(
            name=t(language, section.title), value=t(language, section.template, **section.values), inline=False
        )
    return embed


def export_file(data: dict[str, Any], guild_id: int) -> discord.File:
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False).encode()
    return discord.File(io.BytesIO(body), filename=f"cwtch-my-data-{guild_id}.json")


def erased_text(outcome: ErasureOutcome, language: Language = Language.EN) -> str:
    deleted, anonymised = sum(outcome.deleted.values()), sum(outcome.anonymised.values())
    if anonymised:
        done = N_(
            "Done: your data in this server is erased ({deleted} records deleted, your ID removed from {anonymised} "
            "shared records). Nothing of yours is left in Cwtch here; your Discord account and messages are "
            "untouched."
        )
    else:
        done = N_(
            "Done: your data in this server is erased ({deleted} records deleted). Nothing of yours is left in "
            "Cwtch here; your Discord account and messages are untouched."
        )
    parts = [t(language, done, deleted=deleted, anonymised=anonymised)]
    if outcome.roles_removed:
        parts.append(t(language, N_("Your cohort and community roles were taken back.")))
    if outcome.posts_kept:
        one = N_(
            'I couldn\'t delete your "what works" post in the resources forum; a facilitator can remove it for you.'
        )
        many = N_(
            'I couldn\'t delete your "what works" posts in the resources forum; a facilitator can remove them for you.'
        )
        parts.append(t(language, one if outcome.posts_kept == 1 else many))
    if outcome.roles_kept:
        roles = ", ".join(f"<@&{role_id}>" for role_id in outcome.roles_kept)
        if len(outcome.roles_kept) == 1:
            kept = N_("I couldn't take back {roles} (Discord didn't let me); an admin can remove it for you.")
        else:
            kept = N_("I couldn't take back {roles} (Discord didn't let me); an admin can remove them for you.")
        parts.append(t(language, kept, roles=roles))
    return " ".join(parts)


class EraseButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"cwtch:privacy:(?P<choice>erase|keep):(?P<user>{ID}):(?P<issued>{ID})",
):
    def __init__(self, choice: str, user_id: int, issued_at: int, language: Language = Language.EN) -> None:
        erase = choice == ERASE
        super().__init__(
            discord.ui.Button(
                label=t(language, N_("Yes, erase my data") if erase else N_("Cancel")),
                style=discord.ButtonStyle.danger if erase else discord.ButtonStyle.secondary,
                custom_id=f"cwtch:privacy:{choice}:{user_id}:{issued_at}",
            )
        )
        self.choice = choice
        self.user_id = user_id
        self.issued_at = issued_at

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> EraseButton:
        return cls(match["choice"], id_from(match, "user", SNOWFLAKE_MAX), int(match["issued"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, lambda: self._handle(interaction))

    async def _handle(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = guild_of(interaction)
        if interaction.user.id != self.user_id:
            raise NotAllowed(
                N_("This button belongs to the member who asked; use `/privacy delete` for your own data.")
            )
        language = await language_of(interaction)  # read before the erasure, which erases it too
        if self.choice == KEEP:
            kept = t(language, N_("Nothing was erased; your data is as it was."))
            await interaction.response.edit_message(content=kept, view=None)
            return
        privacy = _bot(interaction).services.privacy
        privacy.check_confirmation(self.issued_at)
        await interaction.response.defer()  # erasing and taking roles back can take a few seconds
        outcome = await privacy.erase(guild_id, interaction.user.id)
        _bot(interaction).services.languages.forget(interaction.user.id)  # erased too: asked again next time
        await interaction.edit_original_response(content=erased_text(outcome, language), view=None)


def erase_view(user_id: int, issued_at: int, language: Language = Language.EN) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(EraseButton(ERASE, user_id, issued_at, language))
    view.add_item(EraseButton(KEEP, user_id, issued_at, language))
    return view
