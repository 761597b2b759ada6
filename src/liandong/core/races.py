"""The control runs' window between a read and a write.

Every rule that stops a race (a conditional UPDATE, an UPSERT, a row lock) is behind a module
flag, so that its concurrency test can run once with the rule off (the *control run*) and show
that the test catches the race it prevents. The unguarded path — never taken by the product —
calls :func:`window` between its read and its write.

On its own, :func:`window` pauses a little. A pause is not enough on a loaded machine: in CI one
thread sometimes read after the other had already written, and the control run passed when it
had to fail. So a control run that knows how many of its threads get there wraps them in
:func:`all_read_first`: each thread then waits in the window until all have read, and the race
shows every time. A thread that never comes (it was refused before its read) breaks the wait
after ``timeout`` seconds and the others go on."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.db import connection

PAUSE = 0.05

_meeting: threading.Barrier | None = None
_host: int | None = None  # the thread that opened the meeting (the test, setting up) never meets


def window() -> None:
    """Between a control path's read and its write: wait for the other threads, or pause."""
    meeting = _meeting
    if meeting is None or threading.get_ident() == _host:
        time.sleep(PAUSE)
        return
    with suppress(threading.BrokenBarrierError):
        meeting.wait()


@contextmanager
def all_read_first(
    parties: int, *, autocommit: bool = False, timeout: float = 10
) -> Iterator[threading.Barrier | None]:
    """While inside, :func:`window` holds each thread until ``parties`` threads have read.

    The barrier is cyclic: a path that reads and writes once per call meets once per round.

    On SQLite a control path inside a transaction holds the database's one write lock from its
    first statement (``transaction_mode`` IMMEDIATE): the other threads wait to begin, never
    reach the window, and the race cannot happen there. So on SQLite only a path that runs in
    autocommit (``autocommit=True``) meets; the others keep the pause."""
    global _meeting, _host
    if connection.vendor == "sqlite" and not autocommit:
        yield None
        return
    meeting = threading.Barrier(parties, timeout=timeout)
    _meeting, _host = meeting, threading.get_ident()
    try:
        yield meeting
    finally:
        _meeting = _host = None
        meeting.abort()
