"""Safe series management on a real database, with Discord's side faked: duplicates refused (also when two creates
race), pause and end only once confirmed, and edits that move sessions, tell people and keep the calendar right."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.migrate import alembic_config, upgrade_to_head
from bot.db.models import Series
from bot.db.uow import UnitOfWorkFactory
from bot.domain.access import Actor
from bot.domain.errors import AlreadyExists, InvalidInput, NotAllowed
from bot.domain.language import DEFAULT_LANGUAGE, Language
from bot.domain.rsvp import Choice, RsvpStatus
from bot.domain.series_rules import StopAction
from bot.services.calendar import CalendarService
from bot.services.cohorts import CohortService
from bot.services.guild_setup import SetupService
from bot.services.ports import Notice, SessionCard
from bot.services.rsvp import RsvpService
from bot.services.series import SeriesRequest, SeriesService
from bot.services.series_edit import SeriesChanges
from bot.services.sessions import SessionService
from tests.fakes import FakeClock, FakeRoleGateway, FakeSessionGateway
from tests.unit.test_calendar import expand

GUILD = 900000000000000002
FACILITATOR_ROLE = 11
ADMIN = Actor(user_id=1, role_ids=frozenset(), is_admin=True)
FACILITATOR = Actor(user_id=2, role_ids=frozenset({FACILITATOR_ROLE}), is_admin=False)
MEMBER = Actor(user_id=3, role_ids=frozenset(), is_admin=False)
ALICE, BOB, CARYS = 101, 102, 103
LONDON = ZoneInfo("Europe/London")
DOM = "Domiciliary care managers"


class CardGateway(FakeSessionGateway):
    """The fake gateway, keeping each DM's card too (to read the old time a "moved" notice carries)."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[tuple[int, Notice, SessionCard]] = []

    async def notify(
        self,
        card: SessionCard,
        user_id: int,
        notice: Notice,
        *,
        nonce: str | None = None,
        dm_channel_id: int | None,
        language: Language = DEFAULT_LANGUAGE,
        first_contact: bool = False,
    ) -> int | None:
        self.cards.append((user_id, notice, card))
        return await super().notify(
            card,
            user_id,
            notice,
            nonce=nonce,
            dm_channel_id=dm_channel_id,
            language=language,
            first_contact=first_contact,
        )


class World:
    def __init__(self, uow: UnitOfWorkFactory, cohorts: CohortService) -> None:
        self.clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
        self.gateway = CardGateway()
        self.uow = uow
        self.cohorts = cohorts
        self.series = SeriesService(uow, clock=self.clock, gateway=self.gateway)
        self.sessions = SessionService(uow, self.gateway, clock=self.clock)
        self.rsvp = RsvpService(uow, self.gateway, clock=self.clock, cohorts=cohorts)
        self.calendar = CalendarService(uow, clock=self.clock)

    async def going(self, user_id: int, occurrence_id: int) -> RsvpStatus:
        with contextlib.suppress(AlreadyExists):
            await self.cohorts.join(GUILD, user_id, DOM)
        await self.rsvp.accept_ground_rules(GUILD, user_id)
        return (await self.rsvp.respond(GUILD, user_id, occurrence_id, Choice.YES)).status

    async def sessions_of(self, series_id: int) -> list[tuple[int, str, datetime, datetime, datetime]]:
        """``(id, state, scheduled_start, starts_at, ends_at)`` of every session of the series, in order."""
        async with self.uow.reading() as uow:
            found = await uow.occurrences.of_series(series_id)
            return [(o.id, o.state, o.scheduled_start, o.starts_at, o.ends_at) for o in found]

    async def due(self, occurrence_id: int) -> dict[str, tuple[datetime, str]]:
        async with self.uow.reading() as uow:
            return {a.kind: (a.due_at, a.state) for a in await uow.actions.of_occurrence(occurrence_id)}


