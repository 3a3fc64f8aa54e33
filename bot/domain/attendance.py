"""Attendance corrected after the fact: who is offered the survey late, and how an absent mark remembers that its
member was offered it already, so that nobody is sent the survey twice however often they are marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.actions import SurveyWindow

FACILITATOR = "facilitator"
# The source of an absent mark on someone who had been offered the survey: were they marked present again, they
# would not be sent it a second time. (Absent marks only ever come from facilitators.)
SURVEY_OFFERED = "survey_offered"
CORRECTABLE_FOR = timedelta(days=30)  # how long after a session ends its attendance is offered for correcting


@dataclass(frozen=True, slots=True)
class Mark:
    """What is recorded about one member at one session."""

    present: bool
    source: str


def was_offered(mark: Mark | None, survey: SurveyWindow | None) -> bool:
    """Whether this member has been offered the survey: everyone present when it went out got it, and so did
    everyone marked present since (while it was open)."""
    if mark is None or survey is None or not survey.sent:
        return False
    return mark.present or mark.source == SURVEY_OFFERED


def offer_when_present(before: Mark | None, survey: SurveyWindow | None, now: datetime) -> bool:
    """Whether marking this member present now sends them the survey: only while it is open, and only once.

    Before the survey goes out nothing is sent: it goes to everyone present then."""
    if survey is None or not survey.sent or survey.is_over(now):
        return False
    return not was_offered(before, survey)


def absent_source(before: Mark | None, survey: SurveyWindow | None) -> str:
    """The source to record with an absent mark: it remembers whether the member was offered the survey."""
    return SURVEY_OFFERED if was_offered(before, survey) else FACILITATOR
