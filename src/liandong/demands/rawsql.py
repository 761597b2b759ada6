"""Precompiled INSERT and UPSERT statements for the public intake, the one write path whose
throughput is a target (bench/bench_demands.py): the ORM spends more time compiling an INSERT
of a 45-column row than SQLite spends executing it. The statements are built once per process
from the models' own field definitions (columns, defaults and database conversions), so a
field added to a model is picked up without editing SQL here. Both SQLite (≥ 3.35) and
PostgreSQL understand ``INSERT … ON CONFLICT … DO UPDATE`` and ``RETURNING``.

No model signals are sent for these rows (none are connected to them); nothing else in the
app should use this module."""

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

# Values of these fields reach the driver as they are (Django's conversion of a str, int or
# bool to itself is most of what an ORM insert costs besides compiling it).
_PLAIN = (CharField, TextField, IntegerField, BooleanField, ForeignKey)


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


@lru_cache(maxsize=64)
def _insert(model: type[Model], rows: int, returning: bool, vendor: str) -> tuple[str, tuple[Field, ...]]:
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {_qn(model._meta.db_table)} ({', '.join(_qn(f.column) for f in fields)}) "  # noqa: S608
           f"VALUES {', '.join([row] * rows)}")
    if returning:
        sql += f" RETURNING {_qn(model._meta.pk.column)}"
    return sql, fields


def _value(obj: Model, field: Field, now: datetime, conn: Any) -> Any:
    value = getattr(obj, field.attname)
    if getattr(field, "auto_now", False) or (value is None and getattr(field, "auto_now_add", False)):
        value = now
        setattr(obj, field.attname, value)
    if value is None or (isinstance(field, _PLAIN) and isinstance(value, str | int)):
        return value
    return field.get_db_prep_save(value, conn)


def insert(objs: Sequence[Model], *, now: datetime, returning: bool = False) -> int | None:
    """Insert unsaved instances of one model in one statement (``auto_now`` fields take
    ``now``). With ``returning`` (one instance only) sets and returns its primary key."""
    if not objs:
        return None
    model = type(objs[0])
    returning = returning and len(objs) == 1
    conn = connections[DEFAULT_DB_ALIAS]
    sql, fields = _insert(model, len(objs), returning, conn.vendor)
    params = [_value(obj, field, now, conn) for obj in objs for field in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        if not returning:
            return None
        pk = cursor.fetchone()[0] if conn.features.can_return_columns_from_insert else cursor.lastrowid
    objs[0].pk = pk
    return pk


@lru_cache(maxsize=256)
def _upsert_add(model: type[Model], key: tuple[str, ...], names: tuple[str, ...], rows: int,
                vendor: str) -> tuple[str, tuple[Field, ...]]:
    table = _qn(model._meta.db_table)
    fields = tuple(model._meta.get_field(n) for n in (*key, *names))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sets = ", ".join(f"{_qn(f.column)} = {table}.{_qn(f.column)} + excluded.{_qn(f.column)}" for f in fields[len(key):])
    sql = (f"INSERT INTO {table} ({', '.join(_qn(f.column) for f in fields)}) VALUES {', '.join([row] * rows)} "  # noqa: S608
           f"ON CONFLICT ({', '.join(_qn(f.column) for f in fields[:len(key)])}) DO UPDATE SET {sets}")
    return sql, fields


def upsert_add(model: type[Model], key: tuple[str, ...], rows: Iterable[tuple[Sequence[Any], dict[str, int]]]
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
        params += [v if isinstance(f, _PLAIN) and isinstance(v, str | int) else f.get_db_prep_save(v, conn)
                   for f, v in zip(fields, values, strict=True)]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
