"""Cymraeg in set-up, cohorts, resources, the community and reports, through the emulator and the real bot.

An admin sets the server's languages; a member who chose Cymraeg lists and joins cohorts and finds resources (a
theme found by its Welsh name) without meeting English; an English member's answers are as they always were; a
server that asks for bilingual channel posts gets its forum posts, review cards and digest Welsh first, then
English, in one message; and a Welsh coordinator's reports carry the same figures as an English coordinator's.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from typing import Any

from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from tests.e2e.conftest import World
from tests.e2e.helpers import visible_text
from tests.e2e.language_checks import assert_english, assert_welsh
from tests.e2e.test_community import MONDAY, SHARE
from tests.e2e.test_report_attacks import DOM, HOME, PERIOD, held_session, people
from tests.e2e.test_resources import custom_ids, first_message, forum_posts
from tests.e2e.test_sessions import run_due, visible_text_of
from tests.fakes import FakeClock

COHORTS = [
    DOM,
    HOME,
    "Fortnightly peer support for managers of home care services",
    "Peer support every other month for care home managers",
    "Europe/London",
]
SLEEP = {
    "title": "Cysgu'n dda rhwng shifftiau",
    "url": "https://www.example.org/cysgu",
    "summary": "Syniadau ymarferol i reolwyr a'u timau.",
    "tags": "Iechyd meddwl",  # a theme typed by its Welsh name
}
HUDDLES = {
    "title": "Team huddles that help",
    "url": "https://huddles.example.org/guide",
    "summary": "How to run a ten-minute huddle where staff feel heard.",
    "tags": "Team culture",
}
RESOURCE_NAMES = [SLEEP["title"], SLEEP["summary"], HUDDLES["title"], HUDDLES["summary"]]


async def choose(emu: Emulator, world: World, user: int, language: str) -> None:
    chosen = await emu.slash(world.guild_id, user, "language", {"language": language})
    assert chosen.ephemeral and ("Cymraeg" in chosen.content if language == "cy" else "English" in chosen.content)


def all_text(result: Any) -> str:
    """What the member saw: the answer and every follow-up to it."""
    return "\n".join([visible_text(result), *(visible_text_of(message) for message in result.followups)])


def modal_words(modal: dict[str, Any]) -> list[str]:
    """Every label and placeholder of a form."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.extend(str(node[key]) for key in ("label", "placeholder") if node.get(key))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(modal.get("components"))
    return found


def numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def figures(text: str) -> list[str]:
    """The numbers of a report below its title, period and note on what is counted (whose dates Discord writes
    for an English reader and Cwtch writes out for a Welsh one)."""
    return numbers(text.split("\n", 3)[3])


