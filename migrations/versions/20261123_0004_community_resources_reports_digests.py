"""community resources reports digests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:53:17.572477
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('community_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_events'))
    )
    with op.batch_alter_table('community_events', schema=None) as batch_op:
        batch_op.create_index('ix_community_events_guild_at', ['guild_id', 'at'], unique=False)
        batch_op.create_index('ix_community_events_guild_user', ['guild_id', 'user_id'], unique=False)

    op.create_table('digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('lease_until', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('finished_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digests')),
    sa.UniqueConstraint('guild_id', 'week_start', name=op.f('uq_digests_guild_id_week_start'))
    )
    op.create_table('message_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.Column('reporter_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_reports')),
    sa.UniqueConstraint('message_id', 'reporter_id', name=op.f('uq_message_reports_message_id_reporter_id'))
    )
    with op.batch_alter_table('message_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_reports_guild_id'), ['guild_id'], unique=False)

    op.create_table('resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('url_key', sa.String(length=500), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.Column('review_message_id', sa.BigInteger(), nullable=True),
    sa.Column('suggested_by', sa.BigInteger(), nullable=True),
    sa.Column('added_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources')),
    sa.UniqueConstraint('guild_id', 'url_key', name=op.f('uq_resources_guild_id_url_key'))
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index('ix_resources_guild_status', ['guild_id', 'status'], unique=False)

    op.create_table('what_works_threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('thread_id', sa.BigInteger(), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_what_works_threads')),
    sa.UniqueConstraint('thread_id', name=op.f('uq_what_works_threads_thread_id'))
    )
    with op.batch_alter_table('what_works_threads', schema=None) as batch_op:
        batch_op.create_index('ix_what_works_threads_guild_created', ['guild_id', 'created_at'], unique=False)

    op.create_table('resource_opens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_opens_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_opens'))
    )
    with op.batch_alter_table('resource_opens', schema=None) as batch_op:
        batch_op.create_index('ix_resource_opens_guild_at', ['guild_id', 'opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_opens_resource_id'), ['resource_id'], unique=False)

    with op.batch_alter_table('guild_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('community_role_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('support_text', sa.Text(), nullable=True))

    _create_resource_search()



# Full-text search over resources, engine by engine (autogenerate cannot express either; migrations/env.py
# leaves these objects out of `alembic check`). SQLite: an FTS5 table over the resources table's own columns, kept
# in step by triggers, porter-stemmed, ranked with bm25. PostgreSQL: a GIN index on the weighted document the
# repository searches (title A, tags B, summary C); the expression must stay identical to bot/db/resources.py's.
RESOURCE_SEARCH_SQLITE = (
    "CREATE VIRTUAL TABLE resources_fts USING fts5(title, summary, tags, content='resources', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER resources_fts_insert AFTER INSERT ON resources BEGIN "
    "INSERT INTO resources_fts(rowid, title, summary, tags) VALUES (new.id, new.title, new.summary, new.tags); END",
    "CREATE TRIGGER resources_fts_delete AFTER DELETE ON resources BEGIN "
    "INSERT INTO resources_fts(resources_fts, rowid, title, summary, tags) "
    "VALUES ('delete', old.id, old.title, old.summary, old.tags); END",
    "CREATE TRIGGER resources_fts_update AFTER UPDATE OF title, summary, tags ON resources BEGIN "
    "INSERT INTO resources_fts(resources_fts, rowid, title, summary, tags) "
    "VALUES ('delete', old.id, old.title, old.summary, old.tags); "
    "INSERT INTO resources_fts(rowid, title, summary, tags) VALUES (new.id, new.title, new.summary, new.tags); END",
    "INSERT INTO resources_fts(resources_fts) VALUES ('rebuild')",
)
RESOURCE_SEARCH_POSTGRESQL = (
    "CREATE INDEX ix_resources_search ON resources USING gin (("
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, tags), 'B') || "
    "setweight(to_tsvector('english'::regconfig, summary), 'C')))"
)


def _create_resource_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in RESOURCE_SEARCH_SQLITE:
            op.execute(statement)
    elif dialect == 'postgresql':
        op.execute(RESOURCE_SEARCH_POSTGRESQL)


def _drop_resource_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('resources_fts_insert', 'resources_fts_delete', 'resources_fts_update'):
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS resources_fts')
    elif dialect == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_resources_search')


def downgrade() -> None:
    _drop_resource_search()
    with op.batch_alter_table('guild_settings', schema=None) as batch_op:
        batch_op.drop_column('support_text')
        batch_op.drop_column('community_role_id')

    with op.batch_alter_table('resource_opens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_opens_resource_id'))
        batch_op.drop_index('ix_resource_opens_guild_at')

    op.drop_table('resource_opens')
    with op.batch_alter_table('what_works_threads', schema=None) as batch_op:
        batch_op.drop_index('ix_what_works_threads_guild_created')

    op.drop_table('what_works_threads')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index('ix_resources_guild_status')

    op.drop_table('resources')
    with op.batch_alter_table('message_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_reports_guild_id'))

    op.drop_table('message_reports')
    op.drop_table('digests')
    with op.batch_alter_table('community_events', schema=None) as batch_op:
        batch_op.drop_index('ix_community_events_guild_user')
        batch_op.drop_index('ix_community_events_guild_at')

    op.drop_table('community_events')
