"""A busy database answers 503 with Retry-After, never 500.

On SQLite one writer holds the file's write lock at a time; another waits for it (the busy
timeout) and then fails with ``OperationalError: database is locked``. On PostgreSQL a
statement that waits for a row or table lock longer than ``lock_timeout`` fails with SQLSTATE
55P03, and a deadlock or serialization failure (40P01, 40001) rolls its transaction back. In
each case nothing of the failed transaction was kept, so the request can be run again.

- ``retry_when_busy`` wraps a view or a django-ninja operation that is safe to run again (its
  writes are in one transaction, or it only reads): it runs it, and on a busy error runs it
  again after a short pause, within ``RETRY_BUDGET`` seconds in all; each attempt waits for
  locks no longer than what is left of the budget. When the budget is spent it answers 503
  with ``Retry-After``: ``{"detail": …}`` in Chinese under /api/, a Chinese page elsewhere.
- ``BusyDatabaseMiddleware`` answers the same 503 for a busy error raised by any other view
  (without retrying: only the view knows whether it is safe to run twice).
"""

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_BUDGET = 2.0  # seconds for all attempts of one request together
RETRY_AFTER = 5  # seconds the client is asked to wait before sending again
FIRST_PAUSE, LONGEST_PAUSE = 0.05, 0.4
BUSY_DETAIL = "系统繁忙，请稍后再试（约 5 秒后重新提交即可，已填写的内容不会丢失）"
# PostgreSQL: lock_not_available (lock_timeout), deadlock_detected, serialization_failure.
BUSY_SQLSTATES = {"55P03", "40P01", "40001"}
SQLITE_BUSY_TEXTS = ("database is locked", "database table is locked", "database is busy")

P = ParamSpec("P")
R = TypeVar("R")


def is_busy_error(error: BaseException) -> bool:
    """Whether ``error`` says the database was busy (locked), not that the query was wrong."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state in BUSY_SQLSTATES:
        return True
    text = str(error).lower()
    return any(busy in text for busy in SQLITE_BUSY_TEXTS)


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON ``{"detail": …}`` for the API, a Chinese page elsewhere."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": BUSY_DETAIL}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        # A page of its own, without the product's layout: rendering the layout may read the
        # database (the menu), which is what is failing.
        html = render_to_string("core/busy.html", {"detail": BUSY_DETAIL}, request=None)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


@contextmanager
def lock_wait_at_most(connection: BaseDatabaseWrapper, seconds: float) -> Iterator[None]:
    """Within the block, a statement waits for a lock at most ``seconds`` (SQLite's
    busy_timeout, PostgreSQL's lock_timeout), then fails as busy; restored after.

    Sent on the driver's own connection (``connection.connection``, sqlite3's or psycopg's
    ``execute``), not through a Django cursor: these are session settings, not the request's
    queries, and the exact query counts of the hot paths stay what they state."""
    milliseconds = max(int(seconds * 1000), 1)
    if connection.vendor not in ("sqlite", "postgresql"):
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        previous = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
        raw.execute(f"PRAGMA busy_timeout = {milliseconds}")
        restore = f"PRAGMA busy_timeout = {previous}"
    else:
        raw.execute(f"SET lock_timeout = {milliseconds}")
        restore = "RESET lock_timeout"
    try:
        yield
    finally:
        raw = connection.connection
        if raw is not None:  # closed by the view (or a broken one): a new one starts fresh
            try:
                raw.execute(restore)
            except Exception:  # the driver's own error class; the connection is replaced
                logger.warning("Could not restore the lock wait on %s", connection.alias)


def retry_when_busy(view: Callable[P, R]) -> Callable[P, R]:
    """Run ``view`` again while the database is busy, within ``RETRY_BUDGET``; then 503.

    Only for a view that is safe to run twice: each attempt must either commit all of its
    writes in one transaction or fail with none kept (a busy error rolls that transaction
    back). Inside an outer transaction (ATOMIC_REQUESTS, a test case) it cannot run again,
    and answers 503 at once."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        request = next(arg for arg in args if isinstance(arg, HttpRequest))
        connection = connections[DEFAULT_DB_ALIAS]
        deadline = time.monotonic() + RETRY_BUDGET
        pause = FIRST_PAUSE
        attempts = 0
        while True:
            attempts += 1
            try:
                with lock_wait_at_most(connection, deadline - time.monotonic()):
                    return view(*args, **kwargs)
            except OperationalError as error:
                if not is_busy_error(error):
                    raise
                if connection.in_atomic_block or time.monotonic() + pause >= deadline:
                    logger.warning(
                        "Database busy: %s %s answered 503 after %d attempt(s): %s",
                        request.method,
                        request.path,
                        attempts,
                        error,
                    )
                    return cast(R, busy_response(request))
            time.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

    return wrapper


class BusyDatabaseMiddleware:
    """A busy error that escapes any view is a 503 with Retry-After, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if not is_busy_error(exception):
            return None
        logger.warning(
            "Database busy: %s %s answered 503: %s", request.method, request.path, exception
        )
        return busy_response(request)