async def test_an_admin_sets_the_servers_languages(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    await emulator.slash(world.guild_id, world.admin, "language", {"language": "en"})  # the admin reads English
    shown = await emulator.slash(world.guild_id, world.admin, "setup language", {})
    assert shown.ephemeral and "Nothing changed" in visible_text(shown) and "English only" in visible_text(shown)
    refused = await emulator.slash(world.guild_id, world.member, "setup language", {"default": "cy"})
    assert refused.ephemeral and "Only server admins" in visible_text(refused)

    saved = await emulator.slash(
        world.guild_id, world.admin, "setup language", {"default": "cy", "channel_posts": "bilingual"}
    )
    text = visible_text(saved)  # the admin chose English, and keeps it
    assert saved.ephemeral and "Saved." in text and "Cymraeg" in text and "Bilingual: Welsh first" in text
    assert_english(text, ["Cymraeg"])
    status = visible_text(await emulator.slash(world.guild_id, world.admin, "setup status", {}))
    assert "Language for members who haven't chosen\nCymraeg" in status and "Bilingual: Welsh first" in status

    # Someone who has never met Cwtch reads the server's default, and is offered the choice once.
    newcomer = int(emulator.create_user("nia-newydd")["id"])
    emulator.add_member(world.guild_id, newcomer)
    listed = await emulator.slash(world.guild_id, newcomer, "cohort list", {})
    [offer] = await listed.wait_followups(1)
    assert_welsh(visible_text(listed), COHORTS)
    assert "Carfanau" in visible_text(listed) and "/iaith" in (offer.get("content") or "")
    again = await emulator.slash(world.guild_id, newcomer, "cohort join", {"name": DOM})
    assert again.followups == [] and "Croeso i **Domiciliary care managers**!" in visible_text(again)

    # A Welsh admin reads /setup in Welsh.
    await choose(emulator, world, world.admin, "cy")
    welsh_status = visible_text(await emulator.slash(world.guild_id, world.admin, "setup status", {}))
    assert "Gosod Cwtch" in welsh_status and "Dwyieithog: Cymraeg yn gyntaf" in welsh_status
    assert_welsh(welsh_status, ["Cwtch"])


async def test_bilingual_channel_posts(emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock) -> None:
    await emulator.slash(world.guild_id, world.admin, "setup language", {"channel_posts": "bilingual"})
    await choose(emulator, world, world.member, "cy")

    # A resource's forum post: Welsh first, then English, in the one post; the facilitator's own answer is theirs.
    added = await emulator.slash(world.guild_id, world.facilitator, "resource add", HUDDLES)
    assert "Added **Team huddles that help**" in visible_text(added)
    [post] = forum_posts(emulator, world)
    message = first_message(emulator, post)
    [embed] = message["embeds"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Tagiau / Tags"] == "Diwylliant tîm / Team culture" and "Ffynhonnell / From" in fields
    footer = embed["footer"]["text"]
    assert footer.index("Pwyswch Agor") < footer.index("Press Open")
    assert message["components"][0]["components"][0]["label"] == "Agor / Open"

    # A Welsh member's suggestion: the facilitators' review card is bilingual, the member's DM is Welsh.
    suggested = await emulator.slash(world.guild_id, world.member, "resource suggest", SLEEP)
    assert_welsh(visible_text(suggested), RESOURCE_NAMES)
    [card] = [m for m in emulator.messages(world.facilitators_channel) if "Resource suggestion" in m["content"]]
    assert card["content"].index("**Awgrym am adnodd**") < card["content"].index("**Resource suggestion**")
    approve, _decline = custom_ids(card)
    approved = await emulator.click(world.guild_id, world.facilitator, card["id"], approve)
    assert_english(visible_text(approved), RESOURCE_NAMES)
    [told] = [m for m in emulator.dm_messages(world.member) if SLEEP["title"] in (m.get("content") or "")]
    assert "Newyddion da" in told["content"]
    assert_welsh(told["content"], [*RESOURCE_NAMES, "Care Org"])
    [closed] = [m for m in emulator.messages(world.facilitators_channel) if m["id"] == card["id"]]
    assert closed["content"].index("Wedi'i gymeradwyo") < closed["content"].index("Approved")

    # Joining the community makes its role, named in both languages; the digest is bilingual too.
    joined = await emulator.slash(world.guild_id, world.member, "community join", {})
    assert_welsh(all_text(joined))
    [made] = emulator.find_requests("POST", r"/guilds/\d+/roles")
    assert made.json["name"] == "Cymuned llesiant · Wellbeing community"
    form = await emulator.click(world.guild_id, world.member, joined.message["id"], SHARE)
    assert form.modal is not None and form.modal["title"] == "Rhannu beth sy'n gweithio"
    words = modal_words(form.modal)
    assert "Eich cyngor i reolwr arall (dewisol)" in words and len(words) == 5  # three labels, two placeholders
    assert_welsh(" ".join(words))
    shared = await emulator.submit_modal(
        world.guild_id, world.member, form, {"title": "Teithiau", "what": "Cerdded gyda'r tîm.", "advice": "Yn fach."}
    )
    assert_welsh(visible_text(shared), ["Teithiau"])
    [walks] = [thread for thread in forum_posts(emulator, world) if thread["name"] == "Teithiau"]
    assert first_message(emulator, walks)["content"] == (
        f"Rhannwyd gan / Shared by <@{world.member}>\n\nCerdded gyda'r tîm.\n\n"
        "**Fy nghyngor i reolwr arall / What I'd tell another manager:** Yn fach."
    )
    clock.set(MONDAY)
    await run_due(bot)
    [digest] = emulator.messages(world.announcements)
    [shown] = digest["embeds"]
    assert shown["title"] == "Yr wythnos hon yn y gymuned llesiant · This week in the wellbeing community"
    welsh, english = shown["description"].split("\n")
    assert welsh == "Beth sy'n newydd rhwng 8 Mawrth a 14 Mawrth 2027." and english.endswith("8 Mar to 14 Mar 2027.")
    names = [field["name"] for field in shown["fields"]]
    assert names == [
        "Adnoddau newydd · New resources",
        "Beth sy'n gweithio: negeseuon newydd · What works: new posts",
        "Croeso · Welcome",
    ]
    assert "Ymunodd 1 person â'r gymuned" in shown["fields"][2]["value"]
    [button] = digest["components"][0]["components"]
    assert button["custom_id"] == SHARE and button["label"] == "Rhannu beth sy'n gweithio / Share what works"


async def test_a_welsh_member_and_an_english_member(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    await emulator.slash(world.guild_id, world.facilitator, "resource add", {**SLEEP, "tags": "Mental health"})
    await emulator.slash(world.guild_id, world.facilitator, "resource add", HUDDLES)
    await choose(emulator, world, world.member, "cy")
    await choose(emulator, world, world.other_member, "en")

    # Cohorts, in Welsh.
    listed = await emulator.slash(world.guild_id, world.member, "cohort list", {})
    assert "Carfanau" in visible_text(listed) and "0 aelod" in visible_text(listed)
    joined = await emulator.slash(world.guild_id, world.member, "cohort join", {"name": DOM})
    again = await emulator.slash(world.guild_id, world.member, "cohort join", {"name": DOM})
    unknown = await emulator.slash(world.guild_id, world.member, "cohort join", {"name": "Nosweithiau"})
    after = await emulator.slash(world.guild_id, world.member, "cohort list", {})
    assert "(rydych chi ynddi)" in visible_text(after)
    left = await emulator.slash(world.guild_id, world.member, "cohort leave", {"name": DOM})
    for answer in (listed, joined, again, unknown, after, left):
        assert answer.ephemeral
        assert_welsh(all_text(answer), [*COHORTS, "Nosweithiau"])

    # Resources: a theme found by its Welsh name, shown by it, and opened.
    found = await emulator.slash(world.guild_id, world.member, "resource search", {"query": "iechyd meddwl"})
    text = visible_text(found)
    assert SLEEP["title"] in text and HUDDLES["title"] not in text and "*Iechyd meddwl*" in text
    choices = await emulator.autocomplete(
        world.guild_id, world.member, "resource search", {"query": "x", "tag": "meddwl"}, "tag"
    )
    assert [(c["name"], c["value"]) for c in choices] == [("Iechyd meddwl", "Mental health")]
    listed_tag = await emulator.slash(world.guild_id, world.member, "resource list", {"tag": "Diwylliant tîm"})
    assert HUDDLES["title"] in visible_text(listed_tag) and "Wedi'u tagio **Diwylliant tîm**" in visible_text(
        listed_tag
    )
    opened = await emulator.click(world.guild_id, world.member, found.message["id"], found.custom_ids()[0])
    assert opened.components[0]["components"][0]["label"] == "Mynd i'r adnodd"
    no_tag = await emulator.slash(world.guild_id, world.member, "resource list", {"tag": "Ioga"})
    assert "Arweinyddiaeth, Diwylliant tîm" in visible_text(no_tag)
    broken = await emulator.slash(
        world.guild_id, world.member, "resource suggest", {**SLEEP, "url": "example.org/x", "tags": "Ioga"}
    )
    assert "Chafodd dim byd ei gadw" in visible_text(broken) and "`https://example.org/x`" in visible_text(broken)
    for answer in (found, listed_tag, opened, no_tag, broken):
        assert_welsh(all_text(answer), [*RESOURCE_NAMES, "Ioga", SLEEP["url"]])

    # The English member's answers are as they always were.
    english = [
        await emulator.slash(world.guild_id, world.other_member, "cohort list", {}),
        await emulator.slash(world.guild_id, world.other_member, "cohort join", {"name": HOME}),
        await emulator.slash(world.guild_id, world.other_member, "resource search", {"query": "mental health"}),
        await emulator.slash(world.guild_id, world.other_member, "resource list", {"tag": "Yoga"}),
    ]
    assert "Welcome to **Care home managers**!" in visible_text(english[1])
    assert "Showing all 1" in visible_text(english[2]) and "*Mental health*" in visible_text(english[2])
    assert "There's no tag called **Yoga**. The tags are: Leadership, Team culture" in visible_text(english[3])
    for answer in english:
        assert_english(all_text(answer), [*COHORTS, *RESOURCE_NAMES])


async def report_files(emu: Emulator, world: World, user: int, command: str) -> tuple[str, dict[str, Any]]:
    """What a coordinator saw, and the files sent with it (name: (bytes, description))."""
    before = len(emu.find_requests("POST", r"/webhooks/.*"))
    answer = await emu.slash(world.guild_id, user, command, dict(PERIOD))
    assert answer.ephemeral
    sent = emu.find_requests("POST", r"/webhooks/.*")[before:]
    described = {a["filename"]: a.get("description", "") for r in sent for a in (r.json or {}).get("attachments", [])}
    return visible_text(answer), {f.filename: (f.data, described[f.filename]) for r in sent for f in r.files}


def table(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


async def test_a_welsh_coordinators_reports_carry_the_same_figures(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    clock.set(datetime.fromisoformat("2026-12-03T09:00:00+00:00"))
    dom, home = people(emulator, world, "dom", 6), people(emulator, world, "home", 2)
    first = datetime.fromisoformat("2026-12-08T10:00:00+00:00")
    await held_session(emulator, world, bot, clock, DOM, world.dom_channel, first, dom, answering=6)
    await held_session(emulator, world, bot, clock, HOME, world.home_channel, first + timedelta(hours=3), home, 2)
    clock.advance(timedelta(days=8))  # both surveys close: Dom's six make a block, Care home's two wait
    await run_due(bot)
    await held_session(emulator, world, bot, clock, DOM, world.dom_channel, clock() + timedelta(days=1), dom[:2], 1)
    for user in dom[:5]:  # five people join the community: one block of the community report
        await emulator.slash(world.guild_id, user, "community join", {})
    welsh = int(emulator.create_user("cerys-cydlynydd")["id"])
    emulator.add_member(world.guild_id, welsh, roles=[world.coordinator_role])
    await choose(emulator, world, welsh, "cy")

    # /report feedback: Welsh words, the same figures.
    english_text, english_files = await report_files(emulator, world, world.coordinator, "report feedback")
    welsh_text, welsh_files = await report_files(emulator, world, welsh, "report feedback")
    assert "Adborth: Pob carfan" in welsh_text and "1 Rhagfyr 2026 – 31 Mawrth 2027" in welsh_text
    assert "Heb eu cyfrif eto: 1 sesiwn yn dal ar agor am atebion (y nesaf yn cau: Dydd" in welsh_text
    assert "<t:" not in welsh_text and "<t:" in english_text  # Discord can't show a date in Welsh
    assert_welsh(welsh_text, COHORTS)
    assert_english(english_text, COHORTS)
    assert figures(english_text) == figures(welsh_text) and "100% yn cytuno (6 o 6" in welsh_text
    assert set(english_files) == {"feedback-chart.png", "feedback.csv"}
    assert set(welsh_files) == {"siart-adborth.png", "adborth.csv"}
    english_rows, welsh_rows = table(english_files["feedback.csv"][0]), table(welsh_files["adborth.csv"][0])
    assert english_rows[0][0] == "Period" and welsh_rows[0][:3] == ["Cyfnod", "Carfan", "Mesur"]
    assert [row[3:] for row in english_rows[1:]] == [row[3:] for row in welsh_rows[1:]]
    assert welsh_rows[1][:2] == ["1 Rhagfyr 2026 – 31 Mawrth 2027", "Pob carfan"]
    assert welsh_files["siart-adborth.png"][0].startswith(b"\x89PNG")
    alt = welsh_files["siart-adborth.png"][1]
    assert alt.startswith("Siart: % a oedd yn cytuno") and "Rhag 2026" in alt
    assert numbers(alt) == numbers(english_files["feedback-chart.png"][1])
    assert_welsh(alt + "\n" + welsh_files["adborth.csv"][1])

    # /report attendance and /report community, in Welsh with the same figures.
    english_attendance = visible_text(await emulator.slash(world.guild_id, world.coordinator, "report attendance"))
    welsh_attendance = visible_text(await emulator.slash(world.guild_id, welsh, "report attendance"))
    assert "Presenoldeb: Pob carfan" in welsh_attendance and figures(english_attendance) == figures(welsh_attendance)
    assert_welsh(welsh_attendance, COHORTS)
    english_community, english_tables = await report_files(emulator, world, world.coordinator, "report community")
    welsh_community, welsh_tables = await report_files(emulator, world, welsh, "report community")
    assert "Cymuned ymarfer" in welsh_community and "5 wedi ymuno, 0 wedi gadael" in welsh_community
    assert figures(english_community) == figures(welsh_community)
    assert "Wedi cyfrif hyd at: Dydd Iau 17 Rhagfyr 2026" in welsh_community and "<t:" not in welsh_community
    assert_welsh(welsh_community)
    english_blocks, welsh_blocks = table(english_tables["community.csv"][0]), table(welsh_tables["cymuned.csv"][0])
    assert welsh_blocks[0][0] == "Bloc wedi'i gyfrif hyd at" and welsh_blocks[1:] == english_blocks[1:]
    assert welsh_tables["aelodau-cymuned.png"][1].startswith("Siart: aelodau'r gymuned")
