"""The community of practice through the emulator: joining and leaving (role made, history kept), sharing what
works in the resources forum, the weekly digest posted exactly once, and the coordinators' community report."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Resource, ResourceOpen
from bot.domain.community import EventKind
from bot.domain.resources import WHAT_WORKS_TAG
from bot.emulator import Emulator
from bot.ui.client import CwtchBot
from bot.ui.community_reports import CSV_HEADER
from bot.ui.links import channel_url
from tests.e2e.conftest import World, start_bot, stop_bot
from tests.e2e.helpers import visible_text
from tests.e2e.test_sessions import eventually, run_due, visible_text_of
from tests.fakes import FakeClock

SHARE = "cwtch:whatworks"
MONDAY = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)  # 09:00 GMT: the digest of the week of 8 March falls due


async def history(bot: CwtchBot) -> list[tuple[int, EventKind]]:
    async with bot.services.state._uow() as uow:
        events = await uow.community.history(bot.guilds[0].id, datetime(2100, 1, 1, tzinfo=UTC))
    return [(event.user_id, event.kind) for event in events]


async def what_works_rows(bot: CwtchBot) -> list[tuple[str, int]]:
    async with bot.services.state._uow() as uow:
        posts = await uow.community.what_works_between(
            bot.guilds[0].id, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
    return [(post.title, post.thread_id) for post in posts]


def role_creations(emu: Emulator) -> list[Any]:
    return emu.find_requests("POST", r"/guilds/\d+/roles")


def forum_posts(emu: Emulator, forum: int) -> list[dict[str, Any]]:
    return [r.response for r in emu.find_requests("POST", rf"/channels/{forum}/threads")]


async def share(emu: Emulator, world: World, user: int, message_id: Any, fields: dict[str, str]) -> Any:
    opened = await emu.click(world.guild_id, user, message_id, SHARE)
    assert opened.modal is not None, visible_text(opened)
    return await emu.submit_modal(world.guild_id, user, opened, fields)


async def add_resource(database_url: str, guild_id: int, title: str, tags: list[str], at: datetime, opens: int) -> int:
    """A resource approved into the forum at ``at`` and opened ``opens`` times (as /resource would leave it)."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            slug = title.lower().replace(" ", "-")
            resource = Resource(
                guild_id=guild_id,
                title=title,
                url=f"https://example.org/{slug}",
                url_key=f"example.org/{slug}",
                summary="s",
                tags=tags,
                status="approved",
                thread_id=880000 + len(title),
                created_at=at,
                approved_at=at,
            )
            session.add(resource)
            await session.flush()
            session.add_all(
                ResourceOpen(guild_id=guild_id, resource_id=resource.id, opened_at=at) for _ in range(opens)
            )
            await session.commit()
            return resource.id
    finally:
        await engine.dispose()


