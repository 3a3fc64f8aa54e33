"""The facilitator's attendance sheet: two member pickers to mark people present or absent. Each picker carries
its session in its custom_id (``cwtch:attend:<occurrence>:<present|absent>``), so the sheet keeps working after a
restart and any number of facilitators can use it at once."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.i18n import t
from bot.services.sessions import AttendanceSheet
from bot.ui.actors import actor_of
from bot.ui.persistent import ID, guarded, guild_of, id_from, require_id
from bot.ui.readers import language_of
from bot.ui.session_embeds import attendance_embed

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

PRESENT, ABSENT = "present", "absent"


class AttendancePicker(
    discord.ui.DynamicItem[discord.ui.UserSelect[Any]],
    template=rf"cwtch:attend:(?P<occurrence>{ID}):(?P<mark>present|absent)",
):
    def __init__(self, occurrence_id: int, mark: str, language: Language = DEFAULT_LANGUAGE) -> None:
        super().__init__(
            discord.ui.UserSelect(
                custom_id=f"cwtch:attend:{occurrence_id}:{mark}",
                placeholder=t(language, N_("Mark present…") if mark == PRESENT else N_("Mark absent…")),
                min_values=1,
                max_values=25,
            )
        )
        self.occurrence_id = occurrence_id
        self.mark = mark

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AttendancePicker:
        return cls(id_from(match, "occurrence"), match["mark"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            bot: CwtchBot = interaction.client
            occurrence_id = require_id(self.occurrence_id, "session")
            await interaction.response.defer()  # those marked present late may be sent the survey first
            sheet = await bot.services.sessions.correct_attendance(
                guild_of(interaction),
                actor_of(interaction),
                occurrence_id,
                [user.id for user in self.item.values],
                self.mark == PRESENT,
            )
            language = await language_of(interaction)
            await interaction.edit_original_response(
                content=survey_note(sheet, language),
                embed=attendance_embed(sheet, language),
                view=attendance_view(occurrence_id, language),
                allowed_mentions=discord.AllowedMentions.none(),
            )

        await guarded(interaction, handle)


def survey_note(sheet: AttendanceSheet, language: Language) -> str | None:
    """What the facilitator is told about the survey after marking people present late."""
    lines = []
    if sheet.surveyed:
        lines.append(
            t(
                language,
                N_("Sent the survey to {people}, as it's still open."),
                people=_people(sheet.surveyed, language),
            )
        )
    if sheet.unreachable:
        lines.append(
            t(
                language,
                N_(
                    "I couldn't send the survey to {people} just now. "
                    "They can answer it with `/feedback give` while it's open."
                ),
                people=_people(sheet.unreachable, language),
            )
        )
    return "\n".join(lines) or None


def _people(user_ids: tuple[int, ...], language: Language) -> str:
    mentions = [f"<@{user_id}>" for user_id in user_ids]
    if len(mentions) == 1:
        return mentions[0]
    return t(language, N_("{some} and {last}"), some=", ".join(mentions[:-1]), last=mentions[-1])


def attendance_view(occurrence_id: int, language: Language) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AttendancePicker(occurrence_id, PRESENT, language))
    view.add_item(AttendancePicker(occurrence_id, ABSENT, language))
    return view
