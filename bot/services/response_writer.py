"""Group commit of feedback answers: the answers submitted at the same moment are checked and written together.

A burst of members pressing "Submit" together would otherwise cost one read (may they answer?) and one write
transaction each, queued behind SQLite's single writer. Here each submit joins the next batch, and a batch costs a
handful of statements whatever its size: who may answer is read for the whole batch inside the write transaction
(so the check and the write see the same database), the answers go in as one upsert, and each survey's tallies are
recounted once. The batch is plain synchronous code run by ``UnitOfWorkFactory.run_sync``: on SQLite it runs on
the event loop in one go, which under a burst is several times quicker than a trip through the loop per statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.sessions import Eligibility, eligibilities, existing_occurrences, recount, save_responses
from bot.db.uow import SyncSession, UnitOfWorkFactory
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.language import N_
from bot.services.batching import GroupCommit

GONE = N_("I can't find that session any more.")


@dataclass(frozen=True, slots=True)
class Submission:
    """One member's answers to one session's survey. ``guild_id`` is where they pressed Submit (None in a DM)."""

    guild_id: int | None
    user_id: int
    occurrence_id: int
    pseudonym: str
    answers: tuple[int, int, int]
    comment: str | None
    at: datetime

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.occurrence_id, self.user_id, self.pseudonym)


def judge(eligible: Eligibility | None, *, session_exists: bool, guild_id: int | None, now: datetime) -> Eligibility:
    """Whether a member may answer a survey now; raises the polite refusal otherwise."""
    if eligible is None:
        if not session_exists:
            raise NotFound(GONE)
        raise InvalidInput(N_("The survey for this session hasn't opened yet: it opens when the session ends."))
    if guild_id not in (None, eligible.guild_id):
        raise NotFound(GONE)
    if eligible.closed_at is not None or eligible.closes_at <= now:
        # No date: Discord would show its timestamp in English to a Welsh reader, and "closed" says enough.
        raise InvalidInput(N_("This survey has closed. Thank you anyway, it still matters."))
    if not eligible.present:
        raise NotAllowed(N_("This survey is only for people who attended the session."))
    return eligible


class ResponseWriter:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._group: GroupCommit[Submission, Eligibility] = GroupCommit(uow, write_batch, linger=uow.batch_linger)

    async def save(self, submission: Submission) -> Eligibility:
        """Check and store one person's answers; returns once they are committed, with what was checked (whether
        they had answered before, when the survey closes). Raises the refusal, or the error the write met."""
        return await self._group.submit(submission)


def write_batch(session: SyncSession, batch: list[Submission]) -> list[Eligibility | Exception]:
    """Judge each submission and store the answers of those allowed; returns, in order, what was checked or the
    refusal. Synchronous, so that the whole batch runs in one go (see ``UnitOfWorkFactory.run_sync``)."""
    verdicts: list[Eligibility | Exception] = []
    rows: dict[tuple[int, str], dict[str, object]] = {}  # the last answer wins when someone submits twice
    found = eligibilities(session, [submission.key for submission in batch])
    unopened = {submission.occurrence_id for submission in batch if submission.key not in found}
    existing = existing_occurrences(session, unopened) if unopened else set()
    for submission in batch:
        try:
            eligible = judge(
                found.get(submission.key),
                session_exists=submission.occurrence_id in existing,
                guild_id=submission.guild_id,
                now=submission.at,
            )
        except (InvalidInput, NotAllowed, NotFound) as refusal:
            verdicts.append(refusal)
            continue
        key = (submission.occurrence_id, submission.pseudonym)
        verdicts.append(eligible if key not in rows else _edited(eligible))
        rows[key] = _row(submission, eligible.guild_id)
    if rows:
        save_responses(session, list(rows.values()))
        for occurrence_id in sorted({occurrence_id for occurrence_id, _ in rows}):
            recount(session, occurrence_id)
    return verdicts


def _edited(eligible: Eligibility) -> Eligibility:
    return Eligibility(eligible.guild_id, eligible.closes_at, eligible.closed_at, eligible.present, answered=True)


def _row(submission: Submission, guild_id: int) -> dict[str, object]:
    supported, supported_others, less_isolated = submission.answers
    return {
        "guild_id": guild_id,
        "occurrence_id": submission.occurrence_id,
        "pseudonym": submission.pseudonym,
        "supported": supported,
        "supported_others": supported_others,
        "less_isolated": less_isolated,
        "comment": submission.comment,
        "submitted_at": submission.at,
        "updated_at": submission.at,
    }
