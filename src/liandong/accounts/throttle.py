"""Login throttling (ASVS 6.1.1, 6.3.1): after repeated failures an account, or an address
spraying many accounts, is refused for a while, even with the right password.

Counts live in the shared database cache, so every app server sees the same numbers.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    return f"login-fail:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def is_locked(*, username: str, ip: str | None) -> bool:
    if cache.get(_key("user", username.lower()), 0) >= settings.LIANDONG_LOGIN_FAILURE_LIMIT:
        return True
    if not ip:
        return False
    return cache.get(_key("ip", ip), 0) >= settings.LIANDONG_LOGIN_IP_FAILURE_LIMIT


def record_failure(*, username: str, ip: str | None) -> None:
    timeout = settings.LIANDONG_LOGIN_LOCK_SECONDS
    for key in [_key("user", username.lower())] + ([_key("ip", ip)] if ip else []):
        cache.add(key, 0, timeout)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout)
        # incr() on the database cache rewrites the entry with the default timeout (5
        # minutes), which would end the lock early: give it back the full lock period.
        cache.touch(key, timeout)


def record_success(*, username: str) -> None:
    cache.delete(_key("user", username.lower()))
