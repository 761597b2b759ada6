from django.db import connection

# Rows read per index by ANALYZE (a sample): a province's 900 MB database is analyzed in
# about 30 ms, a full ANALYZE takes seconds.
ANALYSIS_LIMIT = 1000


def sqlite_optimize(dry_run: bool) -> str:
    """Keep SQLite's index statistics fresh with a sampled ``ANALYZE`` (``PRAGMA
    analysis_limit``): without them the planner may sort a large table for a list it could
    read from an index. Not ``PRAGMA optimize``: SQLite 3.40 (Debian 12's) analyzes only the
    tables the same connection has just queried, and the tick's connection has queried none,
    so a database never had statistics (tests/test_jobs.py fails with it). PostgreSQL's
    autovacuum does this by itself."""
    if connection.vendor != "sqlite":
        return "not SQLite: autovacuum keeps statistics"
    if dry_run:
        return "would run ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return "ANALYZE done"


TICK_JOBS = [("core.sqlite_optimize", sqlite_optimize)]
