"""Make the audit log append-only in the database itself: UPDATE and DELETE are refused by a
trigger, on SQLite and on PostgreSQL alike.

The one exception is ``liandong flush`` (wiping the whole database, used by the test suite),
which opens the gate for its own session only: on PostgreSQL through the session setting
``liandong.audit_purge``, on SQLite through the per-connection function
``liandong_audit_purge_allowed()`` (see core.apps). Outside the app, e.g. in the sqlite3 shell,
that function does not exist and the trigger fails closed."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog "
    "WHEN NOT liandong_audit_purge_allowed() "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    "CREATE TRIGGER core_auditlog_no_delete BEFORE DELETE ON core_auditlog "
    "WHEN NOT liandong_audit_purge_allowed() "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditlog_no_update;",
    "DROP TRIGGER IF EXISTS core_auditlog_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
    BEGIN
        IF current_setting('liandong.audit_purge', true) = 'allowed' THEN
            IF TG_LEVEL = 'ROW' THEN RETURN OLD; END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit log is append-only';
    END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER core_auditlog_no_change BEFORE UPDATE OR DELETE ON core_auditlog "
    "FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only();",
    # TRUNCATE bypasses row triggers; refuse it too.
    "CREATE TRIGGER core_auditlog_no_truncate BEFORE TRUNCATE ON core_auditlog "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_auditlog_append_only();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditlog_no_change ON core_auditlog;",
    "DROP TRIGGER IF EXISTS core_auditlog_no_truncate ON core_auditlog;",
    "DROP FUNCTION IF EXISTS core_auditlog_append_only();",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
