"""Cymraeg end to end for the survey, safety, support, privacy and ground rules (issue 15, area B).

A member who chose Cymraeg meets no English from the bot: ``/support`` and ``/cymorth`` with the services that
answer in Welsh or in Wales, the ground rules, the survey DM and form, the thanks, the signposting after a worrying
comment, ``/privacy`` notice, export and erasure. The facilitators' alert about a Welsh comment names nobody and
follows the server's channel posts (bilingual: Welsh first). An English member's journey is unchanged, and a report
counts Welsh and English answers together.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from bot.domain.language import ChannelPosts
from bot.emulator import Emulator
from bot.emulator.payloads import walk_components as walk
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World, facilitator_actor
from tests.e2e.helpers import visible_text
from tests.e2e.language_checks import assert_english, assert_welsh
from tests.e2e.test_feedback import answer
from tests.e2e.test_privacy import RATE, SUPPORTED, report_figures, uploaded
from tests.e2e.test_sessions import announcements, create_dom_series, occurrence_of, run_due
from tests.fakes import FakeClock

# The services a Welsh reader is shown where the server kept the defaults, as their own pages give them.
WELSH_SERVICES = ("0808 164 0123", "116 123", "0800 132 737", "81066", "canopi.nhs.wales", "**111**", "**2**", "999")
NAMES = ("Peer support", "Domiciliary care managers")  # what the facilitator typed: theirs, in any language
OUR_SERVICES = "Samaritans Cymru: 116 123\nLlinell CALL: 0800 132 737"


async def choose(emu: Emulator, world: World, user: int, language: str) -> None:
    chosen = await emu.slash(world.guild_id, user, "language", {"language": language})
    assert chosen.ephemeral, visible_text(chosen)


async def welsh_export(emu: Emulator, world: World, user: int) -> dict[str, Any]:
    """``/privacy export`` for a Welsh reader: the reply in Welsh, and the file's contents."""
    before = len(uploaded(emu, "cwtch-my-data-"))
    result = await emu.slash(world.guild_id, user, "privacy export")
    assert result.ephemeral
    assert_welsh(visible_text(result))
    files = uploaded(emu, "cwtch-my-data-")
    assert len(files) == before + 1
    data: dict[str, Any] = json.loads(files[-1].decode())
    assert_welsh(data["about"])
    return data


def labels(components: list[dict[str, Any]]) -> list[str]:
    """Every button label, form label, description, placeholder and option label: what a form or a row shows."""
    shown = []
    for component in walk(components):
        shown += [component[key] for key in ("label", "description", "placeholder") if component.get(key)]
        shown += [option["label"] for option in component.get("options") or []]
    return shown


