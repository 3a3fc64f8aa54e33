"""``/series`` in Discord: what a pause or an end will do, its Confirm / Keep it buttons
(``cwtch:series:<confirm|keep>:<pause|end>:<series>:<issued>``: valid for a few minutes, and only for a
facilitator), and what an edit did; in the facilitator's language."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import discord
from babel.dates import format_date

from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.domain.series_rules import StopAction
from bot.i18n import t
from bot.services.series import EditOutcome, StopPreview
from bot.ui.actors import actor_of
from bot.ui.persistent import ID, guarded, guild_of, id_from, require_id
from bot.ui.readers import language_of
from bot.ui.session_embeds import medium_text, moment

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

CONFIRM, KEEP = "confirm", "keep"
_CONFIRM_LABELS = {StopAction.PAUSE: N_("Yes, pause it"), StopAction.END: N_("Yes, end it")}
_DONE = {
    StopAction.PAUSE: N_("**{title}** is paused; {sessions} cancelled"),
    StopAction.END: N_("**{title}** is ended; {sessions} cancelled"),
}


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


def _count(language: Language, count: int, one: str, many: str) -> str:
    """``count`` things, in the catalogue's singular or plural message (Welsh counts with the singular noun)."""
    return t(language, one if count == 1 else many, count=count)


def _sessions(language: Language, count: int) -> str:
    return _count(language, count, N_("{count} upcoming session"), N_("{count} upcoming sessions"))


def stop_question(preview: StopPreview, language: Language) -> str:
    """What pausing or ending will do, asked before it is done."""
    pause = preview.action is StopAction.PAUSE
    lines = [t(language, N_("**Pause {title}?**") if pause else N_("**End {title} for good?**"), title=preview.title)]
    if preview.sessions and preview.next_start is not None:
        lines.append(
            t(
                language,
                N_("• {sessions} will be cancelled; the next is {when}."),
                sessions=_sessions(language, preview.sessions),
                when=moment(preview.next_start, preview.timezone, language),
            )
        )
        if preview.people:
            people = _count(language, preview.people, N_("{count} person"), N_("{count} people"))
            lines.append(t(language, N_("• {people} who RSVP'd will be told."), people=people))
        else:
            lines.append(t(language, N_("• Nobody has RSVP'd yet, so nobody needs telling.")))
    else:
        lines.append(
            t(language, N_("• There are no upcoming sessions, so nothing is cancelled and nobody needs telling."))
        )
    if pause:
        lines.append(t(language, N_("• `/series resume` brings it back, with its sessions.")))
    else:
        lines.append(
            t(language, N_("• This can't be undone: to meet again, create a new series with `/series create`."))
        )
    confirm = t(language, _CONFIRM_LABELS[preview.action])
    lines.append(t(language, N_("Nothing changes until you press **{confirm}**."), confirm=confirm))
    return "\n".join(lines)


class StopSeriesButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"cwtch:series:(?P<choice>confirm|keep):(?P<action>pause|end):(?P<series>{ID}):(?P<issued>{ID})",
):
    """Confirm or call off a pause or an end offered at ``issued`` (UNIX seconds)."""

    def __init__(
        self, choice: str, action: StopAction, series_id: int, issued_at: int, language: Language = DEFAULT_LANGUAGE
    ) -> None:
        confirm = choice == CONFIRM
        super().__init__(
            discord.ui.Button(
                label=t(language, _CONFIRM_LABELS[action] if confirm else N_("Keep it")),
                style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                custom_id=f"cwtch:series:{choice}:{action.value}:{series_id}:{issued_at}",
            )
        )
        self.choice = choice
        self.action = action
        self.series_id = series_id
        self.issued_at = issued_at

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> StopSeriesButton:
        return cls(match["choice"], StopAction(match["action"]), id_from(match, "series"), int(match["issued"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, lambda: self._handle(interaction))

    async def _handle(self, interaction: discord.Interaction[Any]) -> None:
        guild_id, series_id = guild_of(interaction), require_id(self.series_id, "series")
        language = await language_of(interaction)
        if self.choice == KEEP:
            await interaction.response.edit_message(
                content=t(language, N_("Nothing changed; the series carries on as before.")), view=None
            )
            return
        services = _bot(interaction).services
        await interaction.response.defer()  # cancelling and telling everyone can take a few seconds
        info, cancelled = await services.series.confirm_stop(
            guild_id, actor_of(interaction), series_id, self.action, self.issued_at
        )
        text = t(language, _DONE[self.action], title=info.title, sessions=_sessions(language, len(cancelled)))
        if cancelled:
            text += t(language, N_(", and those who RSVP'd have been told."))
        else:
            text += "."
        if self.action is StopAction.PAUSE:
            text += " " + t(language, N_("Bring it back with `/series resume`."))
        await interaction.edit_original_response(content=text, view=None)


def stop_view(preview: StopPreview, language: Language) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StopSeriesButton(CONFIRM, preview.action, preview.series_id, preview.issued_at, language))
    view.add_item(StopSeriesButton(KEEP, preview.action, preview.series_id, preview.issued_at, language))
    return view


def edit_summary(outcome: EditOutcome, language: Language) -> str:
    """What an edit changed, for the facilitator who made it."""
    edit, info = outcome.edit, outcome.info
    lines = [t(language, N_("**{title}** is updated."), title=info.title)]
    if "time" in edit.changed and edit.new_time is not None and edit.from_date is not None:
        lines.append(
            t(
                language,
                N_("• From {date} on, sessions start at {time} ({moved} moved); earlier ones keep their time."),
                date=_day(edit.from_date, language),
                time=f"{edit.new_time:%H:%M}",
                moved=_sessions(language, len(edit.moved)),
            )
        )
        if edit.kept:
            lines.append(
                _count(
                    language,
                    edit.kept,
                    N_("• {count} session moved by hand keeps its time."),
                    N_("• {count} sessions moved by hand keep their time."),
                )
            )
    if "duration" in edit.changed:
        lines.append(t(language, N_("• Sessions now last {minutes} minutes."), minutes=info.duration_minutes))
    if "place" in edit.changed:
        if info.room_channel_id:
            lines.append(t(language, N_("• Sessions now meet in <#{room}>."), room=info.room_channel_id))
        else:
            lines.append(t(language, N_("• Sessions now meet at {link}."), link=info.link))
    if "capacity" in edit.changed:
        lines.append(t(language, N_("• Each session now has {capacity} places."), capacity=info.capacity))
        if edit.over_capacity:
            lines.append(
                _count(
                    language,
                    edit.over_capacity,
                    N_(
                        "• {count} session has more people going than that: they all keep their place, and "
                        "newcomers go on the waitlist until places free up."
                    ),
                    N_(
                        "• {count} sessions have more people going than that: they all keep their place, and "
                        "newcomers go on the waitlist until places free up."
                    ),
                )
            )
    if "title" in edit.changed:
        lines.append(t(language, N_("• The new title shows on every session.")))
    if "medium" in edit.changed:
        medium = medium_text(info.medium, language)
        lines.append(
            t(language, N_("• Sessions are now marked: {medium}."), medium=medium)
            if medium
            else t(language, N_("• Sessions are now held in English."))
        )
    told = outcome.told
    if told:
        lines.append(
            _count(
                language, told, N_("{count} person who RSVP'd was told."), N_("{count} people who RSVP'd were told.")
            )
        )
    else:
        lines.append(t(language, N_("Nobody needed telling.")))
    return "\n".join(lines)


def _day(day: date, language: Language) -> str:
    """A date written out: "Tuesday 16 March 2027"; in Welsh "Dydd Mawrth 16 Mawrth 2027"."""
    if language is Language.EN:
        return f"{day:%A %-d %B %Y}"
    return format_date(day, "EEEE d MMMM y", locale=language.value)
