"""Resources through the emulator: facilitators add them as forum posts (tags made on the forum), members find
them by a word in the summary, list them by tag and open them (counted, no name kept), suggest them and hear back
after a facilitator approves or declines; and every refusal is clear and keeps nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.db.engine import create_engine, create_session_factory
from bot.db.resources import ResourceOpens
from bot.db.uow import UnitOfWorkFactory
from bot.domain.resources import THEMES
from bot.emulator import Emulator
from bot.emulator.state import P
from bot.ui.client import CwtchBot
from tests.e2e.conftest import START, World
from tests.e2e.helpers import visible_text

NIGHT_SHIFTS = {
    "title": "Coping with night shifts",
    "url": "https://www.example.org/night-shifts",
    "summary": "Practical ideas for sleeping well between shifts, for managers and their teams.",
    "tags": "mental health, Stress and burnout",
}
HUDDLES = {
    "title": "Team huddles that help",
    "url": "https://huddles.example.org/guide",
    "summary": "How to run a ten-minute huddle where staff feel heard.",
    "tags": "Team culture",
}


def set_bot_forum_overwrite(emu: Emulator, world: World, *, deny: int = 0) -> None:
    """An admin takes permissions from Cwtch on the resources forum (or gives them back with ``deny=0``)."""
    forum = emu.guild(world.guild_id).channels[world.resources]
    forum["permission_overwrites"] = [{"id": str(emu.bot_id), "type": 1, "allow": "0", "deny": str(deny)}]


def forum_posts(emu: Emulator, world: World) -> list[dict[str, Any]]:
    return [t for t in emu.guild(world.guild_id).threads.values() if t["parent_id"] == str(world.resources)]


def first_message(emu: Emulator, thread: dict[str, Any]) -> dict[str, Any]:
    return emu.messages(thread["id"])[0]


def review_cards(emu: Emulator, world: World) -> list[dict[str, Any]]:
    return [m for m in emu.messages(world.facilitators_channel) if "Resource suggestion" in (m.get("content") or "")]


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row.get("components", [])]


@pytest.fixture
async def readings(database_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    """The database as the weekly digest and /report community read it."""
    engine = create_engine(database_url)
    yield UnitOfWorkFactory(create_session_factory(engine))
    await engine.dispose()


async def opens(readings: UnitOfWorkFactory, guild_id: int) -> list[ResourceOpens]:
    async with readings.reading() as work:
        return await work.resources.opens_between(guild_id, START - timedelta(days=1), START + timedelta(days=1))


async def test_facilitator_adds_and_members_find_list_and_open(
    emulator: Emulator, world: World, bot: CwtchBot, readings: UnitOfWorkFactory
) -> None:
    added = await emulator.slash(world.guild_id, world.facilitator, "resource add", NIGHT_SHIFTS)
    assert added.ephemeral and "Added **Coping with night shifts**" in visible_text(added)
    await emulator.slash(world.guild_id, world.facilitator, "resource add", HUDDLES)

    # The forum's tags were made on first use, and the post carries its own.
    forum = emulator.guild(world.guild_id).channels[world.resources]
    tag_ids = {tag["name"]: tag["id"] for tag in forum["available_tags"]}
    assert set(tag_ids) == {"Mental health", "Stress and burnout", "Team culture"}
    night, huddles = forum_posts(emulator, world)
    assert night["name"] == "Coping with night shifts"
    assert night["applied_tags"] == [tag_ids["Mental health"], tag_ids["Stress and burnout"]]
    assert huddles["applied_tags"] == [tag_ids["Team culture"]]
    post = first_message(emulator, night)
    assert post["embeds"][0]["description"] == NIGHT_SHIFTS["summary"]
    assert "example.org" in str(post["embeds"][0]["fields"])
    [open_id] = custom_ids(post)
    assert open_id.startswith("cwtch:res:open:")
    assert f"<#{night['id']}>" in visible_text(added)

    # A member finds it by a word in its summary (stemmed: "sleep" finds "sleeping").
    found = await emulator.slash(world.guild_id, world.member, "resource search", {"query": "sleep"})
    text = visible_text(found)
    assert found.ephemeral and "Coping with night shifts" in text and "Team huddles" not in text
    assert "Showing all 1" in text and custom_ids(found.message or {}) == [open_id]
    # The title outranks a summary-only match, and a tag narrows it.
    both = await emulator.slash(world.guild_id, world.member, "resource search", {"query": "staff huddle managers"})
    assert visible_text(both).index("Team huddles") < visible_text(both).index("Coping with night shifts")
    tagged = await emulator.slash(
        world.guild_id, world.member, "resource search", {"query": "staff huddle managers", "tag": "mental HEALTH"}
    )
    assert "Team huddles" not in visible_text(tagged) and "Coping with night shifts" in visible_text(tagged)
    nothing = await emulator.slash(world.guild_id, world.member, "resource search", {"query": '"gardening" OR ('})
    assert "Nothing matches that" in visible_text(nothing)

    listed = await emulator.slash(world.guild_id, world.member, "resource list", {"tag": "Team culture"})
    assert "Team huddles that help" in visible_text(listed) and "night shifts" not in visible_text(listed)
    everything = await emulator.slash(world.guild_id, world.member, "resource list", {})
    text = visible_text(everything)
    assert text.index("Team huddles") < text.index("Coping with night shifts")  # newest first
    assert "Showing all 2" in text

    # Open answers only the member, with the link, and counts the opening (from the post and from results).
    opened = await emulator.click(world.guild_id, world.member, post["id"], open_id)
    assert opened.ephemeral and NIGHT_SHIFTS["url"] in visible_text(opened)
    again = await emulator.click(world.guild_id, world.member, found.message["id"], open_id)  # type: ignore[index]
    assert NIGHT_SHIFTS["url"] in visible_text(again)
    [counted] = await opens(readings, world.guild_id)
    assert counted.title == "Coping with night shifts" and counted.opens == 2
    async with readings.reading() as work:
        added_this_week = await work.resources.approved_between(
            world.guild_id, START - timedelta(days=1), START + timedelta(days=1)
        )
    assert [r.title for r in added_this_week] == ["Coping with night shifts", "Team huddles that help"]


async def test_a_suggestion_approved_is_posted_and_the_member_told(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    suggested = await emulator.slash(world.guild_id, world.member, "resource suggest", NIGHT_SHIFTS)
    assert suggested.ephemeral and "A facilitator will review" in visible_text(suggested)
    [card] = review_cards(emulator, world)
    assert NIGHT_SHIFTS["url"] in str(card["embeds"]) and f"<@{world.member}>" in card["content"]
    approve, decline = custom_ids(card)
    assert approve.startswith("cwtch:res:approve:") and decline.startswith("cwtch:res:decline:")
    assert forum_posts(emulator, world) == []
    hidden = await emulator.slash(world.guild_id, world.member, "resource search", {"query": "night shifts"})
    assert "Nothing matches" in visible_text(hidden)  # pending suggestions are never found

    refused = await emulator.click(world.guild_id, world.member, card["id"], approve)
    assert refused.ephemeral and "Only facilitators" in visible_text(refused)
    assert forum_posts(emulator, world) == []

    approved = await emulator.click(world.guild_id, world.facilitator, card["id"], approve)
    [post] = forum_posts(emulator, world)
    assert f"Approved: **Coping with night shifts** is now in <#{post['id']}>" in visible_text(approved)
    assert "told" in visible_text(approved)
    [dm] = emulator.dm_messages(world.member)
    assert "was approved" in dm["content"] and f"<#{post['id']}>" in dm["content"]
    card = emulator.message(card["id"]) or {}
    assert "Approved" in card["content"] and custom_ids(card) == []
    found = await emulator.slash(world.guild_id, world.other_member, "resource search", {"query": "shifts"})
    assert "Coping with night shifts" in visible_text(found)


async def test_a_suggestion_declined_is_deleted_and_the_member_told(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    await emulator.slash(world.guild_id, world.member, "resource suggest", HUDDLES)
    [card] = review_cards(emulator, world)
    _, decline = custom_ids(card)
    refused = await emulator.click(world.guild_id, world.other_member, card["id"], decline)
    assert refused.modal is None and "Only facilitators" in visible_text(refused)

    form = await emulator.click(world.guild_id, world.facilitator, card["id"], decline)
    assert form.modal is not None
    done = await emulator.submit_modal(
        world.guild_id, world.facilitator, form, {"reason": "We already share a huddle guide."}
    )
    assert "Declined: **Team huddles that help** was deleted" in visible_text(done)
    [dm] = emulator.dm_messages(world.member)
    assert "decided not to add it" in dm["content"] and "We already share a huddle guide." in dm["content"]
    card = emulator.message(card["id"]) or {}
    assert "Declined" in card["content"] and custom_ids(card) == []
    # Nothing of it is kept: the same link can be suggested again.
    again = await emulator.slash(world.guild_id, world.other_member, "resource suggest", HUDDLES)
    assert "A facilitator will review" in visible_text(again)


async def test_closed_dms_fall_back_gracefully(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    emulator.close_dms(world.member)
    emulator.close_dms(world.other_member)
    await emulator.slash(world.guild_id, world.member, "resource suggest", NIGHT_SHIFTS)
    await emulator.slash(world.guild_id, world.other_member, "resource suggest", HUDDLES)
    night_card, huddle_card = review_cards(emulator, world)

    approved = await emulator.click(world.guild_id, world.facilitator, night_card["id"], custom_ids(night_card)[0])
    assert "DMs are closed, so I thanked them in the post" in visible_text(approved)
    [post] = forum_posts(emulator, world)
    thanks = emulator.messages(post["id"])[-1]
    assert f"<@{world.member}>" in thanks["content"] and "thank you for suggesting" in thanks["content"]

    form = await emulator.click(world.guild_id, world.facilitator, huddle_card["id"], custom_ids(huddle_card)[1])
    declined = await emulator.submit_modal(world.guild_id, world.facilitator, form, {})
    assert "DMs are closed, so please let them know" in visible_text(declined)
    assert "please let them know" in (emulator.message(huddle_card["id"]) or {})["content"]


async def test_bad_input_is_refused_clearly_and_keeps_nothing(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    async def add(user: int, **changes: str) -> str:
        result = await emulator.slash(world.guild_id, user, "resource add", {**NIGHT_SHIFTS, **changes})
        assert result.ephemeral
        return visible_text(result)

    assert "Only facilitators" in await add(world.member)
    assert "starting with `https://`" in await add(world.facilitator, url="ftp://example.org/file")
    assert "Did you mean `https://www.example.org/x`" in await add(world.facilitator, url="www.example.org/x")
    assert "user name or password" in await add(world.facilitator, url="https://me:pw@example.org/")
    assert "at most 100 characters (this one has 101)" in await add(world.facilitator, title="t" * 101)
    assert "at most 500 characters (this one has 501)" in await add(world.facilitator, summary="s" * 501)
    unknown = await add(world.facilitator, tags="Leadership, Yoga")
    assert "no tag called **Yoga**" in unknown and all(theme in unknown for theme in THEMES)
    several = await add(world.facilitator, title="t" * 101, url="not a link")
    assert "Please fix these" in several and "title" in several and "link" in several
    assert forum_posts(emulator, world) == [] and review_cards(emulator, world) == []

    await add(world.facilitator)
    same = await add(world.facilitator, url="HTTP://WWW.EXAMPLE.ORG/night-shifts/?utm_source=newsletter#top")
    [post] = forum_posts(emulator, world)
    assert f"already in the resources forum as **Coping with night shifts**: <#{post['id']}>" in same
    suggested_twice = await emulator.slash(
        world.guild_id, world.member, "resource suggest", {**NIGHT_SHIFTS, "title": "Night shift tips"}
    )
    assert "already in the resources forum" in visible_text(suggested_twice)
    await emulator.slash(world.guild_id, world.member, "resource suggest", HUDDLES)
    pending_twice = await add(world.facilitator, **HUDDLES)
    assert "already suggested as **Team huddles that help** and is waiting for a facilitator's review" in pending_twice
    assert len(forum_posts(emulator, world)) == 1

    assert "at least one word" in visible_text(
        await emulator.slash(world.guild_id, world.member, "resource search", {"query": "*** ()"})
    )
    assert "no tag called **Yoga**" in visible_text(
        await emulator.slash(world.guild_id, world.member, "resource list", {"tag": "Yoga"})
    )


async def test_tags_autocomplete_from_the_themes(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    choices = await emulator.autocomplete(
        world.guild_id, world.facilitator, "resource add", {**NIGHT_SHIFTS, "tags": "Leadership, stre"}, "tags"
    )
    assert [c["value"] for c in choices] == ["Leadership, Stress and burnout"]
    choices = await emulator.autocomplete(world.guild_id, world.member, "resource list", {"tag": "heal"}, "tag")
    assert [c["value"] for c in choices] == ["Mental health", "Physical health"]


async def test_without_permission_to_make_tags_nothing_is_kept(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    set_bot_forum_overwrite(emulator, world, deny=P.MANAGE_CHANNELS)
    refused = await emulator.slash(world.guild_id, world.facilitator, "resource add", NIGHT_SHIFTS)
    assert "Manage Channels" in visible_text(refused) and "nothing was saved" in visible_text(refused)
    assert forum_posts(emulator, world) == []
    found = await emulator.slash(world.guild_id, world.member, "resource search", {"query": "shifts"})
    assert "Nothing matches" in visible_text(found)
    set_bot_forum_overwrite(emulator, world)
    added = await emulator.slash(world.guild_id, world.facilitator, "resource add", NIGHT_SHIFTS)
    assert "Added" in visible_text(added)


async def test_without_a_resources_forum_admins_are_pointed_at_setup(
    emulator: Emulator, world: World, configured: World
) -> None:
    for user, command in [(world.facilitator, "resource add"), (world.member, "resource suggest")]:
        result = await emulator.slash(world.guild_id, user, command, NIGHT_SHIFTS)
        assert result.ephemeral and "no resources forum yet" in visible_text(result)
        assert "/setup channels" in visible_text(result)
    # A resources channel that is no longer a forum Cwtch can see says so too.
    await emulator.slash(
        world.guild_id,
        world.admin,
        "setup channels",
        {
            "announcements": world.announcements,
            "resources": world.resources,
            "facilitators": world.facilitators_channel,
        },
    )
    emulator.delete_channel(world.guild_id, world.resources)
    gone = await emulator.slash(world.guild_id, world.member, "resource suggest", NIGHT_SHIFTS)
    assert "not a forum channel I can see" in visible_text(gone) and "/setup channels" in visible_text(gone)
    assert review_cards(emulator, world) == []
