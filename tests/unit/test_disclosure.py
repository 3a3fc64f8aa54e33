"""Disclosure control: release blocks, report rows, intervals and periods, and an attacker that combines every
released figure with every other, over two years of simulated sessions, answers, edits, erasures and reports."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.disclosure import (
    BlockDraft,
    Breakdown,
    ClosedSession,
    ReleasedBlock,
    ReportPeriod,
    ReportRow,
    Tally,
    interval_percents,
    next_blocks,
    parse_period,
    report_rows,
    waiting,
    wilson_interval,
)
from bot.domain.errors import InvalidInput
from bot.domain.feedback import percent_half_up

LONDON = ZoneInfo("Europe/London")
ZONES = (LONDON, ZoneInfo("America/New_York"), ZoneInfo("Pacific/Auckland"))
REFUSAL_MAX = 600  # as in test_input_rules: a refusal is short whatever was typed


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


def one(responses: int = 0, agreed: tuple[int, int, int] = (0, 0, 0), attendees: int = 0) -> Tally:
    return Tally(sessions=1, responses=responses, agreed=agreed, attendees=attendees)


def closed(occurrence_id: int, start: datetime, respondents: Iterable[int], cohort_id: int = 1) -> ClosedSession:
    people = frozenset(respondents)
    return ClosedSession(occurrence_id, cohort_id, start, people, one(len(people), (len(people), 0, 0), len(people)))


# --- Tally ---------------------------------------------------------------------------------------------------


def test_tallies_add_field_by_field() -> None:
    first = Tally(1, 5, (4, 3, 2), 6, 7, 1, 2)
    second = Tally(2, 3, (3, 0, 1), 3, 3, 0, 1)
    assert first + second == Tally(3, 8, (7, 3, 3), 9, 10, 1, 3)
    assert Tally() + first == first == first + Tally()


def test_a_tally_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        Tally(responses=-1)
    with pytest.raises(ValueError, match="agreed"):
        Tally(responses=2, agreed=(3, 0, 0))


# --- next_blocks ---------------------------------------------------------------------------------------------


def test_blocks_fill_greedily_in_start_order_and_leave_the_unfull_tail_pending() -> None:
    sessions = [
        closed(11, at("2027-01-05"), {1, 2}),
        closed(12, at("2027-01-19"), {2}),  # a repeat: still 2 people
        closed(13, at("2027-02-02"), {3}),
        closed(14, at("2027-02-16"), {4, 5, 6}),
        closed(15, at("2027-03-02"), {7, 8}),
    ]
    blocks = next_blocks(list(reversed(sessions)), 3)
    assert [b.occurrence_ids for b in blocks] == [(11, 12, 13), (14,)]
    assert [b.people for b in blocks] == [3, 3]
    assert blocks[0].first_start == at("2027-01-05") and blocks[0].last_start == at("2027-02-02")
    assert blocks[0].tally == Tally(3, 4, (4, 0, 0), 4, 0, 0, 0)
    assert blocks[1].tally == sessions[3].tally


def test_blocks_break_start_ties_by_occurrence_id_and_count_empty_sessions() -> None:
    same = at("2027-01-05")
    sessions = [closed(3, same, {3}), closed(1, same, set()), closed(2, same, {1, 2}), closed(4, same, {4})]
    (block,) = next_blocks(sessions, 3)
    assert block.occurrence_ids == (1, 2, 3) and block.tally.sessions == 3 and block.people == 3


def test_no_blocks_until_enough_people_and_refusals() -> None:
    assert next_blocks([], 5) == []
    assert next_blocks([closed(1, at("2027-01-05"), {1, 2, 3, 4})], 5) == []
    with pytest.raises(ValueError, match="min_group"):
        next_blocks([closed(1, at("2027-01-05"), {1})], 0)
    with pytest.raises(ValueError, match="cohort"):
        next_blocks([closed(1, at("2027-01-05"), {1}), closed(2, at("2027-01-06"), {2}, cohort_id=2)], 1)
    with pytest.raises(ValueError, match="once"):
        next_blocks([closed(1, at("2027-01-05"), {1}), closed(1, at("2027-01-06"), {2})], 1)
    with pytest.raises(ValueError, match="aware"):
        next_blocks([closed(1, datetime(2027, 1, 5, 10), {1})], 1)  # noqa: DTZ001 - the naive value is the point


def test_a_block_is_dated_by_its_last_session_in_its_cohorts_zone() -> None:
    (block,) = next_blocks([closed(1, at("2027-03-31", 23, 30), {1})], 1)
    assert block.dated_in(LONDON) == date(2027, 4, 1)  # 00:30 BST
    assert block.dated_in(ZoneInfo("America/New_York")) == date(2027, 3, 31)


def test_waiting_counts_sessions_never_people() -> None:
    tail = [closed(1, at("2027-01-05"), {1, 2}), closed(2, at("2027-01-19"), {1, 2, 3})]
    note = waiting(tail, open_surveys=2, next_close=at("2027-01-26"))
    assert (note.sessions, note.open_surveys, note.next_close) == (2, 2, at("2027-01-26"))
    assert waiting([], 0).sessions == 0 and waiting([], 0).next_close is None
    with pytest.raises(ValueError):
        waiting([], -1)


# --- report_rows ---------------------------------------------------------------------------------------------


def block(block_id: int, dated: str, cohort_id: int = 1, responses: int = 5) -> ReleasedBlock:
    return ReleasedBlock(block_id, cohort_id, date.fromisoformat(dated), one(responses, (responses, 0, 0)))


BLOCKS = (
    block(1, "2027-03-31", 1, 5),
    block(2, "2027-04-01", 1, 6),
    block(3, "2027-04-20", 2, 7),
    block(4, "2027-12-31", 2, 8),
    block(5, "2028-03-31", 1, 9),
    block(6, "2028-04-01", 3, 10),
)


def labels(rows: list[ReportRow]) -> list[tuple[str, tuple[int, ...]]]:
    return [(row.label, row.blocks) for row in rows]


def test_report_rows_by_every_breakdown() -> None:
    first, last = date(2027, 1, 1), date(2028, 12, 31)
    total, rows = report_rows(BLOCKS, first, last, None, Breakdown.MONTH)
    assert total.label == "all" and total.blocks == (1, 2, 3, 4, 5, 6) and total.tally.responses == 45
    assert labels(rows) == [
        ("2027-03", (1,)),
        ("2027-04", (2, 3)),
        ("2027-12", (4,)),
        ("2028-03", (5,)),
        ("2028-04", (6,)),
    ]
    assert rows[1].tally == BLOCKS[1].tally + BLOCKS[2].tally
    _, rows = report_rows(BLOCKS, first, last, None, Breakdown.QUARTER)
    assert labels(rows) == [
        ("2027 Q1", (1,)),
        ("2027 Q2", (2, 3)),
        ("2027 Q4", (4,)),
        ("2028 Q1", (5,)),
        ("2028 Q2", (6,)),
    ]
    _, rows = report_rows(BLOCKS, first, last, None, Breakdown.FINANCIAL_YEAR)
    assert labels(rows) == [("2026-27", (1,)), ("2027-28", (2, 3, 4, 5)), ("2028-29", (6,))]
    _, rows = report_rows(list(reversed(BLOCKS)), first, last, None, Breakdown.COHORT)
    assert labels(rows) == [("1", (1, 2, 5)), ("2", (3, 4)), ("3", (6,))]
    assert report_rows(BLOCKS, first, last, None, Breakdown.NONE)[1] == []


def test_report_rows_take_whole_blocks_inside_the_period_and_cohorts() -> None:
    total, rows = report_rows(BLOCKS, date(2027, 4, 1), date(2028, 3, 31), frozenset({1, 3}), Breakdown.MONTH)
    assert total.blocks == (2, 5) and labels(rows) == [("2027-04", (2,)), ("2028-03", (5,))]
    total, rows = report_rows(BLOCKS, date(2029, 1, 1), date(2029, 12, 31), None, Breakdown.COHORT)
    assert total == ReportRow("all", (), Tally()) and rows == []
    assert report_rows(BLOCKS, date(2027, 1, 1), date(2028, 12, 31), frozenset(), Breakdown.NONE)[0].blocks == ()
    with pytest.raises(ValueError, match="start"):
        report_rows(BLOCKS, date(2028, 1, 2), date(2028, 1, 1), None, Breakdown.NONE)
    with pytest.raises(ValueError, match="once"):
        report_rows([BLOCKS[0], BLOCKS[0]], date(2027, 1, 1), date(2028, 1, 1), None, Breakdown.NONE)


def test_financial_year_labels_wrap_the_century() -> None:
    _, rows = report_rows(
        [block(1, "2100-01-01")], date(2099, 1, 1), date(2100, 12, 31), None, Breakdown.FINANCIAL_YEAR
    )
    assert labels(rows) == [("2099-00", (1,))]


# --- Wilson interval -----------------------------------------------------------------------------------------


def test_the_years_report_reads_93_percent_with_78_to_98() -> None:
    low, high = wilson_interval(27, 29)
    assert low == pytest.approx(0.7804, abs=5e-4) and high == pytest.approx(0.9809, abs=5e-4)
    assert percent_half_up(27, 29) == 93
    assert interval_percents(27, 29) == (78, 98)


def test_wilson_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0) and interval_percents(0, 0) == (0, 100)
    low, high = wilson_interval(29, 29)
    assert high == 1.0 and low == pytest.approx(0.8830, abs=5e-4)
    assert wilson_interval(0, 29) == pytest.approx((0.0, 1 - low))
    assert interval_percents(29, 29) == (88, 100) and interval_percents(0, 29) == (0, 12)
    for bad in ((-1, 3), (4, 3), (0, -1)):
        with pytest.raises(ValueError):
            wilson_interval(*bad)


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_the_quadratic_and_holds_the_share(case: tuple[int, int]) -> None:
    successes, n = case
    low, high = wilson_interval(successes, n)
    assert 0.0 <= low <= successes / n <= high <= 1.0
    # The interval's ends are the roots in p of (x/n - p)^2 = z^2 p (1 - p) / n, solved independently here.
    z = NormalDist().inv_cdf(0.975)
    p_hat = successes / n
    a, b, c = 1 + z * z / n, -(2 * p_hat + z * z / n), p_hat * p_hat
    root = math.sqrt(max(0.0, b * b - 4 * a * c))
    assert low == pytest.approx(max(0.0, (-b - root) / (2 * a)), abs=1e-9)
    assert high == pytest.approx(min(1.0, (-b + root) / (2 * a)), abs=1e-9)
    mirrored = wilson_interval(n - successes, n)
    assert mirrored == pytest.approx((1 - high, 1 - low), abs=1e-12)
    shown_low, shown_high = interval_percents(successes, n)
    assert (shown_low, shown_high) == (math.floor(100 * low + 0.5), math.floor(100 * high + 0.5))
    assert shown_low <= percent_half_up(successes, n) <= shown_high


# --- periods -------------------------------------------------------------------------------------------------

TODAY = date(2027, 3, 10)


@pytest.mark.parametrize(
    ("start", "end", "first", "last"),
    [
        (None, None, "2026-03-11", "2027-03-10"),
        ("", " ", "2026-03-11", "2027-03-10"),
        ("2027-01-15", None, "2027-01-15", "2027-03-10"),
        (None, "2026-12", "2026-01-01", "2026-12-31"),
        ("2027-03-01", "2027-03-01", "2027-03-01", "2027-03-01"),
        ("2027-03", "2027-03", "2027-03-01", "2027-03-31"),
        ("2028-02", "2028-2", "2028-02-01", "2028-02-29"),
        ("2027-Q1", "2027-q1", "2027-01-01", "2027-03-31"),
        ("2027Q4", "2027 Q4", "2027-10-01", "2027-12-31"),
        ("FY2027", "FY2027", "2027-04-01", "2028-03-31"),
        ("2027-28", "2027/28", "2027-04-01", "2028-03-31"),
        ("fy 2099-00", "FY2099", "2099-04-01", "2100-03-31"),
        ("2027-Q2", "FY2027", "2027-04-01", "2028-03-31"),
        ("2026-12-25", "2027-Q1", "2026-12-25", "2027-03-31"),
        ("2027", "2027", "2027-01-01", "2027-12-31"),
        ("2011-12", "2011-12", "2011-12-01", "2011-12-31"),  # a month wherever it can be one
        ("FY2011", "FY2011-12", "2011-04-01", "2012-03-31"),
    ],
)
def test_periods(start: str | None, end: str | None, first: str, last: str) -> None:
    assert parse_period(start, end, TODAY) == ReportPeriod(date.fromisoformat(first), date.fromisoformat(last))


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        ("2027-13", None, "couldn't read '2027-13' as the start"),
        (None, "March", "couldn't read 'March' as the end"),
        ("2027-Q5", None, "not a quarter"),
        ("2027-02-29", None, "not a real date"),
        ("2027-29", None, "couldn't read"),
        ("1999-12", None, "between the years 2000 and 2100"),
        ("FY2101", None, "between the years 2000 and 2100"),
        ("2101-Q1", None, "between the years 2000 and 2100"),
        ("２０２７-03", None, "couldn't read"),
        ("2027-04", "2027-03", "starts on 2027-04-01, after it ends on 2027-03-31"),
        ("2027-06", None, "after it ends on 2027-03-10"),
        ("x" * 6000, None, "couldn't read"),
    ],
)
def test_periods_refused_politely(start: str | None, end: str | None, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period(start, end, TODAY)
    assert says in refused.value.message and len(refused.value.message) < REFUSAL_MAX


@given(st.text(max_size=60) | st.from_regex(r"\A(FY ?)?[0-9]{1,5}([-/ ]?[0-9Qq]{1,3})?([-/][0-9]{1,2})?\Z"))
def test_any_typed_period_is_read_or_refused_politely(raw: str) -> None:
    try:
        period = parse_period(raw, raw, TODAY)
    except InvalidInput as refusal:
        assert len(refusal.message) < REFUSAL_MAX
    else:
        assert period.first <= period.last and period.first.year >= 2000 and period.last.year <= 2101


# --- the simulation: a guild's programme over two years --------------------------------------------------------

ORIGIN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=700)
Release = Callable[[Sequence[ClosedSession], int], list[BlockDraft]]


@dataclass
class SimSession:
    occurrence_id: int
    cohort_id: int
    starts_at: datetime
    closes_at: datetime
    attendees: dict[int, int]  # person -> attendance row id
    going: set[int]
    waitlist: set[int]
    responses: dict[int, int] = field(default_factory=dict)  # person -> response id


class World:
    """Cohorts, sessions and the people in them, changed by timed events: answers and edits while a survey is
    open, erasures at any moment; releases and reports are handed to a ``Reports`` that watches."""

    def __init__(self, rng: random.Random, min_group: int) -> None:
        self.rng, self.min_group = rng, min_group
        self.people = list(range(1, rng.randint(min_group, min_group + 5) + 1))
        self.zones: dict[int, ZoneInfo] = {}
        self.sessions: dict[int, SimSession] = {}
        self.answers: dict[int, tuple[int, int, int]] = {}  # response id -> answers (deleted on erasure)
        self.response_owner: dict[int, int] = {}  # response id -> person, kept after erasure for the attacker
        self.attendance_owner: dict[int, int] = {}  # attendance row id -> person
        self.events: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self.end = ORIGIN + SPAN + timedelta(days=30)
        self._next_response = 0
        for cohort_id in range(1, rng.randint(1, 3) + 1):
            self._plan_cohort(cohort_id)
        for _ in range(rng.randint(0, 4)):
            self._at(self._moment(), partial(self.erase, rng.choice(self.people)))

    def _moment(self) -> datetime:
        return ORIGIN + timedelta(minutes=self.rng.randrange(int(SPAN.total_seconds() // 60) + 43200))

    def _at(self, moment: datetime, action: Callable[[datetime], None]) -> None:
        self.events.append((moment, len(self.events), action))

    def _plan_cohort(self, cohort_id: int) -> None:
        rng = self.rng
        self.zones[cohort_id] = rng.choice(ZONES)
        cadence = timedelta(days=rng.choice((14, 28, 61)))
        start = ORIGIN + timedelta(days=rng.randrange(30), hours=rng.randrange(24))
        while start < ORIGIN + SPAN:
            if rng.random() < 0.9:
                self._plan_session(cohort_id, start)
            start += cadence

    def _plan_session(self, cohort_id: int, start: datetime) -> None:
        rng = self.rng
        occurrence_id = len(self.sessions) + 1
        size = rng.choice((0, 1, 1, 2, 2, 3, len(self.people)))
        attendees = rng.sample(self.people, min(size, len(self.people)))
        rows = {}
        for person in attendees:
            rows[person] = len(self.attendance_owner) + 1
            self.attendance_owner[rows[person]] = person
        no_shows = {p for p in self.people if p not in rows and rng.random() < 0.1}
        going = {p for p in rows if rng.random() < 0.8} | no_shows
        waitlist = {p for p in self.people if p not in going and rng.random() < 0.05}
        ends = start + timedelta(minutes=90)
        closes = ends + timedelta(days=rng.choice((1, 3, 7, 7, 10, 30)))  # some close after later ones
        self.sessions[occurrence_id] = SimSession(occurrence_id, cohort_id, start, closes, rows, going, waitlist)
        window = int((closes - ends).total_seconds() // 60)
        for person in attendees:
            if rng.random() < 0.75:
                answer = partial(self.answer, occurrence_id, person)
                self._at(ends + timedelta(minutes=rng.randrange(window)), partial(answer, self._answers()))
                if rng.random() < 0.3:  # an edit while the survey is open
                    self._at(ends + timedelta(minutes=rng.randrange(window)), partial(answer, self._answers()))

    def _answers(self) -> tuple[int, int, int]:
        return (self.rng.randint(1, 5), self.rng.randint(1, 5), self.rng.randint(1, 5))

    def answer(self, occurrence_id: int, person: int, answers: tuple[int, int, int], now: datetime) -> None:
        session = self.sessions[occurrence_id]
        if person not in session.attendees or now >= session.closes_at:
            return  # erased since, or too late: no survey to answer
        if person not in session.responses:
            self._next_response += 1
            session.responses[person] = self._next_response
            self.response_owner[self._next_response] = person
        self.answers[session.responses[person]] = answers

    def erase(self, person: int, now: datetime) -> None:
        """Delete the person's rows everywhere they exist by now (released blocks keep their frozen sums)."""
        for session in self.sessions.values():
            if session.starts_at <= now:
                session.attendees.pop(person, None)
                session.going.discard(person)
                session.waitlist.discard(person)
                response = session.responses.pop(person, None)
                if response is not None:
                    del self.answers[response]

    def tally(self, session: SimSession) -> Tally:
        """The session's counts from its raw rows as they are now."""
        answers = [self.answers[r] for r in session.responses.values()]
        first, second, third = (sum(1 for a in answers if a[i] >= 4) for i in range(3))
        return Tally(
            sessions=1,
            responses=len(answers),
            agreed=(first, second, third),
            attendees=len(session.attendees),
            rsvps=len(session.going),
            waitlisted=len(session.waitlist),
            no_shows=len(session.going - session.attendees.keys()),
        )

    def as_closed(self, session: SimSession) -> ClosedSession:
        return ClosedSession(
            session.occurrence_id,
            session.cohort_id,
            session.starts_at,
            frozenset(session.responses),
            self.tally(session),
        )

    def local_date(self, session: SimSession) -> date:
        return session.starts_at.astimezone(self.zones[session.cohort_id]).date()

    def run(self, reports: Reports) -> None:
        """Plan releases and reports at random moments, then play every event in time order."""
        for cohort_id in self.zones:
            for _ in range(self.rng.randint(3, 20)):
                self._at(self._moment(), partial(reports.release, cohort_id))
        for _ in range(self.rng.randint(8, 20)):
            self._at(self._moment(), partial(self.ask, reports))
        for cohort_id in self.zones:
            self._at(self.end, partial(reports.release, cohort_id))
        for _ in range(4):
            self._at(self.end + timedelta(minutes=1), partial(self.ask, reports))
        for moment, _, action in sorted(self.events, key=lambda e: (e[0], e[1])):
            action(moment)

    def ask(self, reports: Reports, now: datetime) -> None:
        """A coordinator's report for a random period (read as a member would type it) and a random set of cohorts."""
        rng = self.rng
        today = now.astimezone(LONDON).date()

        def typed() -> str | None:
            year = rng.randint(2025, 2028)
            return rng.choice(
                (
                    None,
                    f"{year}-{rng.randint(1, 12):02d}",
                    f"{year}-Q{rng.randint(1, 4)}",
                    f"FY{year}",
                    f"{year}-{(year + 1) % 100:02d}",
                    (date(year, 1, 1) + timedelta(days=rng.randrange(365))).isoformat(),
                    str(year),
                )
            )

        try:
            period = parse_period(typed(), typed(), today)
        except InvalidInput:
            period = ReportPeriod(date(2025, 12, 1), date(2028, 3, 31))
        cohorts = list(self.zones)
        chosen = None if rng.random() < 0.4 else frozenset(rng.sample([*cohorts, 99], rng.randint(0, len(cohorts))))
        reports.report(now, period.first, period.last, chosen)


