"""The tables of Cwtch. Every table holding guild data carries ``guild_id``; times are aware UTC."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false

from bot.db.types import EnumText, UTCDateTime, utcnow
from bot.domain.language import ChannelPosts, Language, SessionMedium
from bot.domain.lifecycle import SeriesState, SessionState
from bot.domain.rsvp import RsvpStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class GuildSettings(Base):
    """What an admin configured for one server with ``/setup``."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    facilitator_role_id: Mapped[int | None] = mapped_column(BigInteger)
    coordinator_role_id: Mapped[int | None] = mapped_column(BigInteger)
    announcements_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    resources_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    facilitators_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    community_role_id: Mapped[int | None] = mapped_column(BigInteger)  # made on the first /community join
    support_text: Mapped[str | None] = mapped_column(Text)  # the guild's own signposting; None means UK defaults
    language: Mapped[Language | None] = mapped_column(EnumText(Language, 8))  # for members who haven't chosen
    channel_posts: Mapped[ChannelPosts] = mapped_column(
        EnumText(ChannelPosts, 16), default=ChannelPosts.EN, server_default=ChannelPosts.EN.value
    )
    # Raised by a trigger on every change (migration 0010), so every process sees that its copy is out of date.
    settings_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Cohort(Base):
    """A group of managers who meet together, e.g. "Domiciliary care managers"."""

    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("guild_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    role_id: Mapped[int | None] = mapped_column(BigInteger)
    timezone: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CohortMembership(Base):
    """A member's current place in a cohort; leaving deletes the row."""

    __tablename__ = "cohort_memberships"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id"),
        Index("ix_cohort_memberships_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditLogEntry(Base):
    """One admin or facilitator action, for accountability. Holds IDs and names, never feedback text."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_guild_created", "guild_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BotState(Base):
    """Small facts the bot keeps between runs, e.g. the hash of the last synced command tree."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Series(Base):
    """A recurring run of sessions of one cohort; its rule and zone are the truth for every occurrence."""

    __tablename__ = "series"
    __table_args__ = (
        Index("ix_series_guild_state", "guild_id", "state"),
        Index("ix_series_state_next_start", "state", "next_start"),
        # Two live series of a cohort never share a title and a first start, even when created at the same moment.
        Index("uq_series_cohort_duplicate_key", "cohort_id", "duplicate_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    cadence: Mapped[str] = mapped_column(String(16))
    monthly_by: Mapped[str] = mapped_column(String(16))
    first_date: Mapped[date] = mapped_column(Date)  # wall-clock date of the first session, in `timezone`
    start_time: Mapped[time] = mapped_column(Time)  # wall-clock time of every session, in `timezone`
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    room_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    link: Mapped[str | None] = mapped_column(String(500))
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[SeriesState] = mapped_column(EnumText(SeriesState, 16), default=SeriesState.ACTIVE)
    materialized_through: Mapped[int] = mapped_column(Integer, default=-1)  # highest sequence made an occurrence
    # Start of the first occurrence not made yet (far future once the rule has no more): the tick only looks
    # at series whose horizon has reached it.
    next_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The title (case and spacing ignored) and first start, while the series lives; none once it has ended.
    duplicate_key: Mapped[str | None] = mapped_column(String(400))
    medium: Mapped[SessionMedium | None] = mapped_column(EnumText(SessionMedium, 16))  # None: held in English


class Occurrence(Base):
    """One session of a series. ``scheduled_start`` is what the rule says; ``starts_at`` may have been moved."""

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("series_id", "sequence"),
        Index("ix_occurrences_guild_starts", "guild_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[SessionState] = mapped_column(EnumText(SessionState, 16), default=SessionState.SCHEDULED)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    announcement_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    announcement_message_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Rsvp(Base):
    """A member's answer for one session: going, waitlisted or declined. Holds the user ID; erasure removes it."""

    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "user_id"),
        Index("ix_rsvps_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[RsvpStatus] = mapped_column(EnumText(RsvpStatus, 16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attendance(Base):
    """Who was at a session, and how we know (voice, check-in, or a facilitator's correction)."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "user_id"),
        Index("ix_attendance_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(16))  # voice | checkin | facilitator
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Action(Base):
    """Something the bot must do for a session at a time: the ledger that makes scheduling survive restarts."""

    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "kind"),
        Index("ix_actions_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | claimed | done | failed | skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))  # why it was skipped or failed; never message text


class MemberPreference(Base):
    """Per member and server: reminders on or off, and when they accepted the ground rules."""

    __tablename__ = "member_preferences"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    ground_rules_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prefers_welsh_medium: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MemberLanguage(Base):
    """The language a person reads Cwtch in, whichever server they meet it in. A row with ``chosen`` False records
    only their first contact (they were offered the choice then): until they choose, they read their server's
    default, whatever it is at the time."""

    __tablename__ = "member_languages"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[Language] = mapped_column(EnumText(Language, 8))
    chosen: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DmChannel(Base):
    """The DM channel Discord gave us for a user, so a reminder costs one request instead of two."""

    __tablename__ = "dm_channels"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReleasedFigures:
    """The figures a report sums, frozen in each released block (and summed per month): counts only."""

    sessions: Mapped[int] = mapped_column(Integer)
    responses: Mapped[int] = mapped_column(Integer)
    agreed_supported: Mapped[int] = mapped_column(Integer)
    agreed_supported_others: Mapped[int] = mapped_column(Integer)
    agreed_less_isolated: Mapped[int] = mapped_column(Integer)
    attendees: Mapped[int] = mapped_column(Integer)
    rsvps: Mapped[int] = mapped_column(Integer)
    waitlisted: Mapped[int] = mapped_column(Integer)
    no_shows: Mapped[int] = mapped_column(Integer)


RELEASED_FIGURES = (
    "sessions",
    "responses",
    "agreed_supported",
    "agreed_supported_others",
    "agreed_less_isolated",
    "attendees",
    "rsvps",
    "waitlisted",
    "no_shows",
)


class ReleaseBlock(ReleasedFigures, Base):
    """Consecutive sessions of one cohort whose surveys closed, released together once they hold at least the
    anonymity threshold of respondents. Its figures are frozen when released and never change (an erasure does not
    recount them): reports add up whole blocks, so no difference of two reports isolates fewer people than the
    threshold. Counts only: nothing here points at a person."""

    __tablename__ = "release_blocks"
    # Covering for reports: a guild's blocks in date and cohort order (then by id, so a day's IDs come in order),
    # with every figure a report sums: a report over a year of blocks reads this index alone, already grouped.
    __table_args__ = (Index("ix_release_blocks_report", "guild_id", "dated", "cohort_id", "id", *RELEASED_FIGURES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    first_start: Mapped[datetime] = mapped_column(UTCDateTime)
    last_start: Mapped[datetime] = mapped_column(UTCDateTime)
    dated: Mapped[date] = mapped_column(Date)  # the local date of its last session, in the cohort's zone
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    people: Mapped[int] = mapped_column(Integer)  # distinct respondents across its sessions: at least the threshold


class ReleaseMonth(ReleasedFigures, Base):
    """A cohort's released blocks dated in one month, summed: written in the transaction that releases each block,
    so it is always exactly the sum of those whole blocks (which never change). A report over whole months reads a
    row per cohort and month here instead of every block; a month its period cuts is summed from the blocks."""

    __tablename__ = "release_months"
    __table_args__ = (Index("ix_release_months_guild_month", "guild_id", "month_start"),)

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    month_start: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the blocks' month
    guild_id: Mapped[int] = mapped_column(BigInteger)
    earliest: Mapped[date] = mapped_column(Date)  # the earliest and latest ``dated`` of its blocks
    latest: Mapped[date] = mapped_column(Date)
    block_ids: Mapped[str] = mapped_column(Text)  # the blocks summed, comma-separated, in the order released


class Survey(Base):
    """The feedback survey of one session: when it opened, when it closes, whether non-responders were reminded."""

    __tablename__ = "surveys"

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Running tallies, kept in step with the responses in the same transaction, so a report reads one row a
    # session instead of every answer. Counts only: nothing here points at a person.
    attendees: Mapped[int] = mapped_column(Integer, default=0)
    responses: Mapped[int] = mapped_column(Integer, default=0)
    agreed_supported: Mapped[int] = mapped_column(Integer, default=0)
    agreed_supported_others: Mapped[int] = mapped_column(Integer, default=0)
    agreed_less_isolated: Mapped[int] = mapped_column(Integer, default=0)
    # The release block that counts this session, once its survey closed and a block filled; None until then.
    block_id: Mapped[int | None] = mapped_column(ForeignKey("release_blocks.id"), index=True)


class FeedbackResponse(Base):
    """One person's answers about one session, under a keyed pseudonym (never their Discord ID)."""

    __tablename__ = "feedback_responses"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "pseudonym"),
        # The comments still held, by age: the daily retention purge reads only these, not every answer.
        Index(
            "ix_feedback_responses_comment_age",
            "updated_at",
            sqlite_where=text("comment IS NOT NULL"),
            postgresql_where=text("comment IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    pseudonym: Mapped[str] = mapped_column(String(64))
    supported: Mapped[int] = mapped_column(SmallInteger)
    supported_others: Mapped[int] = mapped_column(SmallInteger)
    less_isolated: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CommunityEvent(Base):
    """A member joining or leaving the wellbeing community of practice: the history behind "members over time"."""

    __tablename__ = "community_events"
    __table_args__ = (
        Index("ix_community_events_guild_at", "guild_id", "at"),
        Index("ix_community_events_guild_user", "guild_id", "user_id"),
        Index("ix_community_events_guild_block", "guild_id", "block_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)  # ERASED_USER: the nameless leave of an erased member
    kind: Mapped[str] = mapped_column(String(8))  # join | leave
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    block_id: Mapped[int | None] = mapped_column(ForeignKey("community_blocks.id"))  # once released


class Resource(Base):
    """A wellbeing resource: a post in the resources forum once approved; a member's suggestion until then."""

    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint("guild_id", "url_key"),
        Index("ix_resources_guild_status", "guild_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    url_key: Mapped[str] = mapped_column(String(500))  # the URL normalised, to refuse duplicates
    summary: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # the forum post, once approved
    review_message_id: Mapped[int | None] = mapped_column(BigInteger)  # the card in the facilitators' channel
    suggested_by: Mapped[int | None] = mapped_column(BigInteger)
    added_by: Mapped[int | None] = mapped_column(BigInteger)  # who added or approved it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ResourceOpen(Base):
    """One opening of a resource through the bot. Counts only: who opened it is not kept."""

    __tablename__ = "resource_opens"
    __table_args__ = (
        Index("ix_resource_opens_guild_at", "guild_id", "opened_at"),
        Index("ix_resource_opens_guild_block", "guild_id", "block_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    block_id: Mapped[int | None] = mapped_column(ForeignKey("community_blocks.id"))  # once released


class WhatWorksThread(Base):
    """A "what works" post a member shared in the resources forum."""

    __tablename__ = "what_works_threads"
    __table_args__ = (
        Index("ix_what_works_threads_guild_created", "guild_id", "created_at"),
        Index("ix_what_works_threads_guild_block", "guild_id", "block_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    author_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    block_id: Mapped[int | None] = mapped_column(ForeignKey("community_blocks.id"))  # once released


class CommunityBlockRow(Base):
    """Consecutive community activity (joins, leaves, "what works" posts, resources opened) of one guild,
    released together once it holds at least the anonymity threshold of people (see
    ``bot.domain.community_blocks``). Its figures are frozen when released and never change. Counts only."""

    __tablename__ = "community_blocks"
    __table_args__ = (Index("ix_community_blocks_guild_last", "guild_id", "last_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    people: Mapped[int] = mapped_column(Integer)  # distinct people who joined, left or posted: at least the threshold
    joins: Mapped[int] = mapped_column(Integer)
    leaves: Mapped[int] = mapped_column(Integer)
    posts: Mapped[int] = mapped_column(Integer)
    opens: Mapped[int] = mapped_column(Integer)
    tags_opened: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)  # [[tag, openings], ...] by tag


class MessageReport(Base):
    """A message a member reported to the facilitators: where it is and who reported it, never its text."""

    __tablename__ = "message_reports"
    __table_args__ = (UniqueConstraint("message_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    reporter_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Digest(Base):
    """The weekly community digest of one guild: claimed once, like an action, so it is posted exactly once."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("guild_id", "week_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    week_start: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="claimed")  # claimed | done | failed
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SafeguardingAlert(Base):
    """A safeguarding alert (a worrying feedback comment, or a reported message): who took it on, and its one
    resend after 24 hours, claimed like an action so it is sent exactly once. Never a comment or message text,
    and never who wrote the comment."""

    __tablename__ = "safeguarding_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # feedback | report
    occurrence_id: Mapped[int | None] = mapped_column(Integer)  # the session a feedback alert is about
    message_link: Mapped[str | None] = mapped_column(String(200))  # the reported message's link, never its text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by: Mapped[int | None] = mapped_column(BigInteger)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resend_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SafeguardingAlertMessage(Base):
    """Where an alert was delivered (the facilitators' channel, or a DM to ``recipient_id``): edited when someone
    takes the alert on; a DM's recipient may take it on from there."""

    __tablename__ = "safeguarding_alert_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_alerts.id", ondelete="CASCADE"), index=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    recipient_id: Mapped[int | None] = mapped_column(BigInteger)  # None: posted in the facilitators' channel
