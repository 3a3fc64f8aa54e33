"""series duplicate key

A duplicate series is refused (issue 13, deliverable 4): ``series.duplicate_key`` holds the title (case and
spacing ignored) and the first start of a series while it lives (none once it has ended), and a unique index on
``(cohort_id, duplicate_key)`` holds even when two identical ``/series create`` arrive at once, on SQLite and
PostgreSQL alike (NULLs never clash, so ended series don't count). Existing live series get their key; where
duplicates were made before this, the oldest keeps it and the others stay keyless, so the upgrade never fails.

No batch mode: on SQLite a batch operation copies the table and drops the old one, and dropping ``series`` with
foreign keys on would cascade to every session, RSVP and attendance of it. Adding a column and an index (and
dropping them, SQLite 3.35+) are plain statements that leave the table where it is.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SERIES = sa.table(
    'series',
    sa.column('id', sa.Integer()),
    sa.column('cohort_id', sa.Integer()),
    sa.column('title', sa.String()),
    sa.column('first_date', sa.Date()),
    sa.column('start_time', sa.Time()),
    sa.column('state', sa.String()),
    sa.column('duplicate_key', sa.String()),
)


def upgrade() -> None:
    op.add_column('series', sa.Column('duplicate_key', sa.String(length=400), nullable=True))

    connection = op.get_bind()
    live = connection.execute(
        sa.select(_SERIES.c.id, _SERIES.c.cohort_id, _SERIES.c.title, _SERIES.c.first_date, _SERIES.c.start_time)
        .where(_SERIES.c.state != 'ended')
        .order_by(_SERIES.c.id)
    ).all()
    taken: set[tuple[int, str]] = set()
    for series_id, cohort_id, title, first_date, start_time in live:
        # As bot.domain.series_rules.duplicate_key says, written out so this migration never changes with it.
        key = f"{' '.join(title.split()).casefold()}|{first_date:%Y-%m-%d}T{start_time:%H:%M}"
        if (cohort_id, key) in taken:
            continue
        taken.add((cohort_id, key))
        connection.execute(sa.update(_SERIES).where(_SERIES.c.id == series_id).values(duplicate_key=key))

    op.create_index('uq_series_cohort_duplicate_key', 'series', ['cohort_id', 'duplicate_key'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_series_cohort_duplicate_key', table_name='series')
    op.drop_column('series', 'duplicate_key')
