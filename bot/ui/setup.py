"""What set-up looks like to admins: ``/setup status``, the channels help, the server's languages, the welcome
posted when Cwtch joins a server, the note ``/series create`` adds when facilitators have no channel, and the
permissions of the invite. Everything is written in the admin's language; the welcome is a channel post."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.domain.errors import InvalidInput
from bot.domain.language import DEFAULT_LANGUAGE, N_, ChannelPosts, Language
from bot.i18n import for_channel, t
from bot.services.guild_setup import GuildConfig, SetupService, SetupStatus
from bot.ui.embeds import CWTCH_COLOUR
from bot.ui.wording import counted

log = logging.getLogger(__name__)

# Exactly what Cwtch needs, as "Creating the Discord application" in the README lists it.
CWTCH_PERMISSIONS = discord.Permissions(
    manage_roles=True,  # give and take cohort and community roles
    manage_channels=True,  # name a session's voice or stage room
    manage_events=True,  # mirror sessions as scheduled events
    create_public_threads=True,  # session threads, resource posts
    send_messages=True,
    send_messages_in_threads=True,
    manage_threads=True,  # open and close session threads
    embed_links=True,
    attach_files=True,  # charts, CSV exports, calendars
    read_message_history=True,
    view_channel=True,
    connect=True,  # see who is in a session's voice room
)
INVITE_SCOPES = ("bot", "applications.commands")


def invite_url(application_id: int) -> str:
    """The URL that adds Cwtch to a server with its commands and exactly :data:`CWTCH_PERMISSIONS`."""
    return discord.utils.oauth_url(application_id, permissions=CWTCH_PERMISSIONS, scopes=INVITE_SCOPES)


@dataclass(frozen=True, slots=True)
class Step:
    """One thing a server needs: how it shows when set, the command that sets it, what fails without it. ``name``
    and ``without`` are catalogue messages, shown in the admin's language."""

    name: str
    shown: Callable[[SetupStatus, Language], str | None]
    fix: str
    without: str


def _role(pick: Callable[[GuildConfig], int | None]) -> Callable[[SetupStatus, Language], str | None]:
    return lambda status, _language: f"<@&{role_id}>" if (role_id := pick(status.config)) else None


def _channel(pick: Callable[[GuildConfig], int | None]) -> Callable[[SetupStatus, Language], str | None]:
    return lambda status, _language: f"<#{channel_id}>" if (channel_id := pick(status.config)) else None


def _cohorts(status: SetupStatus, language: Language) -> str | None:
    if not status.cohorts:
        return None
    return counted(language, status.cohorts, N_("{count} cohort"), N_("{count} cohorts"))


STEPS: tuple[Step, ...] = (
    Step(
        N_("Facilitator role"),
        _role(lambda c: c.facilitator_role_id),
        "/setup roles facilitator: coordinator:",
        N_("only admins can create cohorts and run sessions."),
    ),
    Step(
        N_("Coordinator role"),
        _role(lambda c: c.coordinator_role_id),
        "/setup roles facilitator: coordinator:",
        N_("only admins can read the reports."),
    ),
    Step(
        N_("Announcements channel"),
        _channel(lambda c: c.announcements_channel_id),
        "/setup channels announcements:",
        N_("the digest of what's new isn't posted."),
    ),
    Step(
        N_("Resources forum"),
        _channel(lambda c: c.resources_channel_id),
        "/setup channels resources:",
        N_("/resource add and Share what works can't post."),
    ),
    Step(
        N_("Facilitators' channel"),
        _channel(lambda c: c.facilitators_channel_id),
        "/setup channels facilitators:",
        N_(
            "safeguarding alerts go by DM to the facilitators Cwtch knows, or to the server owner, "
            "and suggested resources can't be reviewed."
        ),
    ),
    Step(
        N_("A cohort"),
        _cohorts,
        "/cohort create name: description: channel:",
        N_("members have nothing to join and no sessions can be planned."),
    ),
)
LANGUAGE_FIX = "/setup language default: channel_posts:"
# How each way of writing channel posts reads in the admin's language.
CHANNEL_POSTS: dict[ChannelPosts, str] = {
    ChannelPosts.BILINGUAL: N_("Bilingual: Welsh first, then English"),
    ChannelPosts.CY: N_("Welsh only"),
    ChannelPosts.EN: N_("English only"),
}


