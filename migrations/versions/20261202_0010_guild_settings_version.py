"""guild settings version

Every process keeps the per-server settings (roles, channels, the ``/support`` signposting) in memory (issue 14).
A change must reach every process, whoever made it and however (a service, a script, an operator at a SQL prompt),
so the database itself records it, in the same transaction as the change:

- ``guild_settings.settings_version`` goes up by one on every update of a row (a trigger; nothing in Python has to
  remember to bump it). SQLite processes compare it with the version they hold when ``PRAGMA data_version`` says
  another connection has committed (see ``bot/services/settings_cache.py``).
- On PostgreSQL the same trigger also sends ``NOTIFY cwtch_guild_settings, '<guild_id>'`` for every insert, update
  and delete; a notification is delivered only when (and if) the transaction commits.

No batch mode: adding a column with a default is a plain statement on SQLite and keeps the table (and so the
trigger) where it is. A later batch migration of ``guild_settings`` on SQLite copies the table and drops its
triggers: it must create the trigger again (tests/integration/test_settings_cache.py would fail otherwise).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGER = """
CREATE TRIGGER guild_settings_version AFTER UPDATE ON guild_settings
FOR EACH ROW WHEN NEW.settings_version = OLD.settings_version
BEGIN
    UPDATE guild_settings SET settings_version = OLD.settings_version + 1 WHERE guild_id = NEW.guild_id;
END
"""

_POSTGRES_FUNCTION = """
CREATE FUNCTION cwtch_guild_settings_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('cwtch_guild_settings', OLD.guild_id::text);
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.settings_version := OLD.settings_version + 1;
    END IF;
    PERFORM pg_notify('cwtch_guild_settings', NEW.guild_id::text);
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

_POSTGRES_TRIGGER = """
CREATE TRIGGER guild_settings_version BEFORE INSERT OR UPDATE OR DELETE ON guild_settings
FOR EACH ROW EXECUTE FUNCTION cwtch_guild_settings_changed()
"""


def upgrade() -> None:
    op.add_column('guild_settings', sa.Column('settings_version', sa.Integer(), server_default='0', nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_POSTGRES_FUNCTION)
        op.execute(_POSTGRES_TRIGGER)
    else:
        op.execute(_SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER guild_settings_version ON guild_settings')
        op.execute('DROP FUNCTION cwtch_guild_settings_changed()')
    else:
        op.execute('DROP TRIGGER guild_settings_version')
    op.drop_column('guild_settings', 'settings_version')
