"""The control runs' window: inside a meeting every thread has read before any writes, the test's
own thread passes, and a thread that never comes does not hang the others."""

import threading
import time

from liandong.core import races


def _run(parties: int, arriving: int) -> list[str]:
    events: list[str] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        time.sleep(0.04 * i)  # later threads read late: without the meeting, after a write
        with lock:
            events.append("read")
        races.window()
        with lock:
            events.append("write")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(arriving)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return events


def test_every_thread_reads_before_any_writes() -> None:
    with races.all_read_first(4, autocommit=True):
        races.window()  # the test's own thread (setting up) does not wait for the meeting
        events = _run(4, 4)
    assert events == ["read"] * 4 + ["write"] * 4


def test_a_thread_that_never_comes_breaks_the_wait_and_the_others_go_on() -> None:
    started = time.monotonic()
    with races.all_read_first(3, autocommit=True, timeout=0.5):
        events = _run(3, 2)
    assert events.count("write") == 2
    assert time.monotonic() - started < 5


def test_outside_a_meeting_the_window_is_only_a_pause() -> None:
    """The control of the first test: the same threads, no meeting, and a write comes first."""
    events = _run(4, 4)
    assert events.index("write") < len(events) - events[::-1].index("read") - 1