@pytest.fixture
async def world(uow: UnitOfWorkFactory) -> World:
    await SetupService(uow).set_roles(GUILD, ADMIN, facilitator_role_id=FACILITATOR_ROLE, coordinator_role_id=12)
    cohorts = CohortService(uow, FakeRoleGateway(), default_timezone="Europe/London")
    await cohorts.create(GUILD, FACILITATOR, name=DOM, description="d", channel_id=20)
    await cohorts.create(GUILD, FACILITATOR, name="Care home managers", description="d", channel_id=21)
    return World(uow, cohorts)


def fortnightly(**changes: object) -> SeriesRequest:
    values: dict[str, object] = {
        "cohort": DOM,
        "title": "Peer support",
        "cadence": "fortnightly",
        "start": "2026-03-17 10:00",
        "duration": 90,
        "capacity": 2,
    }
    values.update(changes)
    return SeriesRequest(**values)  # type: ignore[arg-type]


async def test_a_duplicate_is_refused_while_the_first_lives(world: World) -> None:
    first = await world.series.create(GUILD, FACILITATOR, fortnightly())
    with pytest.raises(AlreadyExists, match=r"already exists.*`/series list`") as refused:
        await world.series.create(GUILD, FACILITATOR, fortnightly(title="  peer   SUPPORT "))
    # The first start as the facilitator typed it, in the cohort's zone: it reads the same in Welsh and English.
    assert "starting 2026-03-17 10:00 (Europe/London)" in refused.value.message
    # Not the same: another first start, another title, another cohort.
    await world.series.create(GUILD, FACILITATOR, fortnightly(start="2026-03-17 14:00"))
    await world.series.create(GUILD, FACILITATOR, fortnightly(title="Peer support plus"))
    await world.series.create(GUILD, FACILITATOR, fortnightly(cohort="Care home managers"))
    # Once the first has ended, the same series may be made again.
    preview = await world.series.preview_stop(GUILD, FACILITATOR, first.id, StopAction.END)
    await world.series.confirm_stop(GUILD, FACILITATOR, first.id, StopAction.END, preview.issued_at)
    again = await world.series.create(GUILD, FACILITATOR, fortnightly())
    assert again.id != first.id
    assert len(await world.series.listing(GUILD, FACILITATOR, DOM)) == 4


async def test_identical_creates_at_once_make_one_series(world: World, uow: UnitOfWorkFactory) -> None:
    results = await asyncio.gather(
        *(world.series.create(GUILD, FACILITATOR, fortnightly()) for _ in range(4)), return_exceptions=True
    )
    made = [result for result in results if not isinstance(result, BaseException)]
    assert len(made) == 1 and all(isinstance(r, AlreadyExists) for r in results if r not in made)
    # The constraint itself, past the friendly check: a twin with the same key is not added.
    async with uow() as work:
        [(series, _)] = await work.series.in_guild(GUILD)
        twin = await work.series.add_unless_duplicate(
            replace_series(series, title="Peer support", duplicate_key=series.duplicate_key)
        )
        assert twin is None
        assert len(await work.series.in_guild(GUILD)) == 1