async def test_join_share_and_leave(emulator: Emulator, world: World, bot: CwtchBot) -> None:
    joined = await emulator.slash(world.guild_id, world.member, "community join", {})
    text = visible_text(joined)
    assert joined.ephemeral and "Welcome to the wellbeing community" in text
    [made] = role_creations(emulator)
    assert made.json["name"] == "Wellbeing community" and made.json.get("mentionable") is False
    role = int(made.response["id"])
    assert f"<@&{role}>" in text and f"<#{world.resources}>" in text
    assert role in emulator.member_roles(world.guild_id, world.member)
    assert SHARE in joined.custom_ids()
    assert await history(bot) == [(world.member, EventKind.JOIN)]

    again = await emulator.slash(world.guild_id, world.member, "community join", {})
    assert again.ephemeral and "already in the wellbeing community" in visible_text(again)
    other = await emulator.slash(world.guild_id, world.other_member, "community join", {})
    assert "Welcome" in visible_text(other)
    assert len(role_creations(emulator)) == 1 and role in emulator.member_roles(world.guild_id, world.other_member)
    assert await history(bot) == [(world.member, EventKind.JOIN), (world.other_member, EventKind.JOIN)]

    # Sharing what works from the button under the welcome: a forum post tagged "What works".
    blank = await share(emulator, world, world.member, joined.message["id"], {"title": "   ", "what": "Walks"})
    assert blank.ephemeral and "fill in the title" in visible_text(blank)
    shared = await share(
        emulator,
        world,
        world.member,
        joined.message["id"],
        {"title": "Ten-minute check-ins", "what": "We meet after hard visits.", "advice": "Start small."},
    )
    [post] = forum_posts(emulator, world.resources)
    thread_id = int(post["id"])
    assert shared.ephemeral and f"<#{thread_id}>" in visible_text(shared)
    assert channel_url(world.guild_id, thread_id) in visible_text(shared)
    assert post["name"] == "Ten-minute check-ins"
    tags = {tag["id"]: tag["name"] for tag in emulator.world.channel(world.resources)[1]["available_tags"]}
    assert [tags[tag] for tag in post["applied_tags"]] == [WHAT_WORKS_TAG]
    content = post["message"]["content"]
    assert content.startswith(f"Shared by <@{world.member}>") and "Start small." in content
    [sent] = emulator.find_requests("POST", rf"/channels/{world.resources}/threads")
    assert sent.json["message"]["allowed_mentions"]["parse"] == []  # the byline names the author without a ping
    assert await what_works_rows(bot) == [("Ten-minute check-ins", thread_id)]

    left = await emulator.slash(world.guild_id, world.member, "community leave", {})
    assert left.ephemeral and "You've left the wellbeing community" in visible_text(left)
    assert role not in emulator.member_roles(world.guild_id, world.member)
    not_in = await emulator.slash(world.guild_id, world.member, "community leave", {})
    assert not_in.ephemeral and "not in the wellbeing community" in visible_text(not_in)
    # No longer a member: the old button refuses politely, pointing at /community join.
    refused = await emulator.click(world.guild_id, world.member, joined.message["id"], SHARE)
    assert refused.modal is None and refused.ephemeral and "/community join" in visible_text(refused)
    assert len(forum_posts(emulator, world.resources)) == 1
    assert await history(bot) == [
        (world.member, EventKind.JOIN),
        (world.other_member, EventKind.JOIN),
        (world.member, EventKind.LEAVE),
    ]


async def test_a_deleted_role_is_made_again_and_a_refused_one_keeps_nothing(
    emulator: Emulator, world: World, bot: CwtchBot
) -> None:
    await emulator.slash(world.guild_id, world.member, "community join", {})
    first = int(role_creations(emulator)[0].response["id"])
    await bot.http.delete_role(world.guild_id, first, reason="an admin tidied the roles")  # as an admin would
    guild = bot.get_guild(world.guild_id)
    assert guild is not None
    await eventually(lambda: asyncio.sleep(0, guild.get_role(first)), lambda role: role is None)

    emulator.faults.add(method="PUT", path=r"/guilds/\d+/members/\d+/roles/\d+", status=403, times=1)
    refused = await emulator.slash(world.guild_id, world.other_member, "community join", {})
    assert refused.ephemeral and "Nothing was changed" in visible_text(refused)
    assert len(role_creations(emulator)) == 2  # the deleted role was made again, once
    assert await history(bot) == [(world.member, EventKind.JOIN)]

    joined = await emulator.slash(world.guild_id, world.other_member, "community join", {})
    second = int(role_creations(emulator)[1].response["id"])
    assert "Welcome" in visible_text(joined) and len(role_creations(emulator)) == 2
    assert second != first and second in emulator.member_roles(world.guild_id, world.other_member)


async def test_sharing_needs_a_forum(emulator: Emulator, configured: World) -> None:
    world = configured  # roles set up, but no channels chosen yet
    joined = await emulator.slash(world.guild_id, world.member, "community join", {})
    assert "Welcome" in visible_text(joined) and "<#" not in visible_text(joined)
    refused = await emulator.click(world.guild_id, world.member, joined.message["id"], SHARE)
    assert refused.modal is None and refused.ephemeral
    assert "hasn't chosen one yet" in visible_text(refused) and "/setup channels" in visible_text(refused)


