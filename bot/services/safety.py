"""Safeguarding alerts: a worrying feedback comment, or a message a member reported, always reaches someone.

An alert goes to the facilitators' channel with the facilitator role mentioned; without a channel (or when the
bot cannot post there) by DM to the facilitators Cwtch knows (who created series or did facilitator actions);
with none of them reachable, to the server's owner. It never names the comment's author nor carries a comment's
or a message's text. A facilitator takes it on with a button, recorded; one nobody takes is sent again once after
24 hours, claimed in the database (like an action) and sent with a nonce, so it is sent exactly once. A member's
repeat report of the same message is thanked without a second alert.

In the facilitators' channel an alert is written as the server's channel posts are (Welsh, English, or both,
Welsh first); by DM, in each recipient's own language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.db.models import SafeguardingAlert
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.access import Actor, require_facilitator
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.language import N_, ChannelPosts, Language
from bot.domain.privacy import ERASED_USER
from bot.domain.shards import ALL_SHARDS, ShardSet
from bot.services.cards import load_card
from bot.services.cohorts import guild_roles
from bot.services.messaging import languages_of
from bot.services.ports import SessionCard

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

RESEND_AFTER = timedelta(hours=24)
RETRY_UNREACHED = timedelta(hours=1)  # nobody could be reached: try again this soon
LEASE = timedelta(minutes=2)
MAX_DMS = 5  # the most recent facilitators Cwtch knows, so an alert stays quick to send
# Audit actions only facilitators (or admins) can do: their actors are the facilitators Cwtch knows.
FACILITATOR_ACTIONS = ("series.", "session.", "cohort.", "feedback.comments", "safeguarding.taken")


class AlertKind(StrEnum):
    FEEDBACK = "feedback"
    REPORT = "report"


class Delivery(StrEnum):
    """Who an alert reached."""

    CHANNEL = "channel"  # the facilitators' channel, the role mentioned
    FACILITATORS = "facilitators"  # a DM to the facilitators Cwtch knows
    OWNER = "owner"  # a DM to the server's owner
    NOBODY = "nobody"  # nobody could be reached; kept for the resend

    @property
    def reached(self) -> bool:
        return self is not Delivery.NOBODY


class ReportOutcome(StrEnum):
    ALERTED = "alerted"  # the facilitators have the link
    OWNER = "owner"  # the server's owner has the link (no facilitator could be reached)
    UNREACHED = "unreached"  # nobody could be reached yet; the alert is kept and sent again
    REPEAT = "repeat"  # this member had reported this message before; no second alert


REPORT_OUTCOMES = {
    Delivery.CHANNEL: ReportOutcome.ALERTED,
    Delivery.FACILITATORS: ReportOutcome.ALERTED,
    Delivery.OWNER: ReportOutcome.OWNER,
    Delivery.NOBODY: ReportOutcome.UNREACHED,
}


@dataclass(frozen=True, slots=True)
class AlertNotice:
    """What an alert says: the session a comment was about, or the reported message's link (and its reporter,
    on the first sending only). ``role_id`` is mentioned in the facilitators' channel. ``posts`` is how it is
    written: the server's channel posts in the facilitators' channel, the recipient's language in a DM."""

    alert_id: int
    guild_id: int
    kind: AlertKind
    session: SessionCard | None = None
    link: str | None = None
    reporter_id: int | None = None
    resend: bool = False
    role_id: int | None = None
    posts: ChannelPosts = ChannelPosts.EN


@dataclass(frozen=True, slots=True)
class Sent:
    channel_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class TakeOutcome:
    taken: bool  # False: someone had already taken it on
    taken_by: int


class AlertGateway(Protocol):
    """The Discord side of safeguarding alerts."""

    async def post_alert(self, channel_id: int, notice: AlertNotice, *, nonce: str) -> Sent:
        """Post in the facilitators' channel, mentioning (and pinging) only ``notice.role_id``. Raises when the
        bot cannot post there."""
        ...

    async def dm_alert(self, user_id: int, notice: AlertNotice, *, nonce: str) -> Sent | None:
        """DM ``user_id``; ``None`` when they cannot be reached (closed DMs, gone)."""
        ...

    async def owner_of(self, guild_id: int) -> int | None:
        """The server's owner (known without privileged intents); ``None`` when the bot is not in it."""
        ...

    async def mark_taken(
        self, channel_id: int, message_id: int, taken_by: int, *, posts: ChannelPosts = ChannelPosts.EN
    ) -> None:
        """Show on a delivered alert who took it on (written as ``posts`` say), without pinging them (the button
        stays: a later press is told who took it)."""
        ...


def alert_nonce(alert_id: int, resend: bool, index: int) -> str:
    """The nonce of one message of an alert (at most 25 characters): Discord refuses to post it twice."""
    return f"cwtch-a{alert_id}{'r' if resend else ''}-{index}"[:25]


