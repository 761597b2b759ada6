"""Independent reads of one page computed side by side: the dashboard's two dozen figures each
wait on their own SQL, and a province's page spent most of its time waiting on one statement
after another. :func:`gather` runs them on a small pool of threads, each with its own database
connection, and hands back their answers in order.

- Each call runs in a copy of the caller's context (``contextvars``): the one-computation memo
  (``core/memo.py``), the active language, time zone and urlconf go with it.
- A pool thread's connection lives like a request's: :func:`close_old_connections` before
  and after each call honours ``CONN_MAX_AGE`` and the health checks, so a kept connection
  (and SQLite's warm page cache in it) serves the next page.
- The calls run inline, one after another, where threads could not see what the caller sees
  or would not help: inside a transaction (another connection would not see its uncommitted
  rows: every test that wraps itself in one, and any write path), with
  ``LIANDONG_READ_THREADS`` of 0 or 1, for a single call, or from a pool thread itself.
- A call that raises raises here, after the others finished (nothing is left running on a
  connection the request no longer owns).

The pool holds ``LIANDONG_READ_THREADS`` threads per process (3 by default: the machines have
2 cores, and a third thread overlaps one's Python with the others' waiting); each may keep a
database connection, which the PostgreSQL ``max_connections`` must allow for (README).
"""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connections

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()
_in_pool = threading.local()


def threads() -> int:
    return int(settings.LIANDONG_READ_THREADS)


def _executor(size: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is not None and _pool_size != size:  # the setting changed (tests do)
            _close(_pool, _pool_size)
            _pool = None
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="liandong-read")
            _pool_size = size
        return _pool


def _inline_only() -> bool:
    return getattr(_in_pool, "active", False) or any(
        connections[alias].in_atomic_block for alias in connections
    )


def _run(call: Callable[[], T]) -> T:
    _in_pool.active = True
    close_old_connections()
    try:
        return call()
    finally:
        close_old_connections()
        _in_pool.active = False


def shutdown() -> None:
    """Close every pool thread's database connections and stop the pool (the test session's
    end: PostgreSQL will not drop a test database that a connection still holds)."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is not None:
            _close(_pool, _pool_size)
        _pool, _pool_size = None, 0


def _close(pool: ThreadPoolExecutor, size: int) -> None:
    """Each thread takes one closing call: a barrier of the pool's size keeps any thread from
    taking two while another takes none."""
    everyone = threading.Barrier(size)

    def close() -> None:
        connections.close_all()
        everyone.wait(timeout=10)

    wait([pool.submit(close) for _ in range(size)])
    pool.shutdown(wait=True)


def gather(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """The answers of ``calls`` in their order: side by side on the pool, or inline (above)."""
    size = threads()
    if size <= 1 or len(calls) <= 1 or _inline_only():
        return [call() for call in calls]
    pool = _executor(size)
    futures: list[Future[Any]] = [pool.submit(copy_context().run, _run, call) for call in calls]
    wait(futures)
    return [future.result() for future in futures]
