"""The whole schedule in ``/session list``: which sessions a page shows, how pages split, who may RSVP, and how a
page looks within Discord's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.language import Language
from bot.domain.rsvp import (
    Choice,
    JoinCohortFirst,
    RsvpStatus,
    open_for_rsvp,
    require_in_cohort,
)
from bot.domain.schedule import LIST_AHEAD, PAGE_SIZE, Slot, listed, page_of
from bot.services.ports import SessionCard
from bot.services.session_list import UpcomingPage, UpcomingSession
from bot.ui.reply import shared
from bot.ui.session_embeds import upcoming_embed
from bot.ui.session_list import session_list_answer, session_list_view

NOW = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def series(series_id: int, first: datetime, every: timedelta, n: int, **states: str) -> list[Slot]:
    """``n`` sessions of one series; ``states`` maps "s<k>" to the state of the k-th."""
    return [
        Slot(series_id * 1000 + k, series_id, first + every * k, states.get(f"s{k}", "scheduled")) for k in range(n)
    ]


def test_a_bimonthly_series_shows_its_next_three_sessions_months_ahead() -> None:
    home = series(1, NOW + 30 * DAY, 61 * DAY, 7)  # every other month: only one inside 90 days
    assert [s.occurrence_id for s in listed(home, NOW)] == [1000, 1001, 1002]


def test_a_fortnightly_series_shows_ninety_days() -> None:
    dom = series(2, NOW + 2 * DAY, 14 * DAY, 30)
    shown = listed(dom, NOW)
    assert len(shown) == 7 and shown[-1].starts_at <= NOW + LIST_AHEAD < shown[-1].starts_at + 14 * DAY


def test_cancelled_sessions_show_in_the_span_but_do_not_count_towards_three() -> None:
    home = series(1, NOW + 30 * DAY, 61 * DAY, 7, s1="cancelled")
    assert [(s.occurrence_id, s.state) for s in listed(home, NOW)] == [
        (1000, "scheduled"),
        (1001, "cancelled"),
        (1002, "scheduled"),
        (1003, "scheduled"),
    ]


def test_a_paused_series_cancellations_are_not_listed() -> None:
    paused = [
        Slot(s.occurrence_id, s.series_id, s.starts_at, "cancelled", "paused")
        for s in series(1, NOW + DAY, 7 * DAY, 20)
    ]
    assert listed(paused, NOW) == []


def test_a_session_on_now_is_listed_but_one_ended_early_is_not() -> None:
    slots = [Slot(1, 1, NOW - timedelta(minutes=30), "open"), Slot(2, 2, NOW - timedelta(minutes=30), "closed")]
    assert [s.occurrence_id for s in listed(slots, NOW)] == [1]


def test_a_short_series_shows_what_it_has() -> None:
    assert len(listed(series(1, NOW + 200 * DAY, 61 * DAY, 2), NOW)) == 2


@given(
    st.lists(
        st.tuples(
            st.integers(1, 4),
            st.integers(0, 600),
            st.sampled_from(["scheduled", "scheduled", "scheduled", "cancelled", "open"]),
        ),
        max_size=60,
    )
)
def test_every_series_shows_ninety_days_and_at_least_three_bookable(raw: list[tuple[int, int, str]]) -> None:
    slots = [Slot(index + 1, sid, NOW + day * DAY, state) for index, (sid, day, state) in enumerate(raw)]
    shown = listed(slots, NOW)
    assert shown == sorted(shown, key=lambda s: (s.starts_at, s.occurrence_id))
    ids = {s.occurrence_id for s in shown}
    for sid in {s.series_id for s in slots}:
        mine = sorted((s for s in slots if s.series_id == sid), key=lambda s: (s.starts_at, s.occurrence_id))
        bookable = [s for s in mine if open_for_rsvp(s.state, s.starts_at, NOW)]
        for slot in mine:
            if slot.starts_at <= NOW + LIST_AHEAD:
                assert slot.occurrence_id in ids  # the next 90 days, whatever their state
        assert {s.occurrence_id for s in bookable[:3]} <= ids  # and the next three bookable, however far
        # Nothing later than both: the list reaches exactly the further of 90 days and the third bookable.
        reach = max([NOW + LIST_AHEAD, *(s.starts_at for s in bookable[:3])])
        assert {s.occurrence_id for s in mine if s.starts_at <= reach} == {s.occurrence_id for s in shown} & {
            s.occurrence_id for s in mine
        }


@pytest.mark.parametrize(
    ("total", "wanted", "expected"),
    [
        (0, 1, (1, 1, 0, 0)),
        (10, 1, (1, 1, 0, 10)),
        (11, 2, (2, 2, 10, 11)),
        (24, 3, (3, 3, 20, 24)),
        (24, 9, (3, 3, 20, 24)),  # an old Next button past the end shows the last page
        (24, 0, (1, 3, 0, 10)),
    ],
)
def test_pages_cover_every_session_once(total: int, wanted: int, expected: tuple[int, int, int, int]) -> None:
    page = page_of(total, wanted)
    assert (page.number, page.count, page.start, page.stop) == expected
    covered = [i for n in range(1, page.count + 1) for i in range(page_of(total, n).start, page_of(total, n).stop)]
    assert covered == list(range(total))


def test_only_the_cohort_rsvps_or_checks_in() -> None:
    require_in_cohort(True, "Care home managers", Choice.YES)
    with pytest.raises(JoinCohortFirst) as outside:
        require_in_cohort(False, "Care home managers", Choice.YES)
    assert outside.value.cohort_name == "Care home managers" and "join" in outside.value.message
    with pytest.raises(JoinCohortFirst):
        require_in_cohort(False, "Care home managers")  # a check-in
    with pytest.raises(InvalidInput, match="no RSVP to change"):
        require_in_cohort(False, "Care home managers", Choice.NO)
    require_in_cohort(False, "Care home managers", Choice.NO, RsvpStatus.GOING)  # left the cohort: may free a place


def test_any_session_made_takes_rsvps_until_it_starts() -> None:
    far = NOW + 300 * DAY
    assert open_for_rsvp("scheduled", far, NOW)
    assert not open_for_rsvp("cancelled", far, NOW) and not open_for_rsvp("scheduled", NOW, NOW)
    assert not open_for_rsvp("open", far, NOW)


def card(n: int, state: str = "scheduled", **extra: object) -> SessionCard:
    values: dict[str, object] = {
        "occurrence_id": 2**31 - 1 - n,
        "guild_id": 1,
        "series_id": 1,
        "title": "T" * 100,
        "cohort_name": "C" * 80,
        "cohort_channel_id": 5,
        "timezone": "Europe/London",
        "starts_at": NOW + n * 30 * DAY,
        "ends_at": NOW + n * 30 * DAY + timedelta(minutes=90),
        "state": state,
        "capacity": 1000,
        "going": 999,
        "waitlisted": 999,
        "link": "https://example.org/" + "x" * 480,
        "cancel_reason": "R" * 500,
    }
    values.update(extra)
    return SessionCard(**values)  # type: ignore[arg-type]


def test_the_longest_page_fits_discord() -> None:
    entries = [
        UpcomingSession(card(n, "cancelled" if n % 3 == 0 else "scheduled"), "waitlisted", n % 3 != 0)
        for n in range(PAGE_SIZE)
    ]
    page = UpcomingPage(entries, page=9, pages=9, total=90, my_cohorts=tuple("M" * 80 for _ in range(30)))
    embed = upcoming_embed(page)
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)
    assert "Page 9 of 9 (90 sessions)" in (embed.description or "")
    view = session_list_view(page)
    assert view is not None
    items = [getattr(child, "item", child) for child in view.children]  # DynamicItems wrap their component
    [picker] = [c for c in items if isinstance(c, discord.ui.Select)]
    assert 0 < len(picker.options) <= 25
    assert all(len(o.label) <= 100 and len(o.description or "") <= 100 for o in picker.options)
    buttons = [c for c in items if isinstance(c, discord.ui.Button)]
    assert [(b.label, b.disabled) for b in buttons] == [("Previous", False), ("Next", True)]


def test_a_cancelled_session_says_so_and_offers_no_rsvp() -> None:
    entries = [UpcomingSession(card(1, "cancelled", cancel_reason="Christmas"), "going", False)]
    embed = upcoming_embed(UpcomingPage(entries, page=1, pages=1, total=1, cohort_name="Care home managers"))
    [field] = embed.fields
    assert "Cancelled" in (field.name or "") and "Christmas" in (field.value or "")
    assert "going" not in (field.value or "")
    assert session_list_view(UpcomingPage(entries, page=1, pages=1, total=1)) is None  # nothing to pick or turn


async def test_everyone_shown_the_same_page_is_sent_one_drawing_of_it_that_discord_py_does_not_keep() -> None:
    def page(status: str | None) -> UpcomingPage:  # a new, equal page for each member, as each list reads its own
        return UpcomingPage([UpcomingSession(card(1), status, True)], page=1, pages=2, total=11)

    embed, view = session_list_answer(page(None), Language.EN)
    again = session_list_answer(page(None), Language.EN)
    assert again[0] is embed and again[1] is view
    assert view is not None and view.is_finished()  # stopped: sent as it is, never stored
    assert "no RSVP yet" in str(embed.to_dict())

    going, _ = session_list_answer(page("going"), Language.EN)  # another member's RSVP: another answer
    assert going is not embed and "you're going" in str(going.to_dict())
    welsh, _ = session_list_answer(page(None), Language.CY)
    assert welsh is not embed and "no RSVP yet" not in str(welsh.to_dict())


async def test_only_a_view_of_dynamic_items_can_be_shared() -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Held by the view", custom_id="cwtch:test:held"))
    with pytest.raises(ValueError, match="DynamicItems"):
        shared(view)
    assert shared(None) is None
