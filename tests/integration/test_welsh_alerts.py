"""Safeguarding alerts in the reader's language: in the facilitators' channel as the server's channel posts are
written, by DM in each facilitator's own language, and "taken on" shown the same way on every copy; on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.language import ChannelPosts, Language
from bot.services.guild_setup import SetupService
from bot.services.safety import AlertNotice, Delivery, ReportOutcome, SafetyService, Sent
from bot.ui.links import message_url
from tests.fakes import FakeClock

GUILD, CHANNEL, ROLE, OWNER = 1, 30, 50, 99
WELSH, ENGLISH, UNDECIDED = 7, 8, 9  # facilitators Cwtch knows from what they did
ADMIN = Actor(user_id=3, role_ids=frozenset(), is_admin=True)
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
LINK = message_url(GUILD, 40, 41)


class Gateway:
    """Records how each alert and each "taken on" line was to be written."""

    def __init__(self) -> None:
        self.posted: list[ChannelPosts] = []
        self.dms: dict[int, ChannelPosts] = {}
        self.taken: dict[int, ChannelPosts] = {}  # message id -> how "taken on" is written

    async def post_alert(self, channel_id: int, notice: AlertNotice, *, nonce: str) -> Sent:
        self.posted.append(notice.posts)
        return Sent(channel_id, 1000 + len(self.posted))

    async def dm_alert(self, user_id: int, notice: AlertNotice, *, nonce: str) -> Sent | None:
        self.dms[user_id] = notice.posts
        return Sent(500 + user_id, 2000 + user_id)

    async def owner_of(self, guild_id: int) -> int | None:
        return OWNER

    async def mark_taken(
        self, channel_id: int, message_id: int, taken_by: int, *, posts: ChannelPosts = ChannelPosts.EN
    ) -> None:
        self.taken[message_id] = posts


async def facilitators_known(uow: UnitOfWorkFactory, *, default: Language | None = None) -> None:
    """Three facilitators who started sessions: one chose Cymraeg, one English, one never chose."""
    async with uow() as work:
        for user in (WELSH, ENGLISH, UNDECIDED):
            await work.audit.record(GUILD, user, "session.start", occurrence_id=1)
        await work.languages.choose(WELSH, Language.CY, NOW)
        await work.languages.choose(ENGLISH, Language.EN, NOW)
        settings = await work.guild_settings.get_or_create(GUILD)
        settings.language = default
        await work.commit()


async def test_dms_are_in_each_facilitators_language_and_so_is_taken_on(uow: UnitOfWorkFactory) -> None:
    await facilitators_known(uow, default=Language.CY)  # the server's default: Cymraeg, for who never chose
    gateway = Gateway()
    service = SafetyService(uow, gateway, clock=FakeClock(NOW))
    assert await service.report_message(GUILD, 101, 40, 41, LINK) is ReportOutcome.ALERTED
    written = {WELSH: ChannelPosts.CY, ENGLISH: ChannelPosts.EN, UNDECIDED: ChannelPosts.CY}
    assert gateway.dms == written
    alert_id = await _alert_id(uow)
    taken = await service.take(alert_id, Actor(user_id=ENGLISH, role_ids=frozenset(), is_admin=False), in_dm=True)
    assert taken.taken
    assert gateway.taken == {2000 + user: posts for user, posts in written.items()}


async def test_in_the_facilitators_channel_an_alert_follows_the_servers_channel_posts(uow: UnitOfWorkFactory) -> None:
    await facilitators_known(uow)
    setup = SetupService(uow)
    await setup.set_roles(GUILD, ADMIN, facilitator_role_id=ROLE, coordinator_role_id=51)
    await setup.set_channels(
        GUILD, ADMIN, announcements_channel_id=31, resources_channel_id=32, facilitators_channel_id=CHANNEL
    )
    gateway = Gateway()
    service = SafetyService(uow, gateway, clock=FakeClock(NOW))
    assert await service.alert_feedback(GUILD, 12345) is Delivery.CHANNEL
    async with uow() as work:
        settings = await work.guild_settings.get_or_create(GUILD)
        settings.channel_posts = ChannelPosts.BILINGUAL
        await work.commit()
    assert await service.alert_feedback(GUILD, 12345) is Delivery.CHANNEL
    assert gateway.posted == [ChannelPosts.EN, ChannelPosts.BILINGUAL] and gateway.dms == {}
    second = await _alert_id(uow)
    await service.take(second, Actor(user_id=WELSH, role_ids=frozenset({ROLE}), is_admin=False), in_dm=False)
    assert gateway.taken == {1002: ChannelPosts.BILINGUAL}


async def _alert_id(uow: UnitOfWorkFactory) -> int:
    """The newest alert's ID."""
    async with uow() as work:
        messages = [await work.alerts.get(alert_id) for alert_id in range(1, 10)]
    return max(alert.id for alert in messages if alert is not None)
