"""The disclosure rule of the community report: frozen blocks of community activity, each about enough people.

The same rule as feedback (``bot.domain.disclosure``), over time instead of sessions. A guild's community
activity (joins, leaves, "what works" posts, resources opened through the bot) waits in time order until it holds
at least ``min_group`` distinct people who joined, left or posted; then it is released as one block whose counts
are frozen and never change. The report adds up whole blocks whose last activity falls in the period, and
members over time are running totals at block boundaries. So every released figure is a sum of whole blocks, each
about at least ``min_group`` people: no report, and no difference between reports (other periods, or the same
period asked later), can isolate fewer. What no block holds yet is never described beyond the date the last
block ends.

Openings are stored without who opened them, so they add to a block's counts but not to its people. An erased
member's own rows are deleted; a block released before stays as it was, and if the released figures still count
them as a member, their erasure adds one nameless leave, so the count of members stays true.

Resources added are not people figures (they are the community's posts, public in the forum) and are counted as
they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class ActivityKind(StrEnum):
    JOIN = "join"
    LEAVE = "leave"
    POST = "post"  # a "what works" post
    OPEN = "open"  # a resource opened through the bot


@dataclass(frozen=True, slots=True)
class Activity:
    at: datetime  # aware UTC
    kind: ActivityKind
    person: int | None  # None: an opening (who opened is not kept), or the nameless leave of an erased member
    tags: tuple[str, ...] = ()  # an opened resource's tags


@dataclass(frozen=True, slots=True)
class BlockCounts:
    """A block's frozen figures."""

    joins: int = 0
    leaves: int = 0
    posts: int = 0
    opens: int = 0
    tags_opened: tuple[tuple[str, int], ...] = ()  # (tag, openings), by tag


@dataclass(frozen=True, slots=True)
class BlockDraft:
    """A block about to be released: activities ``[start, stop)`` of the time-ordered list it was cut from."""

    start: int
    stop: int
    first_at: datetime
    last_at: datetime
    people: int
    counts: BlockCounts


@dataclass(frozen=True, slots=True)
class CommunityBlock:
    """A released block, as reports read it."""

    first_at: datetime
    last_at: datetime
    counts: BlockCounts


@dataclass(frozen=True, slots=True)
class MembersPoint:
    day: date  # the local date of the block's last activity
    members: int  # after the block


def cut_blocks(activity: Sequence[Activity], min_group: int) -> list[BlockDraft]:
    """The full blocks at the front of ``activity`` (in time order); the rest waits.

    A block closes at the first moment it holds ``min_group`` distinct people, taking every activity at that same
    moment too, so no two blocks share a moment.
    """
    if min_group < 1:
        raise ValueError("min_group must be 1 or more")
    drafts: list[BlockDraft] = []
    start, people = 0, set[int]()
    for index, item in enumerate(activity):
        if item.person is not None:
            people.add(item.person)
        after = activity[index + 1] if index + 1 < len(activity) else None
        if len(people) >= min_group and (after is None or after.at != item.at):
            taken = activity[start : index + 1]
            drafts.append(BlockDraft(start, index + 1, taken[0].at, item.at, len(people), counts_of(taken)))
            start, people = index + 1, set()
    return drafts


def counts_of(activity: Iterable[Activity]) -> BlockCounts:
    kinds: Counter[ActivityKind] = Counter()
    tags: Counter[str] = Counter()
    for item in activity:
        kinds[item.kind] += 1
        if item.kind is ActivityKind.OPEN:
            tags.update(dict.fromkeys(item.tags, 1))
    return BlockCounts(
        joins=kinds[ActivityKind.JOIN],
        leaves=kinds[ActivityKind.LEAVE],
        posts=kinds[ActivityKind.POST],
        opens=kinds[ActivityKind.OPEN],
        tags_opened=tuple(sorted(tags.items())),
    )


def total(blocks: Iterable[CommunityBlock]) -> BlockCounts:
    """The counts of whole blocks added up."""
    joins = leaves = posts = opens = 0
    tags: Counter[str] = Counter()
    for block in blocks:
        counts = block.counts
        joins, leaves = joins + counts.joins, leaves + counts.leaves
        posts, opens = posts + counts.posts, opens + counts.opens
        tags.update(dict(counts.tags_opened))
    return BlockCounts(joins, leaves, posts, opens, tuple(sorted(tags.items())))


def members_after(before: int, blocks: Iterable[CommunityBlock], zone: ZoneInfo) -> list[MembersPoint]:
    """Members after each block (in order), starting from ``before`` (the members after every earlier block)."""
    points, members = [], before
    for block in blocks:
        members += block.counts.joins - block.counts.leaves
        points.append(MembersPoint(block.last_at.astimezone(zone).date(), members))
    return points
