"""Persistent buttons of sessions. Each carries its IDs in its custom_id (``cwtch:<kind>:<ids>``), so it keeps
working after a restart; ``from_custom_id`` only parses, and state lives in the database.

A session is for its cohort: someone outside it who presses "I'll be there" or "I'm here" is offered one button,
"Join and RSVP" (or "Join and check in"), which joins the cohort and records the answer in the same click."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import NotAllowed
from bot.domain.language import DEFAULT_LANGUAGE, N_, Language
from bot.domain.rsvp import Choice, JoinCohortFirst, RsvpStatus
from bot.i18n import t
from bot.services.ports import SessionCard
from bot.services.rsvp import Answer, GroundRulesRequired, RsvpOutcome
from bot.ui.embeds import ground_rules_embed
from bot.ui.persistent import ID, guarded, guild_of, id_from, require_id
from bot.ui.readers import language_meanwhile, language_of
from bot.ui.reply import acknowledge, reply
from bot.ui.session_embeds import Voice, say

if TYPE_CHECKING:
    from bot.ui.client import CwtchBot

log = logging.getLogger(__name__)

RSVP_WORDS = {
    RsvpStatus.GOING: N_(
        "You're going. I'll remind you 24 hours and 1 hour before (turn that off with `/reminders off`)."
    ),
    RsvpStatus.WAITLISTED: N_("The session is full, so you're on the waitlist. I'll tell you if a place frees up."),
    RsvpStatus.DECLINED: N_("Thanks for letting us know. You can change your mind until the session starts."),
}
JOIN_RSVP, JOIN_CHECK_IN = "rsvp", "checkin"
JOIN_OFFER = {
    JOIN_RSVP: N_(
        "This session is for members of **{cohort}**, and you're not in that cohort yet. Press **Join and "
        "RSVP** to join it (as `/cohort join` does) and I'll record that you'll be there in the same step. "
        "Nothing is saved until you press it."
    ),
    JOIN_CHECK_IN: N_(
        "This session is for members of **{cohort}**, and you're not in that cohort yet. Press **Join and "
        "check in** to join it (as `/cohort join` does) and I'll check you in in the same step. "
        "Nothing is saved until you press it."
    ),
}
JOIN_LABELS = {JOIN_RSVP: N_("Join and RSVP"), JOIN_CHECK_IN: N_("Join and check in")}
WELSH_SESSIONS = {
    True: N_(
        "Noted: you'd prefer Welsh-medium sessions. Facilitators see how many members would, never who. "
        "Look for Welsh-medium sessions in `/session list`."
    ),
    False: N_("Noted: you have no preference for Welsh-medium sessions."),
}


async def _prepare_reminders(interaction: discord.Interaction[Any], outcome: RsvpOutcome) -> None:
    """Open the member's DM channel for their reminders. Best effort: the RSVP stands whatever happens here."""
    if outcome.status is RsvpStatus.DECLINED:
        return
    try:
        await _bot(interaction).services.rsvp.prepare_reminders(interaction.user.id)
    except Exception:
        log.warning("could not open the DM channel of user %s ahead of reminders", interaction.user.id, exc_info=True)


def _bot(interaction: discord.Interaction[Any]) -> CwtchBot:
    return interaction.client


async def _answer_rsvp(
    interaction: discord.Interaction[Any],
    occurrence_id: int,
    record: Callable[[Answer], Awaitable[RsvpOutcome]],
    prefix: Callable[[RsvpOutcome, Language], str] = lambda outcome, language: "",
) -> None:
    """Record an RSVP and say how it went; or offer to join the cohort, or the ground rules, first.

    ``record`` is given the answer to send: the service sends it before any other Discord call the RSVP sets off
    (the announcement's count, the promoted members' notices), so a burst of clicks never waits on those. The
    member's language is read meanwhile."""
    await _record_and_answer(interaction, occurrence_id, record, prefix, language_meanwhile(interaction))


