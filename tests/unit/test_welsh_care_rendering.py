"""The survey, signposting, alerts and privacy texts as a Welsh reader gets them: natural Welsh, inside Discord's
limits (modal titles and labels 45, descriptions and option labels 100, button labels 80, embed fields 1,024 and
6,000 in all, message content 2,000), the same choices as in English, and the services that answer in Welsh."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import discord

from bot.domain.feedback import STATEMENTS, Agreement
from bot.domain.language import ChannelPosts, Language
from bot.domain.lifecycle import SessionState
from bot.domain.privacy import Retention, privacy_notice
from bot.domain.signposting import UK_SIGNPOSTS, WALES_SIGNPOSTS, default_signposts, parse_signposts
from bot.i18n import t
from bot.services.ports import SessionCard
from bot.services.safety import AlertKind, AlertNotice
from bot.services.support import Signposting
from bot.services.surveys import SurveyForm
from bot.ui.embeds import ground_rules_embed, signposting_embed
from bot.ui.feedback import SHORT_LABELS, FeedbackModal, feedback_view
from bot.ui.privacy import erase_view, notice_embed
from bot.ui.safety import alert_text
from bot.ui.support import SignpostingModal, editable_text
from tests.e2e.language_checks import assert_english, assert_welsh

AT = datetime(2027, 3, 16, 10, tzinfo=UTC)
COHORT = "Domiciliary care managers"
CARD = SessionCard(7, 1, 2, "Peer support", COHORT, 3, "Europe/London", AT, AT, SessionState.CLOSED)


def _children(view: discord.ui.View | discord.ui.Modal) -> list[Any]:
    found: list[Any] = []
    for item in view.children:
        found.append(item)
        if isinstance(item, discord.ui.Label):
            found.append(item.component)
    return found


def test_the_welsh_statements_fit_a_label_with_the_full_statement_as_its_description() -> None:
    for statement, short in zip(STATEMENTS, SHORT_LABELS, strict=True):
        label, description = t(Language.CY, short), t(Language.CY, statement.text)
        assert label != short and description != statement.text  # translated
        assert len(label) <= 45 and len(description) <= 100, (label, description)
    scale = [t(Language.CY, answer.label) for answer in sorted(Agreement, reverse=True)]
    assert scale == ["Cytuno'n gryf", "Cytuno", "Ddim yn cytuno nac yn anghytuno", "Anghytuno", "Anghytuno'n gryf"]


async def test_the_welsh_survey_form_is_within_discords_limits_and_offers_the_same_answers() -> None:
    forms = {language: FeedbackModal(SurveyForm(CARD, (5, 3, 1), "diolch"), language) for language in Language}
    welsh = forms[Language.CY]
    assert welsh.title == "Sut aeth y sesiwn?" and len(welsh.title) <= 45
    shown: list[str] = [welsh.title]
    for item in _children(welsh):
        if isinstance(item, discord.ui.Label):
            assert len(item.text) <= 45 and len(item.description or "") <= 100, item.text
            shown += [item.text, item.description or ""]
        if isinstance(item, discord.ui.RadioGroup):
            assert all(len(option.label) <= 100 for option in item.options)
            shown += [option.label for option in item.options]
        if isinstance(item, discord.ui.TextInput):
            assert len(item.placeholder or "") <= 100 and item.default == "diolch"
            shown.append(item.placeholder or "")
    assert_welsh(" ".join(shown))

    def answers(form: FeedbackModal) -> list[list[tuple[str, bool]]]:
        groups = [item for item in _children(form) if isinstance(item, discord.ui.RadioGroup)]
        return [[(option.value, option.default) for option in group.options] for group in groups]

    # The values are the same numbers in both languages (and the earlier answers are chosen again).
    assert answers(welsh) == answers(forms[Language.EN])
    assert [next(v for v, chosen in group if chosen) for group in answers(welsh)] == ["5", "3", "1"]


async def test_the_give_feedback_button_in_a_dm_and_in_a_bilingual_thread() -> None:
    def label(view: discord.ui.View) -> str:
        [item] = view.children
        assert isinstance(item, discord.ui.DynamicItem) and isinstance(item.item, discord.ui.Button)
        assert item.item.label is not None and len(item.item.label) <= 80
        return item.item.label

    assert label(feedback_view(7, Language.CY)) == "Rhoi adborth"
    assert label(feedback_view(7, Language.EN)) == label(feedback_view(7)) == "Give feedback"
    assert label(feedback_view(7, ChannelPosts.BILINGUAL)) == "Rhoi adborth / Give feedback"
    assert label(feedback_view(7, ChannelPosts.CY)) == "Rhoi adborth"


def test_welsh_readers_get_the_welsh_services_english_readers_the_uk_ones() -> None:
    assert default_signposts(Language.EN) == UK_SIGNPOSTS and default_signposts(Language.CY) == WALES_SIGNPOSTS
    defaults = Signposting(UK_SIGNPOSTS, customised=False)
    welsh = signposting_embed(defaults, Language.CY).to_dict()
    text = " ".join([welsh["title"], welsh["description"], *(f["name"] + " " + f["value"] for f in welsh["fields"])])
    assert_welsh(text)
    for service in ("0808 164 0123", "116 123", "0800 132 737", "81066", "canopi.nhs.wales", "**111**", "999"):
        assert service in text
    english = signposting_embed(defaults, Language.EN).to_dict()
    assert [f["name"] for f in english["fields"]] == ["Emergency", "Samaritans", "Shout", "NHS 111"]
    assert_english(" ".join(f["value"] for f in english["fields"]))
    # A server's own services are its admins' words: shown as typed, whatever the reader's language.
    own = Signposting(parse_signposts("Llinell leol: 01234 567890") or (), customised=True)
    for language in Language:
        assert signposting_embed(own, language).fields[0].value == "01234 567890"


def test_the_welsh_defaults_can_be_saved_as_a_servers_own() -> None:
    """The form prefills the Welsh defaults for a Welsh admin: they must parse back, within the limits."""
    text = editable_text(Signposting(UK_SIGNPOSTS, customised=False), Language.CY)
    parsed = parse_signposts(text)
    assert parsed is not None and len(parsed) == len(WALES_SIGNPOSTS) and parsed[0].name == "Argyfwng"
    modal = SignpostingModal(text, Language.CY)
    assert len(modal.title) <= 45
    [label] = [item for item in _children(modal) if isinstance(item, discord.ui.Label)]
    assert len(label.text) <= 45 and len(label.description or "") <= 100


def test_a_bilingual_alert_is_welsh_first_names_nobody_and_fits_a_message() -> None:
    bilingual = ChannelPosts.BILINGUAL
    feedback = AlertNotice(1, 2, AlertKind.FEEDBACK, session=CARD, resend=True, role_id=5, posts=bilingual)
    report = AlertNotice(1, 2, AlertKind.REPORT, link="https://x/1", reporter_id=9, resend=True, role_id=5)
    for notice in (feedback, replace(report, posts=bilingual)):
        kind = notice.kind
        text = alert_text(notice)
        assert len(text) <= 2000 and text.startswith("<@&5> **Yn dal i aros")
        welsh, english = text.removeprefix("<@&5> ").split("\n\n")
        assert_welsh(welsh, ["Peer support", COHORT])
        assert_english(english)
        assert "<t:" not in welsh and ("Mawrth 2027" in welsh) is (kind is AlertKind.FEEDBACK)
    english_only = alert_text(AlertNotice(1, 2, AlertKind.FEEDBACK, session=CARD, role_id=5))
    assert english_only.startswith("<@&5> **Safeguarding:** a feedback comment about **Peer support**")
    assert f"<t:{int(AT.timestamp())}:f>" in english_only


def test_the_welsh_privacy_notice_fits_an_embed_and_says_the_language_is_kept_and_erased() -> None:
    sections = privacy_notice(Retention(survey_open_days=7, comment_retention_days=365))
    embed = notice_embed(sections, Language.CY).to_dict()
    fields = embed["fields"]
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields)
    assert (
        len(embed["title"]) + len(embed["description"]) + sum(len(f["name"]) + len(f["value"]) for f in fields) < 6000
    )
    text = " ".join(f["name"] + " " + f["value"] for f in fields)
    assert_welsh(text)
    assert "365 diwrnod" in text and "7 diwrnod" in text and "iaith" in text
    assert "language you chose" in notice_embed(sections).to_dict()["fields"][2]["value"]


async def test_welsh_buttons_and_ground_rules() -> None:
    buttons = [item.item for item in erase_view(1, 2, Language.CY).children if isinstance(item, discord.ui.DynamicItem)]
    labels = [button.label for button in buttons]
    assert labels == ["Ie, dilëwch fy nata", "Canslo"]
    rules = ground_rules_embed(Language.CY).to_dict()
    assert_welsh(rules["title"] + " " + rules["description"])
    assert rules["description"].count("\n") == 3 and "`/support`" in rules["description"]
