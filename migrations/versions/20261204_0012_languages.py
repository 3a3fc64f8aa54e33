"""languages

Cymraeg and English (issue 15). A person's language is asked for on first contact and kept for them, whichever
server they meet Cwtch in (``member_languages``, as Discord keeps a person's own locale); per server, a member may
say they would rather join Welsh-medium sessions (``member_preferences.prefers_welsh_medium``). A server has a
default language for members who have not chosen (``guild_settings.language``, empty for English) and a way of
writing its channel posts (``guild_settings.channel_posts``: 'en', 'cy' or 'bilingual'). A series may be held in
Welsh or bilingually (``series.medium``; empty for English).

Plain ALTER TABLE statements, no batch mode: ``guild_settings`` keeps its trigger (migration 0010).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'member_languages',
        sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('chosen', sa.Boolean(), nullable=False),
        sa.Column('updated_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_member_languages')),
    )
    op.add_column(
        'member_preferences',
        sa.Column('prefers_welsh_medium', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column('guild_settings', sa.Column('language', sa.String(length=8), nullable=True))
    op.add_column(
        'guild_settings', sa.Column('channel_posts', sa.String(length=16), server_default='en', nullable=False)
    )
    op.add_column('series', sa.Column('medium', sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column('series', 'medium')
    op.drop_column('guild_settings', 'channel_posts')
    op.drop_column('guild_settings', 'language')
    op.drop_column('member_preferences', 'prefers_welsh_medium')
    op.drop_table('member_languages')
