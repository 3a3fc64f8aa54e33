"""release blocks

Reports now add up fixed release blocks (issue 11): ``release_blocks`` holds each block's frozen figures, and
``surveys.block_id`` says which block counts a session. This migration only makes the schema; it moves no data.
Existing data is released by the bot itself: the first run after upgrading (its start-up sweep, see
``bot.services.releases``) groups every closed survey's sessions, per cohort and in start order, into blocks of at
least ``FEEDBACK_MIN_GROUP`` respondents, and leaves each cohort's unfull tail waiting. Until then a report shows
sessions waiting rather than figures. Matching respondents needs the pseudonym key, which lives outside the
database, which is why a migration cannot do it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:44:52.528727
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('release_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('first_start', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_start', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dated', sa.Date(), nullable=False),
    sa.Column('released_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('agreed_supported', sa.Integer(), nullable=False),
    sa.Column('agreed_supported_others', sa.Integer(), nullable=False),
    sa.Column('agreed_less_isolated', sa.Integer(), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('rsvps', sa.Integer(), nullable=False),
    sa.Column('waitlisted', sa.Integer(), nullable=False),
    sa.Column('no_shows', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_release_blocks_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_blocks'))
    )
    with op.batch_alter_table('release_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_release_blocks_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_release_blocks_guild_dated', ['guild_id', 'dated'], unique=False)

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('block_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_surveys_block_id'), ['block_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_surveys_block_id_release_blocks'), 'release_blocks', ['block_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_surveys_block_id_release_blocks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_surveys_block_id'))
        batch_op.drop_column('block_id')

    with op.batch_alter_table('release_blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_release_blocks_guild_dated')
        batch_op.drop_index(batch_op.f('ix_release_blocks_cohort_id'))

    op.drop_table('release_blocks')
