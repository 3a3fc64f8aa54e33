"""The community report's disclosure rule (``bot.domain.community_blocks``), by hand and under attack.

The attacker holds every figure any community report ever released: every period, asked at every moment, with
joins, leaves, erasures and openings happening in between. Each figure is modelled as the set of activities it
counts; subtracting two figures leaves the activities one counts and the other doesn't. That difference must be
empty or about at least ``min_group`` people.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.community_blocks import (
    Activity,
    ActivityKind,
    BlockCounts,
    CommunityBlock,
    MembersPoint,
    counts_of,
    cut_blocks,
    members_after,
    total,
)

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)
JOIN, LEAVE, POST, OPEN = ActivityKind.JOIN, ActivityKind.LEAVE, ActivityKind.POST, ActivityKind.OPEN


def act(minutes: int, kind: ActivityKind, person: int | None, *tags: str) -> Activity:
    return Activity(T0 + timedelta(minutes=minutes), kind, person, tags)


def test_a_block_closes_once_it_holds_enough_people() -> None:
    activity = [
        act(0, JOIN, 1),
        act(1, OPEN, None, "Grief"),
        act(2, POST, 1),  # the same person again: still one
        act(3, JOIN, 2),
        act(4, JOIN, 3),  # three people: the first block closes here
        act(5, LEAVE, 1),
        act(6, OPEN, None, "Grief", "Sleep"),
    ]
    [block] = cut_blocks(activity, 3)
    assert (block.start, block.stop, block.people) == (0, 5, 3)
    assert (block.first_at, block.last_at) == (activity[0].at, activity[4].at)
    assert block.counts == BlockCounts(joins=3, leaves=0, posts=1, opens=1, tags_opened=(("Grief", 1),))


def test_openings_and_nameless_leaves_never_count_as_people() -> None:
    activity = [act(n, OPEN, None, "Sleep") for n in range(10)] + [act(10, LEAVE, None), act(11, JOIN, 1)]
    assert cut_blocks(activity, 2) == []
    assert cut_blocks(activity, 1)[0].counts.opens == 10


def test_activity_at_one_moment_is_never_split_between_blocks() -> None:
    activity = [act(0, JOIN, 1), act(1, JOIN, 2), act(1, JOIN, 3), act(1, OPEN, None), act(2, JOIN, 4)]
    [block] = cut_blocks(activity, 2)
    assert (block.stop, block.people) == (4, 3)


def test_the_tail_waits() -> None:
    assert cut_blocks([act(0, JOIN, 1), act(1, JOIN, 2)], 5) == []
    with pytest.raises(ValueError):
        cut_blocks([], 0)


def test_totals_and_members_over_time() -> None:
    blocks = [
        CommunityBlock(T0, T0, BlockCounts(3, 0, 1, 2, (("Grief", 2),))),
        CommunityBlock(T0, T0 + timedelta(days=3), BlockCounts(1, 2, 0, 1, (("Grief", 1), ("Sleep", 1)))),
    ]
    assert total(blocks) == BlockCounts(4, 2, 1, 3, (("Grief", 3), ("Sleep", 1)))
    assert members_after(10, blocks, LONDON) == [MembersPoint(date(2027, 3, 1), 13), MembersPoint(date(2027, 3, 4), 12)]
    assert counts_of([]) == BlockCounts()


# --- the attacker -------------------------------------------------------------------------------------------


@dataclass
class Community:
    """The service's bookkeeping in memory: pending activity (by ID), frozen blocks (the IDs each counts), who is a
    member in the released figures, and the activity's people."""

    min_group: int
    pending: list[tuple[int, Activity]] = field(default_factory=list)
    blocks: list[tuple[datetime, frozenset[int], BlockCounts]] = field(default_factory=list)
    person_of: dict[int, int | None] = field(default_factory=dict)
    members: set[int] = field(default_factory=set)  # as recorded now
    released_members: set[int] = field(default_factory=set)  # as the released blocks count them
    next_id: int = 0

    def record(self, at: datetime, kind: ActivityKind, person: int | None, tags: tuple[str, ...] = ()) -> None:
        self.pending.append((self.next_id, Activity(at, kind, person, tags)))
        self.person_of[self.next_id] = person
        self.next_id += 1

    def erase(self, person: int, at: datetime) -> None:
        """Erasure deletes the person's rows; a released member gets a nameless leave."""
        self.pending = [(i, a) for i, a in self.pending if a.person != person]
        self.members.discard(person)
        if person in self.released_members:
            self.released_members.discard(person)
            self.record(at, LEAVE, None)

    def release(self) -> None:
        ordered = sorted(self.pending, key=lambda item: item[1].at)
        drafts = cut_blocks([a for _, a in ordered], self.min_group)
        for draft in drafts:
            taken = ordered[draft.start : draft.stop]
            self.blocks.append((draft.last_at, frozenset(i for i, _ in taken), draft.counts))
            for _, item in taken:
                if item.person is not None and item.kind is JOIN:
                    self.released_members.add(item.person)
                elif item.person is not None and item.kind is LEAVE:
                    self.released_members.discard(item.person)
        used = {i for _, ids, _ in self.blocks for i in ids}
        self.pending = [(i, a) for i, a in ordered if i not in used]

    def report(self, first: datetime, last: datetime) -> frozenset[int]:
        """What a report of ``[first, last)`` counts: the activities of its whole blocks."""
        return frozenset(i for at, ids, _ in self.blocks if first <= at < last for i in ids)


steps = st.lists(
    st.tuples(
        st.sampled_from(["join", "leave", "post", "open", "erase", "release"]),
        st.integers(0, 11),  # a person
        st.integers(0, 600),  # minutes later
    ),
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(steps, st.integers(1, 5))
def test_no_difference_of_released_figures_isolates_fewer_than_the_threshold(
    plan: list[tuple[str, int, int]], min_group: int
) -> None:
    community = Community(min_group)
    now = T0
    released: list[frozenset[int]] = []
    for step, person, minutes in plan:
        now += timedelta(minutes=minutes)
        if step == "join" and person not in community.members:
            community.members.add(person)
            community.record(now, JOIN, person)
        elif step == "leave" and person in community.members:
            community.members.discard(person)
            community.record(now, LEAVE, person)
        elif step == "post":
            community.record(now, POST, person)
        elif step == "open":
            community.record(now, OPEN, None, ("Grief",) if person % 2 else ("Sleep",))
        elif step == "erase":
            community.erase(person, now)
        else:
            community.release()
            # The attacker asks every period that starts and ends at a block's edge (and the whole time) now.
            edges = sorted({T0, now + timedelta(days=1), *(at for at, _, _ in community.blocks)})
            released += [
                community.report(a, b + timedelta(microseconds=1)) for a, b in itertools.combinations(edges, 2)
            ]
    for first, second in itertools.product(set(released), repeat=2):
        isolated = first - second
        people = {community.person_of[i] for i in isolated} - {None}
        assert not isolated or len(people) >= min_group
    # Frozen: each block's counts are its activities' counts, however much was erased later.
    for _, ids, counts in community.blocks:
        assert counts.joins + counts.leaves + counts.posts + counts.opens == len(ids)
    # Once everything is released (posts by new people at one moment fill the last block), the members the figures
    # show are the members there are: an erasure's nameless leave keeps the count true.
    for newcomer in range(100, 100 + min_group):
        community.record(now + timedelta(days=1), POST, newcomer)
    community.release()
    assert community.pending == []
    assert sum(counts.joins - counts.leaves for _, _, counts in community.blocks) == len(community.members)
