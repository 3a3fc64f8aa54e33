"""Pure rules of issue 5's safety and privacy parts: signposting text, the privacy notice, erasure's scrub,
the confirmation window and comment retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.privacy import (
    CONFIRM_WINDOW,
    ERASED_USER,
    Retention,
    comment_cutoff,
    privacy_notice,
    require_fresh_confirmation,
    scrub,
)
from bot.domain.signposting import (
    SIGNPOST_HOW_MAX,
    SIGNPOST_NAME_MAX,
    SUPPORT_LINES_MAX,
    SUPPORT_TEXT_MAX,
    UK_SIGNPOSTS,
    Signpost,
    guild_signposts,
    parse_signposts,
    signposts_text,
)

NOW = datetime(2027, 5, 1, 12, 0, tzinfo=UTC)
VICTIM = 812345678901234567


def test_signposting_lines_are_parsed_and_blank_lines_ignored() -> None:
    text = "  Samaritans Cymru: call 116 123  \n\nCALL helpline: 0800 132 737, https://callhelpline.org.uk \n"
    assert parse_signposts(text) == (
        Signpost("Samaritans Cymru", "call 116 123"),
        Signpost("CALL helpline", "0800 132 737, https://callhelpline.org.uk"),
    )


@pytest.mark.parametrize("empty", [None, "", "   \n \n"])
def test_empty_signposting_means_the_uk_defaults(empty: str | None) -> None:
    assert parse_signposts(empty) is None
    assert guild_signposts(empty) == UK_SIGNPOSTS


def test_the_uk_defaults_round_trip_through_the_edit_text() -> None:
    assert parse_signposts(signposts_text(UK_SIGNPOSTS)) == UK_SIGNPOSTS
    assert "Samaritans: Call **116 123**" in signposts_text(UK_SIGNPOSTS)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Samaritans 116 123", "Line 1 needs a name, a colon"),
        ("Shout: text 85258\n: no name", "Line 2 needs a name"),
        ("Shout:", "Line 1 needs"),
        ("N" * (SIGNPOST_NAME_MAX + 1) + ": call", "name on line 1 is longer"),
        ("Shout: " + "x" * (SIGNPOST_HOW_MAX + 1), f"please keep it to {SIGNPOST_HOW_MAX}"),
        ("\n".join(f"S{n}: call {n}" for n in range(SUPPORT_LINES_MAX + 1)), f"at most {SUPPORT_LINES_MAX} services"),
        ("A: " + "b" * SUPPORT_TEXT_MAX, f"at most {SUPPORT_TEXT_MAX} characters"),
    ],
)
def test_bad_signposting_is_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_signposts(text)


@given(st.lists(st.tuples(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=400)), max_size=14))
def test_accepted_signposting_always_fits_a_discord_embed(lines: list[tuple[str, str]]) -> None:
    text = "\n".join(f"{name}: {how}" for name, how in lines)
    try:
        parsed = parse_signposts(text)
    except InvalidInput:
        return
    signposts = parsed or UK_SIGNPOSTS
    assert len(signposts) <= 25
    assert all(0 < len(s.name) <= 256 and 0 < len(s.how) <= 1024 for s in signposts)
    assert sum(len(s.name) + len(s.how) for s in signposts) <= 6000 - 500  # room for title, intro and footer
    assert parse_signposts(signposts_text(signposts)) == signposts  # what is stored reads back the same


def test_stored_text_that_no_longer_parses_falls_back_to_the_defaults() -> None:
    assert guild_signposts("no colon here") == UK_SIGNPOSTS


def test_the_notice_takes_its_figures_from_the_settings() -> None:
    sections = privacy_notice(Retention(survey_open_days=10, comment_retention_days=90))
    text = " ".join(section.title + " " + section.text for section in sections)
    assert "90 days" in text and "stays open 10 days" in text and "pseudonym" in text
    assert "/privacy export" in text and "/privacy delete" in text
    assert all(len(s.title) <= 256 and len(s.text) <= 1024 for s in sections)
    assert sum(len(s.title) + len(s.text) for s in sections) < 5500


def test_scrub_replaces_the_member_everywhere_and_nobody_else() -> None:
    other = VICTIM + 1
    details = {
        "user_id": VICTIM,
        "users": [VICTIM, other],
        str(VICTIM): "key",
        "note": f"moved <@{VICTIM}> and <@{other}>; {VICTIM}0 is someone else",
        "flag": True,
        "count": 3,
    }
    assert scrub(details, VICTIM) == {
        "user_id": ERASED_USER,
        "users": [ERASED_USER, other],
        str(ERASED_USER): "key",
        "note": f"moved <@{ERASED_USER}> and <@{other}>; {VICTIM}0 is someone else",
        "flag": True,
        "count": 3,
    }


def test_an_erasure_confirmation_lasts_ten_minutes() -> None:
    issued = int(NOW.timestamp())
    require_fresh_confirmation(issued, NOW + CONFIRM_WINDOW)
    with pytest.raises(InvalidInput, match="expired"):
        require_fresh_confirmation(issued, NOW + CONFIRM_WINDOW + timedelta(seconds=1))
    with pytest.raises(InvalidInput, match="expired"):
        require_fresh_confirmation(issued + 3600, NOW)  # issued "in the future": not one we made


def test_comment_cutoff() -> None:
    assert comment_cutoff(NOW, 365) == NOW - timedelta(days=365)
    with pytest.raises(ValueError, match="at least one day"):
        comment_cutoff(NOW, 0)
