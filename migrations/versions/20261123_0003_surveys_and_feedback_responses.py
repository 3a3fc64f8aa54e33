"""surveys and feedback responses

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:23:30.448961
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('feedback_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.Column('supported', sa.SmallInteger(), nullable=False),
    sa.Column('supported_others', sa.SmallInteger(), nullable=False),
    sa.Column('less_isolated', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('submitted_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_feedback_responses_occurrence_id_occurrences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_responses')),
    sa.UniqueConstraint('occurrence_id', 'pseudonym', name=op.f('uq_feedback_responses_occurrence_id_pseudonym'))
    )
    op.create_table('surveys',
    sa.Column('occurrence_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('opened_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('agreed_supported', sa.Integer(), nullable=False),
    sa.Column('agreed_supported_others', sa.Integer(), nullable=False),
    sa.Column('agreed_less_isolated', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_surveys_occurrence_id_occurrences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('occurrence_id', name=op.f('pk_surveys'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_guild_id'), ['guild_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surveys_guild_id'))

    op.drop_table('surveys')
    op.drop_table('feedback_responses')
