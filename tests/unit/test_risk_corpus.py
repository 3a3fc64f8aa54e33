"""The risk phrases against a corpus of realistic survey comments: every risky one flagged, few benign ones.

``risk_corpus/risky.txt`` and ``benign.txt`` hold one comment a line, written as busy care managers write after a
peer-support session. When a comment is missed, widen RISK_PHRASES in ``bot/domain/risk.py`` (never delete the
comment); when a benign one is flagged, it counts against MAX_FALSE_POSITIVE_RATE.
"""

from __future__ import annotations

from pathlib import Path

from bot.domain.feedback import COMMENT_MAX
from bot.domain.risk import mentions_risk, risk_phrases_in

CORPUS = Path(__file__).parent / "risk_corpus"
# A false positive only shows crisis numbers to the writer and alerts facilitators without naming anyone, so a
# few are the price of missing no one. Today 5 of 129 (3.9%): "suicide awareness training", "too many tablets
# in her drawer", "staff feel unsafe", "I can't cope without her! (joking)", "one of my carers was in tears".
MAX_FALSE_POSITIVE_RATE = 0.05


def comments(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


RISKY = comments("risky.txt")
BENIGN = comments("benign.txt")


def test_the_corpus_is_big_distinct_and_realistic() -> None:
    assert len(RISKY) >= 120
    assert len(BENIGN) >= 80
    assert len(set(RISKY)) == len(RISKY), "a risky comment is listed twice"
    assert len(set(BENIGN)) == len(BENIGN), "a benign comment is listed twice"
    assert not set(RISKY) & set(BENIGN)
    assert all(len(comment) <= COMMENT_MAX for comment in RISKY + BENIGN)
    # the two comments of issue 12 that the first phrase list missed
    assert "I've had enough of everything, I just want to disappear" in RISKY
    assert "crying in the car before shifts" in RISKY


def test_every_risky_comment_is_flagged() -> None:
    misses = [comment for comment in RISKY if not mentions_risk(comment)]
    assert not misses, f"{len(misses)} of {len(RISKY)} risky comments missed:\n" + "\n".join(misses)


def test_few_benign_comments_are_flagged() -> None:
    flagged = {comment: risk_phrases_in(comment) for comment in BENIGN if mentions_risk(comment)}
    rate = len(flagged) / len(BENIGN)
    report = "\n".join(f"{comment}  <- {phrases}" for comment, phrases in flagged.items())
    assert rate <= MAX_FALSE_POSITIVE_RATE, (
        f"{len(flagged)} of {len(BENIGN)} benign comments flagged ({rate:.1%}, at most "
        f"{MAX_FALSE_POSITIVE_RATE:.0%} allowed):\n{report}"
    )


def test_risk_phrases_in_agrees_with_mentions_risk() -> None:
    for comment in [*RISKY, *BENIGN, "", None]:
        assert bool(risk_phrases_in(comment)) == mentions_risk(comment)