async def test_the_weekly_digest_is_posted_once(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock, database_url: str
) -> None:
    await run_due(bot)  # Wednesday 10 March: last week's digest had nothing new, so nothing is posted
    assert emulator.messages(world.announcements) == []

    joined = await emulator.slash(world.guild_id, world.member, "community join", {})
    await share(emulator, world, world.member, joined.message["id"], {"title": "Walks", "what": "Walking one-to-ones."})
    [post] = forum_posts(emulator, world.resources)
    await add_resource(database_url, world.guild_id, "Burnout guide", ["Mental health"], clock() + timedelta(1), 0)

    clock.set(MONDAY - timedelta(minutes=1))
    await run_due(bot)
    assert emulator.messages(world.announcements) == []
    clock.set(MONDAY)
    await run_due(bot)
    await run_due(bot)
    [digest] = emulator.messages(world.announcements)
    text = visible_text_of(digest)
    assert "This week in the wellbeing community" in text and "8 Mar to 14 Mar 2027" in text
    assert f"[Walks]({channel_url(world.guild_id, int(post['id']))})" in text
    guide = channel_url(world.guild_id, 880000 + len("Burnout guide"))  # the thread add_resource gave it
    assert f"[Burnout guide]({guide})" in text and "1 person joined" in text
    assert SHARE in str(digest["components"])

    # A restart, and more ticks that week, post nothing again.
    await bot.close()
    restarted, task = await start_bot(emulator, database_url, clock)
    try:
        clock.advance(timedelta(hours=2))
        await run_due(restarted)
        assert len(emulator.messages(world.announcements)) == 1

        # Someone who isn't a member presses the digest's button: pointed at /community join.
        refused = await emulator.click(world.guild_id, world.coordinator, digest["id"], SHARE)
        assert refused.modal is None and "/community join" in visible_text(refused)

        # A week with nothing new posts nothing.
        clock.set(MONDAY + timedelta(days=7))
        await run_due(restarted)
        assert len(emulator.messages(world.announcements)) == 1

        # After the clocks go forward (28 March), Monday 09:00 BST is 08:00 UTC.
        clock.set(datetime(2027, 3, 24, 12, 0, tzinfo=UTC))
        await emulator.slash(world.guild_id, world.other_member, "community join", {})
        clock.set(datetime(2027, 3, 29, 7, 59, tzinfo=UTC))
        await run_due(restarted)
        assert len(emulator.messages(world.announcements)) == 1
        clock.set(datetime(2027, 3, 29, 8, 0, tzinfo=UTC))
        await run_due(restarted)
        later = emulator.messages(world.announcements)
        assert len(later) == 2 and "22 Mar to 28 Mar 2027" in visible_text_of(later[-1])
    finally:
        await stop_bot(restarted, task)


async def test_the_digest_shows_a_post_members_wrote_in_that_week(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock
) -> None:
    # Week 1 (from Monday 8 March): a member shares what works.
    joined = await emulator.slash(world.guild_id, world.member, "community join", {})
    await share(emulator, world, world.member, joined.message["id"], {"title": "Walks", "what": "Walking one-to-ones."})
    [post] = forum_posts(emulator, world.resources)
    [created] = emulator.find_requests("POST", rf"/channels/{world.resources}/threads")
    assert created.json["auto_archive_duration"] == 10080  # active for a week after its last message
    link = f"[Walks]({channel_url(world.guild_id, int(post['id']))})"
    clock.set(MONDAY)
    await run_due(bot)
    [first] = emulator.messages(world.announcements)
    assert "What works: new posts" in visible_text_of(first) and link in visible_text_of(first)
    assert "Active this week" not in visible_text_of(first)
    active_threads = rf"/guilds/{world.guild_id}/threads/active"
    assert emulator.find_requests("GET", active_threads) == []  # no older post to ask Discord about

    # Week 2 (from Monday 15 March): another member replies on Wednesday afternoon.
    emulator.user_message(
        post["id"], world.other_member, "We tried this too.", at=datetime(2027, 3, 17, 15, tzinfo=UTC)
    )
    clock.set(MONDAY + timedelta(days=7))
    await run_due(bot)
    await run_due(bot)
    digests = emulator.messages(world.announcements)
    assert len(digests) == 2
    text = visible_text_of(digests[-1])
    assert "15 Mar to 21 Mar 2027" in text and "Active this week" in text and link in text
    assert "What works: new posts" not in text and "New resources" not in text
    assert len(emulator.find_requests("GET", active_threads)) == 1  # one request for the guild, not one a post

    # Week 3: nobody wrote, nothing else happened: no digest.
    clock.set(MONDAY + timedelta(days=14))
    await run_due(bot)
    assert len(emulator.messages(world.announcements)) == 2


