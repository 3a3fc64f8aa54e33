"""series sessions rsvps attendance actions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:29:27.568595
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('dm_channels',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_dm_channels'))
    )
    op.create_table('member_preferences',
    sa.Column('guild_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('ground_rules_accepted_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('guild_id', 'user_id', name=op.f('pk_member_preferences'))
    )
    op.create_table('series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('cadence', sa.String(length=16), nullable=False),
    sa.Column('monthly_by', sa.String(length=16), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('room_channel_id', sa.BigInteger(), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('materialized_through', sa.Integer(), nullable=False),
    sa.Column('next_start', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_series_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series'))
    )
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_series_guild_state', ['guild_id', 'state'], unique=False)
        batch_op.create_index('ix_series_state_next_start', ['state', 'next_start'], unique=False)

    op.create_table('occurrences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('scheduled_start', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('starts_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('cancel_reason', sa.String(length=500), nullable=True),
    sa.Column('announcement_channel_id', sa.BigInteger(), nullable=True),
    sa.Column('announcement_message_id', sa.BigInteger(), nullable=True),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('opened_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_occurrences_series_id_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occurrences')),
    sa.UniqueConstraint('series_id', 'sequence', name=op.f('uq_occurrences_series_id_sequence'))
    )
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.create_index('ix_occurrences_guild_starts', ['guild_id', 'starts_at'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('due_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('lease_until', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_actions_occurrence_id_occurrences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions')),
    sa.UniqueConstraint('occurrence_id', 'kind', name=op.f('uq_actions_occurrence_id_kind'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index('ix_actions_state_due', ['state', 'due_at'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_attendance_occurrence_id_occurrences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('occurrence_id', 'user_id', name=op.f('uq_attendance_occurrence_id_user_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_guild_user', ['guild_id', 'user_id'], unique=False)

    op.create_table('rsvps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('updated_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_rsvps_occurrence_id_occurrences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rsvps')),
    sa.UniqueConstraint('occurrence_id', 'user_id', name=op.f('uq_rsvps_occurrence_id_user_id'))
    )
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.create_index('ix_rsvps_guild_user', ['guild_id', 'user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_index('ix_rsvps_guild_user')

    op.drop_table('rsvps')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_guild_user')

    op.drop_table('attendance')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_state_due')

    op.drop_table('actions')
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.drop_index('ix_occurrences_guild_starts')

    op.drop_table('occurrences')
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_index('ix_series_state_next_start')
        batch_op.drop_index('ix_series_guild_state')
        batch_op.drop_index(batch_op.f('ix_series_cohort_id'))

    op.drop_table('series')
    op.drop_table('member_preferences')
    op.drop_table('dm_channels')
