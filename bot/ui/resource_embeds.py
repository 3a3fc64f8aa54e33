"""How resources look in Discord: the forum post, the facilitators' review card, search and list results, and
the words a suggester is told.

The forum post and the review card are channel posts, written as the server asks (``posts``); results and the
suggester's DM are for one person, in their language. Tags are shown by their names in the reader's language.
"""

from __future__ import annotations

import discord

from bot.domain.errors import InvalidInput
from bot.domain.language import DEFAULT_LANGUAGE, N_, ChannelPosts, Language
from bot.domain.resources import THEMES, DraftProblems, site_of
from bot.i18n import for_channel, t
from bot.services.ports import ResourceCard, ReviewOutcome
from bot.services.resources import ResourcePage
from bot.ui.embeds import CWTCH_COLOUR
from bot.ui.wording import for_posts, theme_name, theme_names, theme_names_for_channel

SNIPPET = 180  # characters of a summary in a results list (the post shows it whole)
OPEN_NOTE = N_("Press Open for the link. Cwtch counts how often a resource is opened, never who opened it.")
OPEN = N_("Open")


def resource_post_embed(card: ResourceCard, posts: ChannelPosts = ChannelPosts.EN) -> discord.Embed:
    """The forum post: the summary whole, where the link leads, and its tags; the link itself is behind Open."""
    embed = discord.Embed(title=card.title, description=card.summary, colour=CWTCH_COLOUR)
    site = site_of(card.url) or for_channel(posts, N_("the web"), between=" / ")
    embed.add_field(name=for_channel(posts, N_("From"), between=" / "), value=site)
    embed.add_field(name=for_channel(posts, N_("Tags"), between=" / "), value=theme_names_for_channel(card.tags, posts))
    embed.set_footer(text=for_channel(posts, OPEN_NOTE, between="\n"))
    return embed


def review_embed(card: ResourceCard, posts: ChannelPosts = ChannelPosts.EN) -> discord.Embed:
    """A suggestion as facilitators review it, link included so they can check it first."""
    embed = discord.Embed(title=card.title, url=card.url, description=card.summary, colour=CWTCH_COLOUR)
    embed.add_field(name=for_channel(posts, N_("Link"), between=" / "), value=card.url[:1024], inline=False)
    embed.add_field(name=for_channel(posts, N_("Tags"), between=" / "), value=theme_names_for_channel(card.tags, posts))
    if card.suggested_by is not None:
        embed.add_field(name=for_channel(posts, N_("Suggested by"), between=" / "), value=f"<@{card.suggested_by}>")
    return embed


def review_request(card: ResourceCard, posts: ChannelPosts = ChannelPosts.EN) -> str:
    return for_channel(
        posts,
        N_("**Resource suggestion** from <@{user_id}>. Approve posts it in the resources forum."),
        user_id=card.suggested_by,
    )


def review_decision(
    card: ResourceCard, outcome: ReviewOutcome, *, member_told: bool, posts: ChannelPosts = ChannelPosts.EN
) -> str:
    """What the review card says once a facilitator has decided."""

    def written(language: Language) -> str:
        if outcome.approved:
            text = t(
                language,
                N_("**Approved** by <@{reviewer_id}>: now in <#{thread_id}>."),
                reviewer_id=outcome.reviewer_id,
                thread_id=card.thread_id,
            )
            if member_told:
                return text
            return text + " " + t(language, N_("Their DMs are closed, so they were thanked in the post."))
        parts = [
            t(
                language,
                N_("**Declined** by <@{reviewer_id}>; the suggestion was deleted."),
                reviewer_id=outcome.reviewer_id,
            )
        ]
        if outcome.reason:
            parts.append(t(language, N_("Reason given: {reason}"), reason=outcome.reason))
        told = N_("They were told by DM.") if member_told else N_("Their DMs are closed: please let them know.")
        parts.append(t(language, told))
        return " ".join(parts)

    return for_posts(posts, written)


