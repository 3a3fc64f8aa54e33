"""The services one bot process uses, built together by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.settings_feed import ChangeFeed
from bot.db.uow import UnitOfWorkFactory
from bot.domain.actions import SURVEY_OPEN
from bot.domain.shards import ALL_SHARDS, ShardSet
from bot.services.actions import ActionRunner
from bot.services.announcement_refresh import AnnouncementRefresher
from bot.services.bot_state import BotStateService
from bot.services.calendar import CalendarService
from bot.services.cohorts import CohortService
from bot.services.community import CommunityService
from bot.services.community_releases import CommunityReleaseService
from bot.services.community_reports import CommunityReportService
from bot.services.digests import DigestService
from bot.services.guild_setup import SetupService
from bot.services.languages import LanguageService
from bot.services.ports import CommunityGateway, ResourceGateway, RoleGateway, SessionGateway
from bot.services.privacy import PrivacyService
from bot.services.releases import ReleaseService
from bot.services.reports import ReportService
from bot.services.resources import ResourceService
from bot.services.rsvp import RsvpService
from bot.services.safety import AlertGateway, SafetyService
from bot.services.schedule_signal import ScheduleSignal
from bot.services.series import SeriesService
from bot.services.sessions import SessionService
from bot.services.settings_cache import SettingsCache
from bot.services.support import SupportService
from bot.services.surveys import SurveyService

COMMENT_RETENTION = timedelta(days=365)  # COMMENT_RETENTION_DAYS' default


@dataclass(frozen=True, slots=True)
class Services:
    setup: SetupService
    cohorts: CohortService
    state: BotStateService
    series: SeriesService
    sessions: SessionService
    rsvp: RsvpService
    actions: ActionRunner
    calendar: CalendarService
    surveys: SurveyService
    releases: ReleaseService
    reports: ReportService
    schedule_changed: ScheduleSignal  # the scheduler listens: services say when what is due has changed
    community_releases: CommunityReleaseService
    community_reports: CommunityReportService
    resources: ResourceService
    support: SupportService
    safety: SafetyService
    privacy: PrivacyService
    community: CommunityService
    digests: DigestService
    settings: SettingsCache  # per-server settings in memory, shared by the services that read them
    announcements: AnnouncementRefresher  # announcements' counts, edited at most once a second each
    languages: LanguageService  # each person's language (Cymraeg or English), and the server's

    @classmethod
    def build(
        cls,
        uow: UnitOfWorkFactory,
        *,
        roles: RoleGateway,
        sessions: SessionGateway,
        resources: ResourceGateway,
        clock: Callable[[], datetime],
        default_timezone: str,
        worker: str,
        shards: ShardSet = ALL_SHARDS,
        pseudonym_key: bytes,
        survey_open: timedelta = SURVEY_OPEN,
        min_group: int = 5,
        safety: AlertGateway,
        comment_retention: timedelta = COMMENT_RETENTION,
        community: CommunityGateway,
        settings_feed: ChangeFeed | None = None,
    ) -> Services:
        settings = SettingsCache(uow, settings_feed)
        alerts = SafetyService(uow, safety, clock=clock, worker=worker, shards=shards)
        schedule_changed = ScheduleSignal()
        session_service = SessionService(
            uow, sessions, clock=clock, survey_open=survey_open, schedule_changed=schedule_changed
        )
        surveys = SurveyService(uow, sessions, clock=clock, key=pseudonym_key, survey_open=survey_open, alerts=alerts)
        releases = ReleaseService(uow, clock=clock, key=pseudonym_key, min_group=min_group, shards=shards)
        community_releases = CommunityReleaseService(uow, clock=clock, min_group=min_group, shards=shards)
        cohorts = CohortService(uow, roles, default_timezone=default_timezone)
        announcements = AnnouncementRefresher.for_database(uow, sessions)
        return cls(
            setup=SetupService(uow, settings),
            cohorts=cohorts,
            state=BotStateService(uow),
            series=SeriesService(
                uow,
                clock=clock,
                shards=shards,
                survey_open=survey_open,
                gateway=sessions,
                sessions=session_service,
                schedule_changed=schedule_changed,
                min_group=min_group,
            ),
            sessions=session_service,
            rsvp=RsvpService(uow, sessions, clock=clock, cohorts=cohorts, announcements=announcements),
            actions=ActionRunner(
                uow, sessions, clock=clock, worker=worker, surveys=surveys, releases=releases, shards=shards
            ),
            calendar=CalendarService(uow, clock=clock),
            surveys=surveys,
            releases=releases,
            reports=ReportService(uow, clock=clock, min_group=min_group, default_timezone=default_timezone),
            community_releases=community_releases,
            schedule_changed=schedule_changed,
            community_reports=CommunityReportService(
                uow, community_releases, clock=clock, min_group=min_group, default_timezone=default_timezone
            ),
            resources=ResourceService(uow, resources, clock=clock),
            support=SupportService(uow, settings),
            safety=alerts,
            privacy=PrivacyService(
                uow,
                roles,
                sessions,
                community,
                clock=clock,
                key=pseudonym_key,
                survey_open=survey_open,
                comment_retention=comment_retention,
            ),
            community=CommunityService(uow, roles, community, clock=clock),
            digests=DigestService(uow, community, clock=clock, timezone=default_timezone, worker=worker, shards=shards),
            settings=settings,
            announcements=announcements,
            languages=LanguageService(uow, settings, clock=clock),
        )
