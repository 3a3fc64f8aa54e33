"""Sessions in Cymraeg, through the emulator and the real bot: a member who chose Welsh lists, joins, RSVPs, is
reminded, told of a move and a cancellation, and checks in without meeting English (but names people typed); an
English member's journey stays English; announcements are bilingual when the server asks; a Welsh-medium series
says so everywhere it is shown; and facilitators see how many members would prefer Welsh-medium sessions, as a
count no smaller than the anonymity threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.db.uow import UnitOfWorkFactory
from bot.domain.language import ChannelPosts
from bot.emulator import Emulator
from bot.emulator.interactions import InteractionResult
from bot.ui.client import CwtchBot
from tests.e2e.conftest import FIRST_DOM, World
from tests.e2e.helpers import visible_text
from tests.e2e.language_checks import assert_english, assert_welsh
from tests.e2e.test_sessions import (
    announcements,
    create_dom_series,
    occurrence_of,
    rsvp,
    run_due,
    visible_text_of,
)
from tests.fakes import FakeClock

NAMES = ("Peer support", "Domiciliary care managers", "Care home managers", "Eira mawr")
LINK = "https://teams.example.org/meet/abc"
WELSH_FIRST = "Dydd Mawrth 16 Mawrth 2027, 10:00"  # the first session, 10:00 GMT, as a Welsh reader reads it


def controls(message: dict[str, Any] | None) -> list[str]:
    """What a message's buttons and pickers say: labels, placeholders, options and their descriptions."""
    found: list[str] = []

    def walk(components: list[dict[str, Any]]) -> None:
        for component in components:
            found.extend(str(component[key]) for key in ("label", "placeholder") if component.get(key))
            for option in component.get("options") or []:
                found.extend(str(option[key]) for key in ("label", "description") if option.get(key))
            walk(component.get("components") or [])

    walk((message or {}).get("components") or [])
    return found


def shown(result: InteractionResult) -> str:
    """Everything a member read in an answer: text, embeds and controls."""
    return "\n".join([visible_text(result), *controls(result.message)])


def custom_id(result: InteractionResult, prefix: str) -> str:
    return next(c for c in result.custom_ids() if c.startswith(prefix))


async def choose(emulator: Emulator, world: World, user: int, language: str) -> None:
    chosen = await emulator.slash(world.guild_id, user, "language", {"language": language})
    (assert_welsh if language == "cy" else assert_english)(visible_text(chosen))


async def set_channel_posts(bot: CwtchBot, uow: UnitOfWorkFactory, guild_id: int, posts: ChannelPosts) -> None:
    """What ``/setup language channel_posts`` stores (an admin's choice), written here directly."""
    async with uow() as unit:
        settings = await unit.guild_settings.get_or_create(guild_id)
        settings.channel_posts = posts
        await unit.commit()
    bot.services.settings.forget(guild_id)


def thread_of_announcements(emulator: Emulator) -> int:
    return int(emulator.find_requests("POST", r"/channels/\d+/messages/\d+/threads")[0].response["id"])


