"""The survey in Discord: the persistent "Give feedback" button and the private form (a modal with three radio
groups on the agreement scale and an optional comment). Both are matched by their custom_id, so any number of
attendees can have the form open at once and a form on screen still submits after a restart."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.feedback import COMMENT_MAX, STATEMENTS, Agreement
from bot.domain.sessions import discord_timestamp
from bot.services.safety import Delivery
from bot.services.surveys import SessionComments, SurveyForm
from bot.ui.embeds import CWTCH_COLOUR, support_embed
from bot.ui.persistent import ID, FormValues, PersistentForm, guarded, id_from, require_id
from bot.ui.reply import reply
from bot.ui.safety import FEEDBACK_WORDS

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

SHORT_LABELS = ("I felt emotionally supported", "I was able to support others", "I feel less isolated")
COMMENT_ID = "comment"


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


class FeedbackModal(PersistentForm, template=rf"cwtch:survey:(?P<occurrence>{ID})"):
    """The survey form; custom_id ``cwtch:survey:<occurrence>``. Prefilled when the member edits."""

    def __init__(self, form: SurveyForm) -> None:
        super().__init__(title="How was the session?", custom_id=f"cwtch:survey:{form.session.occurrence_id}")
        for index, (statement, label) in enumerate(zip(STATEMENTS, SHORT_LABELS, strict=True)):
            earlier = form.answers[index] if form.answers else None
            group: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
                custom_id=statement.key,
                options=[
                    discord.RadioGroupOption(label=answer.label, value=str(int(answer)), default=earlier == answer)
                    for answer in sorted(Agreement, reverse=True)
                ],
            )
            self.add_item(discord.ui.Label(text=label, description=statement.text, component=group))
        comment: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id=COMMENT_ID,
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=COMMENT_MAX,
            default=form.comment,
            placeholder="Only facilitators ever see comments, without your name.",
        )
        self.add_item(discord.ui.Label(text="Anything you'd like to add? (optional)", component=comment))

    @classmethod
    async def submit(cls, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues) -> None:
        occurrence_id = require_id(id_from(match, "occurrence"), "session")
        first, second, third = (values.text(statement.key) for statement in STATEMENTS)
        services = _bot(interaction).services
        outcome = await services.surveys.submit(
            interaction.guild_id, interaction.user.id, occurrence_id, (first, second, third), values.text(COMMENT_ID)
        )
        thanks = "Your answers are updated." if outcome.edited else "Thank you, your answers are saved."
        thanks += f" You can change them until <t:{int(outcome.closes_at.timestamp())}:f>."
        if outcome.at_risk:
            await reply(
                interaction,
                thanks + " What you wrote sounds hard. Please reach out now if you need to; you don't have to "
                "cope alone. " + FEEDBACK_WORDS[outcome.alerted or Delivery.NOBODY],
                embed=support_embed((await services.support.signposting(outcome.guild_id)).signposts),
            )
            return
        await reply(interaction, thanks)


async def open_survey(interaction: discord.Interaction[Any], occurrence_id: int) -> None:
    """Answer with the survey form, or with a polite refusal (not an attendee, closed, not open yet).

    Works in the session thread and in a DM (where there is no guild)."""
    form = await _bot(interaction).services.surveys.form(
        interaction.guild_id, interaction.user.id, require_id(occurrence_id, "session")
    )
    await interaction.response.send_modal(FeedbackModal(form))


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cwtch:feedback:(?P<occurrence>{ID})"):
    def __init__(self, occurrence_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Give feedback", style=discord.ButtonStyle.primary, custom_id=f"cwtch:feedback:{occurrence_id}"
            )
        )
        self.occurrence_id = occurrence_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedbackButton:
        return cls(id_from(match, "occurrence"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, lambda: open_survey(interaction, self.occurrence_id))


def feedback_view(occurrence_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton(occurrence_id))
    return view


COMMENTS_SHOWN_MAX = 3800  # characters of comments in the embed; the rest go in the attached text file


def comments_reply(result: SessionComments) -> tuple[discord.Embed, discord.File | None]:
    """A session's comments for facilitators: quoted, in shuffled order, no names or times. Beyond what an embed
    holds, all of them come as a text file too."""
    session, comments = result.session, result.comments
    embed = discord.Embed(
        title=f"Comments: {session.title} · {session.cohort_name}"[:256],
        colour=CWTCH_COLOUR,
    )
    embed.set_footer(text="Shuffled, without names or times. Please keep them within the facilitation team.")
    when = discord_timestamp(session.starts_at, "D")
    if not comments:
        embed.description = f"Nobody left a comment about the session on {when}."
        return embed, None
    quoted = ["> " + comment.replace("\n", "\n> ") for comment in comments]
    shown: list[str] = []
    for text in quoted:
        if sum(len(part) + 2 for part in shown) + len(text) > COMMENTS_SHOWN_MAX:
            break
        shown.append(text)
    header = f"{len(comments)} comment{'' if len(comments) == 1 else 's'} about the session on {when}"
    attachment = None
    if len(shown) < len(quoted):
        header += f" (the first {len(shown)} here, all of them in the attached file)"
        body = "\n\n".join(comments).encode("utf-8")
        attachment = discord.File(io.BytesIO(body), filename="comments.txt", description="The session's comments")
    embed.description = header + ":\n\n" + "\n\n".join(shown)
    return embed, attachment