async def test_support_and_cymorth_in_welsh_and_the_english_member_unchanged(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    await choose(emulator, world, world.member, "cy")
    await choose(emulator, world, world.other_member, "en")
    for command in ("support", "cymorth"):
        shown = await emulator.slash(world.guild_id, world.member, command)
        text = visible_text(shown)
        assert shown.ephemeral and shown.followups == []  # they chose: no offer of a language
        assert_welsh(text)
        assert all(service in text for service in WELSH_SERVICES), text
        assert "Samariaid" in text and "Canopi" in text and "GIG 111 Cymru" in text and "Shout" not in text
    english = await emulator.slash(world.guild_id, world.other_member, "support")
    text = visible_text(english)
    assert_english(text)
    assert [f["name"] for f in english.embeds[0]["fields"]] == ["Emergency", "Samaritans", "Shout", "NHS 111"]
    assert english.embeds[0]["title"] == "Help, right now" and "0808 164 0123" not in text

    rules = visible_text(await emulator.slash(world.guild_id, world.member, "ground-rules"))
    assert_welsh(rules)
    assert "Cyfrinachedd" in rules and "`/support`" in rules
    assert "Confidentiality" in visible_text(await emulator.slash(world.guild_id, world.other_member, "ground-rules"))

    # A Welsh admin edits in Welsh; the services they type are theirs, shown as typed to everyone.
    await choose(emulator, world, world.admin, "cy")
    admin_view = await emulator.slash(world.guild_id, world.admin, "cymorth")
    assert labels(admin_view.components) == ["Golygu ble i gael help"]
    opened = await emulator.click(world.guild_id, world.admin, admin_view.message["id"], "cwtch:support:edit")
    assert opened.modal is not None
    [field] = [c for c in walk(opened.modal["components"]) if c.get("custom_id") == "services"]
    assert_welsh(" ".join([opened.modal["title"], *labels(opened.modal["components"]), field["value"]]))
    assert field["value"].startswith("Argyfwng: Os ydych chi neu rywun arall mewn perygl")  # the Welsh defaults
    saved = await emulator.submit_modal(world.guild_id, world.admin, opened, {"services": OUR_SERVICES})
    assert_welsh(saved.content)
    for member in (world.member, world.other_member):
        shown = await emulator.slash(world.guild_id, member, "support")
        assert [f["name"] for f in shown.embeds[0]["fields"]] == ["Samaritans Cymru", "Llinell CALL"]
    assert_english(shown.embeds[0]["title"] + " " + (shown.embeds[0]["footer"]["text"]))
    again = await emulator.slash(world.guild_id, world.admin, "cymorth")
    reopened = await emulator.click(world.guild_id, world.admin, again.message["id"], "cwtch:support:edit")
    refused = await emulator.submit_modal(world.guild_id, world.admin, reopened, {"services": "dim colon"})
    assert_welsh(refused.content.split("```")[0])
    assert "Does dim byd wedi newid" in refused.content and "dim colon" in refused.content

    # A report from a Welsh member is thanked in Welsh.
    written = emulator.user_message(world.general, world.other_member, "rhywbeth i'r hwyluswyr")
    thanked = await emulator.message_command(world.guild_id, world.member, "Report to facilitators", written["id"])
    assert_welsh(visible_text(thanked))
    assert "Diolch am ddweud wrthon ni" in visible_text(thanked)


async def test_the_survey_in_welsh_a_risky_welsh_comment_and_a_report_counting_both(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    extra = [int(emulator.create_user(f"manager-{n}")["id"]) for n in range(4)]
    for user in extra:
        emulator.add_member(world.guild_id, user)
    welsh, english = [world.member, *extra[:2]], [world.other_member, *extra[2:]]
    for user in welsh:
        await choose(emulator, world, user, "cy")
    for user in english:
        await choose(emulator, world, user, "en")
    voice = int(emulator.create_channel(world.guild_id, "Room", type=2)["id"])
    await create_dom_series(emulator, world, room=voice)
    await run_due(bot)
    occurrence = occurrence_of(announcements(emulator, world.dom_channel)[0])
    clock.set(FIRST_DOM)
    await run_due(bot)
    for user in welsh + english:
        await emulator.voice_join(world.guild_id, user, voice)
    for _ in range(100):
        sheet = await bot.services.sessions.attendance(world.guild_id, facilitator_actor(world), occurrence)
        if len(sheet.present) == 6:
            break
        await asyncio.sleep(0.02)
    await emulator.slash(world.guild_id, world.facilitator, "session end", {"session": str(occurrence)})
    await run_due(bot)

    # The survey DM, in each recipient's language.
    dm_of = {user: next(m for m in emulator.dm_messages(user) if m.get("components")) for user in welsh + english}
    for user in welsh:
        assert_welsh(dm_of[user]["content"], NAMES)
        assert labels(dm_of[user]["components"]) == ["Rhoi adborth"]
    for user in english:
        assert "How was it?" in dm_of[user]["content"] and labels(dm_of[user]["components"]) == ["Give feedback"]

    # The form in Welsh: short labels within 45 characters, the full statements as their descriptions.
    opened = await emulator.click(world.guild_id, welsh[0], dm_of[welsh[0]]["id"], f"cwtch:feedback:{occurrence}")
    assert opened.modal is not None and opened.modal["title"] == "Sut aeth y sesiwn?"
    shown = labels(opened.modal["components"])
    assert_welsh(" ".join(shown))
    assert "Ces i gefnogaeth emosiynol" in shown and "Cytuno'n gryf" in shown and "Anghytuno'n gryf" in shown
    assert "Dw i'n teimlo'n llai ynysig yn fy rôl." in shown
    thanks = await emulator.submit_modal(
        world.guild_id,
        welsh[0],
        opened,
        {"supported": "5", "supported_others": "5", "less_isolated": "2", "comment": ""},
    )
    assert thanks.ephemeral and thanks.followups == []
    assert_welsh(thanks.content)
    assert "Diolch, mae eich atebion wedi'u cadw" in thanks.content and "<t:" not in thanks.content
    assert "Mawrth 2027" in thanks.content  # when it closes, written out in Welsh
    said = await answer(emulator, world, english[0], dm_of[english[0]]["id"], occurrence, ("4", "5", "4"))
    assert_english(said)
    assert "Thank you, your answers are saved. You can change them until <t:" in said

    # A worrying Welsh comment: Welsh signposting for the writer, a nameless alert written as the server asks.
    async with bot.services.support._uow() as uow:
        settings = await uow.guild_settings.get_or_create(world.guild_id)
        settings.channel_posts = ChannelPosts.BILINGUAL
        await uow.commit()
    comment = "Dw i wedi cael digon. Dim pwynt byw fel hyn."
    said = await answer(emulator, world, welsh[1], dm_of[welsh[1]]["id"], occurrence, ("4", "4", "2"), comment)
    assert_welsh(said)
    assert all(service in said for service in WELSH_SERVICES)
    assert "Mae hwylusydd wedi cael gwybod, heb eich enw" in said
    [alert] = [m for m in emulator.messages(world.facilitators_channel) if "Diogelu" in (m.get("content") or "")]
    content = alert["content"]
    assert content.index("**Diogelu:**") < content.index("**Safeguarding:**")  # Welsh first, then English
    assert content.count(f"<@&{world.facilitator_role}>") == 1
    assert str(welsh[1]) not in content and "pwynt byw" not in content and "cael digon" not in content
    assert labels(alert["components"]) == ["Fe wna i ddilyn hyn / I'll follow this up"]
    await choose(emulator, world, world.facilitator, "cy")
    take = next(c for c in walk(alert["components"]) if c.get("custom_id", "").startswith("cwtch:alert:take:"))
    taken = await emulator.click(world.guild_id, world.facilitator, alert["id"], take["custom_id"])
    assert_welsh(visible_text(taken))
    [edited] = [m for m in emulator.messages(world.facilitators_channel) if m["id"] == alert["id"]]
    assert f"**<@{world.facilitator}> sy'n dilyn hyn.** **Taken on by <@{world.facilitator}>.**" in edited["content"]

    # The Welsh member's export: data keys as they are, the words for people in Welsh; the answers are numbers
    # underneath, stored as anyone's.
    data = await welsh_export(emulator, world, welsh[0])
    [response] = data["feedback_responses"]
    assert (response["supported"], response["less_isolated"]) == ("Cytuno'n gryf", "Anghytuno")
    assert data["language"]["language"] == "cy" and data["language"]["chosen"] is True

    # The reminder, each in their own language, to those who have not answered.
    clock.advance(timedelta(days=4))
    await run_due(bot)
    [reminder] = [m for m in emulator.dm_messages(welsh[2]) if m["id"] != dm_of[welsh[2]]["id"]]
    assert_welsh(reminder["content"], NAMES)
    assert labels(reminder["components"]) == ["Rhoi adborth"] and "<t:" not in reminder["content"]
    assert any("gentle reminder" in m["content"] for m in emulator.dm_messages(english[1]))
    assert not [m for m in emulator.dm_messages(welsh[0]) if m["id"] != dm_of[welsh[0]]["id"]]  # answered

    # Everyone else answers; once the survey closes, the report counts Welsh and English answers together:
    # supported 5,4,4 (Welsh) and 4,2,5 (English) -> 5 of 6; less isolated 2,2,4 and 4,1,5 -> 3 of 6.
    rest = [(welsh[2], ("4", "2", "4")), (english[1], ("2", "4", "1")), (english[2], ("5", "4", "5"))]
    for user, values in rest:
        await answer(
            emulator, world, user, reminder["id"] if user == welsh[2] else dm_of[user]["id"], occurrence, values
        )
    clock.advance(timedelta(days=4))
    await run_due(bot)
    figures = await report_figures(emulator, world)
    assert (figures[RATE]["Agreed or answered"], figures[RATE]["Out of"]) == ("6", "6")
    assert (figures[SUPPORTED]["Agreed or answered"], figures[SUPPORTED]["Share %"]) == ("5", "83")
    assert figures["I feel less isolated in my role."]["Share %"] == "50"


async def test_privacy_in_welsh_and_the_language_erased_with_the_rest(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    await choose(emulator, world, world.member, "cy")
    notice = await emulator.slash(world.guild_id, world.member, "privacy notice")
    text = visible_text(notice)
    assert_welsh(text)
    assert "Cwtch a'ch data" in text and "365 diwrnod" in text and "yr iaith a ddewisoch chi" in text
    assert "`/privacy export`" in text and "`/privacy delete`" in text
    english = visible_text(await emulator.slash(world.guild_id, world.other_member, "privacy notice"))
    assert_english(english)
    assert "Your data and Cwtch" in english and "the language you chose for Cwtch" in english

    data = await welsh_export(emulator, world, world.member)
    assert data["user_id"] == str(world.member) and "feedback_responses" in data  # keys stay data names

    asked = await emulator.slash(world.guild_id, world.member, "privacy delete")
    assert_welsh(asked.content + " " + " ".join(labels(asked.components)))
    assert labels(asked.components) == ["Ie, dilëwch fy nata", "Canslo"]
    keep = next(c for c in asked.custom_ids() if c.startswith("cwtch:privacy:keep:"))
    kept = await emulator.click(world.guild_id, world.member, asked.message["id"], keep)
    assert_welsh(visible_text(kept))
    again = await emulator.slash(world.guild_id, world.member, "privacy delete")
    erase = next(c for c in again.custom_ids() if c.startswith("cwtch:privacy:erase:"))
    erased = await emulator.click(world.guild_id, world.member, again.message["id"], erase)
    assert_welsh(visible_text(erased))
    assert "Wedi'i wneud" in visible_text(erased)
    async with bot.services.support._uow() as uow:
        assert world.member not in await uow.languages.of_people([world.member])
    # Their choice went with the rest: next time they read the server's default and are offered the choice again.
    after = await emulator.slash(world.guild_id, world.member, "ground-rules")
    assert "Confidentiality" in visible_text(after)
    [offer] = await after.wait_followups(1)
    assert "Would you like Cwtch in Welsh or in English?" in offer["content"]
