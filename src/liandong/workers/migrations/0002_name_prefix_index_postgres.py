"""On PostgreSQL, a prefix search (LIKE '王%') uses an index only with varchar_pattern_ops
unless the database locale is C. SQLite searches by range on the ordinary index instead
(see core.querying.prefix_q)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS worker_name_pattern_idx ON workers_worker (name varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS worker_name_pattern_idx")


class Migration(migrations.Migration):
    dependencies = [("workers", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
