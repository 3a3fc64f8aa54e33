"""Welsh-medium series and the Welsh-medium preference, and notices in each member's language, through the
services on a migrated database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.language import Language, SessionMedium
from bot.domain.rsvp import Choice
from bot.services.cards import load_card
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.messaging import Messenger
from bot.services.ports import Notice
from bot.services.rsvp import RsvpService
from bot.services.series import SeriesRequest, SeriesService
from bot.services.series_edit import SeriesChanges
from bot.services.sessions import SessionService
from tests.fakes import FakeClock, FakeRoleGateway, FakeSessionGateway

GUILD, OTHER_GUILD = 900000000000000002, 900000000000000003
FACILITATOR_ROLE = 11
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
MEMBER = Actor(user_id=3, role_ids=frozenset(), is_admin=False)
DOM = "Domiciliary care managers"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class World:
    def __init__(self, uow: UnitOfWorkFactory, cohorts: CohortService) -> None:
        self.uow = uow
        self.clock = FakeClock(NOW)
        self.gateway = FakeSessionGateway()
        self.cohorts = cohorts
        self.series = SeriesService(uow, clock=self.clock, gateway=self.gateway, min_group=5)
        self.sessions = SessionService(uow, self.gateway, clock=self.clock)
        self.rsvp = RsvpService(uow, self.gateway, clock=self.clock, cohorts=cohorts)

    async def first_session(self, series_id: int) -> int:
        async with self.uow.reading() as uow:
            return (await uow.occurrences.of_series(series_id))[0].id


@pytest.fixture
async def world(uow: UnitOfWorkFactory) -> World:
    await SetupService(uow).set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=12)
    cohorts = CohortService(uow, FakeRoleGateway(), default_timezone="Europe/London")
    await cohorts.create(GUILD, FACILITATOR, name=DOM, description="d", channel_id=20)
    return World(uow, cohorts)


def series(**changes: object) -> SeriesRequest:
    values: dict[str, object] = {
        "cohort": DOM,
        "title": "Cefnogaeth gan gymheiriaid",
        "cadence": "fortnightly",
        "start": "2026-03-17 10:00",
        "duration": 90,
    }
    values.update(changes)
    return SeriesRequest(**values)  # type: ignore[arg-type]


async def test_a_series_is_welsh_medium_bilingual_or_english(world: World) -> None:
    welsh = await world.series.create(GUILD, FACILITATOR, series(medium="cy"))
    assert welsh.medium is SessionMedium.WELSH
    async with world.uow.reading() as uow:
        card = await load_card(uow, await world.first_session(welsh.id))
    assert card is not None and card.medium is SessionMedium.WELSH  # announcements, events and lists show it
    assert (await world.series.create(GUILD, FACILITATOR, series(title="Both", medium="bilingual"))).medium is (
        SessionMedium.BILINGUAL
    )
    assert (await world.series.create(GUILD, FACILITATOR, series(title="English"))).medium is None
    with pytest.raises(InvalidInput, match="Cymraeg, bilingual or English"):
        await world.series.create(GUILD, FACILITATOR, series(title="Klingon", medium="tlh"))

    edited = await world.series.edit(GUILD, FACILITATOR, welsh.id, SeriesChanges(medium="bilingual"))
    assert edited.edit.changed == ("medium",) and edited.info.medium is SessionMedium.BILINGUAL
    assert world.gateway.of("refresh"), "the announcements of the sessions to come follow"
    back = await world.series.edit(GUILD, FACILITATOR, welsh.id, SeriesChanges(medium="en"))
    assert back.info.medium is None and back.told == 0  # nobody is told: the time and place are the same
    with pytest.raises(InvalidInput, match="nothing changed"):
        await world.series.edit(GUILD, FACILITATOR, welsh.id, SeriesChanges(medium="en"))


async def test_facilitators_see_how_many_would_prefer_welsh_medium_sessions(world: World) -> None:
    demand = await world.series.welsh_medium_demand(GUILD, FACILITATOR)
    assert (demand.count, demand.min_group) == (None, 5)
    for user in range(100, 104):
        await world.rsvp.prefer_welsh_medium(GUILD, user, True)
    await world.rsvp.prefer_welsh_medium(OTHER_GUILD, 104, True)  # another server's members are theirs
    await world.rsvp.prefer_welsh_medium(GUILD, 105, False)
    assert (await world.series.welsh_medium_demand(GUILD, FACILITATOR)).count is None  # 4: "fewer than 5"
    await world.rsvp.prefer_welsh_medium(GUILD, 104, True)
    assert (await world.series.welsh_medium_demand(GUILD, FACILITATOR)).count == 5
    await world.rsvp.prefer_welsh_medium(GUILD, 104, True)  # said twice, counted once
    await world.rsvp.prefer_welsh_medium(GUILD, 106, True)
    assert (await world.series.welsh_medium_demand(GUILD, FACILITATOR)).count == 6
    await world.rsvp.prefer_welsh_medium(GUILD, 100, False)
    assert (await world.series.welsh_medium_demand(GUILD, FACILITATOR)).count == 5
    with pytest.raises(NotAllowed):
        await world.series.welsh_medium_demand(GUILD, MEMBER)
    async with world.uow.reading() as uow:
        preference = await uow.preferences.get(GUILD, 101)
    assert preference is not None and preference.prefers_welsh_medium and preference.reminders


async def test_each_member_is_told_in_their_own_language(world: World) -> None:
    info = await world.series.create(GUILD, FACILITATOR, series())
    occurrence = await world.first_session(info.id)
    welsh, english, unchosen = 101, 102, 103
    async with world.uow() as uow:
        await uow.languages.choose(welsh, Language.CY, NOW)
        await uow.languages.choose(english, Language.EN, NOW)
        await uow.commit()
    for user in (welsh, english, unchosen):
        await world.cohorts.join(GUILD, user, DOM)
        await world.rsvp.accept_ground_rules(GUILD, user)
        await world.rsvp.respond(GUILD, user, occurrence, Choice.YES)
    await world.sessions.cancel(GUILD, FACILITATOR, occurrence, "Eira")
    told = {user: language for user, notice, language in world.gateway.dm_languages if notice is Notice.CANCELLED}
    assert told == {welsh: Language.CY, english: Language.EN, unchosen: Language.EN}

    # A server whose default is Cymraeg: those who never chose read Welsh.
    async with world.uow() as uow:
        (await uow.guild_settings.get_or_create(GUILD)).language = Language.CY
        await uow.commit()
    async with world.uow.reading() as uow:
        card = await load_card(uow, occurrence)
    assert card is not None
    await Messenger(world.uow, world.gateway).tell(card, [welsh, english, unchosen], Notice.MOVED)
    told = {user: language for user, notice, language in world.gateway.dm_languages if notice is Notice.MOVED}
    assert told == {welsh: Language.CY, english: Language.EN, unchosen: Language.CY}
