"""How the demo's transcript shows what Discord would: times, names, embeds, buttons and forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.demo.clock import DemoClock
from bot.demo.render import Names, discord_time, embed_lines, message_lines, modal_lines, relative_time

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 3, 16, 9, 45, tzinfo=UTC)
SESSION = datetime(2027, 3, 16, 10, 0, tzinfo=UTC)  # 10:00 GMT
SUMMER = datetime(2027, 7, 6, 9, 0, tzinfo=UTC)  # 10:00 BST


def names() -> Names:
    users = {1: "Megan"}
    roles = {2: "Facilitators"}
    channels = {3: "dom-care"}
    return Names(users.get, roles.get, channels.get, LONDON, clock=lambda: NOW)


@pytest.mark.parametrize(
    ("style", "shown"),
    [
        ("t", "10:00"),
        ("T", "10:00:00"),
        ("d", "16/03/2027"),
        ("D", "16 March 2027"),
        ("f", "16 March 2027 10:00"),
        ("F", "Tuesday, 16 March 2027 10:00"),
        ("R", "in 15 minutes"),
    ],
)
def test_each_timestamp_style_reads_as_discord_shows_it(style: str, shown: str) -> None:
    assert discord_time(SESSION, style, LONDON, NOW) == shown


def test_times_follow_british_summer_time() -> None:
    assert discord_time(SUMMER, "t", LONDON, NOW) == "10:00"


@pytest.mark.parametrize(
    ("offset", "shown"),
    [
        (timedelta(seconds=3), "just now"),
        (timedelta(minutes=1), "in 1 minute"),
        (timedelta(hours=-2), "2 hours ago"),
        (timedelta(days=7), "in 7 days"),
        (timedelta(days=-60), "2 months ago"),
        (timedelta(days=400), "in 1 year"),
    ],
)
def test_relative_times(offset: timedelta, shown: str) -> None:
    assert relative_time(NOW + offset, NOW) == shown


def test_times_are_shown_from_the_story_s_clock_once_it_moves_on() -> None:
    clock = DemoClock()
    shown = Names({}.get, {}.get, {}.get, LONDON, clock=clock)
    soon = f"<t:{int((clock() + timedelta(days=8)).timestamp())}:R>"
    assert shown.humanise(soon) == "in 8 days"
    clock.advance(timedelta(days=7))
    assert shown.humanise(soon) == "in 1 day"
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(days=-1))
    assert shown.humanise(soon) == "in 1 day"


def test_mentions_timestamps_links_and_markdown_become_plain_text() -> None:
    text = (
        f"**Peer support** starts <t:{int(SESSION.timestamp())}:R> in <#3>. <@1>, <@&2> and <@99> are there; "
        "see [the guide](https://example.org/guide) and `/support`. *Leadership, Learning*; 2 * 3 * 4"
    )
    assert names().humanise(text) == (
        "Peer support starts in 15 minutes in #dom-care. @Megan, @Facilitators and @user 99 are there; "
        "see the guide (https://example.org/guide) and /support. Leadership, Learning; 2 * 3 * 4"
    )


def test_an_embed_reads_top_to_bottom_without_spacer_fields() -> None:
    embed = {
        "title": "Peer support · Domiciliary care managers",
        "description": f"<t:{int(SESSION.timestamp())}:F>",
        "fields": [
            {"name": "Where", "value": "<#3>"},
            {"name": "\u200b", "value": "\u200b"},
            {"name": "I feel less isolated in my role.", "value": "67% agreed (4 of 6; 95% interval 30–90%)"},
            {"name": "Present (2)", "value": "<@1> (voice)\n<@1> (check-in)"},
        ],
        "image": {"url": "attachment://feedback-chart.png"},
        "footer": {"text": "Times show in your own time zone."},
    }
    assert embed_lines(embed, names()) == [
        "│ Peer support · Domiciliary care managers",
        "│ Tuesday, 16 March 2027 10:00",
        "│ Where: #dom-care",
        "│ I feel less isolated in my role. 67% agreed (4 of 6; 95% interval 30–90%)",
        "│ Present (2):",
        "│   @Megan (voice)",
        "│   @Megan (check-in)",
        "│ [picture: feedback-chart.png]",
        "│ (Times show in your own time zone.)",
    ]


def test_a_message_shows_its_files_and_buttons() -> None:
    message = {
        "content": "Thank you for coming.",
        "attachments": [{"filename": "feedback.csv", "size": 2048}],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "label": "I'll be there", "custom_id": "a"},
                    {"type": 2, "label": "Can't make it", "custom_id": "b"},
                ],
            },
            {"type": 1, "components": [{"type": 3, "custom_id": "c", "placeholder": "Mark present…"}]},
        ],
    }
    assert message_lines(message, names()) == [
        "Thank you for coming.",
        "[file: feedback.csv, 2 kB]",
        "[I'll be there] [Can't make it] [menu: Mark present…]",
    ]


def test_a_form_lists_its_questions_and_choices() -> None:
    modal = {
        "title": "How was the session?",
        "components": [
            {
                "type": 18,
                "label": "I feel less isolated",
                "component": {
                    "type": 21,
                    "custom_id": "less_isolated",
                    "options": [{"label": "Agree", "value": "4"}, {"label": "Disagree", "value": "2"}],
                },
            },
            {"type": 18, "label": "Anything to add?", "component": {"type": 4, "custom_id": "comment"}},
        ],
    }
    assert modal_lines(modal) == [
        "Form: How was the session?",
        "  • I feel less isolated",
        "      Agree / Disagree",
        "  • Anything to add? [text box]",
    ]
