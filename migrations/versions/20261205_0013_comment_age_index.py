"""comment age index

The daily retention purge deletes the text of comments past their retention. It read every answer to find the few
comments still held (a full scan of ``feedback_responses``: about 180 ms on a million answers, in one statement the
bot's event loop could not interleave). A partial index on ``updated_at`` over the rows that still hold a comment
lets it read only those.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_feedback_responses_comment_age',
        'feedback_responses',
        ['updated_at'],
        unique=False,
        sqlite_where=sa.text('comment IS NOT NULL'),
        postgresql_where=sa.text('comment IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_feedback_responses_comment_age', table_name='feedback_responses')
