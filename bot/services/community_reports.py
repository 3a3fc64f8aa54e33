"""The coordinators' community report: members over time, joins and leaves, "what works" posts and resources
opened, added up from released community blocks only (see ``bot.domain.community_blocks``); resources added and
their tags, which are the community's public posts rather than anyone's activity, as they are.

The community is the whole server's, so the report is too: cohorts change their members, and a report filtered by
today's members would change when one person joins a cohort.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.uow import UnitOfWorkFactory
from bot.domain import community_blocks as blocks_rules
from bot.domain.access import Actor, require_coordinator
from bot.domain.community import top_tags
from bot.domain.community_blocks import BlockCounts, CommunityBlock, MembersPoint
from bot.domain.disclosure import parse_period
from bot.services.cohorts import guild_roles
from bot.services.community_releases import CommunityReleaseService

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class CommunityReport:
    start: date
    end: date  # inclusive
    zone: ZoneInfo
    blocks: list[CommunityBlock]  # released blocks whose last activity falls in the period, in time order
    counts: BlockCounts  # those blocks added up
    members_before: int  # members after every block released before the period
    points: list[MembersPoint]  # members after each of the period's blocks
    members_now: int  # members after every released block
    counted_to: datetime | None  # the last activity any released block holds (None: no block yet)
    resources_added: int
    top_tags_added: list[tuple[str, int]]
    top_tags_opened: list[tuple[str, int]]
    min_group: int


class CommunityReportService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        releases: CommunityReleaseService,
        *,
        clock: Clock,
        min_group: int,
        default_timezone: str,
    ) -> None:
        self._uow = uow
        self._releases = releases
        self._clock = clock
        self._min_group = min_group
        self._zone = ZoneInfo(default_timezone)

    async def report(self, guild_id: int, actor: Actor, start: str | None, end: str | None) -> CommunityReport:
        """The period's figures from whole released blocks (releasing first whatever has become a full block)."""
        zone = self._zone
        async with self._uow.reading() as uow:
            require_coordinator(actor, await guild_roles(uow, guild_id))
        chosen = parse_period(start, end, self._clock().astimezone(zone).date())
        await self._releases.release(guild_id)
        since = datetime.combine(chosen.first, time.min, zone)
        until = datetime.combine(chosen.last + timedelta(days=1), time.min, zone)
        async with self._uow.reading() as uow:
            released = await uow.community_blocks.blocks(guild_id)
            added = await uow.community.tags_added_between(guild_id, since, until)
        before = [block for block in released if block.last_at < since]
        within = [block for block in released if since <= block.last_at < until]
        members_before, counts = _members(before), blocks_rules.total(within)
        return CommunityReport(
            start=chosen.first,
            end=chosen.last,
            zone=zone,
            blocks=within,
            counts=counts,
            members_before=members_before,
            points=blocks_rules.members_after(members_before, within, zone),
            members_now=_members(released),
            counted_to=released[-1].last_at if released else None,
            resources_added=len(added),
            top_tags_added=top_tags((tags, 1) for tags in added),
            top_tags_opened=top_tags(((tag,), count) for tag, count in counts.tags_opened),
            min_group=self._min_group,
        )


def _members(blocks: list[CommunityBlock]) -> int:
    return sum(block.counts.joins - block.counts.leaves for block in blocks)
