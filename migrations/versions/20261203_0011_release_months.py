"""release months

A coordinator's report over whole months reads one row per cohort and month instead of every released block
(issue 11, deliverable 6). ``release_months`` holds, per cohort and month, the sum of the blocks dated in that
month, with their IDs and earliest and latest dates; the release step updates it in the transaction that releases
each block, so it is always the sum of whole, frozen blocks. Existing blocks are summed into it here.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = [
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
    months = op.create_table(
        'release_months',
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('month_start', sa.Date(), nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('earliest', sa.Date(), nullable=False),
        sa.Column('latest', sa.Date(), nullable=False),
        sa.Column('block_ids', sa.Text(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES),
        sa.ForeignKeyConstraint(
            ['cohort_id'], ['cohorts.id'], name=op.f('fk_release_months_cohort_id_cohorts'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('cohort_id', 'month_start', name=op.f('pk_release_months')),
    )
    op.create_index('ix_release_months_guild_month', 'release_months', ['guild_id', 'month_start'], unique=False)
    blocks = sa.table(
        'release_blocks',
        sa.column('id', sa.Integer()),
        sa.column('guild_id', sa.BigInteger()),
        sa.column('cohort_id', sa.Integer()),
        sa.column('dated', sa.Date()),
        *(sa.column(name, sa.Integer()) for name in FIGURES),
    )
    summed: dict[tuple[int, Any], dict[str, Any]] = {}
    for block in op.get_bind().execute(sa.select(blocks).order_by(blocks.c.id)).mappings():
        dated = block['dated']
        key = (block['cohort_id'], dated.replace(day=1))
        month = summed.get(key)
        if month is None:
            summed[key] = {
                'cohort_id': key[0],
                'month_start': key[1],
                'guild_id': block['guild_id'],
                'earliest': dated,
                'latest': dated,
                'block_ids': str(block['id']),
                **{name: block[name] for name in FIGURES},
            }
            continue
        month['earliest'], month['latest'] = min(month['earliest'], dated), max(month['latest'], dated)
        month['block_ids'] += f",{block['id']}"
        for name in FIGURES:
            month[name] += block[name]
    if summed:
        op.bulk_insert(months, list(summed.values()))


def downgrade() -> None:
    op.drop_index('ix_release_months_guild_month', table_name='release_months')
    op.drop_table('release_months')