async def test_a_welsh_member_meets_their_sessions_in_welsh(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    await create_dom_series(emulator, world, link=LINK)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    occurrence = occurrence_of(message)
    welsh, english = world.member, world.other_member
    await choose(emulator, world, welsh, "cy")
    await choose(emulator, world, english, "en")

    # /session list: Welsh words, the date written out in Welsh, no Discord timestamps (Discord can't show Welsh).
    listing = await emulator.slash(world.guild_id, welsh, "session list", {})
    assert listing.ephemeral
    assert_welsh(shown(listing), NAMES)
    assert WELSH_FIRST in visible_text(listing) and "<t:" not in visible_text(listing)
    assert "Ymateb i sesiwn ar y dudalen hon…" in controls(listing.message)

    # "I'll be there" on the announcement: join the cohort first, then the ground rules, all in Welsh.
    pressed = await emulator.click(world.guild_id, welsh, message["id"], f"cwtch:rsvp:{occurrence}:yes")
    assert pressed.ephemeral and "Ymuno ac ymateb" in controls(pressed.message)
    assert_welsh(shown(pressed), NAMES)
    joined = await emulator.click(world.guild_id, welsh, pressed.message["id"], custom_id(pressed, "cwtch:join:"))
    assert_welsh(shown(joined), NAMES)  # the ground rules too
    assert "Croeso i **Domiciliary care managers**" in joined.content
    assert controls(joined.message) == ["Rwy'n cytuno i'r rheolau sylfaenol"]
    agreed = await emulator.click(world.guild_id, welsh, joined.message["id"], custom_id(joined, "cwtch:rules:"))
    assert_welsh(shown(agreed), NAMES)
    assert "Diolch am gytuno i'r rheolau sylfaenol" in visible_text(agreed) and "Rydych chi'n dod" in visible_text(
        agreed
    )

    # Picking the session from the list: the session and the RSVP buttons in Welsh.
    picked = await emulator.click(
        world.guild_id, welsh, listing.message["id"], "cwtch:sessions:pick", values=[str(occurrence)]
    )
    assert_welsh(shown(picked), NAMES)
    assert "Dywedoch chi: rydych chi'n dod" in visible_text(picked) and WELSH_FIRST in visible_text(picked)
    assert controls(picked.message) == ["Bydda i yno", "Alla i ddim dod"]

    # The English member's same journey stays English, with Discord timestamps.
    assert_english(await rsvp(emulator, world, english, message), NAMES)
    english_list = await emulator.slash(world.guild_id, english, "session list", {})
    assert_english(shown(english_list), NAMES)
    assert f"<t:{int(FIRST_DOM.timestamp())}:F>" in visible_text(english_list)

    # The reminder a day before: each DM in its reader's language.
    clock.set(FIRST_DOM - timedelta(hours=24))
    await run_due(bot)
    reminder = emulator.dm_messages(welsh)[-1]["content"]
    assert_welsh(reminder, NAMES)
    assert "Nodyn atgoffa" in reminder and "yfory" in reminder and WELSH_FIRST in reminder and "<t:" not in reminder
    told = emulator.dm_messages(english)[-1]["content"]
    assert_english(told, NAMES)
    assert "is tomorrow" in told and f"<t:{int(FIRST_DOM.timestamp())}:F>" in told

    # Moved by an hour: the old and the new time, in Welsh.
    moved = await emulator.slash(
        world.guild_id, world.facilitator, "session move", {"session": str(occurrence), "start": "2027-03-16 11:00"}
    )
    assert "Moved **Peer support**" in visible_text(moved)  # the facilitator reads English
    notice = emulator.dm_messages(welsh)[-1]["content"]
    assert_welsh(notice, NAMES)
    assert f"Yr hen amser: {WELSH_FIRST}" in notice and "Yr amser newydd: Dydd Mawrth 16 Mawrth 2027, 11:00" in notice
    assert "has moved from" in emulator.dm_messages(english)[-1]["content"]

    # The room opens at the new time: "I'm here" answers in Welsh.
    clock.set(datetime(2027, 3, 16, 11, 0, tzinfo=UTC))
    await run_due(bot)
    thread = thread_of_announcements(emulator)
    [opening] = [m for m in emulator.messages(thread) if "is starting now" in (m.get("content") or "")]
    checked = await emulator.click(world.guild_id, welsh, opening["id"], f"cwtch:checkin:{occurrence}")
    assert checked.ephemeral and "rydych chi wedi cofrestru" in visible_text(checked)
    assert_welsh(shown(checked), NAMES)

    # The next session, booked from the list and then cancelled with a reason typed by the facilitator.
    later = await emulator.slash(world.guild_id, welsh, "session list", {})
    assert_welsh(shown(later), NAMES)
    assert "(yn digwydd nawr)" in visible_text(later)  # the session on now, said so in Welsh
    options = later.message["components"][0]["components"][0]["options"]
    [option] = [o for o in options if o["label"].startswith("Maw 30 Mawrth 2027, 10:00 BST")]
    booked = await emulator.click(
        world.guild_id, welsh, later.message["id"], "cwtch:sessions:pick", values=[option["value"]]
    )
    assert "Fyddwch chi yno?" in visible_text(booked)
    going = await emulator.click(world.guild_id, welsh, booked.message["id"], f"cwtch:rsvp:{option['value']}:yes")
    assert "Rydych chi'n dod" in visible_text(going)
    cancelled = await emulator.slash(
        world.guild_id, world.facilitator, "session cancel", {"session": option["value"], "reason": "Eira mawr"}
    )
    assert "Cancelled **Peer support**" in visible_text(cancelled)
    notice = emulator.dm_messages(welsh)[-1]["content"]
    assert_welsh(notice, NAMES)
    assert (
        "wedi'i chanslo" in notice and "Rheswm: Eira mawr" in notice and "Dydd Mawrth 30 Mawrth 2027, 10:00" in notice
    )
    assert all(assert_welsh(m["content"], NAMES) is None for m in emulator.dm_messages(welsh))


async def test_announcements_are_bilingual_when_the_server_asks(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock, uow: UnitOfWorkFactory
) -> None:
    await set_channel_posts(bot, uow, world.guild_id, ChannelPosts.BILINGUAL)
    await create_dom_series(emulator, world, link=LINK)
    await run_due(bot)

    # One message, Welsh first: the time written out in Welsh, then as a Discord timestamp.
    [message] = announcements(emulator, world.dom_channel)
    text = visible_text_of(message)
    assert text.index(WELSH_FIRST) < text.index(f"<t:{int(FIRST_DOM.timestamp())}:F>")
    assert "Ble / Where" in text and "Lleoedd / Places" in text
    assert text.index("Mae'r amseroedd yn amser Europe/London") < text.index("Times show in your own time zone")
    assert controls(message) == ["Bydda i yno / I'll be there", "Alla i ddim dod / Can't make it"]

    # The scheduled event is channel-like too; the thread's name is in Welsh first.
    [event] = emulator.scheduled_events(world.guild_id)[:1]
    description = event["description"]
    assert description.index("Cymorth gan gymheiriaid i Domiciliary care managers") < description.index(
        "Peer support for Domiciliary care managers"
    )
    thread = thread_of_announcements(emulator)
    assert emulator.world.channel(thread)[1]["name"] == "Peer support · Maw 16 Mawrth 10:00"

    # The room opens: Welsh then English in one message, and one "I'm here" button saying both.
    clock.set(FIRST_DOM)
    await run_due(bot)
    [opening] = [m for m in emulator.messages(thread) if "is starting now" in (m.get("content") or "")]
    welsh, english = opening["content"].split("\n\n")
    assert_welsh(welsh, NAMES)
    assert_english(english, NAMES)
    assert "Mae **Peer support** yn dechrau nawr" in welsh and "**Peer support** is starting now" in english
    assert controls(opening) == ["Dw i yma / I'm here"]

    # Still one language when the server says so.
    await set_channel_posts(bot, uow, world.guild_id, ChannelPosts.CY)
    await emulator.slash(
        world.guild_id,
        world.facilitator,
        "series create",
        {
            "cohort": "Care home managers",
            "title": "Cwtch",
            "cadence": "once",
            "start": "2027-03-19 14:00",
            "duration": 60,
        },
    )
    await run_due(bot)
    [welsh_only] = announcements(emulator, world.home_channel)
    assert_welsh(visible_text_of(welsh_only) + "\n" + "\n".join(controls(welsh_only)), (*NAMES, "Cwtch"))


async def test_a_welsh_medium_series_says_so_everywhere(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    created = await emulator.slash(
        world.guild_id,
        world.facilitator,
        "series create",
        {
            "cohort": "Domiciliary care managers",
            "title": "Peer support",
            "cadence": "fortnightly",
            "start": "2027-03-16 10:00",
            "duration": 90,
            "language": "cy",
        },
    )
    assert "Series created" in visible_text(created) and "Welsh-medium" in visible_text(created)
    await run_due(bot)
    [message] = announcements(emulator, world.dom_channel)
    fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
    assert fields["Language"] == "Welsh-medium"
    assert all("Welsh-medium" in event["name"] for event in emulator.scheduled_events(world.guild_id))

    english = await emulator.slash(world.guild_id, world.other_member, "session list", {})
    assert "Welsh-medium" in visible_text(english)
    await choose(emulator, world, world.member, "cy")
    welsh = await emulator.slash(world.guild_id, world.member, "session list", {})
    assert "Cyfrwng Cymraeg" in visible_text(welsh) and "Welsh-medium" not in visible_text(welsh)
    assert any("Cyfrwng Cymraeg" in text for text in controls(welsh.message))  # the picker's options too

    # Bilingual, then back to English: the announcement and the events follow.
    series = (
        await emulator.autocomplete(world.guild_id, world.facilitator, "series edit", {"series": "Peer"}, "series")
    )[0]
    both = await emulator.slash(
        world.guild_id, world.facilitator, "series edit", {"series": series["value"], "language": "bilingual"}
    )
    assert "Sessions are now marked: Bilingual" in visible_text(both)
    await bot.services.announcements.idle()
    fields = {f["name"]: f["value"] for f in (emulator.message(message["id"]) or {})["embeds"][0]["fields"]}
    assert fields["Language"] == "Bilingual"
    assert all("Bilingual" in event["name"] for event in emulator.scheduled_events(world.guild_id))
    plain = await emulator.slash(
        world.guild_id, world.facilitator, "series edit", {"series": series["value"], "language": "en"}
    )
    assert "Sessions are now held in English" in visible_text(plain)
    shown_now = visible_text_of(emulator.message(message["id"]) or {})
    assert "Language" not in shown_now and "Bilingual" not in shown_now


async def test_facilitators_see_how_many_would_prefer_welsh_medium_sessions(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    said = await emulator.slash(world.guild_id, world.member, "language", {"welsh_sessions": True})
    assert said.ephemeral and "you'd prefer Welsh-medium sessions" in visible_text(said)
    # In Welsh, with /iaith: the language chosen, then the preference, said in it.
    both = await emulator.slash(world.guild_id, world.other_member, "iaith", {"iaith": "cy", "sesiynau_cymraeg": True})
    await both.wait_followups(1)
    chosen, noted = both.content, both.followups[-1]["content"]
    assert_welsh(chosen)
    assert_welsh(noted) and "sesiynau cyfrwng Cymraeg" in noted

    listing = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    text = visible_text(listing)
    assert "Members who would prefer Welsh-medium sessions: fewer than 5." in text
    assert f"<@{world.member}>" not in text and f"<@{world.other_member}>" not in text  # a count, never names

    for n in range(3):
        user = int(emulator.create_user(f"siaradwr-{n}")["id"])
        emulator.add_member(world.guild_id, user)
        await emulator.slash(world.guild_id, user, "language", {"welsh_sessions": True})
    listing = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    assert "Members who would prefer Welsh-medium sessions: 5." in visible_text(listing)

    changed = await emulator.slash(world.guild_id, world.member, "language", {"welsh_sessions": False})
    assert "no preference" in visible_text(changed)
    listing = await emulator.slash(world.guild_id, world.facilitator, "series list", {})
    assert "fewer than 5" in visible_text(listing)
    refused = await emulator.slash(world.guild_id, world.member, "series list", {})
    assert refused.ephemeral and "Welsh-medium" not in visible_text(refused)  # facilitators only
