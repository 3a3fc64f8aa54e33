"""Rendering the community report and the weekly digest: embed, phone-sized chart, CSV, digest links."""

from __future__ import annotations

import csv
import io
import struct
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.community import DayFigures
from bot.services.ports import PostLink, WeeklyDigest
from bot.services.reports import CommunityReport, Period
from bot.ui.community_gateway import ITEMS_SHOWN, digest_embed
from bot.ui.community_reports import community_chart_png, community_csv, community_embed
from bot.ui.links import channel_url

LONDON = ZoneInfo("Europe/London")


def report(cohort: str | None = None, days: list[DayFigures] | None = None) -> CommunityReport:
    figures = (
        days
        if days is not None
        else [
            DayFigures(date(2027, 3, 1), 2, 0, 5),
            DayFigures(date(2027, 3, 2), 0, 1, 4),
        ]
    )
    return CommunityReport(
        period=Period(cohort, date(2027, 3, 1), date(2027, 3, 31), LONDON),
        days=figures,
        joins=2,
        leaves=1,
        members_now=4,
        resources_added=3,
        resources_opened=9,
        top_tags_added=[("Leadership", 2), ("Learning", 1)],
        top_tags_opened=[],
        what_works=1,
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_embed_shows_every_figure() -> None:
    embed = community_embed(report()).to_dict()
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert embed["title"] == "Community: All cohorts" and embed["description"] == "1 Mar 2027 – 31 Mar 2027"
    assert fields["Members now"] == "4" and fields["Members over the period"] == "3 → 4"
    assert fields["Joined / left"] == "2 joined, 1 left"
    assert (fields["Resources added"], fields["Resources opened"], fields["What works posts"]) == ("3", "9", "1")
    assert fields["Top tags (resources added)"] == "Leadership (2), Learning (1)"
    assert fields["Top tags (resources opened)"] == "None in this period"
    assert "footer" not in embed
    scoped = community_embed(report("Domiciliary care managers")).to_dict()
    assert "resources are the whole server's" in scoped["footer"]["text"]


def test_the_chart_is_phone_sized_even_with_odd_names_or_no_days() -> None:
    assert png_size(community_chart_png(report())) == (1080, 1080)
    assert png_size(community_chart_png(report("$\\frac{x}$ managers 🌱", days=[]))) == (1080, 1080)


def test_the_csv_has_the_daily_figures_and_guards_formulas() -> None:
    rows = list(csv.reader(io.StringIO(community_csv(report("=HYPERLINK()")).decode("utf-8-sig"))))
    assert ["cohort", "'=HYPERLINK()"] in rows and ["members_now", "4"] in rows
    header = rows.index(["date", "joins", "leaves", "members"])
    assert rows[header + 1 :] == [["2027-03-01", "2", "0", "5"], ["2027-03-02", "0", "1", "4"]]


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
