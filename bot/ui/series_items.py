"""``/series`` in Discord: what a pause or an end will do, its Confirm / Keep it buttons
(``cwtch:series:<confirm|keep>:<pause|end>:<series>:<issued>``: valid for a few minutes, and only for a
facilitator), and what an edit did."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.series_rules import StopAction
from bot.domain.sessions import discord_timestamp as ts
from bot.services.series import EditOutcome, StopPreview
from bot.ui.actors import actor_of
from bot.ui.persistent import ID, guarded, guild_of, id_from, require_id

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

CONFIRM, KEEP = "confirm", "keep"
_VERB = {StopAction.PAUSE: "pause", StopAction.END: "end"}
_DONE = {StopAction.PAUSE: "paused", StopAction.END: "ended"}


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def stop_question(preview: StopPreview) -> str:
    """What pausing or ending will do, asked before it is done."""
    lines = [
        f"**Pause {preview.title}?**" if preview.action is StopAction.PAUSE else f"**End {preview.title} for good?**"
    ]
    if preview.sessions and preview.next_start is not None:
        cancelled = _plural(preview.sessions, "upcoming session")
        lines.append(f"• {cancelled} will be cancelled; the next is {ts(preview.next_start)}.")
        lines.append(
            f"• {_plural(preview.people, 'person', 'people')} who RSVP'd will be told."
            if preview.people
            else "• Nobody has RSVP'd yet, so nobody needs telling."
        )
    else:
        lines.append("• There are no upcoming sessions, so nothing is cancelled and nobody needs telling.")
    if preview.action is StopAction.PAUSE:
        lines.append("• `/series resume` brings it back, with its sessions.")
    else:
        lines.append("• This can't be undone: to meet again, create a new series with `/series create`.")
    lines.append(f"Nothing changes until you press **Yes, {_VERB[preview.action]} it**.")
    return "\n".join(lines)


class StopSeriesButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"cwtch:series:(?P<choice>confirm|keep):(?P<action>pause|end):(?P<series>{ID}):(?P<issued>{ID})",
):
    """Confirm or call off a pause or an end offered at ``issued`` (UNIX seconds)."""

    def __init__(self, choice: str, action: StopAction, series_id: int, issued_at: int) -> None:
        confirm = choice == CONFIRM
        super().__init__(
            discord.ui.Button(
                label=f"Yes, {_VERB[action]} it" if confirm else "Keep it",
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
        if self.choice == KEEP:
            await interaction.response.edit_message(
                content="Nothing changed; the series carries on as before.", view=None
            )
            return
        services = _bot(interaction).services
        await interaction.response.defer()  # cancelling and telling everyone can take a few seconds
        info, cancelled = await services.series.confirm_stop(
            guild_id, actor_of(interaction), series_id, self.action, self.issued_at
        )
        text = f"**{info.title}** is {_DONE[self.action]}; {_plural(len(cancelled), 'upcoming session')} cancelled"
        text += ", and those who RSVP'd have been told." if cancelled else "."
        if self.action is StopAction.PAUSE:
            text += " Bring it back with `/series resume`."
        await interaction.edit_original_response(content=text, view=None)


def stop_view(preview: StopPreview) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StopSeriesButton(CONFIRM, preview.action, preview.series_id, preview.issued_at))
    view.add_item(StopSeriesButton(KEEP, preview.action, preview.series_id, preview.issued_at))
    return view


def edit_summary(outcome: EditOutcome) -> str:
    """What an edit changed, for the facilitator who made it."""
    edit, info = outcome.edit, outcome.info
    lines = [f"**{info.title}** is updated."]
    if "time" in edit.changed and edit.new_time is not None and edit.from_date is not None:
        lines.append(
            f"• From {edit.from_date:%A %-d %B %Y} on, sessions start at {edit.new_time:%H:%M} "
            f"({_plural(len(edit.moved), 'upcoming session')} moved); earlier ones keep their time."
        )
        if edit.kept:
            lines.append(
                f"• {_plural(edit.kept, 'session')} moved by hand "
                + ("keeps its time." if edit.kept == 1 else "keep their time.")
            )
    if "duration" in edit.changed:
        lines.append(f"• Sessions now last {info.duration_minutes} minutes.")
    if "place" in edit.changed:
        place = f"in <#{info.room_channel_id}>" if info.room_channel_id else f"at {info.link}"
        lines.append(f"• Sessions now meet {place}.")
    if "capacity" in edit.changed:
        lines.append(f"• Each session now has {info.capacity} places.")
        if edit.over_capacity:
            lines.append(
                f"• {_plural(edit.over_capacity, 'session has', 'sessions have')} more people going than that: "
                "they all keep their place, and newcomers go on the waitlist until places free up."
            )
    if "title" in edit.changed:
        lines.append("• The new title shows on every session.")
    told = outcome.told
    lines.append(
        f"{_plural(told, 'person', 'people')} who RSVP'd {'was' if told == 1 else 'were'} told."
        if told
        else "Nobody needed telling."
    )
    return "\n".join(lines)
