"""``/session list`` as members use it: a page of sessions, a picker to RSVP to one of them, and Previous/Next.

Every control is a ``DynamicItem`` carrying what it needs in its custom_id (the cohort asked for and the page), so
an old list keeps working after a restart. Paging asks the service again, so a page always shows the latest
RSVPs; picking a session shows it with the same RSVP buttons as its announcement (which ask a member outside the
cohort to join first)."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord

from bot.domain.ids import ROW_ID_MAX, parse_id
from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.domain.lifecycle import SessionState
from bot.i18n import t
from bot.services.cards import local_label
from bot.services.session_list import UpcomingPage, UpcomingSession
from bot.ui.persistent import ID, guarded, guild_of, id_from, require_id
from bot.ui.readers import language_of
from bot.ui.reply import SharedAnswers, reply, shared
from bot.ui.session_embeds import MEDIUM_WORDS, NO_RSVP, STATUS_WORDS, announcement_embed, upcoming_embed
from bot.ui.session_items import rsvp_view

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

PAGE = "[0-9]{1,4}"
PICK_ID = "cwtch:sessions:pick"


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    return interaction.client


class SessionPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"cwtch:sessions:(?P<cohort>{ID}):(?P<page>{PAGE})",
):
    """Previous or Next: shows page ``page`` of the list (cohort 0: the member's own cohorts, or everyone's)."""

    def __init__(self, cohort_id: int, page: int, label: str = "Go", *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"cwtch:sessions:{cohort_id}:{page}",
                disabled=disabled,
            )
        )
        self.cohort_id = cohort_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SessionPageButton:
        return cls(id_from(match, "cohort"), int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            page = await _bot(interaction).services.sessions.upcoming(
                guild_of(interaction), interaction.user.id, cohort_id=self.cohort_id or None, page=self.page
            )
            language = await language_of(interaction)
            embed, view = session_list_answer(page, language)
            await interaction.response.edit_message(embed=embed, view=view)

        await guarded(interaction, handle)


class SessionPicker(discord.ui.DynamicItem[discord.ui.Select[Any]], template=PICK_ID):
    """ "RSVP to a session on this page": shows the picked session with its RSVP buttons."""

    def __init__(self, entries: list[UpcomingSession] | None = None, language: Language = DEFAULT_LANGUAGE) -> None:
        options = [_option(entry, language) for entry in entries or []]
        super().__init__(
            discord.ui.Select(
                custom_id=PICK_ID,
                placeholder=t(language, N_("RSVP to a session on this page…")),
                options=options or [discord.SelectOption(label=t(language, N_("No session")), value="0")],
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SessionPicker:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            guild_id = guild_of(interaction)
            picked = self.item.values[0] if self.item.values else ""
            occurrence_id = require_id(parse_id(picked, ROW_ID_MAX) or 0, "session")
            session, status = await _bot(interaction).services.rsvp.session_for(
                guild_id, interaction.user.id, occurrence_id
            )
            language = await language_of(interaction)
            if session.state != SessionState.SCHEDULED:  # cancelled, or started since the list was shown
                await reply(interaction, embed=announcement_embed(session, language))
                return
            mine = STATUS_WORDS.get(status or "")
            question = (
                t(language, N_("You said {status}; you can change that here."), status=t(language, mine))
                if mine
                else t(language, N_("Will you be there?"))
            )
            await reply(
                interaction,
                question,
                embed=announcement_embed(session, language),
                view=rsvp_view(occurrence_id, language),
            )

        await guarded(interaction, handle)


def _option(entry: UpcomingSession, language: Language) -> discord.SelectOption:
    """A session as a picker option: plain text (no Discord timestamps there), in the cohort's own time zone."""
    session = entry.session
    zone = session.starts_at.astimezone(ZoneInfo(session.timezone)).tzname() or ""
    label = f"{local_label(session.starts_at, session.timezone, language, comma=True)} {zone} · {session.title}"
    details = [session.cohort_name, t(language, STATUS_WORDS.get(entry.my_status or "", NO_RSVP))]
    if session.medium is not None:
        details.append(t(language, MEDIUM_WORDS[session.medium]))
    return discord.SelectOption(
        label=_fit(label), value=str(session.occurrence_id), description=_fit(" · ".join(details))
    )


def _fit(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_LISTS: SharedAnswers[tuple[object, ...], tuple[discord.Embed, discord.ui.View | None]] = SharedAnswers()


def session_list_answer(page: UpcomingPage, language: Language) -> tuple[discord.Embed, discord.ui.View | None]:
    """``/session list``'s answer for ``page``, drawn once for everyone shown the same page (``SharedAnswers``): keyed
    by every field of the page, so a field added later is never left out."""
    shown = tuple(tuple(v) if isinstance(v, list) else v for v in (getattr(page, f.name) for f in fields(page)))
    return _LISTS.get(
        (*shown, language), lambda: (upcoming_embed(page, language), shared(session_list_view(page, language)))
    )


def session_list_view(page: UpcomingPage, language: Language = DEFAULT_LANGUAGE) -> discord.ui.View | None:
    """The picker (for sessions on this page that take RSVPs) and, when there is more than one page, paging."""
    view = discord.ui.View(timeout=None)
    bookable = [entry for entry in page.entries if entry.open_for_rsvp]
    if bookable:
        view.add_item(SessionPicker(bookable[:25], language))
    if page.pages > 1:
        cohort = page.cohort_id or 0
        previous, following = t(language, N_("Previous")), t(language, N_("Next"))
        view.add_item(SessionPageButton(cohort, page.page - 1, previous, disabled=page.page <= 1))
        view.add_item(SessionPageButton(cohort, page.page + 1, following, disabled=page.page >= page.pages))
    return view if view.children else None