class Reports:
    """Watches the world and keeps every released figure as the set of response and attendance rows it counts."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.figures: set[int] = set()  # each a bit mask of response ids
        self.attendance_figures: set[int] = set()  # each a bit mask of attendance row ids

    def release(self, cohort_id: int, now: datetime) -> None:
        raise NotImplementedError

    def report(self, now: datetime, first: date, last: date, cohort_ids: frozenset[int] | None) -> None:
        raise NotImplementedError


def mask(ids: Iterable[int]) -> int:
    bits = 0
    for row_id in ids:
        bits |= 1 << row_id
    return bits


@dataclass(frozen=True)
class Frozen:
    """A released block with what the test knows about it: the rows it counted and its sum at release."""

    block: ReleasedBlock
    occurrence_ids: tuple[int, ...]
    responses: int  # bit mask of response ids
    attendance: int  # bit mask of attendance row ids
    tally_at_release: Tally


class BlockReports(Reports):
    """Reports read through release blocks, as the service will, with every invariant checked on the way."""

    def __init__(self, world: World, release: Release = next_blocks, *, checked: bool = True) -> None:
        super().__init__(world)
        self.next_blocks, self.checked = release, checked
        self.frozen: dict[int, Frozen] = {}
        self.in_block: set[int] = set()

    def release(self, cohort_id: int, now: datetime) -> None:
        world = self.world
        pending = [
            world.as_closed(s)
            for s in world.sessions.values()
            if s.cohort_id == cohort_id and s.closes_at <= now and s.occurrence_id not in self.in_block
        ]
        world.rng.shuffle(pending)
        drafts = self.next_blocks(pending, world.min_group)
        order = [s.occurrence_id for s in sorted(pending, key=lambda s: (s.starts_at, s.occurrence_id))]
        cut = [occurrence for draft in drafts for occurrence in draft.occurrence_ids]
        assert cut == order[: len(cut)]  # consecutive sessions, in start order, nothing skipped or repeated
        if self.checked:
            tail = set().union(*(world.sessions[o].responses for o in order[len(cut) :]))
            assert len(tail) < world.min_group  # the greedy cut left no full block behind
        for draft in drafts:
            sessions = [world.sessions[o] for o in draft.occurrence_ids]
            raw = [world.tally(s) for s in sessions]
            total = Tally()
            for tally in raw:
                total += tally
            people = set().union(*(s.responses for s in sessions))
            assert draft.cohort_id == cohort_id and draft.tally == total and draft.people == len(people)
            assert all(s.closes_at <= now for s in sessions)
            if self.checked:
                assert draft.people >= world.min_group
            assert draft.last_start == max(s.starts_at for s in sessions)
            dated = draft.dated_in(world.zones[cohort_id])
            assert dated == max(world.local_date(s) for s in sessions)
            block_id = len(self.frozen) + 1
            self.frozen[block_id] = Frozen(
                ReleasedBlock(block_id, cohort_id, dated, draft.tally),
                draft.occurrence_ids,
                mask(r for s in sessions for r in s.responses.values()),
                mask(a for s in sessions for a in s.attendees.values()),
                total,
            )
            self.in_block.update(draft.occurrence_ids)

    def report(self, now: datetime, first: date, last: date, cohort_ids: frozenset[int] | None) -> None:
        world = self.world
        released = [f.block for f in self.frozen.values()]
        world.rng.shuffle(released)
        expected = sorted(
            i
            for i, f in self.frozen.items()
            if first <= f.block.dated <= last and (cohort_ids is None or f.block.cohort_id in cohort_ids)
        )
        for breakdown in Breakdown:
            total, rows = report_rows(released, first, last, cohort_ids, breakdown)
            assert total.label == "all" and list(total.blocks) == expected
            if breakdown is Breakdown.NONE:
                assert rows == []
            else:
                assert sorted(b for row in rows for b in row.blocks) == expected  # rows partition the total
                assert [row.label for row in rows] == sorted(
                    {label_of(self.frozen[b].block, breakdown) for b in expected}, key=order_key
                )
                for row in rows:
                    assert all(label_of(self.frozen[b].block, breakdown) == row.label for b in row.blocks)
            for row in (total, *rows):
                summed = Tally()
                for b in row.blocks:
                    summed += self.frozen[b].tally_at_release  # the raw sum at release, whatever happened since
                assert row.tally == summed
                self.figures.add(mask_of(self.frozen[b].responses for b in row.blocks))
                self.attendance_figures.add(mask_of(self.frozen[b].attendance for b in row.blocks))
        counted = mask_of(f.responses for f in self.frozen.values())
        for session in world.sessions.values():
            if session.closes_at > now or session.occurrence_id not in self.in_block:
                assert counted & mask(session.responses.values()) == 0  # open surveys and the tail count nowhere


def mask_of(masks: Iterable[int]) -> int:
    bits = 0
    for one_mask in masks:
        bits |= one_mask
    return bits


def label_of(released: ReleasedBlock, breakdown: Breakdown) -> str:
    """The row a block belongs in, written out independently of the module."""
    day = released.dated
    if breakdown is Breakdown.MONTH:
        return day.strftime("%Y-%m")
    if breakdown is Breakdown.QUARTER:
        return f"{day.year} Q{(day.month + 2) // 3}"
    if breakdown is Breakdown.FINANCIAL_YEAR:
        start = day.year if day >= date(day.year, 4, 1) else day.year - 1
        return f"{start}-{str(start + 1)[-2:]}"
    return str(released.cohort_id)


def order_key(label: str) -> tuple[int, str]:
    return (int(label), "") if label.isdigit() else (0, label)  # cohorts by id, periods by their (sortable) text


class NaiveReports(Reports):
    """The old rule, for the attacker to break: each report summed afresh from closed surveys, and any group (the
    total or a row) with fewer than min_group respondents suppressed on its own."""

    def release(self, cohort_id: int, now: datetime) -> None:
        return None

    def report(self, now: datetime, first: date, last: date, cohort_ids: frozenset[int] | None) -> None:
        world = self.world
        sessions = [
            s
            for s in world.sessions.values()
            if s.closes_at <= now
            and first <= world.local_date(s) <= last
            and (cohort_ids is None or s.cohort_id in cohort_ids)
        ]
        for breakdown in Breakdown:
            groups: dict[str, list[SimSession]] = {"all": sessions}
            if breakdown is not Breakdown.NONE:
                for s in sessions:
                    fake = ReleasedBlock(0, s.cohort_id, world.local_date(s), Tally())
                    groups.setdefault("row " + label_of(fake, breakdown), []).append(s)
            for group in groups.values():
                if len(set().union(*(s.responses for s in group))) >= world.min_group:
                    self.figures.add(mask(r for s in group for r in s.responses.values()))


# --- the attacker --------------------------------------------------------------------------------------------


def owners(row_owner: dict[int, int]) -> list[int]:
    """Per person, the bit mask of their rows."""
    by_person: dict[int, int] = {}
    for row_id, person in row_owner.items():
        by_person[person] = by_person.get(person, 0) | 1 << row_id
    return list(by_person.values())


def people_in(bits: int, person_masks: list[int]) -> int:
    return sum(1 for person in person_masks if person & bits)


def smallest_difference(figures: set[int], person_masks: list[int]) -> int | None:
    """The fewest people any non-empty difference S1 \\ S2 of two released figures involves."""
    found: int | None = None
    for first in figures:
        for second in figures:
            left = first & ~second
            if left:
                size = people_in(left, person_masks)
                found = size if found is None else min(found, size)
    return found


def atoms(figures: set[int]) -> list[int]:
    """The atoms of the set algebra the figures generate: rows grouped by which figures count them."""
    parts = [mask_of(figures)] if figures else []
    for figure in figures:
        parts = [part for whole in parts for part in (whole & figure, whole & ~figure) if part]
    return parts


def smallest_atom(figures: set[int], person_masks: list[int]) -> int | None:
    sizes = [people_in(atom, person_masks) for atom in atoms(figures)]
    return min(sizes) if sizes else None


def test_the_attacker_finds_a_cohort_subtracted_from_all() -> None:
    """Three hand-made figures: all cohorts (6 people), cohort A (5), cohort B (1 person, so suppressed)."""
    cohort_a, cohort_b = mask(range(1, 6)), mask([6])
    person_masks = [1 << i for i in range(1, 7)]
    released = {cohort_a | cohort_b, cohort_a}
    assert smallest_difference(released, person_masks) == 1
    assert smallest_atom(released, person_masks) == 1
    assert smallest_atom({cohort_a | cohort_b}, person_masks) == 6


# --- the properties ------------------------------------------------------------------------------------------


def attack(reports: Reports) -> tuple[int | None, int | None, int | None]:
    """The smallest crowd any difference of two figures, and any atom of all of them, hides in."""
    world = reports.world
    responses, attendance = owners(world.response_owner), owners(world.attendance_owner)
    return (
        smallest_difference(reports.figures, responses),
        smallest_atom(reports.figures, responses),
        smallest_atom(reports.attendance_figures, attendance),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), min_group=st.integers(2, 5))
def test_no_combination_of_released_figures_isolates_fewer_than_min_group(seed: int, min_group: int) -> None:
    # A seeded world rather than hypothesis's own randoms: a two-year world draws more values than hypothesis
    # keeps per example, and a failing seed replays exactly.
    world = World(random.Random(seed), min_group)
    reports = BlockReports(world)
    world.run(reports)
    for smallest in attack(reports):
        assert smallest is None or smallest >= min_group


def run_seeds(make: Callable[[World], Reports], min_group: int = 5, seeds: int = 12) -> list[int | None]:
    found = []
    for seed in range(seeds):
        world = World(random.Random(seed), min_group)
        reports = make(world)
        world.run(reports)
        found.append(attack(reports)[1])
    return found


def test_the_same_attacker_breaks_per_report_suppression() -> None:
    broken = [size for size in run_seeds(NaiveReports) if size is not None and size < 5]
    assert len(broken) >= 6, "the attacker should isolate fewer than 5 people in most of these worlds"
    assert all(size is None or size >= 5 for size in run_seeds(BlockReports))


def blocks_of_responses(pending: Sequence[ClosedSession], min_group: int) -> list[BlockDraft]:
    """A plausible mistake: fill blocks to min_group *responses*, so one regular can be most of a block."""
    by_responses = []
    count = 0
    for session in sorted(pending, key=lambda s: (s.starts_at, s.occurrence_id)):
        count += len(session.respondents)
        respondents = frozenset(range(count)) if count >= min_group else frozenset()  # pretend they were people
        by_responses.append(ClosedSession(session.occurrence_id, 1, session.starts_at, respondents, session.tally))
        if count >= min_group:
            count = 0
    drafts = next_blocks(by_responses, min_group)
    actual = {s.occurrence_id: s.respondents for s in pending}
    return [
        BlockDraft(
            pending[0].cohort_id,
            d.occurrence_ids,
            d.first_start,
            d.last_start,
            len(frozenset().union(*(actual[o] for o in d.occurrence_ids))),
            d.tally,
        )
        for d in drafts
    ]


def test_the_same_attacker_catches_blocks_counted_in_responses_not_people() -> None:
    found = run_seeds(lambda world: BlockReports(world, blocks_of_responses, checked=False), min_group=4)
    assert any(size is not None and size < 4 for size in found)


def test_blocks_summed_by_the_database_count_as_every_block_they_hold() -> None:
    """A database may add up whole blocks of one cohort and date; the rows still list every block they hold."""
    merged = ReleasedBlock(3, 1, date(2027, 3, 31), one(11, (11, 0, 0)), merged=(7, 5))
    total, rows = report_rows(
        [merged, block(4, "2027-04-02")], date(2027, 3, 1), date(2027, 4, 30), None, Breakdown.MONTH
    )
    assert total.blocks == (3, 4, 5, 7) and total.tally.responses == 16
    assert [row.blocks for row in rows] == [(3, 5, 7), (4,)]
    with pytest.raises(ValueError):
        report_rows([merged, block(5, "2027-04-02")], date(2027, 3, 1), date(2027, 4, 30), None, Breakdown.NONE)