def language_fields(embed: discord.Embed, config: GuildConfig, language: Language) -> None:
    """The server's two language settings, with the command that changes them."""
    embed.add_field(
        name=t(language, N_("Language for members who haven't chosen")),
        value=f"{config.language.name_in_itself}\n`{LANGUAGE_FIX}`",
        inline=False,
    )
    embed.add_field(
        name=t(language, N_("Channel posts (announcements, session threads, digests)")),
        value=f"{t(language, CHANNEL_POSTS[config.channel_posts])}\n`{LANGUAGE_FIX}`",
        inline=False,
    )


def status_embed(status: SetupStatus, language: Language) -> discord.Embed:
    """Each step with ✅ and what is set, or ⬜ with the command that fixes it and what waits on it; then the
    server's languages."""
    missing = [step for step in STEPS if step.shown(status, language) is None]
    if missing:
        count = counted(language, len(missing), N_("{count} thing"), N_("{count} things"))
        summary = t(
            language, N_("Nearly there: {count} still to set. Each shows the command that sets it."), count=count
        )
    else:
        summary = t(language, N_("All set. Cwtch has everything it needs here."))
    embed = discord.Embed(title=t(language, N_("Cwtch set-up")), description=summary, colour=CWTCH_COLOUR)
    for step in STEPS:
        shown = step.shown(status, language)
        name = t(language, step.name)
        if shown is not None:
            embed.add_field(name=f"✅ {name}", value=shown, inline=False)
        else:
            embed.add_field(
                name=t(language, N_("⬜ {step}: missing"), step=name),
                value=f"`{step.fix}`\n"
                + t(language, N_("Without it, {consequence}"), consequence=t(language, step.without)),
                inline=False,
            )
    language_fields(embed, status.config, language)
    return embed


def channels_help_embed(config: GuildConfig, language: Language) -> discord.Embed:
    """``/setup channels`` with no channel given: what is set now and how to set each."""
    status = SetupStatus(config, cohorts=0)
    embed = discord.Embed(
        title=t(language, N_("Cwtch channels")),
        description=t(
            language, N_("Nothing changed. Give any of the channels below to set it; the others stay as they are.")
        ),
        colour=CWTCH_COLOUR,
    )
    for step in STEPS[2:5]:
        shown = step.shown(status, language) or t(language, N_("not set"))
        embed.add_field(
            name=t(language, step.name),
            value=shown + "\n" + t(language, N_("Set with {command}"), command=f"`{step.fix}`"),
            inline=False,
        )
    return embed


def setup_embed(config: GuildConfig, language: Language) -> discord.Embed:
    """The roles and channels as they are now, after ``/setup roles`` or ``/setup channels``."""

    def role(role_id: int | None) -> str:
        return f"<@&{role_id}>" if role_id else t(language, N_("not set"))

    def channel(channel_id: int | None) -> str:
        return f"<#{channel_id}>" if channel_id else t(language, N_("not set"))

    embed = discord.Embed(title=t(language, N_("Cwtch set-up")), colour=CWTCH_COLOUR)
    embed.add_field(name=t(language, N_("Facilitator role")), value=role(config.facilitator_role_id))
    embed.add_field(name=t(language, N_("Coordinator role")), value=role(config.coordinator_role_id))
    embed.add_field(name="\u200b", value="\u200b")
    embed.add_field(name=t(language, N_("Announcements")), value=channel(config.announcements_channel_id))
    embed.add_field(name=t(language, N_("Resources")), value=channel(config.resources_channel_id))
    embed.add_field(name=t(language, N_("Facilitators")), value=channel(config.facilitators_channel_id))
    return embed


