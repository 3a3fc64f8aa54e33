"""Pure rules of sessions: due actions and catch-up, retries, RSVP and waitlist, typed starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.actions import (
    LEASE,
    MAX_ATTEMPTS,
    ActionKind,
    ActionState,
    due_times,
    nonce,
    rearm_after_move,
    rearm_after_resume,
    retry_at,
    room_nonce,
    skip_reason,
)
from bot.domain.errors import InvalidInput
from bot.domain.rsvp import Choice, RsvpStatus, promotions, status_for
from bot.domain.sessions import (
    clean_link,
    discord_timestamp,
    parse_local_start,
    require_future,
    validate_capacity,
    validate_duration,
)
from bot.domain.shards import ShardSet

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 17, 10, 0, tzinfo=UTC)
END = START + timedelta(minutes=90)


def test_due_times() -> None:
    due = due_times(START, END)
    assert due[ActionKind.ANNOUNCE] == START - timedelta(days=7)
    assert due[ActionKind.MIRROR_EVENT] == START - timedelta(days=28)
    assert due[ActionKind.REMIND_24H] == START - timedelta(hours=24)
    assert due[ActionKind.REMIND_1H] == START - timedelta(hours=1)
    assert (due[ActionKind.OPEN_ROOM], due[ActionKind.CLOSE_ROOM]) == (START, END)


@pytest.mark.parametrize(
    ("kind", "state", "now", "reason"),
    [
        (ActionKind.ANNOUNCE, "scheduled", START - timedelta(days=1), None),
        (ActionKind.ANNOUNCE, "scheduled", START + timedelta(minutes=1), "session already started"),
        (ActionKind.REMIND_24H, "scheduled", START - timedelta(hours=2), None),
        (ActionKind.REMIND_24H, "scheduled", START - timedelta(minutes=30), "the 1-hour reminder covers it"),
        (ActionKind.REMIND_1H, "scheduled", START - timedelta(minutes=30), None),
        (ActionKind.REMIND_1H, "scheduled", START, "session already started"),
        (ActionKind.OPEN_ROOM, "scheduled", START + timedelta(minutes=89), None),
        (ActionKind.OPEN_ROOM, "scheduled", END, "session already ended"),
        (ActionKind.OPEN_ROOM, "open", START, "room already open"),
        (ActionKind.CLOSE_ROOM, "open", END + timedelta(days=3), None),
        (ActionKind.CLOSE_ROOM, "closed", END, None),
        (ActionKind.REMIND_1H, "closed", START - timedelta(hours=1), "session already ended"),
        (ActionKind.MIRROR_EVENT, "cancelled", START - timedelta(days=9), "session cancelled"),
    ],
)
def test_catch_up_after_downtime(kind: ActionKind, state: str, now: datetime, reason: str | None) -> None:
    assert skip_reason(kind, state, START, END, now) == reason


def test_retries_back_off_then_give_up() -> None:
    now = START
    delays = [retry_at(attempt, now) for attempt in range(1, MAX_ATTEMPTS + 1)]
    assert delays[-1] is None
    gaps = [d - now for d in delays[:-1] if d is not None]
    assert gaps == sorted(gaps) and gaps[0] == timedelta(seconds=15)
    assert timedelta(0) < LEASE


def test_rearming() -> None:
    later, earlier = START + timedelta(days=1), START - timedelta(days=400)
    assert not rearm_after_move(ActionKind.ANNOUNCE, ActionState.DONE, later, START)
    assert rearm_after_move(ActionKind.ANNOUNCE, ActionState.PENDING, later, START)
    assert rearm_after_move(ActionKind.REMIND_24H, ActionState.DONE, later, START)
    assert not rearm_after_move(ActionKind.REMIND_24H, ActionState.DONE, earlier, START)
    assert not rearm_after_move(ActionKind.REMIND_1H, ActionState.CLAIMED, later, START)
    assert rearm_after_resume(ActionKind.MIRROR_EVENT, ActionState.DONE)
    assert not rearm_after_resume(ActionKind.ANNOUNCE, ActionState.DONE)
    assert rearm_after_resume(ActionKind.REMIND_1H, ActionState.SKIPPED)


@given(st.integers(min_value=1, max_value=2**63 - 1))
def test_nonces_fit_discord(action_id: int) -> None:
    assert len(nonce(action_id)) <= 25 and len(room_nonce(action_id)) <= 25


def test_rsvp_status_and_waitlist() -> None:
    assert status_for(Choice.YES, None, going=0, capacity=1) is RsvpStatus.GOING
    assert status_for(Choice.YES, None, going=1, capacity=1) is RsvpStatus.WAITLISTED
    assert status_for(Choice.YES, RsvpStatus.GOING, going=5, capacity=1) is RsvpStatus.GOING
    assert status_for(Choice.YES, None, going=500, capacity=None) is RsvpStatus.GOING
    assert status_for(Choice.NO, RsvpStatus.GOING, going=0, capacity=1) is RsvpStatus.DECLINED
    assert promotions(2, 1, [7, 8, 9]) == [7]
    assert promotions(2, 2, [7]) == []


@given(
    st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=50), st.lists(st.integers(), max_size=60)
)
def test_promotions_never_overfill(capacity: int, going: int, waitlist: list[int]) -> None:
    promoted = promotions(capacity, going, waitlist)
    assert promoted == waitlist[: len(promoted)]
    assert going + len(promoted) <= max(capacity, going)


def test_typed_starts() -> None:
    assert parse_local_start("2026-03-17 10:00", LONDON) == datetime(2026, 3, 17, 10, 0)  # noqa: DTZ001
    assert parse_local_start(" 2026-3-7T9:05 ", LONDON) == datetime(2026, 3, 7, 9, 5)  # noqa: DTZ001
    for bad in ("2026-03-17", "17/03/2026 10:00", "2026-13-01 10:00", "2026-03-29 01:30"):
        with pytest.raises(InvalidInput):
            parse_local_start(bad, LONDON)
    with pytest.raises(InvalidInput, match="in the past"):
        require_future(START, START, LONDON)
    assert validate_duration(90) == timedelta(minutes=90)
    for bad_duration in (14, 481):
        with pytest.raises(InvalidInput):
            validate_duration(bad_duration)
    assert validate_capacity(None) is None
    with pytest.raises(InvalidInput):
        validate_capacity(0)
    assert clean_link(" https://teams.microsoft.com/l/meetup ") == "https://teams.microsoft.com/l/meetup"
    with pytest.raises(InvalidInput):
        clean_link("javascript:alert(1)")
    assert discord_timestamp(START) == f"<t:{int(START.timestamp())}:F>"


def test_shard_sets() -> None:
    guild = 1574504308693667840
    shard = (guild >> 22) % 4
    assert ShardSet().owns(guild)
    assert ShardSet(4, (shard,)).owns(guild)
    assert not ShardSet(4, tuple(s for s in range(4) if s != shard)).owns(guild)
    assert ShardSet(2, (0, 1)).is_everything