async def test_the_community_report(
    emulator: Emulator, world: World, bot: CwtchBot, clock: FakeClock, database_url: str
) -> None:
    start = clock()
    newcomers = [int(emulator.create_user(f"joiner-{n}")["id"]) for n in range(3)]
    for user in newcomers:
        emulator.add_member(world.guild_id, user)
    joiners = [world.member, world.other_member, world.facilitator, *newcomers[:2]]
    for user in joiners:
        await emulator.slash(world.guild_id, user, "community join", {})
    clock.advance(timedelta(days=1))
    await emulator.slash(world.guild_id, world.other_member, "community leave", {})
    joined = await emulator.slash(world.guild_id, world.member, "community join", {})
    await share(emulator, world, world.member, joined.message["id"], {"title": "Walks", "what": "Walking one-to-ones."})
    await add_resource(database_url, world.guild_id, "Burnout guide", ["Mental health", "Leadership"], start, 3)
    await add_resource(database_url, world.guild_id, "Team huddles", ["Leadership"], start, 1)
    clock.advance(timedelta(days=1))

    members_only = await emulator.slash(world.guild_id, world.member, "report community", {})
    assert members_only.ephemeral and "Only coordinators" in visible_text(members_only)
    bad = await emulator.slash(world.guild_id, world.coordinator, "report community", {"start": "last week"})
    assert bad.ephemeral and "a month `2027-03`" in visible_text(bad)
    swapped = await emulator.slash(
        world.guild_id, world.coordinator, "report community", {"start": "2027-03-12", "end": "2027-03-01"}
    )
    assert "swap the start and end round" in visible_text(swapped)

    async def report() -> tuple[str, list[list[str]], dict[str, tuple[bytes, str]]]:
        """The report's text, its CSV's rows, and each attachment's bytes and description (alt text)."""
        before = len(emulator.find_requests("POST", r"/webhooks/.*"))
        answer = await emulator.slash(world.guild_id, world.coordinator, "report community", {"start": "2027-03-01"})
        assert answer.ephemeral
        sent = emulator.find_requests("POST", r"/webhooks/.*")[before:]
        described = {
            a["filename"]: a.get("description", "") for r in sent for a in (r.json or {}).get("attachments", [])
        }
        files = {f.filename: (f.data, described[f.filename]) for r in sent for f in r.files}
        table = files["community.csv"][0].decode("utf-8-sig")
        return visible_text(answer), list(csv.reader(io.StringIO(table))), files

    # By hand: five people joined on 10 March (one block of five people, which also holds the 4 openings, since
    # opening a resource names nobody); on 11 March one left, one shared what works: two people, still waiting.
    text, rows, files = await report()
    assert "Community of practice" in text and "Members\n5" in text and "5 joined, 0 left" in text
    assert "0 → 5" in text and "Resources added\n2" in text and "Resources opened\n4" in text
    assert "What works posts\n0" in text and "at least 5 people" in text
    assert "Leadership (2), Mental health (1)" in text and "Leadership (4), Mental health (3)" in text
    assert rows == [list(CSV_HEADER), ["2027-03-10", "5", "0", "5", "4", "0"]]
    chart, described = files["community-members.png"]
    assert chart.startswith(b"\x89PNG") and described.startswith("Chart: community members, 1 Mar 2027")
    assert files["community.csv"][1].startswith("The community's figures as a table")

    # An erasure changes no released figure; the same report asked again reads the same.
    asked = await emulator.slash(world.guild_id, newcomers[0], "privacy delete")
    done = await emulator.click(world.guild_id, newcomers[0], asked.message["id"], asked.custom_ids()[0])
    assert "erased" in visible_text(done)
    again, again_rows, _ = await report()
    assert again_rows == rows and "Members\n5" in again and "5 joined, 0 left" in again

    # A third person acts: still under five people since the block, so still nothing new shows. Two more make five
    # people (the leaver, the sharer, the erased member's nameless leave does not count as one, and three more).
    await emulator.slash(world.guild_id, newcomers[2], "community join", {})
    assert (await report())[1] == rows
    for user in (world.coordinator, newcomers[1]):
        await emulator.slash(world.guild_id, user, "community leave" if user == newcomers[1] else "community join", {})
    clock.advance(timedelta(days=1))
    text, rows, _ = await report()
    assert rows[1:] == [["2027-03-10", "5", "0", "5", "4", "0"], ["2027-03-12", "2", "3", "4", "0", "1"]]
    assert "Members\n4" in text and "7 joined, 3 left" in text and "What works posts\n1" in text
