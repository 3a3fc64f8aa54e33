"""Use cases of ``/resource``: facilitators add wellbeing resources to the resources forum, members suggest them
(a facilitator approves or declines, and the member is told), everyone searches, lists and opens them.

Opening a resource through the bot is counted without keeping who opened it.

Discord is never called while a write unit of work is open: on SQLite that holds the process's only write lock,
and every RSVP or feedback would wait for Discord (seconds, when it rate-limits us). So a new or approved resource
is committed first (its post carries its ID, on the Open button), then posted; if Discord refuses, a compensating
unit of work undoes the row, and only a post that was made is recorded and audited. For that moment an approved
resource may have no ``thread_id`` yet; everything that shows one copes without it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import TypeVar

from bot.db.models import GuildSettings, Resource
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import resources as rules
from bot.domain.access import Actor, require_facilitator
from bot.domain.errors import AlreadyExists, InvalidInput, NotConfigured, NotFound
from bot.domain.language import DEFAULT_LANGUAGE, N_, ChannelPosts, Language
from bot.domain.resources import THEMES, ResourceStatus
from bot.i18n import t
from bot.services.batching import Batcher
from bot.services.cohorts import guild_roles
from bot.services.ports import ResourceCard, ResourceGateway, ReviewOutcome

log = logging.getLogger(__name__)
Search = tuple[int, tuple[str, ...], str | None]  # guild, search terms, theme
Clock = Callable[[], datetime]
PAGE_SIZE = 10  # results a search or list shows; the reply says how many there are in all
T = TypeVar("T")


@cache
def theme_aliases() -> dict[str, str]:
    """The themes' names in the other languages (case folded), each to its theme: a member may type a tag, or
    search for one, by its Welsh name. The tags themselves stay as they are stored, in English."""
    return {
        name.casefold(): theme
        for language in Language
        if language is not Language.EN
        for theme in THEMES
        if (name := t(language, theme)) != theme
    }


@dataclass(frozen=True, slots=True)
class ResourcePage:
    """The first results of a search or list, and how many there are in all."""

    resources: tuple[ResourceCard, ...]
    total: int
    tag: str | None = None
    query: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewResult:
    card: ResourceCard
    member_told: bool  # by DM; False when their DMs are closed (an approval then thanks them in the post)


class ResourceService:
    def __init__(self, uow: UnitOfWorkFactory, gateway: ResourceGateway, *, clock: Clock) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._searches: Batcher[Search, tuple[tuple[ResourceCard, ...], int]] = Batcher(self._read_searches)

    async def add(self, guild_id: int, actor: Actor, *, title: str, url: str, summary: str, tags: str) -> ResourceCard:
        """Post a resource in the forum straight away (facilitators). Nothing is kept if Discord refuses."""
        settings = await self._settings(guild_id, actor)
        draft = rules.check_draft(title, url, summary, tags, theme_aliases())
        forum_id = await self._forum(guild_id, settings)
        async with self._uow() as uow:
            await self._refuse_duplicate(uow, guild_id, draft.url_key)
            resource = await self._insert(uow, _resource(guild_id, draft, self._clock(), added_by=actor.user_id))
            await uow.commit()
        card = card_of(resource)
        thread_id = await self._undo_if_refused(
            self._gateway.post_resource(forum_id, card, posts=_posts(settings)),
            lambda uow: uow.resources.remove_unposted(guild_id, card.id),
        )
        async with self._uow() as uow:
            await uow.resources.record_thread(guild_id, card.id, thread_id)
            await uow.audit.record(guild_id, actor.user_id, "resource.add", resource_id=card.id)
            await uow.commit()
        return replace(card, thread_id=thread_id)

    async def suggest(
        self, guild_id: int, user_id: int, *, title: str, url: str, summary: str, tags: str
    ) -> ResourceCard:
        """Keep a member's suggestion as pending and put a review card in front of the facilitators."""
        draft = rules.check_draft(title, url, summary, tags, theme_aliases())
        settings = await self._settings(guild_id)
        await self._forum(guild_id, settings)
        if settings is None or settings.facilitators_channel_id is None:
            raise NotConfigured(
                N_(
                    "This server has no facilitators' channel to review suggestions yet. "
                    "An admin can choose the channels with `/setup channels`."
                )
            )
        async with self._uow() as uow:
            await self._refuse_duplicate(uow, guild_id, draft.url_key)
            resource = await self._insert(uow, _resource(guild_id, draft, self._clock(), suggested_by=user_id))
            await uow.commit()
        card = card_of(resource)
        message_id = await self._undo_if_refused(
            self._gateway.post_review(settings.facilitators_channel_id, card, posts=_posts(settings)),
            lambda uow: uow.resources.remove_pending(guild_id, card.id),
        )
        async with self._uow() as uow:
            await uow.resources.record_review_card(guild_id, card.id, message_id)
            await uow.commit()
        return card

    async def pending_for_review(self, guild_id: int, actor: Actor, resource_id: int) -> ResourceCard:
        """The suggestion a facilitator is about to decline (checked before the reason form opens)."""
        async with self._uow.reading() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            resource = await uow.resources.get(guild_id, resource_id)
            if resource is None or resource.status != ResourceStatus.PENDING:
                raise _already_reviewed(resource)
            return card_of(resource)

    async def approve(self, guild_id: int, actor: Actor, resource_id: int) -> ReviewResult:
        """Post the suggestion in the forum and tell the member. Two facilitators pressing at once post it once:
        only one of them flips it from pending to approved, and only that one posts it."""
        settings = await self._settings(guild_id, actor)
        forum_id = await self._forum(guild_id, settings)
        async with self._uow() as uow:
            if not await uow.resources.approve_pending(
                guild_id, resource_id, approved_by=actor.user_id, at=self._clock()
            ):
                raise _already_reviewed(await uow.resources.get(guild_id, resource_id))
            resource = await uow.resources.get(guild_id, resource_id)
            assert resource is not None
            await uow.commit()
        card = card_of(resource)
        thread_id = await self._undo_if_refused(  # refused: pending again, to be approved later
            self._gateway.post_resource(forum_id, card, posts=_posts(settings)),
            lambda uow: uow.resources.unapprove_unposted(guild_id, resource_id),
        )
        async with self._uow() as uow:
            await uow.resources.record_thread(guild_id, resource_id, thread_id)
            await uow.audit.record(guild_id, actor.user_id, "resource.approve", resource_id=resource_id)
            review = await _review_place(uow, guild_id, resource)
            await uow.commit()
        outcome = ReviewOutcome(approved=True, reviewer_id=actor.user_id)
        return await self._conclude(replace(card, thread_id=thread_id), outcome, review, settings)

    async def decline(self, guild_id: int, actor: Actor, resource_id: int, reason: str | None = None) -> ReviewResult:
        """Delete the suggestion (nothing of it is kept) and tell the member, with the reason if one is given."""
        reason = rules.clean_reason(reason)
        async with self._uow() as uow:
            require_facilitator(actor, await guild_roles(uow, guild_id))
            resource = await uow.resources.get(guild_id, resource_id)
            if resource is None or not await uow.resources.remove_pending(guild_id, resource_id):
                raise _already_reviewed(resource)
            review = await _review_place(uow, guild_id, resource)
            settings = await uow.guild_settings.get(guild_id)
            await uow.audit.record(guild_id, actor.user_id, "resource.decline", resource_id=resource_id)
            await uow.commit()
        outcome = ReviewOutcome(approved=False, reviewer_id=actor.user_id, reason=reason)
        return await self._conclude(card_of(resource), outcome, review, settings)

    async def search(self, guild_id: int, query: str, tag: str | None = None) -> ResourcePage:
        terms = rules.search_terms(query, theme_aliases())
        theme = rules.find_theme(tag, theme_aliases()) if tag else None
        cards, total = await self._searches.get((guild_id, terms, theme))
        return ResourcePage(cards, total, theme, query.strip())

    async def _read_searches(self, searches: Sequence[Search]) -> dict[Search, tuple[tuple[ResourceCard, ...], int]]:
        """The same search asked by many at once is run once; different ones share a unit of work."""
        found = {}
        async with self._uow.reading() as uow:
            for guild_id, terms, theme in searches:
                resources, total = await uow.resources.search(guild_id, terms, tag=theme, limit=PAGE_SIZE)
                found[guild_id, terms, theme] = (tuple(card_of(r) for r in resources), total)
        return found

    async def listing(self, guild_id: int, tag: str | None = None) -> ResourcePage:
        theme = rules.find_theme(tag, theme_aliases()) if tag else None
        async with self._uow.reading() as uow:
            found, total = await uow.resources.newest(guild_id, tag=theme, limit=PAGE_SIZE)
        return ResourcePage(tuple(card_of(r) for r in found), total, theme)

    async def open(self, guild_id: int, resource_id: int) -> ResourceCard:
        """Count one opening (no user ID kept) and return the resource, whose link the member is given."""
        async with self._uow() as uow:
            resource = await uow.resources.get(guild_id, resource_id)
            if resource is None or resource.status != ResourceStatus.APPROVED:
                raise NotFound(N_("That resource has been removed. `/resource list` shows what is there now."))
            await uow.resources.record_open(guild_id, resource_id, self._clock())
            await uow.commit()
            return card_of(resource)

    async def _settings(self, guild_id: int, actor: Actor | None = None) -> GuildSettings | None:
        """The guild's settings, once ``actor`` (when given) is known to be a facilitator."""
        async with self._uow.reading() as uow:
            if actor is not None:
                require_facilitator(actor, await guild_roles(uow, guild_id))
            return await uow.guild_settings.get(guild_id)

    async def _forum(self, guild_id: int, settings: GuildSettings | None) -> int:
        """The resources forum, once Discord's side confirms it is one (asked with no unit of work open)."""
        if settings is None or settings.resources_channel_id is None:
            raise NotConfigured(
                N_("This server has no resources forum yet. An admin can choose the channels with `/setup channels`.")
            )
        await self._gateway.check_forum(guild_id, settings.resources_channel_id)
        return settings.resources_channel_id

    async def _undo_if_refused(self, discord_call: Awaitable[T], undo: Callable[[UnitOfWork], Awaitable[object]]) -> T:
        """Await a Discord call made for a row already committed; if it fails (or is cancelled), ``undo`` the row
        in a unit of work of its own and let the error go on."""
        try:
            return await discord_call
        except BaseException:
            async with self._uow() as uow:
                await undo(uow)
                await uow.commit()
            raise

    async def _insert(self, uow: UnitOfWork, resource: Resource) -> Resource:
        added = await uow.resources.add(resource)
        if added is None:  # someone added the same link a moment ago
            await self._refuse_duplicate(uow, resource.guild_id, resource.url_key)
            raise AlreadyExists(N_("That link was just added by someone else."))
        return added

    @staticmethod
    async def _refuse_duplicate(uow: UnitOfWork, guild_id: int, url_key: str) -> None:
        existing = await uow.resources.by_url_key(guild_id, url_key)
        if existing is None:
            return
        if existing.status == ResourceStatus.PENDING:
            raise AlreadyExists(
                N_("That link was already suggested as **{title}** and is waiting for a facilitator's review."),
                title=existing.title,
            )
        if existing.thread_id is None:  # no post yet: it is being posted
            raise AlreadyExists(N_("That link is already in the resources forum as **{title}**."), title=existing.title)
        raise AlreadyExists(
            N_("That link is already in the resources forum as **{title}**: <#{thread_id}>"),
            title=existing.title,
            thread_id=existing.thread_id,
        )

    async def _conclude(
        self,
        card: ResourceCard,
        outcome: ReviewOutcome,
        review: tuple[int, int] | None,
        settings: GuildSettings | None,
    ) -> ReviewResult:
        """After the decision is stored: tell the member and close the review card. Both are best effort; the
        decision stands whatever Discord says."""
        told = await self._tell_suggester(card, outcome, settings)
        if review is not None:
            try:
                await self._gateway.close_review(*review, card, outcome, member_told=told, posts=_posts(settings))
            except Exception:
                log.warning("could not close the review card of resource %s", card.id, exc_info=True)
        return ReviewResult(card, told)

    async def _tell_suggester(self, card: ResourceCard, outcome: ReviewOutcome, settings: GuildSettings | None) -> bool:
        """Tell the member by DM, in their language (their server's default until they choose one)."""
        user_id = card.suggested_by
        if user_id is None:
            return False
        async with self._uow.reading() as uow:
            known = (await uow.dm_channels.of([user_id])).get(user_id)
            chosen = (await uow.languages.of_people([user_id])).get(user_id)
        language = chosen[0] if chosen else (settings.language if settings else None) or DEFAULT_LANGUAGE
        try:
            channel_id = await self._gateway.tell_suggester(card, outcome, dm_channel_id=known, language=language)
            if channel_id is None and outcome.approved:
                await self._gateway.thank_in_post(card, user_id, posts=_posts(settings))
        except Exception:
            log.warning("could not tell user %s about resource %s", user_id, card.id, exc_info=True)
            return False
        if channel_id is not None and channel_id != known:
            async with self._uow() as uow:
                await uow.dm_channels.remember({user_id: channel_id})
                await uow.commit()
        return channel_id is not None