async def _record_and_answer(
    interaction: discord.Interaction[Any],
    occurrence_id: int,
    record: Callable[[Answer], Awaitable[RsvpOutcome]],
    prefix: Callable[[RsvpOutcome, Language], str],
    reading: asyncio.Future[Language],
) -> None:
    async def answer(outcome: RsvpOutcome) -> None:
        language = await reading
        await reply(interaction, prefix(outcome, language) + t(language, RSVP_WORDS[outcome.status]))

    try:
        outcome = await record(answer)
    except JoinCohortFirst as outside:
        language = await reading
        await reply(
            interaction,
            t(language, JOIN_OFFER[JOIN_RSVP], cohort=outside.cohort_name),
            view=join_view(occurrence_id, JOIN_RSVP, language),
        )
        return
    except GroundRulesRequired as required:
        language = await reading
        view = discord.ui.View(timeout=None)
        view.add_item(GroundRulesButton(occurrence_id, language))
        await reply(
            interaction,
            t(language, required.template, **required.values),
            embed=ground_rules_embed(language),
            view=view,
        )
        return
    await _prepare_reminders(interaction, outcome)


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"cwtch:rsvp:(?P<occurrence>{ID}):(?P<choice>yes|no)",
):
    def __init__(self, occurrence_id: int, choice: Choice, voice: Voice = DEFAULT_LANGUAGE) -> None:
        yes = choice is Choice.YES
        super().__init__(
            discord.ui.Button(
                label=say(voice, N_("I'll be there") if yes else N_("Can't make it"), between=" / "),
                style=discord.ButtonStyle.success if yes else discord.ButtonStyle.secondary,
                custom_id=f"cwtch:rsvp:{occurrence_id}:{choice.value}",
            )
        )
        self.occurrence_id = occurrence_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RsvpButton:
        return cls(id_from(match, "occurrence"), Choice(match["choice"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            guild_id, occurrence_id = guild_of(interaction), require_id(self.occurrence_id, "session")
            acknowledge(interaction)
            rsvp = _bot(interaction).services.rsvp
            await _answer_rsvp(
                interaction,
                occurrence_id,
                lambda answer: rsvp.respond(guild_id, interaction.user.id, occurrence_id, self.choice, answer=answer),
            )

        await guarded(interaction, handle)


class GroundRulesButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cwtch:rules:(?P<occurrence>{ID})"):
    """ "I agree" under the ground rules: records the acceptance, then the RSVP the member asked for."""

    def __init__(self, occurrence_id: int, language: Language = DEFAULT_LANGUAGE) -> None:
        super().__init__(
            discord.ui.Button(
                label=t(language, N_("I agree to the ground rules")),
                style=discord.ButtonStyle.primary,
                custom_id=f"cwtch:rules:{occurrence_id}",
            )
        )
        self.occurrence_id = occurrence_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> GroundRulesButton:
        return cls(id_from(match, "occurrence"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            guild_id, occurrence_id = guild_of(interaction), require_id(self.occurrence_id, "session")
            acknowledge(interaction)
            rsvp = _bot(interaction).services.rsvp
            await rsvp.accept_ground_rules(guild_id, interaction.user.id)
            await _answer_rsvp(
                interaction,
                occurrence_id,
                lambda answer: rsvp.respond(guild_id, interaction.user.id, occurrence_id, Choice.YES, answer=answer),
                lambda outcome, language: t(language, N_("Thank you for agreeing to the ground rules.")) + " ",
            )

        await guarded(interaction, handle)


class JoinCohortButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"cwtch:join:(?P<occurrence>{ID}):(?P<then>{JOIN_RSVP}|{JOIN_CHECK_IN})",
):
    """ "Join and RSVP" / "Join and check in": joins the session's cohort, then records what the member pressed."""

    def __init__(self, occurrence_id: int, then: str, language: Language = DEFAULT_LANGUAGE) -> None:
        super().__init__(
            discord.ui.Button(
                label=t(language, JOIN_LABELS.get(then, JOIN_LABELS[JOIN_RSVP])),
                style=discord.ButtonStyle.primary,
                custom_id=f"cwtch:join:{occurrence_id}:{then}",
            )
        )
        self.occurrence_id = occurrence_id
        self.then = then

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> JoinCohortButton:
        return cls(id_from(match, "occurrence"), match["then"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            guild_id, occurrence_id = guild_of(interaction), require_id(self.occurrence_id, "session")
            acknowledge(interaction)
            rsvp, user_id = _bot(interaction).services.rsvp, interaction.user.id
            if self.then == JOIN_CHECK_IN:
                session = await rsvp.join_and_check_in(guild_id, user_id, occurrence_id)
                language = await language_of(interaction)
                checked_in = t(language, N_("You're checked in to **{title}**."), title=session.title)
                await reply(interaction, _welcome(session, language) + checked_in)
                return
            await _answer_rsvp(
                interaction,
                occurrence_id,
                lambda answer: rsvp.join_and_respond(guild_id, user_id, occurrence_id, Choice.YES, answer=answer),
                lambda outcome, language: (
                    _welcome(outcome.session, language) + t(language, N_("Your RSVP is in.")) + " "
                ),
            )

        await guarded(interaction, handle)


def _welcome(session: SessionCard, language: Language) -> str:
    return t(language, N_("Welcome to **{cohort}**: you've joined the cohort."), cohort=session.cohort_name) + " "


class CheckInButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cwtch:checkin:(?P<occurrence>{ID})"):
    """ "I'm here": attendance for sessions that don't meet in a Discord voice channel."""

    def __init__(self, occurrence_id: int, voice: Voice = DEFAULT_LANGUAGE) -> None:
        super().__init__(
            discord.ui.Button(
                label=say(voice, N_("I'm here"), between=" / "),
                style=discord.ButtonStyle.success,
                custom_id=f"cwtch:checkin:{occurrence_id}",
            )
        )
        self.occurrence_id = occurrence_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CheckInButton:
        return cls(id_from(match, "occurrence"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def handle() -> None:
            occurrence_id = require_id(self.occurrence_id, "session")
            acknowledge(interaction)  # at once: a busy start must not pass 3 s
            reading = language_meanwhile(interaction)
            try:
                session = await _bot(interaction).services.rsvp.check_in(
                    guild_of(interaction), interaction.user.id, occurrence_id
                )
            except JoinCohortFirst as outside:
                language = await reading
                offer = t(language, JOIN_OFFER[JOIN_CHECK_IN], cohort=outside.cohort_name)
                await reply(interaction, offer, view=join_view(occurrence_id, JOIN_CHECK_IN, language))
                return
            welcome = N_("Welcome to **{title}**, you're checked in.")
            await reply(interaction, t(await reading, welcome, title=session.title))

        await guarded(interaction, handle)


def rsvp_view(occurrence_id: int, voice: Voice = DEFAULT_LANGUAGE) -> discord.ui.View:
    """ "I'll be there" and "Can't make it", in a reader's language or as the channel's posts are written."""
    view = discord.ui.View(timeout=None)
    view.add_item(RsvpButton(occurrence_id, Choice.YES, voice))
    view.add_item(RsvpButton(occurrence_id, Choice.NO, voice))
    return view


def check_in_view(occurrence_id: int, voice: Voice = DEFAULT_LANGUAGE) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(CheckInButton(occurrence_id, voice))
    return view


def join_view(occurrence_id: int, then: str, language: Language) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(JoinCohortButton(occurrence_id, then, language))
    return view


async def prefer_welsh_sessions(interaction: discord.Interaction[Any], prefers: bool) -> None:
    """``/language welsh_sessions``: keep whether the member would rather join Welsh-medium sessions in this
    server, and say so in their language."""
    if interaction.guild_id is None:
        raise NotAllowed(
            N_("Tell me about Welsh-medium sessions inside your server: it is kept for each server you use.")
        )
    await _bot(interaction).services.rsvp.prefer_welsh_medium(interaction.guild_id, interaction.user.id, prefers)
    await reply(interaction, t(await language_of(interaction), WELSH_SESSIONS[prefers]))
