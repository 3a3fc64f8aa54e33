"""The reply helper: answers an interaction whether or not it was already answered or deferred."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import discord
from discord.http import handle_message_parameters
from discord.utils import MISSING
from discord.webhook.async_ import async_context

K = TypeVar("K", bound=Hashable)
A = TypeVar("A")


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    files: list[discord.File] | None = None,
    ephemeral: bool = True,
) -> None:
    """Send ``content``/``embed`` as the response, or as a followup once the response is done.

    Replies are ephemeral by default: most answers concern the asker's own data. At a person's first contact,
    the choice of language is offered after the answer (see :mod:`bot.ui.language`).
    """
    acknowledging = interaction.extras.pop(_ACKNOWLEDGING, None)
    if acknowledging is not None:
        await acknowledging  # the answer follows the acknowledgement, never races it; its failure is this one's
    # ``is None``, never truthiness: an Embed's truth test builds a proxy for each of its parts, a cost that showed
    # in every answer of a burst.
    kwargs: dict[str, Any] = {
        "content": content,
        "embed": MISSING if embed is None else embed,
        "view": MISSING if view is None else unkept(view),
        "file": MISSING if file is None else file,
        "files": files or MISSING,
        "ephemeral": ephemeral,
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if not interaction.response.is_done():
        await interaction.response.send_message(**kwargs)
    elif (view is not None and not view.is_finished()) or file is not None or files:
        await interaction.followup.send(**kwargs)  # discord.py keeps the view to dispatch its clicks
    else:
        await _follow_up(interaction, kwargs)
    # Imported here: the language buttons answer through the error funnel, which replies with this function.
    from bot.ui.language import offer_if_first_contact

    await offer_if_first_contact(interaction)


async def _follow_up(interaction: discord.Interaction[Any], kwargs: dict[str, Any]) -> None:
    """A follow-up with nothing for discord.py to keep (no view it dispatches, no files), sent as
    ``followup.send`` sends it, without making a message of the one Discord sends back: nobody reads it, and for an
    embed with its controls that was 80 µs of every answer in a burst."""
    webhook = interaction.followup
    assert webhook.token is not None  # an interaction's follow-up webhook always has its token
    flags = discord.MessageFlags._from_value(0)
    flags.ephemeral = kwargs.pop("ephemeral")
    if kwargs["content"] is None:
        kwargs["content"] = MISSING
    with handle_message_parameters(**kwargs, flags=flags) as params:
        await async_context.get().execute_webhook(
            webhook.id,
            webhook.token,
            session=webhook.session,
            proxy=webhook.proxy,
            proxy_auth=webhook.proxy_auth,
            payload=params.payload,
            wait=True,  # Discord always sends the message back to an interaction's follow-up
            with_components=kwargs["view"] is not MISSING,
        )


_ACKNOWLEDGING = "cwtch_acknowledging"  # where an interaction keeps its deferral on its way, in ``extras``


def acknowledge(interaction: discord.Interaction[Any]) -> None:
    """Defer (ephemeral, "thinking..."), without waiting for Discord to take it: the work the answer needs starts
    while the deferral is on its way, and :func:`reply` waits for it before answering. Under a burst the deferrals
    come back slowly, and the reads and writes behind the answer (a batch of check-ins, a page of sessions) no
    longer start only after them. Every answer after this must go through :func:`reply`."""
    deferring = asyncio.ensure_future(interaction.response.defer(ephemeral=True, thinking=True))
    # Retrieved by ``reply``; a failure nobody waited for (no answer was sent) is not reported as never retrieved.
    deferring.add_done_callback(lambda done: done.cancelled() or done.exception())
    interaction.extras[_ACKNOWLEDGING] = deferring


class SharedAnswers(Generic[K, A]):
    """Answers drawn once and sent as they are to everyone shown the same thing: the last ``size`` drawn, by what
    they show. In a burst (a cohort told of a new session, all looking at once) most members are shown the same,
    and drawing an embed with its controls was a fifth of the bot's work for each. An answer holds an embed (only
    read when sent) and a ``shared`` view."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._kept: OrderedDict[K, A] = OrderedDict()

    def get(self, key: K, draw: Callable[[], A]) -> A:
        """The answer drawn for ``key``; drawn now by ``draw()`` if it is not kept."""
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = draw()
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)
        else:
            self._kept.move_to_end(key)
        return found


def shared(view: discord.ui.View | None) -> discord.ui.View | None:
    """``view``, made safe to send to many people (a cached answer): stopped, so that no copy is kept and no click is
    handled through it. Only views of DynamicItems can be: they are dispatched by custom_id."""
    if view is None:
        return None
    if not unkept(view).is_finished():
        raise ValueError("only a view of DynamicItems can be shared")
    return view


def unkept(view: discord.ui.View) -> discord.ui.View:
    """``view``, stopped when it holds only DynamicItems, so that discord.py keeps no copy of it once sent.

    Such items are dispatched by their custom_id (``add_dynamic_items`` at start-up), never through the view. Yet
    discord.py keeps the view of every ephemeral answer for 15 minutes, each with a task of its own waiting for that
    timeout: in a burst, hundreds of tasks and views held for nothing. A stopped view is still sent whole."""
    if all(isinstance(item, discord.ui.DynamicItem) for item in view.walk_children()):
        view.stop()
    return view