def replace_series(series: Series, **changes: object) -> Series:
    """A new, unsaved series with ``series``' columns and ``changes``."""
    columns = {c.name: getattr(series, c.name) for c in Series.__table__.columns if c.name != "id"}
    return Series(**{**columns, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"room_channel_id": 555, "link": "https://teams.example.org/meet"}, "not both"),
        ({"monthly_by": "day"}, "only for monthly and bimonthly series, and this one is fortnightly"),
        ({"cadence": "weekly", "monthly_by": "weekday"}, "this one is weekly"),
    ],
)
async def test_contradicting_options_are_refused(world: World, changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        await world.series.create(GUILD, FACILITATOR, fortnightly(**changes))
    assert await world.series.listing(GUILD, FACILITATOR) == []


async def test_pause_and_end_say_what_will_happen_and_wait_for_a_fresh_confirmation(world: World) -> None:
    info = await world.series.create(GUILD, FACILITATOR, fortnightly())
    sessions = await world.sessions_of(info.id)
    await world.going(ALICE, sessions[0][0])
    await world.going(BOB, sessions[0][0])
    await world.going(ALICE, sessions[1][0])

    preview = await world.series.preview_stop(GUILD, FACILITATOR, info.id, StopAction.PAUSE)
    assert (preview.sessions, preview.people, preview.next_start) == (len(sessions), 2, sessions[0][3])
    assert {state for _, state, *_ in await world.sessions_of(info.id)} == {"scheduled"}  # nothing done yet
    with pytest.raises(NotAllowed):
        await world.series.preview_stop(GUILD, MEMBER, info.id, StopAction.PAUSE)
    with pytest.raises(NotAllowed):  # the one who confirms must be a facilitator
        await world.series.confirm_stop(GUILD, MEMBER, info.id, StopAction.PAUSE, preview.issued_at)
    world.clock.advance(timedelta(minutes=11))
    with pytest.raises(InvalidInput, match=r"expired.*`/series pause` again"):
        await world.series.confirm_stop(GUILD, FACILITATOR, info.id, StopAction.PAUSE, preview.issued_at)
    assert {state for _, state, *_ in await world.sessions_of(info.id)} == {"scheduled"}

    preview = await world.series.preview_stop(GUILD, FACILITATOR, info.id, StopAction.PAUSE)
    paused, cancelled = await world.series.confirm_stop(
        GUILD, FACILITATOR, info.id, StopAction.PAUSE, preview.issued_at
    )
    assert paused.state == "paused" and len(cancelled) == len(sessions)
    with pytest.raises(InvalidInput, match="already paused"):
        await world.series.preview_stop(GUILD, FACILITATOR, info.id, StopAction.PAUSE)
    ending = await world.series.preview_stop(GUILD, FACILITATOR, info.id, StopAction.END)
    assert (ending.sessions, ending.people, ending.next_start) == (0, 0, None)  # the pause cancelled them already


async def test_a_new_time_from_a_date_moves_those_sessions_tells_people_and_the_calendar_follows(
    world: World,
) -> None:
    info = await world.series.create(GUILD, FACILITATOR, fortnightly(count=6))
    before = await world.sessions_of(info.id)
    await world.going(ALICE, before[0][0])  # 17 March, before the change
    await world.going(ALICE, before[2][0])  # 14 April, after it
    await world.going(BOB, before[2][0])
    moved_by_hand = await world.sessions.move(GUILD, FACILITATOR, before[3][0], "2026-04-29 13:00")
    world.gateway.cards.clear()

    outcome = await world.series.edit(
        GUILD, FACILITATOR, info.id, SeriesChanges(start_time="14:30", from_date="2026-04-01")
    )
    assert outcome.edit.changed == ("time",) and outcome.edit.kept == 1 and outcome.told == 2
    assert outcome.info.rule == "every other Tuesday at 14:30 (Europe/London)"
    after = await world.sessions_of(info.id)
    local = [starts.astimezone(LONDON) for _, _, _, starts, _ in after]
    assert [f"{when:%d %b %H:%M}" for when in local] == [
        "17 Mar 10:00",
        "31 Mar 10:00",  # the clocks went forward on 29 March: still 10:00
        "14 Apr 14:30",
        "29 Apr 13:00",  # moved by hand before: keeps its time
        "12 May 14:30",
        "26 May 14:30",
    ]
    assert all(ends - starts == timedelta(minutes=90) for _, _, _, starts, ends in after)
    assert [f"{s.astimezone(LONDON):%H:%M}" for _, _, s, _, _ in after] == ["14:30"] * 6  # what the rule says now
    # The moved session's actions follow it; those told hear the old and the new time.
    due = await world.due(after[2][0])
    assert due["remind_1h"][0] == after[2][3] - timedelta(hours=1) and due["close_room"][0] == after[2][4]
    told = {(user, notice, card.moved_from, card.starts_at) for user, notice, card in world.gateway.cards}
    assert told == {
        (ALICE, Notice.MOVED, before[2][3], after[2][3]),
        (BOB, Notice.MOVED, before[2][3], after[2][3]),
    }
    assert moved_by_hand.starts_at == after[3][3]

    # The calendar feed describes exactly the sessions as they now are.
    _, body = await world.calendar.ics(GUILD, DOM, name="Cwtch")
    assert expand(body) == sorted(starts for _, _, _, starts, _ in after)


async def test_a_new_time_far_ahead_on_a_paused_series_keeps_earlier_sessions_for_the_resume(world: World) -> None:
    info = await world.series.create(GUILD, FACILITATOR, fortnightly(capacity=None))
    made = len(await world.sessions_of(info.id))
    await world.series.pause(GUILD, FACILITATOR, info.id)
    world.clock.advance(timedelta(days=300))  # long paused: its sessions were made only 13 months from March
    outcome = await world.series.edit(
        GUILD, FACILITATOR, info.id, SeriesChanges(start_time="09:00", from_date="2027-06-01")
    )
    assert outcome.edit.from_date is not None and outcome.told == 0
    sessions = await world.sessions_of(info.id)
    assert len(sessions) > made  # the sessions before the date were made, at their time, cancelled by the pause
    resumed, restored = await world.series.resume(GUILD, FACILITATOR, info.id)
    sessions = await world.sessions_of(info.id)
    times = {
        starts.astimezone(LONDON).date(): f"{starts.astimezone(LONDON):%H:%M}"
        for _, state, _, starts, _ in sessions
        if starts > world.clock()
    }
    assert all(t == "10:00" for day, t in times.items() if day < date(2027, 6, 1))
    assert all(t == "09:00" for day, t in times.items() if day >= date(2027, 6, 1))
    assert {state for _, state, _, starts, _ in sessions if starts > world.clock()} == {"scheduled"}
    _, body = await world.calendar.ics(GUILD, DOM, name="Cwtch")
    shown = [when for when in expand(body, limit=60) if when <= sessions[-1][3]]
    assert shown == sorted(starts for _, state, _, starts, _ in sessions if state != "cancelled")
    assert resumed.state == "active" and restored


async def test_title_place_length_and_capacity(world: World) -> None:
    info = await world.series.create(GUILD, FACILITATOR, fortnightly(room_channel_id=555))
    first = (await world.sessions_of(info.id))[0][0]
    assert await world.going(ALICE, first) is RsvpStatus.GOING
    assert await world.going(BOB, first) is RsvpStatus.GOING
    world.gateway.cards.clear()

    lower = await world.series.edit(
        GUILD, FACILITATOR, info.id, SeriesChanges(title="Peer support circle", capacity=1, duration=60)
    )
    assert set(lower.edit.changed) == {"title", "capacity", "duration"} and lower.edit.over_capacity == 1
    assert [(user, notice) for user, notice, _ in world.gateway.cards] == [
        (ALICE, Notice.CHANGED),
        (BOB, Notice.CHANGED),
    ]
    assert await world.going(CARYS, first) is RsvpStatus.WAITLISTED  # both keep their place; newcomers wait
    sessions = await world.sessions_of(info.id)
    assert all(ends - starts == timedelta(minutes=60) for _, _, _, starts, ends in sessions)
    assert (await world.due(first))["close_room"][0] == sessions[0][4]

    world.gateway.cards.clear()
    raised = await world.series.edit(
        GUILD, FACILITATOR, info.id, SeriesChanges(capacity=3, link="https://teams.example.org/meet")
    )
    assert raised.edit.promoted == {first: [CARYS]} and raised.info.link == "https://teams.example.org/meet"
    assert raised.info.room_channel_id is None
    assert sorted((user, notice) for user, notice, _ in world.gateway.cards) == [
        (ALICE, Notice.CHANGED),
        (BOB, Notice.CHANGED),
        (CARYS, Notice.PROMOTED),
    ]
    card = world.gateway.cards[0][2]
    assert card.title == "Peer support circle" and card.link == "https://teams.example.org/meet"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (SeriesChanges(), "Tell me what to change"),
        (SeriesChanges(from_date="2026-04-01"), "Give the `start_time` too"),
        (SeriesChanges(room_channel_id=555, link="https://teams.example.org/x"), "not both"),
        (SeriesChanges(capacity=2), "nothing changed"),
        (SeriesChanges(start_time="2pm"), "HH:MM"),
        (SeriesChanges(start_time="14:00", from_date="2026-02-01"), "in the past"),
        (SeriesChanges(start_time="14:00", from_date="1 April"), "YYYY-MM-DD"),
        (SeriesChanges(title="Other circle"), "already has a series called"),
        (SeriesChanges(duration=5), "between 15 and 480"),
    ],
)
async def test_edits_that_cannot_be_done_change_nothing(world: World, changes: SeriesChanges, message: str) -> None:
    info = await world.series.create(GUILD, FACILITATOR, fortnightly())
    await world.series.create(GUILD, FACILITATOR, fortnightly(title="Other circle"))
    before = await world.sessions_of(info.id)
    with pytest.raises((InvalidInput, AlreadyExists), match=message):
        await world.series.edit(GUILD, FACILITATOR, info.id, changes)
    assert await world.sessions_of(info.id) == before
    assert [s.title for s in await world.series.listing(GUILD, FACILITATOR, DOM)] == ["Other circle", "Peer support"]


