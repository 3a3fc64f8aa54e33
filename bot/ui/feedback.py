"""The survey in Discord: the persistent "Give feedback" button and the private form (a modal with three radio
groups on the agreement scale and an optional comment). Both are matched by their custom_id, so any number of
attendees can have the form open at once and a form on screen still submits after a restart.

The form is in the language of whoever opens it: each statement as a short label (within Discord's 45 characters)
with the full statement as its description. The answers are numbers, so Welsh and English answers are stored and
counted alike."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord

from bot.domain.feedback import COMMENT_MAX, STATEMENTS, Agreement
from bot.domain.language import N_, ChannelPosts, Language
from bot.domain.sessions import discord_timestamp
from bot.i18n import for_channel, t, when
from bot.services.safety import Delivery
from bot.services.surveys import SessionComments, SurveyForm, short_date
from bot.ui.embeds import CWTCH_COLOUR, signposting_embed
from bot.ui.persistent import ID, FormValues, PersistentForm, guarded, id_from, require_id
from bot.ui.readers import language_meanwhile, language_of
from bot.ui.reply import reply
from bot.ui.safety import FEEDBACK_WORDS

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

SHORT_LABELS = (
    N_("I felt emotionally supported"),
    N_("I was able to support others"),
    N_("I feel less isolated"),
)
COMMENT_ID = "comment"
GIVE_FEEDBACK = N_("Give feedback")


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    client: CwtchBot = interaction.client
    return client


class FeedbackModal(PersistentForm, template=rf"cwtch:survey:(?P<occurrence>{ID})"):
    """The survey form; custom_id ``cwtch:survey:<occurrence>``. Prefilled when the member edits."""

    def __init__(self, form: SurveyForm, language: Language = Language.EN) -> None:
        super().__init__(
            title=t(language, N_("How was the session?")), custom_id=f"cwtch:survey:{form.session.occurrence_id}"
        )
        for index, (statement, label) in enumerate(zip(STATEMENTS, SHORT_LABELS, strict=True)):
            earlier = form.answers[index] if form.answers else None
            group: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
                custom_id=statement.key,
                options=[
                    discord.RadioGroupOption(
                        label=t(language, answer.label), value=str(int(answer)), default=earlier == answer
                    )
                    for answer in sorted(Agreement, reverse=True)
                ],
            )
            self.add_item(
                discord.ui.Label(text=t(language, label), description=t(language, statement.text), component=group)
            )
        comment: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id=COMMENT_ID,
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=COMMENT_MAX,
            default=form.comment,
            placeholder=t(language, N_("Only facilitators ever see comments, without your name.")),
        )
        self.add_item(
            discord.ui.Label(text=t(language, N_("Anything you'd like to add? (optional)")), component=comment)
        )

    @classmethod
    async def submit(cls, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues) -> None:
        occurrence_id = require_id(id_from(match, "occurrence"), "session")
        first, second, third = (values.text(statement.key) for statement in STATEMENTS)
        services = _bot(interaction).services
        reading = language_meanwhile(interaction)
        outcome = await services.surveys.submit(
            interaction.guild_id, interaction.user.id, occurrence_id, (first, second, third), values.text(COMMENT_ID)
        )
        language = await reading
        if language is Language.EN:
            until = discord_timestamp(outcome.closes_at, "f")
        else:  # Discord writes its timestamps in the reader's app language, which is never Welsh
            until = when(outcome.closes_at, await services.surveys.timezone_of(occurrence_id), language)
        saved = N_("Your answers are updated.") if outcome.edited else N_("Thank you, your answers are saved.")
        thanks = t(language, saved) + " " + t(language, N_("You can change them until {until}."), until=until)
        if outcome.at_risk:
            hard = N_("What you wrote sounds hard. Please reach out now if you need to; you don't have to cope alone.")
            reached = FEEDBACK_WORDS[outcome.alerted or Delivery.NOBODY]
            signposting = await services.support.signposting(outcome.guild_id)
            await reply(
                interaction,
                " ".join((thanks, t(language, hard), t(language, reached))),
                embed=signposting_embed(signposting, language),
            )
            return
        await reply(interaction, thanks)


async def open_survey(interaction: discord.Interaction[Any], occurrence_id: int) -> None:
    """Answer with the survey form, in the reader's language, or with a polite refusal (not an attendee, closed,
    not open yet).

    Works in the session thread and in a DM (where there is no guild)."""
    form = await _bot(interaction).services.surveys.form(
        interaction.guild_id, interaction.user.id, require_id(occurrence_id, "session")
    )
    await interaction.response.send_modal(FeedbackModal(form, await language_of(interaction)))


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cwtch:feedback:(?P<occurrence>{ID})"):
    def __init__(self, occurrence_id: int, label: str = GIVE_FEEDBACK) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.primary, custom_id=f"cwtch:feedback:{occurrence_id}"
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


def feedback_view(occurrence_id: int, language: Language | ChannelPosts = Language.EN) -> discord.ui.View:
    """The "Give feedback" button: in a DM, in its recipient's ``Language``; in the session thread, as the server's
    ``ChannelPosts`` say ("Rhoi adborth / Give feedback" when bilingual)."""
    if isinstance(language, ChannelPosts):
        label = for_channel(language, GIVE_FEEDBACK, between=" / ")
    else:
        label = t(language, GIVE_FEEDBACK)
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton(occurrence_id, label))
    return view


COMMENTS_SHOWN_MAX = 3800  # characters of comments in the embed; the rest go in the attached text file


def comments_reply(
    result: SessionComments, language: Language = Language.EN
) -> tuple[discord.Embed, discord.File | None]:
    """A session's comments for facilitators: quoted, in shuffled order, no names or times. Beyond what an embed
    holds, all of them come as a text file too. The comments are as their writers wrote them; the rest is in
    ``language``."""
    session, comments = result.session, result.comments
    embed = discord.Embed(
        title=t(language, N_("Comments: {title} · {cohort}"), title=session.title, cohort=session.cohort_name)[:256],
        colour=CWTCH_COLOUR,
    )
    embed.set_footer(
        text=t(language, N_("Shuffled, without names or times. Please keep them within the facilitation team."))
    )
    if language is Language.EN:
        day = discord_timestamp(session.starts_at, "D")
    else:
        day = short_date(session.starts_at.astimezone(ZoneInfo(session.timezone)), language)
    if not comments:
        embed.description = t(language, N_("Nobody left a comment about the session on {when}."), when=day)
        return embed, None
    quoted = ["> " + comment.replace("\n", "\n> ") for comment in comments]
    shown: list[str] = []
    for text in quoted:
        if sum(len(part) + 2 for part in shown) + len(text) > COMMENTS_SHOWN_MAX:
            break
        shown.append(text)
    if len(comments) == 1:
        header = t(language, N_("1 comment about the session on {when}"), when=day)
    else:
        header = t(language, N_("{count} comments about the session on {when}"), count=len(comments), when=day)
    attachment = None
    if len(shown) < len(quoted):
        header += " " + t(language, N_("(the first {shown} here, all of them in the attached file)"), shown=len(shown))
        body = "\n\n".join(comments).encode("utf-8")
        described = t(language, N_("The session's comments"))
        attachment = discord.File(io.BytesIO(body), filename="comments.txt", description=described)
    embed.description = header + ":\n\n" + "\n\n".join(shown)
    return embed, attachment
