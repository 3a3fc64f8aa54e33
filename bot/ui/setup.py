"""What set-up looks like to admins: ``/setup status``, the channels help, the welcome posted when Cwtch joins a
server, the note ``/series create`` adds when facilitators have no channel, and the permissions of the invite."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.domain.errors import InvalidInput
from bot.services.guild_setup import GuildConfig, SetupService, SetupStatus
from bot.ui.embeds import CWTCH_COLOUR

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
    """One thing a server needs: how it shows when set, the command that sets it, what fails without it."""

    name: str
    shown: Callable[[SetupStatus], str | None]
    fix: str
    without: str


def _role(pick: Callable[[GuildConfig], int | None]) -> Callable[[SetupStatus], str | None]:
    return lambda status: f"<@&{role_id}>" if (role_id := pick(status.config)) else None


def _channel(pick: Callable[[GuildConfig], int | None]) -> Callable[[SetupStatus], str | None]:
    return lambda status: f"<#{channel_id}>" if (channel_id := pick(status.config)) else None


def _cohorts(status: SetupStatus) -> str | None:
    if not status.cohorts:
        return None
    return f"{status.cohorts} cohort{'s' if status.cohorts != 1 else ''}"


STEPS: tuple[Step, ...] = (
    Step(
        "Facilitator role",
        _role(lambda c: c.facilitator_role_id),
        "/setup roles facilitator: coordinator:",
        "only admins can create cohorts and run sessions.",
    ),
    Step(
        "Coordinator role",
        _role(lambda c: c.coordinator_role_id),
        "/setup roles facilitator: coordinator:",
        "only admins can read the reports.",
    ),
    Step(
        "Announcements channel",
        _channel(lambda c: c.announcements_channel_id),
        "/setup channels announcements:",
        "the digest of what's new isn't posted.",
    ),
    Step(
        "Resources forum",
        _channel(lambda c: c.resources_channel_id),
        "/setup channels resources:",
        "/resource add and Share what works can't post.",
    ),
    Step(
        "Facilitators' channel",
        _channel(lambda c: c.facilitators_channel_id),
        "/setup channels facilitators:",
        "safeguarding alerts go by DM to the facilitators Cwtch knows, or to the server owner, "
        "and suggested resources can't be reviewed.",
    ),
    Step(
        "A cohort",
        _cohorts,
        "/cohort create name: description: channel:",
        "members have nothing to join and no sessions can be planned.",
    ),
)


def status_embed(status: SetupStatus) -> discord.Embed:
    """Each step with ✅ and what is set, or ⬜ with the command that fixes it and what waits on it."""
    missing = [step for step in STEPS if step.shown(status) is None]
    if missing:
        count = f"{len(missing)} thing{'s' if len(missing) != 1 else ''}"
        summary = f"Nearly there: {count} still to set. Each shows the command that sets it."
    else:
        summary = "All set. Cwtch has everything it needs here."
    embed = discord.Embed(title="Cwtch set-up", description=summary, colour=CWTCH_COLOUR)
    for step in STEPS:
        shown = step.shown(status)
        if shown is not None:
            embed.add_field(name=f"✅ {step.name}", value=shown, inline=False)
        else:
            embed.add_field(
                name=f"⬜ {step.name}: missing", value=f"`{step.fix}`\nWithout it, {step.without}", inline=False
            )
    return embed


def channels_help_embed(config: GuildConfig) -> discord.Embed:
    """``/setup channels`` with no channel given: what is set now and how to set each."""
    status = SetupStatus(config, cohorts=0)
    embed = discord.Embed(
        title="Cwtch channels",
        description="Nothing changed. Give any of the channels below to set it; the others stay as they are.",
        colour=CWTCH_COLOUR,
    )
    for step in STEPS[2:5]:
        shown = step.shown(status) or "not set"
        embed.add_field(name=step.name, value=f"{shown}\nSet with `{step.fix}`", inline=False)
    return embed


def facilitators_note(config: GuildConfig) -> str | None:
    """One line for facilitators' eyes when their alerts have nowhere to go but DMs."""
    if config.facilitators_channel_id is not None:
        return None
    return (
        "Note: there is no facilitators' channel yet, so alerts go by DM. "
        "An admin can set one with `/setup channels facilitators:`."
    )


WELCOME = (
    "Hello, I'm Cwtch. I run peer-support sessions, feedback after each one, and a wellbeing community.\n"
    "To set me up, someone with Manage Server runs, in order:\n"
    "1. `/setup roles`: the facilitator and coordinator roles\n"
    "2. `/setup channels`: the announcements channel, the resources forum and a private facilitators' channel\n"
    "3. `/cohort create`: the first cohort\n"
    "`/setup status` shows what is set and what is still missing, at any time."
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
    try:
        await channel.send(WELCOME)
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
        "That isn't a text channel. Please pick a text channel for announcements and for facilitators.",
    ),
]
ForumOption = app_commands.Transform[
    app_commands.AppCommandChannel,
    _ChannelOf(
        [discord.ChannelType.forum],
        "The resources channel must be a forum channel, because each resource is a post in it. "
        "Please pick a forum (or create one in the server settings).",
    ),
]