def suggester_message(
    card: ResourceCard, outcome: ReviewOutcome, guild_name: str, language: Language = DEFAULT_LANGUAGE
) -> str:
    """The DM a member gets about their suggestion."""
    if outcome.approved:
        return t(
            language,
            N_(
                "Good news: your resource suggestion **{title}** in **{server}** was approved and is now in "
                "the resources forum: <#{thread_id}>. Thank you for sharing it!"
            ),
            title=card.title,
            server=guild_name,
            thread_id=card.thread_id,
        )
    text = t(
        language,
        N_(
            "Thank you for suggesting **{title}** in **{server}**. A facilitator decided not to add it to "
            "the resources forum this time."
        ),
        title=card.title,
        server=guild_name,
    )
    if not outcome.reason:
        return text
    return text + "\n" + t(language, N_("Their reason: {reason}"), reason=outcome.reason)


def thanks_in_post(user_id: int, posts: ChannelPosts = ChannelPosts.EN) -> str:
    return for_channel(posts, N_("<@{user_id}>, thank you for suggesting this resource!"), user_id=user_id)


def results_embed(page: ResourcePage, language: Language = DEFAULT_LANGUAGE) -> discord.Embed:
    """Search or list results, numbered like their Open buttons, with how many there are in all."""
    tag = theme_name(page.tag, language) if page.tag else None
    if page.query is not None:
        title = t(language, N_("Resources matching “{query}”"), query=page.query[:200])
        if tag:
            empty = t(
                language,
                N_("Nothing tagged **{tag}** matches that. Try another word, or `/resource list` to see everything."),
                tag=tag,
            )
        else:
            empty = t(language, N_("Nothing matches that. Try another word, or `/resource list` to see everything."))
    else:
        title = t(language, N_("Newest resources"))
        if tag:
            empty = t(
                language,
                N_("There are no resources tagged **{tag}** yet. Members can suggest one with `/resource suggest`."),
                tag=tag,
            )
        else:
            empty = t(language, N_("There are no resources yet. Members can suggest one with `/resource suggest`."))
    embed = discord.Embed(title=title, colour=CWTCH_COLOUR)
    if not page.resources:
        embed.description = empty
        return embed
    lines = []
    for number, card in enumerate(page.resources, start=1):
        snippet = card.summary if len(card.summary) <= SNIPPET else card.summary[: SNIPPET - 1].rstrip() + "…"
        post = f" · <#{card.thread_id}>" if card.thread_id else ""
        lines.append(f"**{number}. {card.title}**{post}\n{snippet}\n*{theme_names(card.tags, language)}*")
    tagged = t(language, N_("Tagged **{tag}**."), tag=tag) + "\n\n" if tag else ""
    embed.description = tagged + "\n\n".join(lines)
    shown, note = len(page.resources), t(language, OPEN_NOTE)
    if page.total > shown:
        narrow = (
            N_("Showing {shown} of {total}. Use a more specific word to narrow it down. {note}")
            if page.query is not None
            else N_("Showing {shown} of {total}. Use `/resource search` or a tag to narrow it down. {note}")
        )
        embed.set_footer(text=t(language, narrow, shown=shown, total=page.total, note=note))
    else:
        embed.set_footer(text=t(language, N_("Showing all {shown}. {note}"), shown=shown, note=note))
    return embed


def refusal_text(refusal: InvalidInput, language: Language) -> str:
    """A refusal about a resource's fields in ``language``: each of its problems, and the themes it lists by
    their names in that language."""
    if isinstance(refusal, DraftProblems):
        problems = [refusal_text(problem, language) for problem in refusal.problems]
        if len(problems) == 1:
            return t(language, N_("{problem} Nothing was saved."), problem=problems[0])
        return t(
            language,
            N_("Nothing was saved. Please fix these and try again:\n{problems}"),
            problems="\n".join(f"• {problem}" for problem in problems),
        )
    values = dict(refusal.values)
    if "tags" in values:  # the list of themes (see bot.domain.resources)
        values["tags"] = theme_names(THEMES, language)
    return t(language, refusal.template, **values)
