"""Query helpers that must behave the same, and stay indexed, on SQLite and PostgreSQL."""

from django.db import connection
from django.db.models import Q


def prefix_q(field: str, value: str) -> Q:
    """Rows whose ``field`` starts with ``value``, answered from a B-tree index.

    SQLite's LIKE is case-insensitive and cannot use an ordinary index, but its BINARY
    collation orders UTF-8 by code point, so a range does. On PostgreSQL, LIKE 'x%' uses the
    ``varchar_pattern_ops`` index the migrations add, whatever the database locale.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})
    return Q(**{f"{field}__startswith": value})
