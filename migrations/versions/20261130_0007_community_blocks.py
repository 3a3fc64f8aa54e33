"""community blocks

The community report now adds up fixed release blocks too (issue 11): ``community_blocks`` holds each block's
frozen figures, and ``block_id`` on joins and leaves, "what works" posts and resource openings says which block
counts them. This migration only makes the schema; existing activity is released by the bot itself (its start-up
sweep and every community report, see ``bot.services.community_releases``), in time order, into blocks of at least
``FEEDBACK_MIN_GROUP`` people.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:48:55.024500
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('community_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('first_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('joins', sa.Integer(), nullable=False),
    sa.Column('leaves', sa.Integer(), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Integer(), nullable=False),
    sa.Column('tags_opened', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_blocks'))
    )
    with op.batch_alter_table('community_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_community_blocks_guild_last', ['guild_id', 'last_at'], unique=False)

    with op.batch_alter_table('community_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('block_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_community_events_guild_block', ['guild_id', 'block_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_community_events_block_id_community_blocks'), 'community_blocks', ['block_id'], ['id'])

    with op.batch_alter_table('resource_opens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('block_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_resource_opens_guild_block', ['guild_id', 'block_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_resource_opens_block_id_community_blocks'), 'community_blocks', ['block_id'], ['id'])

    with op.batch_alter_table('what_works_threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('block_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_what_works_threads_guild_block', ['guild_id', 'block_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_what_works_threads_block_id_community_blocks'), 'community_blocks', ['block_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('what_works_threads', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_what_works_threads_block_id_community_blocks'), type_='foreignkey')
        batch_op.drop_index('ix_what_works_threads_guild_block')
        batch_op.drop_column('block_id')

    with op.batch_alter_table('resource_opens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_resource_opens_block_id_community_blocks'), type_='foreignkey')
        batch_op.drop_index('ix_resource_opens_guild_block')
        batch_op.drop_column('block_id')

    with op.batch_alter_table('community_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_community_events_block_id_community_blocks'), type_='foreignkey')
        batch_op.drop_index('ix_community_events_guild_block')
        batch_op.drop_column('block_id')

    with op.batch_alter_table('community_blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_community_blocks_guild_last')

    op.drop_table('community_blocks')