def languages_embed(config: GuildConfig, language: Language, *, changed: bool) -> discord.Embed:
    """``/setup language``: the server's languages now (and, with nothing given, how to change them)."""
    if changed:
        description = t(
            language,
            N_(
                "Saved. Members who choose a language with `/language` (or `/iaith`) keep their choice; "
                "everyone else reads Cwtch in the language below."
            ),
        )
    else:
        description = t(language, N_("Nothing changed. Give `default`, `channel_posts` or both to change them."))
    embed = discord.Embed(title=t(language, N_("Cwtch languages")), description=description, colour=CWTCH_COLOUR)
    language_fields(embed, config, language)
    return embed


def facilitators_note(config: GuildConfig, language: Language = DEFAULT_LANGUAGE) -> str | None:
    """One line for facilitators' eyes when their alerts have nowhere to go but DMs."""
    if config.facilitators_channel_id is not None:
        return None
    return t(
        language,
        N_(
            "Note: there is no facilitators' channel yet, so alerts go by DM. "
            "An admin can set one with `/setup channels facilitators:`."
        ),
    )


WELCOME = N_(
    "Hello, I'm Cwtch. I run peer-support sessions, feedback after each one, and a wellbeing community.\n"
    "To set me up, someone with Manage Server runs, in order:\n"
    "1. `/setup roles`: the facilitator and coordinator roles\n"
    "2. `/setup channels`: the announcements channel, the resources forum and a private facilitators' channel\n"
    "3. `/cohort create`: the first cohort\n"
    "`/setup status` shows what is set and what is still missing, at any time. "
    "`/setup language` chooses Cymraeg, English or both."
)


def welcome_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """The system channel, or else the first text channel Cwtch may write in; None when it may write nowhere."""
    me = guild.me
    if me is None:
        return None
    candidates = ([guild.system_channel] if guild.system_channel else []) + guild.text_channels
    for channel in candidates:
        allowed = channel.permissions_for(me)
        if allowed.view_channel and allowed.send_messages:
            return channel
    return None


async def post_welcome(guild: discord.Guild, setup: SetupService) -> None:
    """Post :data:`WELCOME` once per server, ever, where Cwtch may write; nothing when it may write nowhere."""
    channel = welcome_channel(guild)
    if channel is None:
        log.info("joined guild %s: no channel I may write in, so no welcome", guild.id)
        return
    if not await setup.claim_welcome(guild.id):
        log.info("joined guild %s again: the welcome was posted before", guild.id)
        return
    posts = (await setup.config(guild.id)).channel_posts  # a server Cwtch knew before keeps its choice
    try:
        await channel.send(for_channel(posts, WELCOME))
    except discord.HTTPException as exc:
        log.warning("joined guild %s: the welcome in channel %s was refused (%s)", guild.id, channel.id, exc.status)
    else:
        log.info("joined guild %s: welcome posted in channel %s", guild.id, channel.id)


class _ChannelOf(app_commands.Transformer):
    """A channel option that shows only channels of the right kind in Discord, and refuses others politely."""

    def __init__(self, kinds: list[discord.ChannelType], refusal: str) -> None:
        self._kinds = kinds
        self._refusal = refusal

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return self._kinds

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> app_commands.AppCommandChannel:
        if isinstance(value, app_commands.AppCommandChannel) and value.type in self._kinds:
            return value
        raise InvalidInput(self._refusal)


TextChannelOption = app_commands.Transform[
    app_commands.AppCommandChannel,
    _ChannelOf(
        [discord.ChannelType.text, discord.ChannelType.news],
        N_("That isn't a text channel. Please pick a text channel for announcements and for facilitators."),
    ),
]
ForumOption = app_commands.Transform[
    app_commands.AppCommandChannel,
    _ChannelOf(
        [discord.ChannelType.forum],
        N_(
            "The resources channel must be a forum channel, because each resource is a post in it. "
            "Please pick a forum (or create one in the server settings)."
        ),
    ),
]