async def _review_place(uow: UnitOfWork, guild_id: int, resource: Resource) -> tuple[int, int] | None:
    """Where the suggestion's review card is (channel, message), if it was posted."""
    settings: GuildSettings | None = await uow.guild_settings.get(guild_id)
    if resource.review_message_id is None or settings is None or settings.facilitators_channel_id is None:
        return None
    return settings.facilitators_channel_id, resource.review_message_id


def _posts(settings: GuildSettings | None) -> ChannelPosts:
    """How the server's channel posts are written (the forum, the facilitators' channel)."""
    return settings.channel_posts if settings is not None else ChannelPosts.EN


def _resource(
    guild_id: int,
    draft: rules.ResourceDraft,
    at: datetime,
    *,
    added_by: int | None = None,
    suggested_by: int | None = None,
) -> Resource:
    """A new row: approved when a facilitator adds it, pending when a member suggests it."""
    status = ResourceStatus.PENDING if suggested_by is not None else ResourceStatus.APPROVED
    return Resource(
        guild_id=guild_id,
        title=draft.title,
        url=draft.url,
        url_key=draft.url_key,
        summary=draft.summary,
        tags=list(draft.tags),
        status=status,
        added_by=added_by,
        suggested_by=suggested_by,
        created_at=at,
        approved_at=at if status is ResourceStatus.APPROVED else None,
    )


def _already_reviewed(resource: Resource | None) -> InvalidInput:
    if resource is not None and resource.status == ResourceStatus.APPROVED:
        if resource.thread_id is None:  # no post yet: it is being posted
            return InvalidInput(N_("**{title}** was already approved."), title=resource.title)
        return InvalidInput(
            N_("**{title}** was already approved: <#{thread_id}>"), title=resource.title, thread_id=resource.thread_id
        )
    return InvalidInput(N_("This suggestion is no longer waiting for review: another facilitator has declined it."))


def card_of(resource: Resource) -> ResourceCard:
    return ResourceCard(
        id=resource.id,
        guild_id=resource.guild_id,
        title=resource.title,
        url=resource.url,
        summary=resource.summary,
        tags=tuple(resource.tags),
        thread_id=resource.thread_id,
        suggested_by=resource.suggested_by,
    )
