"""Precompiled INSERT and UPSERT statements for the two write paths that measurably need them:
the roster import (bench/run.py: ``bulk_create`` of a thousand workers spends more time
preparing values than the database takes to store them) and atomic counters (the demands
statistics rollup, one ``INSERT … ON CONFLICT DO UPDATE``). The statements are built once per process
from the models' own field definitions (columns, defaults and database conversions), so a
field added to a model is picked up without editing SQL here. Both SQLite (≥ 3.35) and
PostgreSQL understand ``INSERT … ON CONFLICT … DO UPDATE`` and ``RETURNING``.

No model signals are sent for these rows (none are connected to them), and no ``save()`` runs:
use it only for models whose rows are complete when built, on a path that measurably needs it."""

import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import (
    BooleanField,
    CharField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)

# Values of fields of exactly these classes reach the driver as they are (Django's conversion
# of a str, int or bool to itself is most of what an ORM insert costs besides compiling it).
# Exactly: a subclass (an encrypted CharField, say) may convert on save, and always gets its
# own ``get_db_prep_save``.
_PLAIN = (CharField, TextField, IntegerField, BooleanField, ForeignKey)


def _plain(fields: tuple[Field, ...]) -> tuple[bool, ...]:
    """For each field, whether its str and int values may skip ``get_db_prep_save``."""
    return tuple(type(f) in _PLAIN for f in fields)


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(field: Field) -> str:
    """The quoted column of a concrete field (only those are written here)."""
    if field.column is None:
        raise TypeError(f"{field} has no column")
    return _qn(field.column)


def _concrete_field(model: type[Model], name: str) -> Field:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


@lru_cache(maxsize=64)
def _insert(
    model: type[Model], rows: int, returning: bool, vendor: str
) -> tuple[str, tuple[tuple[Field, bool], ...]]:
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {_qn(model._meta.db_table)} ({', '.join(_column(f) for f in fields)}) "  # noqa: S608
        f"VALUES {', '.join([row] * rows)}"
    )
    if returning:
        sql += f" RETURNING {_column(model._meta.pk)}"
    return sql, tuple(zip(fields, _plain(fields), strict=True))


def _value(obj: Model, field: Field, plain: bool, now: datetime, conn: Any) -> Any:
    value = getattr(obj, field.attname)
    if getattr(field, "auto_now", False) or (
        value is None and getattr(field, "auto_now_add", False)
    ):
        value = now
        setattr(obj, field.attname, value)
    if value is None or (plain and isinstance(value, str | int)):
        return value
    return field.get_db_prep_save(value, conn)


# Parameters per statement, under SQLite's 32,766 and PostgreSQL's 65,535.
MAX_PARAMETERS = 30_000
# From this many rows PostgreSQL gets them pipelined (see _insert_pipelined); fewer go in one
# short statement, which psycopg parses once and remembers.
PIPELINE_FROM = 50


def insert(objs: Sequence[Model], *, now: datetime, returning: bool = False) -> None:
    """Insert unsaved instances of one model, as few statements as the parameter limit allows
    (``auto_now`` fields take ``now``). With ``returning`` each instance gets its primary key,
    as ``bulk_create`` does (SQLite ≥ 3.35 and PostgreSQL return the rows in VALUES order)."""
    if not objs:
        return
    model = type(objs[0])
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor == "postgresql" and len(objs) >= PIPELINE_FROM:
        _insert_pipelined(objs, model, conn, now, returning)
        return
    fields = _insert(model, 1, False, conn.vendor)[1]
    per_statement = max(1, MAX_PARAMETERS // len(fields))
    for start in range(0, len(objs), per_statement):
        batch = objs[start : start + per_statement]
        sql, fields = _insert(model, len(batch), returning, conn.vendor)
        params = [_value(obj, f, plain, now, conn) for obj in batch for f, plain in fields]
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                _set_pks(batch, [row[0] for row in cursor.fetchall()], conn.alias)


def _insert_pipelined(
    objs: Sequence[Model], model: type[Model], conn: Any, now: datetime, returning: bool
) -> None:
    """PostgreSQL: one single-row statement sent for every instance in psycopg's pipeline.
    psycopg parses a statement's placeholders in Python, and a thousand-row VALUES list has
    twenty thousand of them: that parsing took longer than the database took to insert."""
    sql, fields = _insert(model, 1, returning, conn.vendor)
    rows = [[_value(obj, f, plain, now, conn) for f, plain in fields] for obj in objs]
    pks = []
    with conn.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own: Django's wrapper does not pass ``returning``
        started = time.monotonic()
        raw.executemany(sql, rows, returning=returning)
        while returning:
            pks.append(raw.fetchone()[0])
            if not raw.nextset():
                break
        if conn.queries_logged:  # as Django's cursor would (query counts in tests, debug tools)
            conn.queries_log.append(
                {"sql": f"{sql} -- × {len(rows)}", "time": f"{time.monotonic() - started:.3f}"}
            )
    if returning:
        _set_pks(objs, pks, conn.alias)


def _set_pks(objs: Sequence[Model], pks: list[Any], alias: str) -> None:
    """What bulk_create does to the instances it saved."""
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, alias


@lru_cache(maxsize=256)
def _upsert_add(
    model: type[Model], key: tuple[str, ...], names: tuple[str, ...], rows: int, vendor: str
) -> tuple[str, tuple[tuple[Field, bool], ...]]:
    table = _qn(model._meta.db_table)
    fields = tuple(_concrete_field(model, n) for n in (*key, *names))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sets = ", ".join(
        f"{_column(f)} = {table}.{_column(f)} + excluded.{_column(f)}" for f in fields[len(key) :]
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(_column(f) for f in fields)}) VALUES {', '.join([row] * rows)} "  # noqa: S608
        f"ON CONFLICT ({', '.join(_column(f) for f in fields[: len(key)])}) DO UPDATE SET {sets}"
    )
    return sql, tuple(zip(fields, _plain(fields), strict=True))


def upsert_add(
    model: type[Model], key: tuple[str, ...], rows: Iterable[tuple[Sequence[Any], dict[str, int]]]
) -> None:
    """For each (key values, {counter: delta}): add the deltas to the row with that unique key,
    creating it when missing, in one statement (every row carries the same counters)."""
    rows = list(rows)
    if not rows:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    names = tuple(sorted(rows[0][1]))
    sql, fields = _upsert_add(model, key, names, len(rows), conn.vendor)
    params = []
    for key_values, deltas in rows:
        values = [*key_values, *(deltas[n] for n in names)]
        params += [
            v if plain and isinstance(v, str | int) else f.get_db_prep_save(v, conn)
            for (f, plain), v in zip(fields, values, strict=True)
        ]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
