"""safeguarding alerts

Every safeguarding alert (a worrying feedback comment, or a reported message) is kept so that a facilitator can
take it on with a button, and so that one nobody takes is sent again once after 24 hours (claimed like an
action). ``safeguarding_alert_messages`` says where each alert was delivered, to mark it taken there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 16:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('safeguarding_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=True),
    sa.Column('message_link', sa.String(length=200), nullable=True),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('taken_by', sa.BigInteger(), nullable=True),
    sa.Column('taken_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resend_due_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resent_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('lease_until', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_alerts'))
    )
    with op.batch_alter_table('safeguarding_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_alerts_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_alerts_resend_due_at'), ['resend_due_at'], unique=False)

    op.create_table('safeguarding_alert_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.Column('recipient_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['safeguarding_alerts.id'], name=op.f('fk_safeguarding_alert_messages_alert_id_safeguarding_alerts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_alert_messages'))
    )
    with op.batch_alter_table('safeguarding_alert_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_messages_alert_id'), ['alert_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('safeguarding_alert_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_alert_messages_alert_id'))

    op.drop_table('safeguarding_alert_messages')
    with op.batch_alter_table('safeguarding_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_alerts_resend_due_at'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_alerts_guild_id'))

    op.drop_table('safeguarding_alerts')
