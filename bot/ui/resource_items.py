"""Persistent buttons of resources: Open (on forum posts and results), Approve and Decline (on facilitators'
review cards), and the form for a reason to decline. Each carries its resource ID in its custom_id
(``cwtch:res:<action>:<id>``); ``from_custom_id`` only parses, and state lives in the database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import InvalidInput
from bot.domain.language import N_, ChannelPosts, Language
from bot.domain.resources import REASON_MAX, DraftProblems, UnknownTheme
from bot.i18n import for_channel, t
from bot.services.ports import ResourceCard
from bot.services.resources import ResourcePage, ReviewResult
from bot.ui.actors import actor_of
from bot.ui.persistent import ID, FormValues, PersistentForm, guarded, guild_of, id_from, require_id
from bot.ui.readers import language_of
from bot.ui.reply import SharedAnswers, reply, shared
from bot.ui.resource_embeds import OPEN, refusal_text, results_embed

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

BUTTON_LABEL_MAX = 80
APPROVE = N_("Approve")
DECLINE = N_("Decline")


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


class OpenResourceButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cwtch:res:open:(?P<resource>{ID})"
):
    """Counts the opening (no user ID kept) and answers, only to the member, with the link."""

    def __init__(self, resource_id: int, label: str = OPEN) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:BUTTON_LABEL_MAX],
                style=discord.ButtonStyle.primary,
                custom_id=f"cwtch:res:open:{resource_id}",
            )
        )
        self.resource_id = resource_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> OpenResourceButton:
        return cls(id_from(match, "resource"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            card = await _bot(interaction).services.resources.open(
                guild_of(interaction), require_id(self.resource_id, "resource")
            )
            language = await language_of(interaction)
            view = discord.ui.View(timeout=None)
            go = t(language, N_("Go to the resource"))
            view.add_item(discord.ui.Button(label=go, url=card.url, style=discord.ButtonStyle.link))
            await reply(interaction, f"**{card.title}**\n{card.url}", view=view)

        await guarded(interaction, handle)


class ApproveResourceButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cwtch:res:approve:(?P<resource>{ID})"
):
    """Facilitators only: posts the suggestion in the resources forum and tells the member."""

    def __init__(self, resource_id: int, label: str = APPROVE) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.success, custom_id=f"cwtch:res:approve:{resource_id}"
            )
        )
        self.resource_id = resource_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ApproveResourceButton:
        return cls(id_from(match, "resource"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            result = await _bot(interaction).services.resources.approve(
                guild_of(interaction), actor_of(interaction), require_id(self.resource_id, "resource")
            )
            await reply(interaction, _reviewed(result, await language_of(interaction), approved=True))

        await guarded(interaction, handle)


class DeclineResourceButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cwtch:res:decline:(?P<resource>{ID})"
):
    """Facilitators only: asks for an optional reason, then deletes the suggestion and tells the member."""

    def __init__(self, resource_id: int, label: str = DECLINE) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"cwtch:res:decline:{resource_id}"
            )
        )
        self.resource_id = resource_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DeclineResourceButton:
        return cls(id_from(match, "resource"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            card = await _bot(interaction).services.resources.pending_for_review(
                guild_of(interaction), actor_of(interaction), require_id(self.resource_id, "resource")
            )
            await interaction.response.send_modal(DeclineModal(card, await language_of(interaction)))

        await guarded(interaction, handle)


class DeclineModal(PersistentForm, template=rf"cwtch:res:decline-form:(?P<resource>{ID})"):
    """An optional reason for the member; custom_id ``cwtch:res:decline-form:<resource>``."""

    def __init__(self, card: ResourceCard, language: Language) -> None:
        super().__init__(
            title=t(language, N_("Decline this suggestion")), custom_id=f"cwtch:res:decline-form:{card.id}"
        )
        reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=REASON_MAX,
            placeholder=t(language, N_("The member sees this in a DM. Leave it empty to just thank them.")),
        )
        self.add_item(discord.ui.Label(text=t(language, N_("A reason for the member (optional)")), component=reason))

    @classmethod
    async def submit(cls, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues) -> None:
        guild_id, resource_id = guild_of(interaction), require_id(id_from(match, "resource"), "resource")
        reason = values.text("reason")
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await _bot(interaction).services.resources.decline(
            guild_id, actor_of(interaction), resource_id, reason
        )
        await reply(interaction, _reviewed(result, await language_of(interaction), approved=False))


def _reviewed(result: ReviewResult, language: Language, *, approved: bool) -> str:
    card, user_id = result.card, result.card.suggested_by
    if approved:
        done = t(
            language,
            N_("Approved: **{title}** is now in <#{thread_id}>."),
            title=card.title,
            thread_id=card.thread_id,
        )
        told = (
            N_("I've told <@{user_id}> by DM.")
            if result.member_told
            else N_("<@{user_id}>'s DMs are closed, so I thanked them in the post.")
        )
    else:
        done = t(language, N_("Declined: **{title}** was deleted."), title=card.title)
        told = (
            N_("I've told <@{user_id}> by DM.")
            if result.member_told
            else N_("<@{user_id}>'s DMs are closed, so please let them know.")
        )
    return f"{done} {t(language, told, user_id=user_id)}"


@asynccontextmanager
async def resource_refusals(interaction: discord.Interaction[Any]) -> AsyncIterator[None]:
    """Refusals about a resource's fields that list several problems or the themes, shown whole in the reader's
    language (the error funnel translates a refusal's message, not the problems or themes inside it)."""
    try:
        yield
    except (DraftProblems, UnknownTheme) as refusal:
        raise InvalidInput(refusal_text(refusal, await language_of(interaction))) from refusal


RESOURCE_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    OpenResourceButton,
    ApproveResourceButton,
    DeclineResourceButton,
)


def open_view(resource_id: int, posts: ChannelPosts = ChannelPosts.EN) -> discord.ui.View:
    """The Open button of a forum post (a channel post)."""
    view = discord.ui.View(timeout=None)
    view.add_item(OpenResourceButton(resource_id, for_channel(posts, OPEN, between=" / ")))
    return view


_RESULTS: SharedAnswers[tuple[ResourcePage, Language], tuple[discord.Embed, discord.ui.View | None]] = SharedAnswers()


def results_answer(page: ResourcePage, language: Language) -> tuple[discord.Embed, discord.ui.View | None]:
    """A search's or list's answer for ``page``, drawn once for everyone shown the same results (``SharedAnswers``)."""
    return _RESULTS.get((page, language), lambda: (results_embed(page, language), shared(results_view(page.resources))))


def results_view(cards: Sequence[ResourceCard]) -> discord.ui.View | None:
    """An Open button per result, numbered like the list (at most 25, five to a row)."""
    if not cards:
        return None
    view = discord.ui.View(timeout=None)
    for number, card in enumerate(cards[:25], start=1):
        view.add_item(OpenResourceButton(card.id, label=f"{number}. {card.title}"))
    return view


def review_view(resource_id: int, posts: ChannelPosts = ChannelPosts.EN) -> discord.ui.View:
    """Approve and Decline, on a review card in the facilitators' channel (a channel post)."""
    view = discord.ui.View(timeout=None)
    view.add_item(ApproveResourceButton(resource_id, for_channel(posts, APPROVE, between=" / ")))
    view.add_item(DeclineResourceButton(resource_id, for_channel(posts, DECLINE, between=" / ")))
    return view
