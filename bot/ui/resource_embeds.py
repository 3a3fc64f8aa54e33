"""How resources look in Discord: the forum post, the facilitators' review card, search and list results, and
the words a suggester is told."""

from __future__ import annotations

import discord

from bot.domain.resources import site_of
from bot.services.ports import ResourceCard, ReviewOutcome
from bot.services.resources import ResourcePage
from bot.ui.embeds import CWTCH_COLOUR

SNIPPET = 180  # characters of a summary in a results list (the post shows it whole)
OPEN_NOTE = "Press Open for the link. Cwtch counts how often a resource is opened, never who opened it."


def resource_post_embed(card: ResourceCard) -> discord.Embed:
    """The forum post: the summary whole, where the link leads, and its tags; the link itself is behind Open."""
    embed = discord.Embed(title=card.title, description=card.summary, colour=CWTCH_COLOUR)
    embed.add_field(name="From", value=site_of(card.url) or "the web")
    embed.add_field(name="Tags", value=", ".join(card.tags))
    embed.set_footer(text=OPEN_NOTE)
    return embed


def review_embed(card: ResourceCard) -> discord.Embed:
    """A suggestion as facilitators review it, link included so they can check it first."""
    embed = discord.Embed(title=card.title, url=card.url, description=card.summary, colour=CWTCH_COLOUR)
    embed.add_field(name="Link", value=card.url[:1024], inline=False)
    embed.add_field(name="Tags", value=", ".join(card.tags))
    if card.suggested_by is not None:
        embed.add_field(name="Suggested by", value=f"<@{card.suggested_by}>")
    return embed


def review_request(card: ResourceCard) -> str:
    return f"**Resource suggestion** from <@{card.suggested_by}>. Approve posts it in the resources forum."


def review_decision(card: ResourceCard, outcome: ReviewOutcome, *, member_told: bool) -> str:
    """What the review card says once a facilitator has decided."""
    if outcome.approved:
        text = f"**Approved** by <@{outcome.reviewer_id}>: now in <#{card.thread_id}>."
        return text + ("" if member_told else " Their DMs are closed, so they were thanked in the post.")
    text = f"**Declined** by <@{outcome.reviewer_id}>; the suggestion was deleted."
    if outcome.reason:
        text += f" Reason given: {outcome.reason}"
    return text + (" They were told by DM." if member_told else " Their DMs are closed: please let them know.")


def suggester_message(card: ResourceCard, outcome: ReviewOutcome, guild_name: str) -> str:
    """The DM a member gets about their suggestion."""
    if outcome.approved:
        return (
            f"Good news: your resource suggestion **{card.title}** in **{guild_name}** was approved and is now in "
            f"the resources forum: <#{card.thread_id}>. Thank you for sharing it!"
        )
    text = (
        f"Thank you for suggesting **{card.title}** in **{guild_name}**. A facilitator decided not to add it to "
        "the resources forum this time."
    )
    return text + (f"\nTheir reason: {outcome.reason}" if outcome.reason else "")


def results_embed(page: ResourcePage) -> discord.Embed:
    """Search or list results, numbered like their Open buttons, with how many there are in all."""
    where = f" tagged **{page.tag}**" if page.tag else ""
    if page.query is not None:
        title = f"Resources matching “{page.query[:200]}”"
        empty = f"Nothing{where} matches that. Try another word, or `/resource list` to see everything."
    else:
        title = "Newest resources"
        empty = f"There are no resources{where} yet. Members can suggest one with `/resource suggest`."
    embed = discord.Embed(title=title, colour=CWTCH_COLOUR)
    if not page.resources:
        embed.description = empty
        return embed
    lines = []
    for number, card in enumerate(page.resources, start=1):
        snippet = card.summary if len(card.summary) <= SNIPPET else card.summary[: SNIPPET - 1].rstrip() + "…"
        post = f" · <#{card.thread_id}>" if card.thread_id else ""
        lines.append(f"**{number}. {card.title}**{post}\n{snippet}\n*{', '.join(card.tags)}*")
    embed.description = (f"Tagged **{page.tag}**.\n\n" if page.tag else "") + "\n\n".join(lines)
    shown = len(page.resources)
    if page.total > shown:
        narrow = "a more specific word" if page.query is not None else "`/resource search` or a tag"
        embed.set_footer(text=f"Showing {shown} of {page.total}. Use {narrow} to narrow it down. {OPEN_NOTE}")
    else:
        embed.set_footer(text=f"Showing all {shown}. {OPEN_NOTE}")
    return embed
