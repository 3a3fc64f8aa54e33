"""The after-session survey: three statements on a five-point scale and an optional comment.

Answers are kept under a pseudonym, never the Discord id. Reports (``bot.domain.disclosure``) show shares of
"Agree or Strongly agree" as whole-number percents rounded half up, added up from whole release blocks. A comment
that mentions risk (``bot.domain.risk``) makes the bot signpost crisis help and alert facilitators, naming no one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import IntEnum

from bot.domain.errors import InvalidInput
from bot.domain.language import N_
from bot.domain.risk import BENIGN_IDIOMS as BENIGN_IDIOMS  # re-exported: the survey's risk check
from bot.domain.risk import RISK_PHRASES as RISK_PHRASES
from bot.domain.risk import mentions_risk as mentions_risk

COMMENT_MAX = 1000
SURVEY_OPEN_DAYS = 7
PSEUDONYM_KEY_MIN = 32  # bytes: the HMAC key must be at least as long as its SHA-256 output


class Agreement(IntEnum):
    STRONGLY_DISAGREE = 1
    DISAGREE = 2
    NEITHER = 3
    AGREE = 4
    STRONGLY_AGREE = 5

    @property
    def label(self) -> str:
        """How the scale point reads to a person, e.g. "Strongly agree" (English: the catalogue's message)."""
        return AGREEMENT_LABELS[self]


AGREEMENT_LABELS: dict[Agreement, str] = {
    Agreement.STRONGLY_DISAGREE: N_("Strongly disagree"),
    Agreement.DISAGREE: N_("Disagree"),
    Agreement.NEITHER: N_("Neither"),
    Agreement.AGREE: N_("Agree"),
    Agreement.STRONGLY_AGREE: N_("Strongly agree"),
}


@dataclass(frozen=True, slots=True)
class Statement:
    key: str
    text: str


STATEMENTS: tuple[Statement, Statement, Statement] = (
    Statement("supported", N_("I felt emotionally supported in this session.")),
    Statement("supported_others", N_("I was able to support others in this session.")),
    Statement("less_isolated", N_("I feel less isolated in my role.")),
)


def agreed(answer: int) -> bool:
    """Whether an answer is Agree or Strongly agree. ValueError if it is not on the scale."""
    return Agreement(answer) >= Agreement.AGREE


def parse_answer(value: str) -> Agreement:
    """An answer from "1" to "5" (as a select menu sends it)."""
    value = value.strip()
    if len(value) != 1 or value not in "12345":
        raise InvalidInput(N_("Please choose an answer from 1 (strongly disagree) to 5 (strongly agree)."))
    return Agreement(int(value))


def clean_comment(raw: str | None) -> str | None:
    """The comment without surrounding blanks; None when there is nothing left."""
    text = (raw or "").strip()
    if len(text) > COMMENT_MAX:
        raise InvalidInput(
            N_("Please keep your comment to at most {most} characters (this one has {length})."),
            most=COMMENT_MAX,
            length=len(text),
        )
    return text or None


def pseudonym(key: bytes, user_id: int, occurrence_id: int) -> str:
    """A stable stand-in for one person at one session: hex HMAC-SHA256 of ``"user_id:occurrence_id"``."""
    if len(key) < PSEUDONYM_KEY_MIN:
        raise ValueError(f"the pseudonym key must be at least {PSEUDONYM_KEY_MIN} bytes")
    return hmac.new(key, f"{user_id}:{occurrence_id}".encode(), hashlib.sha256).hexdigest()


def percent_half_up(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole-number percent, .5 rounded up (as Decimal's ROUND_HALF_UP), exactly."""
    if whole <= 0 or not 0 <= part <= whole:
        raise ValueError(f"cannot take {part} of {whole} as a percent")
    return (200 * part + whole) // (2 * whole)  # floor(100 * part / whole + 1/2), in integers
