"""Welsh risk phrases: natural Welsh, north and south, mutated or not, with and without accents and apostrophes,
raise the same nameless alert as English; everyday Welsh after a session does not.

``risk_corpus/risky_cy.txt`` and ``benign_cy.txt`` hold realistic Welsh comments, one a line. When one is missed,
widen WELSH_RISK_PHRASES in ``bot/domain/risk.py`` (never delete the comment)."""

from __future__ import annotations

import pytest

from bot.domain.risk import WELSH_RISK_PHRASES, mentions_risk, risk_phrases_in
from tests.unit.test_risk_corpus import MAX_FALSE_POSITIVE_RATE, comments

RISKY = comments("risky_cy.txt")
BENIGN = comments("benign_cy.txt")


def test_the_welsh_corpus_is_big_and_distinct() -> None:
    assert len(RISKY) >= 80 and len(BENIGN) >= 50
    assert len(set(RISKY)) == len(RISKY) and len(set(BENIGN)) == len(BENIGN)
    assert not set(RISKY) & set(BENIGN)


def test_every_risky_welsh_comment_is_flagged() -> None:
    misses = [comment for comment in RISKY if not mentions_risk(comment)]
    assert not misses, f"{len(misses)} of {len(RISKY)} risky Welsh comments missed:\n" + "\n".join(misses)


def test_few_benign_welsh_comments_are_flagged() -> None:
    flagged = {comment: risk_phrases_in(comment) for comment in BENIGN if mentions_risk(comment)}
    assert len(flagged) / len(BENIGN) <= MAX_FALSE_POSITIVE_RATE, flagged


def test_welsh_comments_are_caught_by_welsh_phrases() -> None:
    """Not by an English phrase that happens to match: the Welsh list does the work."""
    for comment in RISKY:
        found = risk_phrases_in(comment)
        assert any(phrase in WELSH_RISK_PHRASES for phrase in found), (comment, found)


AT_RISK = [
    # suicide and killing oneself, with the soft mutation after "i" and the spoken "'yn hun"
    "lladd fy hun",
    "ladd fy hun",
    "Dw i wedi meddwl am ladd fy hun",
    "dw i isio lladd 'yn hunan",
    "Hunanladdiad",
    "Mae gen i feddyliau hunanladdol",
    # self-harm
    "niweidio fy hun",
    "Dw i wedi bod yn hunan-niweidio eto",
    "Roeddwn i eisiau brifo fy hun",
    # no point, no hope, wanting to die
    "dim pwynt byw",
    "DIM PWYNT BYW!!!",
    "Does dim pwynt.",
    "Be di'r pwynt?",
    "eisiau marw",
    "isio marw",
    "Dw i'n moyn marw",
    "Byddai'n well gen i farw",
    "dim gobaith",
    "Does dim gobaith i mi bellach",
    "Dw i'n teimlo'n anobeithiol",
    # cannot cope, breaking down
    "methu ymdopi",
    "Dw i'n methu ag ymdopi",
    "ffili ymdopi rhagor",
    "Dydw i ddim yn ymdopi",
    "Dw i ar ben fy nhennyn",
    "Wedi blino'n lân ac yn teimlo'n gaeth",
    # not safe, abuse at home; accents typed or not
    "Dw i ddim yn teimlo'n ddiogel adref",
    "Mae gen i ofn fy ngŵr",
    "Mae gen i ofn fy ngwr",
    "Mae fy mhartner yn fy nharo",
    "cam-drin domestig",
    # crying before or after shifts
    "Crio yn y car cyn pob shifft",
    "Dw i'n llefain bob nos",
]


@pytest.mark.parametrize("text", AT_RISK)
def test_welsh_risk_phrases_are_caught(text: str) -> None:
    assert mentions_risk(text)


EVERYDAY = [
    "Sesiwn dda iawn, diolch yn fawr.",
    "Roedden ni'n lladd ein hunain yn chwerthin.",
    "Bu bron i mi farw chwerthin.",  # an idiom taken out before matching
    "Dw i wedi lladd fy hun yn chwerthin.",  # an idiom taken out before matching
    "Crio chwerthin am y stori!",  # an idiom taken out before matching
    "Bron â marw isio paned.",  # dying for a cuppa: "marw" before "isio" is not wanting to die
    "Mae'r rota yn fy lladd i.",
    "Bu farw un o'r preswylwyr ac roedd yn dda siarad am y peth.",
    "Siaradon ni am ofal diwedd oes a marw'n dda.",
    "Dim gobaith cael staff dros y Nadolig, fel arfer.",
    "Mae'r gwaith papur yn faich ar bawb.",
    "Dw i wedi cael digon o hyfforddiant eleni.",
    "Dw i'n ymdopi'n well na mis diwethaf.",
    "Roedd hi'n ddiogel siarad yn y grŵp.",
    "Dw i'n gobeithio na fydd neb yn marw dros y gaeaf.",
    "Roedd y sain yn torri lawr weithiau.",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_welsh_is_left_alone(text: str) -> None:
    assert not mentions_risk(text), risk_phrases_in(text)


def test_the_english_corpus_keeps_its_results_with_the_welsh_phrases() -> None:
    """Welsh phrases flag no English comment that the English phrases alone leave alone."""
    english = comments("benign.txt")
    welsh_only = [c for c in english if any(p in WELSH_RISK_PHRASES for p in risk_phrases_in(c))]
    assert welsh_only == []