async def test_only_facilitators_edit_and_an_ended_series_stays_as_it_was(world: World) -> None:
    info = await world.series.create(GUILD, FACILITATOR, fortnightly())
    with pytest.raises(NotAllowed):
        await world.series.edit(GUILD, MEMBER, info.id, SeriesChanges(title="Mine"))
    await world.series.end(GUILD, FACILITATOR, info.id)
    with pytest.raises(InvalidInput, match="has ended"):
        await world.series.edit(GUILD, FACILITATOR, info.id, SeriesChanges(start_time="14:00"))


async def test_the_upgrade_keys_live_series_and_leaves_older_twins_keyless(
    world: World, database_url: str, engine: AsyncEngine
) -> None:
    first = await world.series.create(GUILD, FACILITATOR, fortnightly())
    ended = await world.series.create(GUILD, FACILITATOR, fortnightly(title="Ended circle"))
    await world.series.end(GUILD, FACILITATOR, ended.id)
    sessions = await world.sessions_of(first.id)
    await world.going(ALICE, sessions[0][0])
    world.uow.dispose()
    await engine.dispose()
    config = alembic_config(database_url)
    before = ScriptDirectory.from_config(config).get_revision("0009").down_revision
    assert isinstance(before, str)
    await asyncio.to_thread(command.downgrade, config, before)
    async with engine.begin() as connection:  # a twin made before duplicates were refused, then the upgrade
        columns = [c.name for c in Series.__table__.columns if c.name not in ("id", "duplicate_key", "medium")]
        chosen = ", ".join("'PEER  support'" if c == "title" else c for c in columns)
        await connection.execute(
            text(f"INSERT INTO series ({', '.join(columns)}) SELECT {chosen} FROM series WHERE id = :id"),
            {"id": first.id},
        )
    await engine.dispose()
    await asyncio.to_thread(upgrade_to_head, database_url)
    async with engine.connect() as connection:
        keys = dict((await connection.execute(text("SELECT id, duplicate_key FROM series ORDER BY id"))).tuples().all())
    assert keys == {first.id: "peer support|2026-03-17T10:00", ended.id: None, ended.id + 1: None}
    # Down and up again, the series' sessions and RSVPs are all still there (nothing cascaded from the series).
    assert await world.sessions_of(first.id) == sessions
    async with world.uow.reading() as uow:
        assert await uow.rsvps.users(sessions[0][0], "going") == [ALICE]
