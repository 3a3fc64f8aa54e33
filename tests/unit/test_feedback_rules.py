"""Survey rules: the scale, answers and comments, pseudonyms, half-up percents, small-group suppression, risk."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.feedback import (
    COMMENT_MAX,
    RISK_PHRASES,
    STATEMENTS,
    SURVEY_OPEN_DAYS,
    Agreement,
    agreed,
    clean_comment,
    mentions_risk,
    parse_answer,
    percent_half_up,
    pseudonym,
)
from bot.domain.risk import _build

KEY = b"k" * 32


# --- the scale, answers and comments -------------------------------------------------------------------------


def test_scale_labels_and_statements() -> None:
    assert [a.label for a in sorted(Agreement, reverse=True)] == [
        "Strongly agree",
        "Agree",
        "Neither",
        "Disagree",
        "Strongly disagree",
    ]
    assert [s.key for s in STATEMENTS] == ["supported", "supported_others", "less_isolated"]
    assert STATEMENTS[2].text == "I feel less isolated in my role."
    assert COMMENT_MAX == 1000
    assert SURVEY_OPEN_DAYS == 7


def test_agreed_is_agree_or_strongly_agree() -> None:
    assert [agreed(answer) for answer in range(1, 6)] == [False, False, False, True, True]
    assert agreed(Agreement.AGREE)
    with pytest.raises(ValueError):
        agreed(6)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", Agreement.STRONGLY_DISAGREE), ("3", Agreement.NEITHER), (" 5 ", Agreement.STRONGLY_AGREE)],
)
def test_parse_answer(value: str, expected: Agreement) -> None:
    assert parse_answer(value) is expected


@pytest.mark.parametrize("value", ["", "0", "6", "-1", "+3", "05", "4.0", "four", "12", "٣", "²", "1 2"])
def test_parse_answer_refuses_anything_else(value: str) -> None:
    with pytest.raises(InvalidInput, match=r"1 .* to 5"):
        parse_answer(value)


def test_clean_comment() -> None:
    assert clean_comment(None) is None
    assert clean_comment("") is None
    assert clean_comment("  \n\t ") is None
    assert clean_comment("  Thank you all.\n") == "Thank you all."
    assert clean_comment(" " + "x" * COMMENT_MAX + " ") == "x" * COMMENT_MAX


def test_clean_comment_refuses_a_long_one_and_says_how_long() -> None:
    with pytest.raises(InvalidInput, match=r"at most 1000 characters \(this one has 1001\)"):
        clean_comment("x" * (COMMENT_MAX + 1))


# --- pseudonyms ----------------------------------------------------------------------------------------------


def test_pseudonym_is_a_stable_hex_hmac() -> None:
    first = pseudonym(KEY, 123456789012345678, 42)
    assert first == pseudonym(KEY, 123456789012345678, 42)
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert "123456789012345678" not in first


def test_pseudonym_differs_per_person_session_and_key() -> None:
    base = pseudonym(KEY, 1, 1)
    assert pseudonym(KEY, 2, 1) != base
    assert pseudonym(KEY, 1, 2) != base
    assert pseudonym(b"j" * 32, 1, 1) != base
    # The separator keeps (1, 23) and (12, 3) apart.
    assert pseudonym(KEY, 1, 23) != pseudonym(KEY, 12, 3)


@pytest.mark.parametrize("key", [b"", b"short", b"k" * 31])
def test_pseudonym_rejects_a_short_key(key: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        pseudonym(key, 1, 1)


# --- half-up percents ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (13, 14, 93),  # the seed report: 92.86%
        (9, 13, 69),  # 69.23%
        (1, 8, 13),  # 12.5% rounds up
        (5, 8, 63),  # 62.5% rounds up (banker's rounding would give 62)
        (3, 8, 38),  # 37.5%
        (1, 200, 1),  # 0.5%
        (1, 201, 0),  # 0.4975%
        (199, 200, 100),  # 99.5%
        (0, 7, 0),
        (7, 7, 100),
        (1, 3, 33),
        (2, 3, 67),
    ],
)
def test_percent_half_up_by_hand(part: int, whole: int, expected: int) -> None:
    assert percent_half_up(part, whole) == expected


@pytest.mark.parametrize(("part", "whole"), [(1, 0), (0, 0), (-1, 5), (6, 5), (1, -2)])
def test_percent_half_up_refuses_nonsense(part: int, whole: int) -> None:
    with pytest.raises(ValueError):
        percent_half_up(part, whole)


@given(st.integers(min_value=1, max_value=10**12).flatmap(lambda w: st.tuples(st.integers(0, w), st.just(w))))
def test_percent_half_up_matches_decimal_and_stays_in_range(pair: tuple[int, int]) -> None:
    part, whole = pair
    with localcontext() as context:
        context.prec = 60
        expected = int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert percent_half_up(part, whole) == expected
    assert 0 <= expected <= 100


# --- summaries and suppression -------------------------------------------------------------------------------


# --- risk phrases --------------------------------------------------------------------------------------------

AT_RISK = [
    "I've been having suicidal thoughts again.",
    "SUICIDE has crossed my mind",
    "Some days I want to kill myself",
    "i could just kill my self",
    "I've thought about ending my life",
    "I thought about taking my own life last winter",
    "I just want to end it all.",
    "I want to die",
    "i wanna die",
    "Honestly I wish I was dead",
    "I wish I’d never been born",
    "Everyone would be better off without me.",
    "I'd be better off dead",
    "Sometimes I just don't want to be here anymore",
    "I dont want to be alive",
    "I no longer want to live",
    "I can't go on like this",
    "I cant go on any more",
    "I cannot   go on!!!",
    "I can not go on, it's too much",
    "I can’t take it anymore",
    "I can't do this any more",
    "There's no point in living",
    "I've got nothing to live for",
    "I have no reason to live",
    "Life isn't worth living",
    "I wish I could go to sleep and never wake up",
    "I see no way out",
    "I feel like a burden to everyone",
    "I'm such a burden",
    "I've given up on life",
    "I've been self-harming again",
    "self harm",
    "I've started cutting myself",
    "I keep thinking about hurting myself",
    "I don't trust myself not to harm myself",
    "I took an overdose last year",
    "thinking of taking too many pills",
    "I thought about jumping off the bridge on the way home",
    "I nearly stepped in front of a train",
    "My partner hits me when he's drunk",
    "he hurts me",
    "There's domestic abuse at home",
    "I'm in an abusive relationship",
    "I'm being abused at home",
    "I was raped",
    "I was sexually assaulted",
    "I don't feel safe at home",
    "I'm scared to go home tonight",
    "frightened of going home",
]


@pytest.mark.parametrize("text", AT_RISK)
def test_mentions_risk_catches_real_phrasings(text: str) -> None:
    assert mentions_risk(text)


BENIGN = [
    None,
    "",
    "Thank you, this was lovely.",
    "What a week! I'm dead on my feet, the rota is killing me and I could murder a cup of tea.",
    "Killing it at work this month, the CQC visit went brilliantly.",
    "I could die laughing at Sue's story about the hoist.",
    "I was killing myself laughing.",  # an idiom we take out before matching
    "I've learnt to cut myself some slack.",  # an idiom we take out before matching
    "My therapist suggested I come along.",  # not "the rapist"
    "I want to skill myself up in dementia care.",  # not "kill myself"
    "I can't go on Thursdays, can we move it?",
    "I can't go on the course next month.",
    "It really hit me how tired I am.",
    "My deadline is Friday and my phone died.",
    "The session on supervision was a real lifeline.",
    "I'm dying for a holiday.",
    "Good to talk about burnout and the end of the month returns.",
    "I don't want to be the one who always says no.",
    "The point of living wage rises is lost on our budget.",
    "It was a rapid, rapport-building hour.",
]


@pytest.mark.parametrize("text", BENIGN)
def test_mentions_risk_leaves_everyday_talk_alone(text: str | None) -> None:
    assert not mentions_risk(text)


# Genuinely ambiguous: we signpost rather than risk missing someone. A false positive only shows crisis numbers
# and alerts facilitators without naming anyone.
SIGNPOSTED_ON_PURPOSE = [
    "I wanted to die of embarrassment when I forgot my password.",  # an idiom that contains a risk phrase
    "I'm not suicidal, just tired.",  # negation is not understood
    "Our suicide prevention training was useful.",  # a topic, not a disclosure
    "I hurt myself lifting a resident last week.",  # an injury at work
    "I don't want to be here on Saturdays.",  # about the rota, probably
]


@pytest.mark.parametrize("text", SIGNPOSTED_ON_PURPOSE)
def test_mentions_risk_errs_on_signposting_when_ambiguous(text: str) -> None:
    assert mentions_risk(text)


def plain_example(phrase: str) -> str:
    """A comment a phrase must match: its first choice in each required place, "kill*" as "kill", "A + B" as two
    sentences, "no_hope" as "no hope"; gaps, optional places and sentence ends left out."""
    sentences = []
    for part in phrase.split(" + "):
        slots = [slot for slot in part.split() if not slot.endswith("?") and slot not in ("~", ".")]
        sentences.append(" ".join(slot.split("|")[0].rstrip("*").replace("_", " ") for slot in slots))
    return ". ".join(sentences)


def test_every_risk_phrase_matches_itself() -> None:
    # The list grew from 38 to over 100 phrases with issue 12 (indirect phrasings, crying before shifts, ...).
    assert 60 <= len(RISK_PHRASES) <= 200
    assert len(set(RISK_PHRASES)) == len(RISK_PHRASES)
    for phrase in RISK_PHRASES:
        assert mentions_risk(plain_example(phrase).upper() + "!"), phrase


@pytest.mark.parametrize(
    "text",
    [
        "I cant cope",
        "I can't cope",
        "I can’t cope",
        "I cannot cope",
        "I can not cope",
        "I caaaan't cope",
        "i CANNAE cope",
        "I just really, honestly want to disappear",
        "I want to just disappear 😔😔",
        "I just... want to disappear",
        "i want to dissapear",
        "burned out. Everything feels hopeless.",
        "burnt-out and hopeless",
    ],
)
def test_mentions_risk_tolerates_how_people_type(text: str) -> None:
    assert mentions_risk(text)


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("cant cope", "write 'cant' out"),
        ("I want", "only lower-case"),
        ("no_one cares", "write 'no one' as 'nobody'"),
        ("done . now", "can only come last"),
    ],
)
def test_a_badly_written_risk_phrase_is_refused(phrase: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        _build([phrase], [])
