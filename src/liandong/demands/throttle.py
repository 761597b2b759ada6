"""Rate limits of the public intake and follow-up: counters shared by every app server (the
idea of accounts/throttle.py), kept in ``DemandThrottle`` so that a check-and-count costs a
few statements inside the intake's own transaction. Limits come from the environment so that
a deployment (or the benchmark) can set its own."""

import hashlib
import os
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from liandong.demands.models import DemandThrottle


def _limit(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def limits() -> dict[str, tuple[int, int]]:
    """kind -> (allowed hits, window in seconds)."""
    return {
        "submit-ip": (_limit("LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR", 20), 3600),
        "submit-mobile": (_limit("LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY", 5), 86400),
        "lookup-ip": (_limit("LIANDONG_DEMANDS_FAILED_LOOKUPS_PER_IP_HOUR", 30), 3600),
    }


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def claim(*items: tuple[str, str | None]) -> bool:
    """Count one hit for each (kind, value) unless one of them is over its limit; False (and
    nothing counted) when it is. Call it in the transaction of the write it guards."""
    now = timezone.now()
    wanted = {_key(kind, value): kind for kind, value in items if value}
    if not wanted:
        return True
    rows = {row.key: row for row in DemandThrottle.objects.filter(key__in=list(wanted))}
    table = limits()
    for key, kind in wanted.items():
        row = rows.get(key)
        if row is not None and row.window_ends > now and row.hits >= table[kind][0]:
            return False
    fresh = []
    for key, kind in wanted.items():
        row = rows.get(key)
        window = timedelta(seconds=table[kind][1])
        if row is None:
            fresh.append(DemandThrottle(key=key, window_ends=now + window, hits=1))
        elif row.window_ends <= now:
            DemandThrottle.objects.filter(pk=row.pk).update(hits=1, window_ends=now + window)
        else:
            DemandThrottle.objects.filter(pk=row.pk).update(hits=F("hits") + 1)
    if fresh:
        # A concurrent first hit on the same key is simply not counted twice.
        DemandThrottle.objects.bulk_create(fresh, ignore_conflicts=True)
    return True


def exceeded(kind: str, value: str | None) -> bool:
    if not value:
        return False
    row = DemandThrottle.objects.filter(key=_key(kind, value)).first()
    return row is not None and row.window_ends > timezone.now() and row.hits >= limits()[kind][0]


def hit(kind: str, value: str | None) -> None:
    claim((kind, value))


def purge_expired() -> int:
    return DemandThrottle.objects.filter(window_ends__lte=timezone.now()).delete()[0]
