"""Rendering the community report and the weekly digest: embed, phone-sized chart, CSV, digest links."""

from __future__ import annotations

import csv
import io
import re
import struct
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.community_blocks import BlockCounts, CommunityBlock, members_after, total
from bot.domain.language import ChannelPosts, Language
from bot.services.community_reports import CommunityReport
from bot.services.ports import PostLink, WeeklyDigest
from bot.ui.community_gateway import ITEMS_SHOWN, digest_embed
from bot.ui.community_reports import CSV_HEADER, chart_description, community_chart_png, community_csv, community_embed
from bot.ui.links import channel_url

LONDON = ZoneInfo("Europe/London")
MARCH = datetime(2027, 3, 1, 10, tzinfo=UTC)


def report(blocks: list[CommunityBlock] | None = None, before: int = 3) -> CommunityReport:
    within = (
        blocks
        if blocks is not None
        else [
            CommunityBlock(MARCH, MARCH + timedelta(days=1), BlockCounts(2, 0, 1, 6, (("Grief", 4), ("Sleep", 2)))),
            CommunityBlock(MARCH, MARCH + timedelta(days=9), BlockCounts(0, 1, 0, 3, (("Grief", 3),))),
        ]
    )
    counts = total(within)
    return CommunityReport(
        start=date(2027, 3, 1),
        end=date(2027, 3, 31),
        zone=LONDON,
        blocks=within,
        counts=counts,
        members_before=before,
        points=members_after(before, within, LONDON),
        members_now=4,
        counted_to=within[-1].last_at if within else None,
        resources_added=3,
        top_tags_added=[("Leadership", 2), ("Learning", 1)],
        top_tags_opened=[],
        min_group=5,
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_embed_shows_every_figure() -> None:
    embed = community_embed(report()).to_dict()
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert embed["title"] == "Community of practice" and embed["description"].startswith("1 Mar 2027 – 31 Mar 2027")
    assert f"Counted to <t:{int((MARCH + timedelta(days=9)).timestamp())}:D>" in embed["description"]
    assert "at least 5 people" in embed["description"]
    assert fields["Members"] == "4" and fields["Members over the period"] == "3 → 4"
    assert fields["Joined / left"] == "2 joined, 1 left"
    assert (fields["Resources added"], fields["Resources opened"], fields["What works posts"]) == ("3", "9", "1")
    assert fields["Top tags (resources added)"] == "Leadership (2), Learning (1)"
    assert fields["Top tags (resources opened)"] == "None in this period"


def test_nothing_released_says_so_and_draws_no_chart() -> None:
    empty = report(blocks=[], before=0)
    assert empty.counted_to is None and community_chart_png(empty) is None
    assert (
        community_embed(empty)
        .to_dict()["description"]
        .endswith(
            "Nothing counted yet. People figures are added up from blocks of activity by at least 5 people, so nobody "
            "can be picked out; the newest activity counts once its block is full."
        )
    )


def test_the_chart_is_phone_sized_and_described() -> None:
    chart = community_chart_png(report())
    assert chart is not None and png_size(chart) == (1080, 1080)
    described = chart_description(report())
    assert described == (
        "Chart: community members, 1 Mar 2027 – 31 Mar 2027. At the start: 3. After each counted block: "
        "2 Mar 2027: 5, 10 Mar 2027: 4."
    )


def test_the_csv_has_one_header_and_a_row_per_block() -> None:
    rows = list(csv.reader(io.StringIO(community_csv(report()).decode("utf-8-sig"))))
    assert rows == [
        list(CSV_HEADER),
        ["2027-03-02", "2", "0", "5", "6", "1"],
        ["2027-03-10", "0", "1", "4", "3", "0"],
    ]


def test_the_digest_links_its_posts_and_counts_the_rest() -> None:
    many = tuple(PostLink(f"Guide [{n}] *bold*", 1000 + n) for n in range(ITEMS_SHOWN + 3))
    digest = WeeklyDigest(7, date(2027, 3, 8), date(2027, 3, 14), many, (PostLink("Walks", 55),), joins=1)
    embed = digest_embed(digest).to_dict()
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert "8 Mar to 14 Mar 2027" in embed["description"]
    assert f"({channel_url(7, 1000)})" in fields["New resources"]
    assert "…and 3 more" in fields["New resources"] and "\\*bold\\*" in fields["New resources"]
    assert len(fields["New resources"]) <= 1024
    assert fields["What works: new posts"] == f"• [Walks]({channel_url(7, 55)})"
    assert fields["Welcome"] == "1 person joined the community this week."
    quiet = digest_embed(WeeklyDigest(7, date(2027, 3, 8), date(2027, 3, 14), (), (), joins=2)).to_dict()
    assert [field["name"] for field in quiet["fields"]] == ["Welcome"] and "2 people" in quiet["fields"][0]["value"]


def test_the_digest_lists_the_weeks_active_posts_capped_like_the_others() -> None:
    active = tuple(PostLink(f"Check-ins {n}", 2000 + n) for n in range(ITEMS_SHOWN + 2))
    digest = WeeklyDigest(7, date(2027, 3, 8), date(2027, 3, 14), (), (PostLink("Walks", 55),), 0, active)
    embed = digest_embed(digest).to_dict()
    assert [field["name"] for field in embed["fields"]] == ["What works: new posts", "Active this week"]
    shown = embed["fields"][1]["value"].splitlines()
    assert shown[0] == f"• [Check-ins 0]({channel_url(7, 2000)})"  # in the order given: most recent
    assert len(shown) == ITEMS_SHOWN + 1 and shown[-1] == "…and 2 more"
    only = digest_embed(WeeklyDigest(7, date(2027, 3, 8), date(2027, 3, 14), (), (), 0, active[:1])).to_dict()
    assert [field["name"] for field in only["fields"]] == ["Active this week"]


def test_a_bilingual_digest_is_welsh_first_and_within_discords_limits() -> None:
    long = tuple(PostLink("Canllaw " + "x" * 90 + f" {n}", 1000 + n) for n in range(ITEMS_SHOWN + 5))
    digest = WeeklyDigest(7, date(2027, 3, 8), date(2027, 3, 14), long, long, joins=2, active=long)
    built = digest_embed(digest, ChannelPosts.BILINGUAL)
    embed = built.to_dict()
    assert len(built) <= 6000 and all(len(field["value"]) <= 1024 for field in embed["fields"])
    assert (
        embed["description"]
        == "Beth sy'n newydd rhwng 8 Mawrth a 14 Mawrth 2027.\nWhat's new from 8 Mar to 14 Mar 2027."
    )
    assert embed["fields"][0]["value"].endswith("…a 9 arall / …and 9 more")
    assert embed["fields"][-1]["value"] == (
        "Ymunodd 2 o bobl â'r gymuned yr wythnos hon.\n2 people joined the community this week."
    )
    welsh = digest_embed(digest, ChannelPosts.CY).to_dict()
    assert (
        welsh["title"] == "Yr wythnos hon yn y gymuned llesiant"
        and "joined" not in str(welsh)
        and "What's new" not in str(welsh)
    )


def test_the_community_report_in_welsh_has_the_same_figures() -> None:
    english, welsh = community_embed(report()).to_dict(), community_embed(report(), Language.CY).to_dict()
    assert [re.findall(r"\d+", f["value"]) for f in english["fields"]] == [
        re.findall(r"\d+", f["value"]) for f in welsh["fields"]
    ]
    assert welsh["title"] == "Cymuned ymarfer" and "Mawrth 2027" in welsh["description"]
    assert "<t:" not in welsh["description"]
    tables = [
        list(csv.reader(io.StringIO(community_csv(report(), language).decode("utf-8-sig")))) for language in Language
    ]
    assert tables[0][1:] == tables[1][1:] and tables[0][0] != tables[1][0]
    assert chart_description(report(), Language.CY).startswith("Siart: aelodau'r gymuned, 1 Mawrth 2027")
    assert community_chart_png(report(), Language.CY) is not None
