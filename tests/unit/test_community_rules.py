"""Community rules: top tags, the "what works" post, and when the weekly digest is due (across both clock
changes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.actions import MAX_ATTEMPTS
from bot.domain.community import (
    ADVICE_LABEL,
    MESSAGE_MAX,
    SHARED_BY,
    WHAT_WORKS_ADVICE_MAX,
    WHAT_WORKS_TEXT_MAX,
    WHAT_WORKS_TITLE_MAX,
    WhatWorks,
    active_this_week,
    clean_what_works,
    digest_moment,
    digest_nonce,
    due_digest,
    may_claim_digest,
    top_tags,
    what_works_post,
)
from bot.domain.errors import InvalidInput
from bot.domain.language import ChannelPosts
from bot.i18n import for_channel

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def utc_moments(first_year: int, last_year: int) -> st.SearchStrategy[datetime]:
    """Aware UTC moments from the start of ``first_year`` to the end of ``last_year``."""
    earliest = datetime(first_year, 1, 1, tzinfo=UTC)
    seconds = int((datetime(last_year + 1, 1, 1, tzinfo=UTC) - earliest).total_seconds())
    return st.integers(0, seconds - 1).map(lambda offset: earliest + timedelta(seconds=offset))


# --- tags ---------------------------------------------------------------------------------------------------


def test_top_tags_rank_by_total_then_name() -> None:
    tagged = [(["Leadership", "Mental health"], 3), (["Mental health", "Mental health"], 1), (["Learning"], 4)]
    assert top_tags(tagged) == [("Learning", 4), ("Mental health", 4), ("Leadership", 3)]
    assert top_tags(tagged, limit=1) == [("Learning", 4)]
    assert top_tags([(["Leadership"], 0)]) == []


# --- "what works" -----------------------------------------------------------------------------------------


def test_what_works_is_trimmed_and_checked() -> None:
    share = clean_what_works("  Ten-minute   check-ins ", "  We meet after hard visits.  ", "   ")
    assert share == WhatWorks("Ten-minute check-ins", "We meet after hard visits.", None)
    with pytest.raises(InvalidInput, match="fill in the title"):
        clean_what_works("   ", "text", None)
    with pytest.raises(InvalidInput, match="fill in what worked"):
        clean_what_works("Title", " \n ", None)
    with pytest.raises(InvalidInput, match=f"at most {WHAT_WORKS_TITLE_MAX}"):
        clean_what_works("T" * (WHAT_WORKS_TITLE_MAX + 1), "text", None)
    with pytest.raises(InvalidInput, match=f"at most {WHAT_WORKS_TEXT_MAX}.*1501"):
        clean_what_works("Title", "x" * (WHAT_WORKS_TEXT_MAX + 1), None)
    with pytest.raises(InvalidInput, match=f"at most {WHAT_WORKS_ADVICE_MAX}"):
        clean_what_works("Title", "text", "a" * (WHAT_WORKS_ADVICE_MAX + 1))


def test_the_longest_post_fits_one_message() -> None:
    share = clean_what_works("T" * WHAT_WORKS_TITLE_MAX, "x" * WHAT_WORKS_TEXT_MAX, "a" * WHAT_WORKS_ADVICE_MAX)
    content = what_works_post(2**64 - 1, share)
    assert len(content) <= MESSAGE_MAX
    assert content.startswith(f"Shared by <@{2**64 - 1}>\n\n")
    assert "What I'd tell another manager" in content
    assert "What I'd tell" not in what_works_post(1, WhatWorks("T", "text", None))


# --- the weekly digest ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "week_start", "starts", "ends"),
    [
        # A winter Monday: 09:00 GMT is 09:00 UTC. Just before it, last week's digest is still the latest.
        ("2027-03-15 08:59", "2027-03-01", "2027-03-01 09:00", "2027-03-08 09:00"),
        ("2027-03-15 09:00", "2027-03-08", "2027-03-08 09:00", "2027-03-15 09:00"),
        # Clocks go forward on Sunday 28 March: Monday 29 March 09:00 BST is 08:00 UTC; that week is an hour short.
        ("2027-03-29 07:59", "2027-03-15", "2027-03-15 09:00", "2027-03-22 09:00"),
        ("2027-03-29 08:00", "2027-03-22", "2027-03-22 09:00", "2027-03-29 08:00"),
        ("2027-04-02 12:00", "2027-03-22", "2027-03-22 09:00", "2027-03-29 08:00"),  # late, after downtime
        # Clocks go back on Sunday 31 October: Monday 1 November 09:00 GMT is 09:00 UTC; that week is an hour long.
        ("2027-11-01 08:30", "2027-10-18", "2027-10-18 08:00", "2027-10-25 08:00"),
        ("2027-11-01 09:00", "2027-10-25", "2027-10-25 08:00", "2027-11-01 09:00"),
    ],
)
def test_which_week_is_due_across_the_clock_changes(now: str, week_start: str, starts: str, ends: str) -> None:
    week = due_digest(at(now), LONDON)
    assert week.week_start == date.fromisoformat(week_start)
    assert (week.starts_at, week.ends_at) == (at(starts), at(ends))
    assert week.last_day == week.week_start + timedelta(days=6)


@given(utc_moments(2020, 2039))
def test_the_due_week_is_the_latest_monday_nine_oclock(now: datetime) -> None:
    week = due_digest(now, LONDON)
    due = week.ends_at.astimezone(LONDON)
    assert due.weekday() == 0 and due.time() == time(9, 0)
    assert week.starts_at.astimezone(LONDON).date() == week.week_start and week.week_start.weekday() == 0
    assert week.ends_at <= now < digest_moment(due.date() + timedelta(days=7), LONDON)


def test_due_digest_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_digest(datetime(2027, 3, 15, 9), LONDON)  # noqa: DTZ001 - the point of the test


NOW = at("2027-03-15 09:00")


@pytest.mark.parametrize(
    ("state", "attempts", "finished", "lease", "may"),
    [
        (None, 0, None, None, True),
        ("done", 1, NOW, None, False),
        ("claimed", 1, None, NOW + timedelta(seconds=1), False),  # another process holds it
        ("claimed", 1, None, NOW - timedelta(seconds=1), True),  # its process died: the lease ran out
        ("claimed", MAX_ATTEMPTS, None, NOW - timedelta(seconds=1), False),  # the last try: given up
        ("failed", 1, NOW - timedelta(seconds=14), None, False),  # backing off (15 s after one failure)
        ("failed", 1, NOW - timedelta(seconds=15), None, True),
        ("failed", 3, NOW - timedelta(seconds=59), None, False),  # 60 s after three
        ("failed", 3, NOW - timedelta(seconds=60), None, True),
        ("failed", MAX_ATTEMPTS, NOW - timedelta(days=1), None, False),  # given up
    ],
)
def test_who_may_take_a_digest(
    state: str | None, attempts: int, finished: datetime | None, lease: datetime | None, may: bool
) -> None:
    assert may_claim_digest(state, attempts, finished, lease, NOW) is may


def test_digest_nonces_fit_and_differ() -> None:
    biggest = 2**64 - 1
    nonces = {
        digest_nonce(biggest, date(2027, 3, 8)),
        digest_nonce(biggest, date(2027, 3, 15)),
        digest_nonce(1, date(2027, 3, 8)),
        digest_nonce(0, date(2099, 12, 28)),
    }
    assert len(nonces) == 4 and all(len(nonce) <= 25 for nonce in nonces)
    assert digest_nonce(biggest, date(2027, 3, 8)) == digest_nonce(biggest, date(2027, 3, 8))
    with pytest.raises(ValueError):
        digest_nonce(-1, date(2027, 3, 8))


# --- posts active in the digest's week --------------------------------------------------------------------


def test_active_posts_are_those_written_in_the_week_most_recent_first() -> None:
    week = due_digest(at("2027-03-15 09:00"), LONDON)  # from 8 March 09:00 to 15 March 09:00 (GMT = UTC)
    tick = timedelta(microseconds=1)
    last_messages = {
        1: week.starts_at,  # the first moment of the week counts
        2: week.starts_at - tick,  # last week's
        3: week.ends_at - tick,  # the last moment before the digest
        4: week.ends_at,  # next week's
        5: at("2027-03-10 12:00"),
        6: at("2027-03-12 12:00"),  # started this week: listed as new already
    }
    assert active_this_week(last_messages, week, new={6}) == [3, 5, 1]
    assert active_this_week(last_messages, week, new=()) == [3, 6, 5, 1]
    assert active_this_week({}, week, new={6}) == []


@pytest.mark.parametrize(
    ("due", "written", "listed"),
    [
        # Clocks go forward on 28 March: the week ends at Monday 09:00 BST, 08:00 UTC.
        ("2027-03-29 08:00", "2027-03-29 07:59", True),  # 08:59 BST: before the digest
        ("2027-03-29 08:00", "2027-03-29 08:00", False),  # 09:00 BST: next week's
        ("2027-03-29 08:00", "2027-03-28 00:59", True),  # just before the clocks change
        ("2027-03-29 08:00", "2027-03-22 08:59", False),  # the Monday before, 08:59 GMT
        # Clocks go back on 31 October: the week starts at 09:00 BST (08:00 UTC) and ends at 09:00 GMT.
        ("2027-11-01 09:00", "2027-10-25 07:59", False),
        ("2027-11-01 09:00", "2027-10-25 08:00", True),
        ("2027-11-01 09:00", "2027-11-01 08:30", True),  # 08:30 GMT: the week's extra hour
    ],
)
def test_active_posts_across_the_clock_changes(due: str, written: str, listed: bool) -> None:
    week = due_digest(at(due), LONDON)
    assert active_this_week({7: at(written)}, week, new=()) == ([7] if listed else [])


def test_posts_written_at_the_same_moment_go_by_id() -> None:
    week = due_digest(at("2027-03-15 09:00"), LONDON)
    moment, later = at("2027-03-10 12:00"), at("2027-03-11 12:00")
    assert active_this_week({9: moment, 2: moment, 5: later, 4: moment}, week, new={4}) == [5, 2, 9]


@given(
    st.dictionaries(st.integers(1, 50), st.integers(-21 * 86400, 86400), max_size=30),  # seconds from now
    st.sets(st.integers(1, 50)),
    utc_moments(2026, 2028),
)
def test_active_posts_are_exactly_the_weeks_and_in_order(offsets: dict[int, int], new: set[int], now: datetime) -> None:
    week = due_digest(now, LONDON)
    last_messages = {thread_id: now + timedelta(seconds=offset) for thread_id, offset in offsets.items()}
    listed = active_this_week(last_messages, week, new)
    assert len(set(listed)) == len(listed)
    for thread_id, written in last_messages.items():
        inside = week.starts_at <= written < week.ends_at and thread_id not in new
        assert (thread_id in listed) is inside
    times = [last_messages[thread_id] for thread_id in listed]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("posts", list(ChannelPosts))
def test_the_longest_post_fits_one_message_in_every_language(posts: ChannelPosts) -> None:
    """The byline and the advice's label are the forum's words (both languages on a bilingual server); the limits
    leave room for them."""
    share = clean_what_works("T" * WHAT_WORKS_TITLE_MAX, "x" * WHAT_WORKS_TEXT_MAX, "a" * WHAT_WORKS_ADVICE_MAX)
    labels = {
        "shared_by": for_channel(posts, SHARED_BY, between=" / "),
        "advice_label": for_channel(posts, ADVICE_LABEL, between=" / "),
    }
    content = what_works_post(2**64 - 1, share, **labels)
    assert len(content) <= MESSAGE_MAX and content.startswith(labels["shared_by"] + f" <@{2**64 - 1}>")
