"""Query helpers that must behave the same, and stay indexed, on SQLite and PostgreSQL."""

from django.db import connection
from django.db.models import CharField, F, Field, Func, Q, QuerySet


def prefix_q(field: str, value: str) -> Q:
    """Rows whose ``field`` starts with ``value``, answered from a B-tree index.

    SQLite's LIKE is case-insensitive and cannot use an ordinary index, but its BINARY
    collation orders UTF-8 by code point, so a range does. On PostgreSQL, LIKE 'x%' uses the
    ``varchar_pattern_ops`` index the migrations add, whatever the database locale.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})
    return Q(**{f"{field}__startswith": value})


class Unindexed(Func):
    """``+column``: SQLite's unary plus keeps the value but hides the column from the planner,
    the documented way to stop it from choosing that column's index."""

    template = "+%(expressions)s"
    arity = 1


def filter_range(
    queryset: QuerySet, field: str, low: str, high: str, *, use_index: bool = True
) -> QuerySet:
    """``low <= field < high``; with ``use_index=False`` SQLite is told not to drive the query
    from ``field``'s index.

    Why: SQLite has no statistics here and, given "newest 20 where path in range", prefers
    the range's index and sorts every match (300 ms for a province, 2.4 s with a name
    prefix), where walking the id index backwards finds 20 matches at once. PostgreSQL
    plans this from its statistics and needs no hint.
    """
    if use_index or connection.vendor != "sqlite":
        return queryset.filter(**{f"{field}__gte": low, f"{field}__lt": high})
    alias = f"_unindexed_{field.replace('__', '_')}"
    return queryset.alias(**{alias: Unindexed(F(field), output_field=CharField())}).filter(
        **{f"{alias}__gte": low, f"{alias}__lt": high}
    )


def filter_unindexed(
    queryset: QuerySet, field: str, lookup: str, value: object, output_field: Field
) -> QuerySet:
    """``field__lookup=value``, hidden from SQLite's planner (see ``filter_range``)."""
    if connection.vendor != "sqlite":
        return queryset.filter(**{f"{field}__{lookup}": value})
    alias = f"_unindexed_{field.replace('__', '_')}"
    return queryset.alias(**{alias: Unindexed(F(field), output_field=output_field)}).filter(
        **{f"{alias}__{lookup}": value}
    )
