from django.db import connection


def sqlite_optimize(dry_run: bool) -> str:
    """Refresh SQLite's index statistics where they have gone stale (``PRAGMA optimize``):
    without them the planner may sort a large table for a list it could read from an index.
    PostgreSQL's autovacuum does the same there by itself."""
    if connection.vendor != "sqlite":
        return "not SQLite: autovacuum keeps statistics"
    if dry_run:
        return "would run PRAGMA optimize"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA optimize")
    return "PRAGMA optimize done"


TICK_JOBS = [("core.sqlite_optimize", sqlite_optimize)]
