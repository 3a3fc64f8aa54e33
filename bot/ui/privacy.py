"""``/privacy`` in Discord: the notice embed, the export file, and the erasure confirmation buttons
(``cwtch:privacy:<erase|keep>:<user>:<issued>``: only the member who asked can press them, for a few minutes)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import NotAllowed
from bot.domain.ids import SNOWFLAKE_MAX
from bot.domain.privacy import NoticeSection
from bot.services.privacy import ErasureOutcome
from bot.ui.embeds import CWTCH_COLOUR
from bot.ui.persistent import ID, guarded, guild_of, id_from

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

ERASE, KEEP = "erase", "keep"
ASK_TO_ERASE = (
    "**Erase your data in this server?** This deletes your cohort memberships, RSVPs (your places in upcoming "
    "sessions go to the waitlist), attendance, feedback answers and comments, settings, community history, "
    "suggestions and the reports you filed, and removes your ID from records that are also other people's. "
    "Coordinators' totals will no longer count you. This can't be undone; `/privacy export` first if you want "
    "a copy."
)


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


def notice_embed(sections: Sequence[NoticeSection]) -> discord.Embed:
    embed = discord.Embed(
        title="Your data and Cwtch",
        description="What Cwtch holds about you in this server, why, and for how long.",
        colour=CWTCH_COLOUR,
    )
    for section in sections:
        embed.add_field(name=section.title, value=section.text, inline=False)
    return embed


def export_file(data: dict[str, Any], guild_id: int) -> discord.File:
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False).encode()
    return discord.File(io.BytesIO(body), filename=f"cwtch-my-data-{guild_id}.json")


def erased_text(outcome: ErasureOutcome) -> str:
    deleted, anonymised = sum(outcome.deleted.values()), sum(outcome.anonymised.values())
    text = (
        f"Done: your data in this server is erased ({deleted} records deleted"
        + (f", your ID removed from {anonymised} shared records" if anonymised else "")
        + "). Nothing of yours is left in Cwtch here; your Discord account and messages are untouched."
    )
    if outcome.roles_removed:
        text += " Your cohort and community roles were taken back."
    if outcome.posts_kept:
        text += (
            ' I couldn\'t delete your "what works" post'
            + ("s" if outcome.posts_kept > 1 else "")
            + " in the resources forum; a facilitator can remove it for you."
        )
    if outcome.roles_kept:
        roles = ", ".join(f"<@&{role_id}>" for role_id in outcome.roles_kept)
        text += (
            f" I couldn't take back {roles} (Discord didn't let me); an admin can remove "
            f"{'it' if len(outcome.roles_kept) == 1 else 'them'} for you."
        )
    return text


class EraseButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"cwtch:privacy:(?P<choice>erase|keep):(?P<user>{ID}):(?P<issued>{ID})",
):
    def __init__(self, choice: str, user_id: int, issued_at: int) -> None:
        erase = choice == ERASE
        super().__init__(
            discord.ui.Button(
                label="Yes, erase my data" if erase else "Cancel",
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
            raise NotAllowed("This button belongs to the member who asked; use `/privacy delete` for your own data.")
        if self.choice == KEEP:
            await interaction.response.edit_message(content="Nothing was erased; your data is as it was.", view=None)
            return
        privacy = _bot(interaction).services.privacy
        privacy.check_confirmation(self.issued_at)
        await interaction.response.defer()  # erasing and taking roles back can take a few seconds
        outcome = await privacy.erase(guild_id, interaction.user.id)
        await interaction.edit_original_response(content=erased_text(outcome), view=None)


def erase_view(user_id: int, issued_at: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(EraseButton(ERASE, user_id, issued_at))
    view.add_item(EraseButton(KEEP, user_id, issued_at))
    return view