class SafetyService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: AlertGateway,
        *,
        clock: Clock,
        worker: str = "cwtch",
        shards: ShardSet = ALL_SHARDS,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self.worker = worker
        self._shards = shards

    async def report_message(
        self, guild_id: int, reporter_id: int, channel_id: int, message_id: int, jump_url: str
    ) -> ReportOutcome:
        """Alert the facilitators to a reported message (its link, never its text)."""
        async with self._uow() as uow:
            if not await uow.message_reports.add_if_new(guild_id, channel_id, message_id, reporter_id):
                return ReportOutcome.REPEAT
            alert = await self._new_alert(uow, guild_id, AlertKind.REPORT, link=jump_url)
            await uow.commit()
        notice = AlertNotice(alert.id, guild_id, AlertKind.REPORT, link=jump_url, reporter_id=reporter_id)
        delivery = await self._deliver(alert, notice)
        log.info("message %s in guild %s reported (alert %s: %s)", message_id, guild_id, alert.id, delivery)
        return REPORT_OUTCOMES[delivery]

    async def alert_feedback(self, guild_id: int, occurrence_id: int) -> Delivery:
        """Alert the facilitators that a comment about this session suggests risk, naming nobody."""
        async with self._uow() as uow:
            session = await load_card(uow, occurrence_id)
            alert = await self._new_alert(uow, guild_id, AlertKind.FEEDBACK, occurrence_id=occurrence_id)
            await uow.commit()
        notice = AlertNotice(alert.id, guild_id, AlertKind.FEEDBACK, session=session)
        delivery = await self._deliver(alert, notice)
        log.info("feedback alert %s for occurrence %s: %s", alert.id, occurrence_id, delivery)
        return delivery

    async def _new_alert(
        self,
        uow: UnitOfWork,
        guild_id: int,
        kind: AlertKind,
        *,
        occurrence_id: int | None = None,
        link: str | None = None,
    ) -> SafeguardingAlert:
        now = self._clock()
        return await uow.alerts.add(
            SafeguardingAlert(
                guild_id=guild_id,
                kind=kind,
                occurrence_id=occurrence_id,
                message_link=link,
                created_at=now,
                resend_due_at=now + RESEND_AFTER,
            )
        )

    async def _deliver(self, alert: SafeguardingAlert, notice: AlertNotice) -> Delivery:
        """Send the alert to whoever can be reached (see the module's docstring) and record where it went. When
        nobody could be, the alert stays pending and is tried again soon."""
        async with self._uow.reading() as uow:
            settings = await uow.guild_settings.get(alert.guild_id)
            known = await uow.alerts.known_facilitators(alert.guild_id, FACILITATOR_ACTIONS, MAX_DMS)
        sent: list[tuple[Sent, int | None]] = []
        delivery = Delivery.NOBODY
        channel_id = settings.facilitators_channel_id if settings is not None else None
        if channel_id is not None:
            role_id = settings.facilitator_role_id if settings is not None else None
            posts = settings.channel_posts if settings is not None else ChannelPosts.EN
            try:
                posted = await self._gateway.post_alert(
                    channel_id,
                    _with(notice, role_id=role_id, posts=posts),
                    nonce=alert_nonce(alert.id, notice.resend, 0),
                )
                sent, delivery = [(posted, None)], Delivery.CHANNEL
            except Exception:
                log.warning("could not post alert %s in the facilitators' channel %s", alert.id, channel_id)
        if not sent:
            sent = await self._dm_each(alert.id, known, notice, start=1)
            delivery = Delivery.FACILITATORS if sent else delivery
        if not sent:
            owner = await self._gateway.owner_of(alert.guild_id)
            if owner is not None:
                sent = await self._dm_each(alert.id, [owner], notice, start=MAX_DMS + 1)
                delivery = Delivery.OWNER if sent else delivery
        async with self._uow() as uow:
            for message, recipient in sent:
                await uow.alerts.delivered(alert, message.channel_id, message.message_id, recipient)
            if not sent:
                await uow.alerts.resend_later(alert.id, self._clock() + RETRY_UNREACHED)
            await uow.commit()
        if not sent:
            log.error(
                "safeguarding alert %s in guild %s reached nobody (no facilitators' channel, no reachable "
                "facilitator nor owner); trying again at the next resend",
                alert.id,
                alert.guild_id,
            )
        return delivery

    async def _dm_each(
        self, alert_id: int, user_ids: Sequence[int], notice: AlertNotice, *, start: int
    ) -> list[tuple[Sent, int | None]]:
        """DM each of ``user_ids`` the alert, in their own language."""
        languages = await self._languages(notice.guild_id, user_ids)
        sent: list[tuple[Sent, int | None]] = []
        for index, user_id in enumerate(user_ids, start=start):
            written = _with(notice, role_id=notice.role_id, posts=ChannelPosts(languages[user_id].value))
            try:
                message = await self._gateway.dm_alert(
                    user_id, written, nonce=alert_nonce(alert_id, notice.resend, index)
                )
            except Exception:
                log.warning("could not DM alert %s to user %s", alert_id, user_id, exc_info=True)
                message = None
            if message is not None:
                sent.append((message, user_id))
        return sent

    async def _languages(self, guild_id: int, user_ids: Sequence[int]) -> dict[int, Language]:
        """Each recipient's language; English for all if it can't be read (the alert must still go out)."""
        try:
            async with self._uow.reading() as uow:
                return await languages_of(uow, guild_id, user_ids)
        except Exception:
            log.warning("could not read the languages of an alert's recipients; writing it in English", exc_info=True)
            return dict.fromkeys(user_ids, Language.EN)

    async def take(self, alert_id: int, actor: Actor, *, in_dm: bool) -> TakeOutcome:
        """Record that ``actor`` takes the alert on and show it on every copy; facilitators (or, for a DM, its
        recipients) and the owner only."""
        async with self._uow() as uow:
            alert = await uow.alerts.get(alert_id)
            if alert is None:
                raise NotFound(N_("I can't find that alert any more."))
            messages = await uow.alerts.messages(alert_id)
            roles = await guild_roles(uow, alert.guild_id)
            if actor.user_id != await self._gateway.owner_of(alert.guild_id):
                recipients = {m.recipient_id for m in messages if m.recipient_id is not None}
                if in_dm and actor.user_id not in recipients:
                    raise NotAllowed(N_("Only facilitators can take on a safeguarding alert."))
                if not in_dm:
                    require_facilitator(actor, roles)
            if not await uow.alerts.take(alert_id, actor.user_id, self._clock()):
                return TakeOutcome(False, await uow.alerts.taken_by(alert_id) or ERASED_USER)
            await uow.audit.record(alert.guild_id, actor.user_id, "safeguarding.taken", alert_id=alert_id)
            await uow.commit()
            settings = await uow.guild_settings.get(alert.guild_id)
            dm_to = [m.recipient_id for m in messages if m.recipient_id is not None]
            languages = await languages_of(uow, alert.guild_id, dm_to) if dm_to else {}
        log.info("alert %s taken on by user %s", alert_id, actor.user_id)
        in_channel = settings.channel_posts if settings is not None else ChannelPosts.EN
        for message in messages:
            recipient = message.recipient_id
            posts = in_channel if recipient is None else ChannelPosts(languages[recipient].value)
            try:
                await self._gateway.mark_taken(message.channel_id, message.message_id, actor.user_id, posts=posts)
            except Exception:
                log.warning("could not mark alert %s taken on message %s", alert_id, message.message_id)
        return TakeOutcome(True, actor.user_id)

    async def resend_due(self) -> int:
        """Send again, once, the alerts nobody took on within 24 hours; returns how many were sent."""
        now = self._clock()
        async with self._uow.reading() as uow:
            due = await uow.alerts.due_resends(now, self._shards)
        sent = 0
        for alert_id in due:
            try:
                sent += await self._resend(alert_id)
            except Exception:
                log.exception("resending alert %s failed; its lease lets a later tick try again", alert_id)
        return sent

    async def _resend(self, alert_id: int) -> int:
        async with self._uow() as uow:
            if not await uow.alerts.claim_resend(alert_id, self.worker, self._clock(), LEASE):
                return 0
            await uow.commit()
            alert = await uow.alerts.get(alert_id)
            assert alert is not None
            session = await load_card(uow, alert.occurrence_id) if alert.occurrence_id is not None else None
        # A first delivery that reached nobody is sent as the first again, with its own nonces.
        first_reached = bool(await self._messages(alert_id))
        notice = AlertNotice(
            alert.id,
            alert.guild_id,
            AlertKind(alert.kind),
            session=session,
            link=alert.message_link,
            resend=first_reached,
        )
        delivery = await self._deliver(alert, notice)
        if not delivery.reached:
            return 0
        async with self._uow() as uow:
            if first_reached:
                await uow.alerts.resent(alert_id, self._clock())
            else:
                await uow.alerts.resend_later(alert_id, self._clock() + RESEND_AFTER)
            await uow.commit()
        log.info("alert %s sent again (%s)", alert_id, delivery)
        return 1

    async def _messages(self, alert_id: int) -> list[int]:
        async with self._uow.reading() as uow:
            return [m.id for m in await uow.alerts.messages(alert_id)]


def _with(notice: AlertNotice, *, role_id: int | None, posts: ChannelPosts) -> AlertNotice:
    return AlertNotice(
        notice.alert_id,
        notice.guild_id,
        notice.kind,
        notice.session,
        notice.link,
        notice.reporter_id,
        notice.resend,
        role_id,
        posts,
    )
