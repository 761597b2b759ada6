"""Rate limits of the public intake and follow-up (the accounts/throttle.py pattern: counts in
the shared database cache, so every app server sees the same numbers). Limits come from the
environment so that a deployment (or the benchmark) can set its own."""

import hashlib
import os

from django.core.cache import cache


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
    return f"demands:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def exceeded(kind: str, value: str | None) -> bool:
    if not value:
        return False
    allowed, _ = limits()[kind]
    return cache.get(_key(kind, value), 0) >= allowed


def hit(kind: str, value: str | None) -> None:
    if not value:
        return
    _, window = limits()[kind]
    key = _key(kind, value)
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
    cache.touch(key, window)
