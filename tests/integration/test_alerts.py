"""The resend of a safeguarding alert nobody took on: claimed in the database, so two processes (or a process
that died mid-send and the one after it) send it exactly once, with the same nonce; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.language import ChannelPosts
from bot.services.guild_setup import SetupService
from bot.services.safety import LEASE, AlertNotice, Delivery, ReportOutcome, SafetyService, Sent
from bot.ui.links import message_url
from tests.fakes import FakeClock

GUILD, CHANNEL, ROLE, OWNER = 1, 30, 50, 99
FACILITATOR = Actor(user_id=2, role_ids=frozenset({ROLE}), is_admin=False)
ADMIN = Actor(user_id=3, role_ids=frozenset(), is_admin=True)
LINK = message_url(1, 40, 41)


class Gateway:
    """Records what each process sent (and the nonce it used)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, bool, str]] = []
        self.dms: list[tuple[int, str]] = []
        self.taken: list[tuple[int, int]] = []

    async def post_alert(self, channel_id: int, notice: AlertNotice, *, nonce: str) -> Sent:
        await asyncio.sleep(0)  # let another process run in between
        self.sent.append((notice.alert_id, notice.resend, nonce))
        return Sent(channel_id, 1000 + len(self.sent))

    async def dm_alert(self, user_id: int, notice: AlertNotice, *, nonce: str) -> Sent | None:
        self.dms.append((user_id, nonce))
        return Sent(500 + user_id, 2000 + len(self.dms))

    async def owner_of(self, guild_id: int) -> int | None:
        return OWNER

    async def mark_taken(
        self, channel_id: int, message_id: int, taken_by: int, *, posts: ChannelPosts = ChannelPosts.EN
    ) -> None:
        self.taken.append((message_id, taken_by))


async def a_guild_with_a_channel(uow: UnitOfWorkFactory) -> None:
    setup = SetupService(uow)
    await setup.set_roles(GUILD, ADMIN, facilitator_role_id=ROLE, coordinator_role_id=51)
    await setup.set_channels(
        GUILD, ADMIN, announcements_channel_id=31, resources_channel_id=32, facilitators_channel_id=CHANNEL
    )


async def test_two_processes_resend_an_alert_exactly_once(uow: UnitOfWorkFactory) -> None:
    await a_guild_with_a_channel(uow)
    clock = FakeClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    gateway = Gateway()
    one = SafetyService(uow, gateway, clock=clock, worker="one")
    two = SafetyService(uow, gateway, clock=clock, worker="two")
    assert await one.report_message(GUILD, 101, 40, 41, LINK) is ReportOutcome.ALERTED
    [(alert_id, resend, first_nonce)] = gateway.sent
    assert not resend

    clock.advance(timedelta(hours=23, minutes=59))
    assert await asyncio.gather(one.resend_due(), two.resend_due()) == [0, 0]  # not yet
    clock.advance(timedelta(minutes=2))
    assert sorted(await asyncio.gather(one.resend_due(), two.resend_due())) == [0, 1]
    assert [(a, r) for a, r, _ in gateway.sent] == [(alert_id, False), (alert_id, True)]
    assert gateway.sent[1][2] != first_nonce and len(gateway.sent[1][2]) <= 25
    clock.advance(timedelta(days=3))
    assert await asyncio.gather(one.resend_due(), two.resend_due()) == [0, 0]  # once only
    assert len(gateway.sent) == 2


async def test_a_resend_whose_process_died_is_taken_over_with_the_same_nonce(uow: UnitOfWorkFactory) -> None:
    await a_guild_with_a_channel(uow)
    clock = FakeClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    gateway = Gateway()
    service = SafetyService(uow, gateway, clock=clock, worker="after")
    await service.report_message(GUILD, 101, 40, 41, LINK)
    alert_id = gateway.sent[0][0]
    clock.advance(timedelta(hours=25))
    async with uow() as work:  # a process claims the resend, then dies before sending or recording it
        assert await work.alerts.claim_resend(alert_id, "dead", clock(), LEASE)
        assert not await work.alerts.claim_resend(alert_id, "other", clock(), LEASE)  # its claim holds
        await work.commit()
    assert await service.resend_due() == 0
    clock.advance(LEASE + timedelta(seconds=1))
    assert await service.resend_due() == 1
    assert gateway.sent[-1][1:] == (True, f"cwtch-a{alert_id}r-0")  # what the dead process would have used
    assert await service.resend_due() == 0


async def test_a_taken_alert_is_never_resent_and_only_one_can_take_it(uow: UnitOfWorkFactory) -> None:
    await a_guild_with_a_channel(uow)
    clock = FakeClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    gateway = Gateway()
    service = SafetyService(uow, gateway, clock=clock)
    await service.report_message(GUILD, 101, 40, 41, LINK)
    alert_id = gateway.sent[0][0]
    first, second = await asyncio.gather(
        service.take(alert_id, FACILITATOR, in_dm=False), service.take(alert_id, ADMIN, in_dm=False)
    )
    assert sorted([first.taken, second.taken]) == [False, True] and first.taken_by == second.taken_by
    assert len(gateway.taken) == 1
    clock.advance(timedelta(days=2))
    assert await service.resend_due() == 0 and len(gateway.sent) == 1


async def test_without_a_channel_or_known_facilitators_the_owner_gets_it(uow: UnitOfWorkFactory) -> None:
    clock = FakeClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    gateway = Gateway()
    service = SafetyService(uow, gateway, clock=clock)
    assert await service.alert_feedback(GUILD, 12345) is Delivery.OWNER  # a session since deleted: still sent
    assert [user for user, _ in gateway.dms] == [OWNER]
