from typing import Any

from django.db import connection

from liandong.core.demo import demo_load


def demo_load_analyzed() -> dict[str, Any]:
    """The demo data set, with the statistics autovacuum gives a production database on
    PostgreSQL: without them the planner joins the scoped lookups (activities' applications
    above all) row by row, seconds per request, and a crawl or fuzz run over the demo takes
    many minutes instead of one."""
    ctx = demo_load()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ctx
