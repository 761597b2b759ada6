"""Rate limits of the public intake and follow-up: counters shared by every app server (the
idea of accounts/throttle.py), kept in ``DemandThrottle`` so that a check-and-count costs a
few statements inside the intake's own transaction. Limits are settings (read from the
environment in settings/base.py) so that a deployment (or the benchmark) can set its own."""

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from liandong.core import races
from liandong.demands.models import DemandThrottle

# Objections to a model worker's public notice (democracy's 公示异议, a public form): a few an
# hour per address, counted here like the demands' public forms so that the limit holds under
# concurrent requests (workers' self-registration counts its texts here too).
OBJECTIONS_PER_IP_HOUR = 5


def limits() -> dict[str, tuple[int, int]]:
    """kind -> (allowed hits, window in seconds)."""
    return {
        "submit-ip": (settings.LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR, 3600),
        "submit-mobile": (settings.LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY, 86400),
        "lookup-ip": (settings.LIANDONG_DEMANDS_FAILED_LOOKUPS_PER_IP_HOUR, 3600),
        # 发短信到我的手机 on the receipt: a few texts of one code a day, and per address.
        "text-code-demand": (3, 86400),
        "text-code-ip": (settings.LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR, 3600),
        # The public form's category hint, asked as the worker types (a pause of 0.6 s).
        "suggest-ip": (getattr(settings, "LIANDONG_DEMANDS_SUGGESTIONS_PER_IP_HOUR", 600), 3600),
        "objection-ip": (OBJECTIONS_PER_IP_HOUR, 3600),
    }


def window(kind: str) -> int:
    """Seconds after which a refused client may try again (the Retry-After of a 429): the
    kind's whole window, an upper bound that needs no query."""
    return limits()[kind][1]


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def _upsert_sql(rows: int) -> str:
    q = connection.ops.quote_name
    table, key, ends, hits = q(DemandThrottle._meta.db_table), q("key"), q("window_ends"), q("hits")
    return (
        f"INSERT INTO {table} ({key}, {ends}, {hits}) VALUES {', '.join(['(%s, %s, 1)'] * rows)} "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{hits} = CASE WHEN {table}.{ends} <= %s THEN 1 ELSE {table}.{hits} + 1 END, "
        f"{ends} = CASE WHEN {table}.{ends} <= %s THEN excluded.{ends} ELSE {table}.{ends} END "
        f"RETURNING {key}, {hits}"
    )


# The claim's guard: the count and the answer come from one UPSERT. It is a flag only so that
# the concurrency test's control run can turn it off and show the race it prevents (read the
# hits, then count one: requests that all read 3 of 4 all pass).
CLAIM_UPSERT = True


def _count(wanted: dict[str, str], params: list, moment: Any) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(len(wanted)), [*params, moment, moment])
        return cursor.fetchall()


def _claim_unguarded(wanted: dict[str, str], params: list, moment: Any) -> bool:
    """The control run's check-then-act claim (CLAIM_UPSERT off): never used by the product."""
    table = limits()
    counted = dict(
        DemandThrottle.objects.filter(key__in=wanted, window_ends__gt=timezone.now()).values_list(
            "key", "hits"
        )
    )
    allowed = all(counted.get(key, 0) < table[kind][0] for key, kind in wanted.items())
    races.window()  # control path only: all threads read before any writes
    _count(wanted, params, moment)
    return allowed


def claim(*items: tuple[str, str | None]) -> bool:
    """Count one hit for each (kind, value) and tell whether all of them are still within their
    limits. One statement (an UPSERT per key, all keys at once): it takes the counters' row
    locks, so concurrent requests are counted one after the other and a limit holds exactly.
    When it answers False the caller must roll back its transaction (raise inside
    ``transaction.atomic``): the refused request then counts nowhere."""
    now = timezone.now()
    table = limits()
    wanted = {_key(kind, value): kind for kind, value in items if value}
    if not wanted:
        return True
    field = DemandThrottle._meta.get_field("window_ends")
    params: list = []
    for key, kind in wanted.items():
        params += [key, field.get_db_prep_save(now + timedelta(seconds=table[kind][1]), connection)]
    moment = field.get_db_prep_save(now, connection)
    if not CLAIM_UPSERT:
        return _claim_unguarded(wanted, params, moment)
    counted = _count(wanted, params, moment)
    return all(hits <= table[wanted[key]][0] for key, hits in counted)


def exceeded(kind: str, value: str | None) -> bool:
    if not value:
        return False
    row = DemandThrottle.objects.filter(key=_key(kind, value)).first()
    return row is not None and row.window_ends > timezone.now() and row.hits >= limits()[kind][0]


def hit(kind: str, value: str | None) -> None:
    """Count one hit (a failed lookup: counted even past the limit, nothing to roll back)."""
    claim((kind, value))


def purge_expired() -> int:
    return DemandThrottle.objects.filter(window_ends__lte=timezone.now()).delete()[0]
