"""report speed

Coordinators' reports read a guild's release blocks by date (issue 11, deliverable 6). The index on
``(guild_id, dated)`` becomes one that also holds the cohort, the block's id (a report lists them) and every figure
a report sums, in that order: a report over a year of blocks then reads the index alone, already grouped by date
and cohort, on SQLite and PostgreSQL alike. Its first two columns are the old index's, which it replaces. Schema
only; no data moves.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:30:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORT_COLUMNS = [
    'guild_id',
    'dated',
    'cohort_id',
    'id',
    'sessions',
    'responses',
    'agreed_supported',
    'agreed_supported_others',
    'agreed_less_isolated',
    'attendees',
    'rsvps',
    'waitlisted',
    'no_shows',
]


def upgrade() -> None:
    with op.batch_alter_table('release_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_release_blocks_report', REPORT_COLUMNS, unique=False)
        batch_op.drop_index('ix_release_blocks_guild_dated')


def downgrade() -> None:
    with op.batch_alter_table('release_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_release_blocks_guild_dated', ['guild_id', 'dated'], unique=False)
        batch_op.drop_index('ix_release_blocks_report')
